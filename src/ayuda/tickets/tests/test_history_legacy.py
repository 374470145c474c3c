"""Migration 0010: chains written before keyed hashes are signed once at the upgrade; one that
was already broken is left unsigned, and reported."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from ayuda.tickets import services
from ayuda.tickets.history import chain_verify, event_content, legacy_event_hash
from ayuda.tickets.history.keys import key_id
from ayuda.tickets.history.legacy import legacy_chains_sign
from ayuda.tickets.models import Ticket, TicketEvent
from ayuda.tickets.tests.factories import desk_make, ticket_make
from ayuda.tickets.tests.tamper import guard_dropped

pytestmark = pytest.mark.django_db


def _events(ticket):
    return list(TicketEvent.objects.filter(ticket=ticket).order_by("seq"))


def _as_before_the_upgrade(ticket):
    """Rewrite a ticket's chain as the code before keyed chains wrote it."""
    prev = ""
    with guard_dropped():
        for event in _events(ticket):
            event.prev_hash, event.key_id = prev, ""
            event.hash = prev = legacy_event_hash(**event_content(event))
            TicketEvent.objects.filter(pk=event.pk).update(
                prev_hash=event.prev_hash, key_id="", hash=event.hash
            )
        Ticket.objects.filter(pk=ticket.pk).update(history_head=prev)


def _worked(desk):
    ticket = ticket_make(requester=desk.requester)
    services.article_add_reply(ticket=ticket, actor=desk.agent_l1, body="On it.")
    return ticket


def test_legacy_chains_are_signed_once_and_a_broken_one_is_left_to_be_reported(settings):
    # given: three tickets from before the upgrade, one of them already tampered with
    settings.AYUDA_HISTORY_KEYS = ["the-site-history-key"]
    desk = desk_make()
    good, tampered, other = _worked(desk), _worked(desk), _worked(desk)
    for ticket in (good, tampered, other):
        _as_before_the_upgrade(ticket)
    with guard_dropped():
        TicketEvent.objects.filter(ticket=tampered, seq=1).update(new_value="forged")
    unsigned = chain_verify(_events(good))

    # when
    with guard_dropped():
        signed, left = legacy_chains_sign(
            ticket_model=Ticket, event_model=TicketEvent, batch_size=2
        )
    err = StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("verify_history", stdout=StringIO(), stderr=err)

    # then
    assert unsigned.reason == "not signed with a history key"
    assert (signed, left) == (2, 1)
    for ticket in (good, other):
        events = _events(ticket)
        ticket.refresh_from_db()
        assert {e.key_id for e in events} == {key_id("the-site-history-key")}
        assert chain_verify(events, head=(ticket.history_seq, ticket.history_head)) is None
    assert err.getvalue().splitlines() == [
        f"Ticket #{tampered.pk}: first broken link at event 1 (not signed with a history key)."
    ]
    assert "1 broken chain(s)" in str(failed.value)


def test_signing_again_changes_nothing():
    # given: an upgraded database
    ticket = _worked(desk_make())
    before = [(e.hash, e.key_id) for e in _events(ticket)]

    # when
    signed, left = legacy_chains_sign(ticket_model=Ticket, event_model=TicketEvent)

    # then
    assert (signed, left) == (0, 0)
    assert [(e.hash, e.key_id) for e in _events(ticket)] == before
