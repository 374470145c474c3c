"""The keyed chain: a forger who can write the database but does not hold the history key
cannot rehash an edited history, and keys rotate without breaking old events."""

import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from ayuda.tickets import services
from ayuda.tickets.history import chain_verify, legacy_event_hash
from ayuda.tickets.models import Ticket, TicketEvent
from ayuda.tickets.tests.factories import desk_make, ticket_make
from ayuda.tickets.tests.tamper import guard_dropped

pytestmark = pytest.mark.django_db

OLD_KEY = "an-old-history-key-kept-for-verification"
NEW_KEY = "the-new-history-key-that-signs-from-now-on"


def _key_id(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:8]


def _events(ticket):
    return list(TicketEvent.objects.filter(ticket=ticket).order_by("seq"))


def _worked_ticket(desk):
    ticket = ticket_make(requester=desk.requester)
    services.article_add_reply(ticket=ticket, actor=desk.agent_l1, body="Looking into it.")
    services.ticket_resolve(ticket=ticket, actor=desk.agent_l1, solution="Replaced the fuser.")
    return ticket


def _rewrite_with_the_unkeyed_formula(ticket, *, at_seq: int, new_value: str):
    """What a forger with database access does: edit one event, then recompute its hash and
    every later one with the published formula, and move the ticket's head."""
    prev = None
    with guard_dropped():
        for event in _events(ticket):
            if event.seq < at_seq:
                prev = event.hash
                continue
            if event.seq == at_seq:
                event.new_value = new_value
            event.prev_hash = prev or ""
            event.hash = legacy_event_hash(
                ticket_id=event.ticket_id,
                seq=event.seq,
                actor_id=event.actor_id,
                at=event.at,
                action=event.action,
                field=event.field,
                old_value=event.old_value,
                new_value=event.new_value,
                data=event.data,
                prev_hash=event.prev_hash,
            )
            TicketEvent.objects.filter(pk=event.pk).update(
                new_value=event.new_value, prev_hash=event.prev_hash, hash=event.hash
            )
            prev = event.hash
        Ticket.objects.filter(pk=ticket.pk).update(history_head=prev)


def test_an_event_rehashed_with_the_unkeyed_formula_is_caught_by_verify_history():
    # given
    desk = desk_make()
    ticket = _worked_ticket(desk)
    target = _events(ticket)[1]

    # when
    _rewrite_with_the_unkeyed_formula(ticket, at_seq=target.seq, new_value="never said")
    err = StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("verify_history", stdout=StringIO(), stderr=err)

    # then
    assert "1 broken chain(s)" in str(failed.value)
    assert f"Ticket #{ticket.pk}: first broken link at event {target.seq} (" in err.getvalue()


def test_new_events_carry_the_id_of_the_first_key(settings):
    # given
    settings.AYUDA_HISTORY_KEYS = [NEW_KEY, OLD_KEY]

    # when
    ticket = ticket_make()

    # then
    event = ticket.events.get()
    assert event.key_id == _key_id(NEW_KEY)
    assert chain_verify([event]) is None


def test_a_different_key_gives_a_different_hash_for_the_same_content(settings):
    # given
    settings.AYUDA_HISTORY_KEYS = [OLD_KEY]
    ticket = ticket_make()
    event = ticket.events.get()

    # when: the same content hashed under another key
    settings.AYUDA_HISTORY_KEYS = [NEW_KEY]
    broken = chain_verify([event])

    # then
    assert (broken.seq, broken.reason) == (
        1,
        f"signed with a key that is not configured ({_key_id(OLD_KEY)})",
    )


def test_rotation_old_events_verify_while_their_key_is_listed_and_fail_once_removed(settings):
    # given: a ticket worked under the old key, then the key rotated
    desk = desk_make()
    settings.AYUDA_HISTORY_KEYS = [OLD_KEY]
    ticket = _worked_ticket(desk)
    settings.AYUDA_HISTORY_KEYS = [NEW_KEY, OLD_KEY]
    services.article_add_customer(ticket=ticket, author=desk.requester, body="Works again.")
    events = _events(ticket)
    ticket.refresh_from_db()
    head = (ticket.history_seq, ticket.history_head)
    signers = [e.key_id for e in events]

    # when
    with_both = chain_verify(events, head=head)
    settings.AYUDA_HISTORY_KEYS = [NEW_KEY]
    without_old = chain_verify(events, head=head)

    # then
    assert signers[0] == _key_id(OLD_KEY) and signers[-1] == _key_id(NEW_KEY)
    assert with_both is None
    assert (without_old.seq, without_old.reason) == (
        1,
        f"signed with a key that is not configured ({_key_id(OLD_KEY)})",
    )


def test_verify_history_passes_across_a_rotation_and_fails_without_the_old_key(settings):
    # given
    desk = desk_make()
    settings.AYUDA_HISTORY_KEYS = [OLD_KEY]
    old = _worked_ticket(desk)
    settings.AYUDA_HISTORY_KEYS = [NEW_KEY, OLD_KEY]
    new = _worked_ticket(desk)
    out = StringIO()

    # when
    call_command("verify_history", stdout=out)
    settings.AYUDA_HISTORY_KEYS = [NEW_KEY]
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("verify_history", stdout=StringIO(), stderr=err)

    # then
    assert "0 broken chain(s)" in out.getvalue()
    assert f"Ticket #{old.pk}: first broken link at event 1 (signed with a key" in err.getvalue()
    assert f"Ticket #{new.pk}" not in err.getvalue()


def test_an_event_claiming_to_be_unsigned_is_refused():
    # given: the forger marks an event as a legacy (unkeyed) one and hashes it the old way
    ticket = ticket_make()
    event = ticket.events.get()
    forged = legacy_event_hash(
        ticket_id=event.ticket_id,
        seq=event.seq,
        actor_id=event.actor_id,
        at=event.at,
        action=event.action,
        field=event.field,
        old_value=event.old_value,
        new_value="forged",
        data=event.data,
        prev_hash="",
    )

    # when
    with guard_dropped():
        TicketEvent.objects.filter(pk=event.pk).update(new_value="forged", key_id="", hash=forged)
        Ticket.objects.filter(pk=ticket.pk).update(history_head=forged)
    broken = chain_verify(_events(ticket))

    # then
    assert (broken.seq, broken.reason) == (1, "not signed with a history key")
