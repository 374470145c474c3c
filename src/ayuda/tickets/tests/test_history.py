"""The append-only, hash-chained ticket history: it verifies, and tampering is found."""

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from ayuda.tickets import services
from ayuda.tickets.history import chain_verify
from ayuda.tickets.models import EscalationMode, StateCategory, TicketEvent
from ayuda.tickets.tests.factories import desk_make, ticket_in, ticket_make
from ayuda.tickets.tests.tamper import guard_dropped

pytestmark = pytest.mark.django_db


def _events(ticket):
    return list(TicketEvent.objects.filter(ticket=ticket).order_by("seq"))


def _busy_ticket(desk):
    """A ticket with a dozen or so events of many kinds."""
    ticket = ticket_in(StateCategory.PENDING_CUSTOMER, desk=desk)
    services.article_add_customer(ticket=ticket, author=desk.requester, body="It's the HP.")
    services.ticket_assign(
        ticket=ticket, actor=desk.agent_l1, team=desk.l1_team, owner=desk.agent_l1
    )
    services.ticket_escalate(
        ticket=ticket,
        actor=desk.agent_l1,
        team=desk.l2_team,
        mode=EscalationMode.REFERRAL,
        reason="Needs «level 2» – ünïcode",
    )
    services.ticket_hand_back(ticket=ticket, actor=desk.agent_l2, answer="Reset the fuser.")
    services.ticket_escalate_to_vendor(
        ticket=ticket, actor=desk.agent_l1, vendor=desk.vendor, reason="Still broken"
    )
    services.ticket_hand_back(ticket=ticket, actor=desk.vendor_agent, answer="Firmware 2.1")
    services.ticket_resolve(ticket=ticket, actor=desk.agent_l1, solution="Firmware updated.")
    services.ticket_close(ticket=ticket, actor=desk.agent_l1)
    return ticket


def test_the_chain_of_a_busy_ticket_verifies_with_consecutive_seqs():
    # given
    desk = desk_make()
    ticket = _busy_ticket(desk)

    # when
    events = _events(ticket)
    broken = chain_verify(events)

    # then
    assert broken is None
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert len(events) > 15
    assert events[0].prev_hash == ""
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(events))


def test_an_edited_event_is_found_at_its_seq():
    # given
    desk = desk_make()
    ticket = _busy_ticket(desk)
    target = _events(ticket)[5]

    # when
    with guard_dropped():
        TicketEvent.objects.filter(pk=target.pk).update(new_value="nothing to see here")
    broken = chain_verify(_events(ticket))

    # then
    assert broken is not None
    assert (broken.ticket_id, broken.seq, broken.reason) == (
        ticket.pk,
        target.seq,
        "content does not match its hash",
    )


def test_an_edited_event_with_a_recomputed_own_hash_breaks_the_next_link():
    # given: a forger who rehashes the edited event (with the key, even) but not the rest
    desk = desk_make()
    ticket = _busy_ticket(desk)
    events = _events(ticket)
    target = events[3]
    from ayuda.tickets.history import event_hash
    from ayuda.tickets.history.keys import signing_key

    forged = event_hash(
        secret=signing_key()[1],
        ticket_id=target.ticket_id,
        seq=target.seq,
        actor_id=target.actor_id,
        at=target.at,
        action=target.action,
        field=target.field,
        old_value=target.old_value,
        new_value="forged",
        data=target.data,
        prev_hash=target.prev_hash,
    )

    # when
    with guard_dropped():
        TicketEvent.objects.filter(pk=target.pk).update(new_value="forged", hash=forged)
    broken = chain_verify(_events(ticket))

    # then
    assert (broken.seq, broken.reason) == (target.seq + 1, "previous hash does not match")


def test_an_event_deleted_with_raw_sql_is_found_at_its_seq():
    # given
    desk = desk_make()
    ticket = _busy_ticket(desk)
    target = _events(ticket)[4]

    # when
    with guard_dropped(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TicketEvent._meta.db_table} WHERE id = %s", [target.pk])
    broken = chain_verify(_events(ticket))

    # then
    assert (broken.ticket_id, broken.seq, broken.reason) == (
        ticket.pk,
        target.seq,
        "missing event",
    )


def test_an_event_deleted_with_raw_delete_is_found_at_its_seq():
    # given
    desk = desk_make()
    ticket = _busy_ticket(desk)
    first = _events(ticket)[0]

    # when
    doomed = TicketEvent.objects.filter(pk=first.pk)
    with guard_dropped():
        doomed._raw_delete(doomed.db)
    broken = chain_verify(_events(ticket))

    # then
    assert (broken.seq, broken.reason) == (1, "missing event")


def test_saving_an_existing_event_is_refused_and_changes_nothing():
    # given
    ticket = ticket_make()
    event = ticket.events.get()
    original = event.new_value

    # when
    event.new_value = "rewritten"
    with pytest.raises(RuntimeError):
        event.save()

    # then
    event.refresh_from_db()
    assert event.new_value == original


def test_deleting_an_event_is_refused():
    # given
    ticket = ticket_make()
    event = ticket.events.get()

    # when
    with pytest.raises(RuntimeError):
        event.delete()

    # then
    assert TicketEvent.objects.filter(pk=event.pk).exists()


def test_a_ticket_created_with_a_non_utc_time_still_verifies():
    # given: intake may pass the time a mail was sent, with the sender's offset
    sent = dt.datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=ZoneInfo("Europe/Madrid"))

    # when
    ticket = ticket_make(at=sent)

    # then
    event = ticket.events.get()
    assert event.at == sent
    assert chain_verify([event]) is None


def _head(ticket):
    ticket.refresh_from_db()
    return (ticket.history_seq, ticket.history_head)


def test_the_ticket_holds_the_head_of_its_chain():
    # given
    desk = desk_make()
    ticket = _busy_ticket(desk)

    # when
    events = _events(ticket)

    # then
    assert _head(ticket) == (events[-1].seq, events[-1].hash)
    assert chain_verify(events, head=_head(ticket)) is None


def test_cutting_off_the_newest_events_is_found():
    # given
    desk = desk_make()
    ticket = _busy_ticket(desk)
    events = _events(ticket)
    head = _head(ticket)

    # when: the last two events disappear; what is left is a valid chain on its own
    with guard_dropped(), connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {TicketEvent._meta.db_table} WHERE id IN (%s, %s)",
            [events[-1].pk, events[-2].pk],
        )
    remaining = _events(ticket)

    # then
    assert chain_verify(remaining) is None
    broken = chain_verify(remaining, head=head)
    assert (broken.ticket_id, broken.seq, broken.reason) == (
        ticket.pk,
        events[-2].seq,
        "newest events are missing",
    )
