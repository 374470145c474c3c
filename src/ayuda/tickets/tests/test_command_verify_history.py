"""manage.py verify_history: every chain checked, the first broken link of each reported."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from ayuda.tickets import services
from ayuda.tickets.models import TicketEvent
from ayuda.tickets.tests.factories import desk_make, ticket_make
from ayuda.tickets.tests.tamper import guard_dropped

pytestmark = pytest.mark.django_db


def _tickets(count):
    desk = desk_make()
    tickets = [ticket_make(requester=desk.requester) for _ in range(count)]
    for ticket in tickets:
        services.article_add_reply(ticket=ticket, actor=desk.agent_l1, body="Hi")
        services.ticket_resolve(ticket=ticket, actor=desk.agent_l1, solution="Done")
    return tickets


def _event(ticket, seq):
    return TicketEvent.objects.get(ticket=ticket, seq=seq)


def test_clean_history_passes_with_a_summary():
    # given
    tickets = _tickets(5)
    out = StringIO()

    # when
    call_command("verify_history", "--batch-size", "2", stdout=out)

    # then
    events = TicketEvent.objects.count()
    assert f"Checked {len(tickets)} ticket(s) and {events} event(s): 0 broken" in out.getvalue()


def test_clean_history_costs_a_few_queries_per_batch(django_assert_max_num_queries):
    # given: 6 tickets in batches of 3 -> the seals, 3 id queries and 2 event queries
    _tickets(6)

    # when / then
    with django_assert_max_num_queries(6):
        call_command("verify_history", "--batch-size", "3", stdout=StringIO())


def test_tampered_tickets_are_reported_at_their_first_broken_link_and_the_command_fails():
    # given
    tickets = _tickets(5)
    edited, deleted, doubly = tickets[1], tickets[3], tickets[4]
    with guard_dropped():
        TicketEvent.objects.filter(pk=_event(edited, 3).pk).update(new_value="forged")
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {TicketEvent._meta.db_table} WHERE id = %s", [_event(deleted, 2).pk]
            )
        TicketEvent.objects.filter(pk=_event(doubly, 2).pk).update(field="x")
        TicketEvent.objects.filter(pk=_event(doubly, 4).pk).update(field="y")
    err = StringIO()

    # when
    with pytest.raises(CommandError) as failed:
        call_command("verify_history", "--batch-size", "2", stdout=StringIO(), stderr=err)

    # then
    report = err.getvalue().splitlines()
    assert report == [
        f"Ticket #{edited.pk}: first broken link at event 3 (content does not match its hash).",
        f"Ticket #{deleted.pk}: first broken link at event 2 (missing event).",
        f"Ticket #{doubly.pk}: first broken link at event 2 (content does not match its hash).",
    ]
    assert "Checked 5 ticket(s)" in str(failed.value)
    assert "3 broken chain(s)" in str(failed.value)


def test_a_ticket_whose_whole_history_is_gone_is_reported():
    # given
    ticket = _tickets(1)[0]
    events = TicketEvent.objects.filter(ticket=ticket)
    with guard_dropped():
        events._raw_delete(events.db)
    err = StringIO()

    # when
    with pytest.raises(CommandError):
        call_command("verify_history", stdout=StringIO(), stderr=err)

    # then
    assert f"Ticket #{ticket.pk}: first broken link at event 1 (no history)." in err.getvalue()


def test_no_tickets_is_a_clean_pass():
    # given
    out = StringIO()

    # when
    call_command("verify_history", stdout=out)

    # then
    assert "Checked 0 ticket(s) and 0 event(s): 0 broken" in out.getvalue()
