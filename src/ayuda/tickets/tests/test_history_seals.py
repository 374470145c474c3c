"""Seals: the chain heads of every ticket, sealed periodically into a keyed, chained record, so
cutting off the newest events of a ticket and rolling its head back is found."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Max

from ayuda.tickets import services, tasks
from ayuda.tickets.history import history_seal
from ayuda.tickets.models import HistorySeal, Ticket, TicketEvent
from ayuda.tickets.tests.factories import desk_make, ticket_make
from ayuda.tickets.tests.tamper import guard_dropped, sql

pytestmark = pytest.mark.django_db

EVENTS = TicketEvent._meta.db_table


def _worked_tickets(desk, count):
    tickets = [ticket_make(requester=desk.requester) for _ in range(count)]
    for ticket in tickets:
        services.article_add_reply(ticket=ticket, actor=desk.agent_l1, body="On it.")
        services.ticket_resolve(ticket=ticket, actor=desk.agent_l1, solution="Done.")
    return tickets


def _verify():
    out, err = StringIO(), StringIO()
    try:
        call_command("verify_history", "--batch-size", "2", stdout=out, stderr=err)
    except CommandError as failed:
        return False, out.getvalue(), err.getvalue() + str(failed)
    return True, out.getvalue(), err.getvalue()


def _roll_back(ticket, *, drop: int):
    """Delete the newest ``drop`` events and point the ticket's head at what is left: every
    remaining link is valid and the ticket agrees with its chain."""
    events = list(TicketEvent.objects.filter(ticket=ticket).order_by("seq"))
    kept = events[:-drop]
    with guard_dropped():
        sql(f"DELETE FROM {EVENTS} WHERE ticket_id = %s AND seq > %s", [ticket.pk, kept[-1].seq])
        Ticket.objects.filter(pk=ticket.pk).update(
            history_seq=kept[-1].seq, history_head=kept[-1].hash
        )


def test_a_seal_records_every_ticket_head_up_to_the_newest_event():
    # given
    desk = desk_make()
    _worked_tickets(desk, 3)

    # when
    seal = history_seal()

    # then
    assert seal.number == 1
    assert seal.tickets == 3
    assert seal.last_event_id == TicketEvent.objects.aggregate(m=Max("pk"))["m"]
    assert seal.prev_hash == ""
    assert len(seal.hash) == 64 and seal.key_id


def test_the_seal_task_is_idempotent_and_seals_again_only_when_history_grew():
    # given
    desk = desk_make()
    ticket = _worked_tickets(desk, 2)[0]

    # when
    first = tasks.history_seal.delay().get()
    again = tasks.history_seal.delay().get()
    services.article_add_customer(ticket=ticket, author=desk.requester, body="Thanks!")
    second = tasks.history_seal.delay().get()

    # then
    assert first == again
    assert HistorySeal.objects.count() == 2
    newest = HistorySeal.objects.get(pk=second)
    assert newest.number == 2
    assert newest.prev_hash == HistorySeal.objects.get(pk=first).hash
    assert newest.last_event_id == TicketEvent.objects.aggregate(m=Max("pk"))["m"]


def test_the_beat_schedule_runs_the_seal_task(settings):
    # given / when
    entry = settings.CELERY_BEAT_SCHEDULE["tickets-history-seal"]

    # then
    assert entry["task"] == tasks.history_seal.name
    assert entry["schedule"] == settings.AYUDA_HISTORY_SEAL_SECONDS


def test_a_rolled_back_ticket_passes_its_own_chain_check_but_not_the_seal():
    # given
    desk = desk_make()
    tickets = _worked_tickets(desk, 4)
    seal = history_seal()
    victim = tickets[2]

    # when
    _roll_back(victim, drop=2)
    passed, _out, report = _verify()

    # then
    assert not passed
    assert f"Ticket #{victim.pk}" not in report  # its chain alone looks whole
    assert (
        f"Seal #{seal.number} ({seal.sealed_at:%Y-%m-%d %H:%M} UTC): the ticket heads it sealed "
        f"are not all in the history any more (tickets #{victim.pk - victim.pk % 1000}"
    ) in report
    assert "1 seal(s) checked: 1 broken" in report


def test_events_after_the_last_seal_do_not_disturb_it():
    # given
    desk = desk_make()
    tickets = _worked_tickets(desk, 3)
    history_seal()

    # when: work goes on and new tickets arrive after the seal
    services.article_add_customer(ticket=tickets[0], author=desk.requester, body="Again!")
    ticket_make(requester=desk.requester)
    passed, out, report = _verify()

    # then
    assert passed, report
    assert "1 seal(s) checked: 0 broken" in out


def test_a_ticket_removed_whole_is_caught_by_the_seal():
    # given
    desk = desk_make()
    tickets = _worked_tickets(desk, 3)
    history_seal()
    gone = tickets[1]

    # when: its events, articles and the ticket row disappear
    with guard_dropped():
        sql(f"DELETE FROM {EVENTS} WHERE ticket_id = %s", [gone.pk])
        gone.articles.all()._raw_delete("default")
        Ticket.objects.filter(pk=gone.pk)._raw_delete("default")
    passed, _out, report = _verify()

    # then
    assert not passed
    assert "the ticket heads it sealed are not all in the history any more" in report


def test_an_edited_seal_is_found():
    # given
    desk = desk_make()
    _worked_tickets(desk, 2)
    seal = history_seal()

    # when: the forger makes the seal agree with a rolled-back history
    with guard_dropped():
        HistorySeal.objects.filter(pk=seal.pk).update(buckets={"0": "0" * 64})
    passed, _out, report = _verify()

    # then
    assert not passed
    assert f"Seal #{seal.number}: content does not match its hash." in report


def test_a_removed_seal_is_found():
    # given: three seals
    desk = desk_make()
    ticket = _worked_tickets(desk, 1)[0]
    seals = [history_seal()]
    for body in ("One more thing", "And another"):
        services.article_add_customer(ticket=ticket, author=desk.requester, body=body)
        seals.append(history_seal())

    # when
    with guard_dropped():
        sql(f"DELETE FROM {HistorySeal._meta.db_table} WHERE id = %s", [seals[1].pk])
    passed, _out, report = _verify()

    # then
    assert not passed
    assert "Seal #2: missing." in report


def test_seal_history_command_seals_once_then_reports_nothing_new():
    # given
    desk = desk_make()
    _worked_tickets(desk, 2)
    first, second = StringIO(), StringIO()

    # when
    call_command("seal_history", stdout=first)
    call_command("seal_history", stdout=second)

    # then
    seal = HistorySeal.objects.get()
    assert f"Seal #1: the heads of 2 ticket(s) up to event {seal.last_event_id}." in (
        first.getvalue()
    )
    assert "Nothing new since seal #1." in second.getvalue()


def test_without_seals_verify_history_says_so_and_passes():
    # given
    ticket_make()

    # when
    passed, out, _report = _verify()

    # then
    assert passed
    assert "No seals yet" in out


def test_sealing_costs_a_query_per_changed_block_of_tickets(django_assert_max_num_queries):
    # given: tickets in one block of ticket ids, sealed once, then one of them changed
    desk = desk_make()
    tickets = _worked_tickets(desk, 6)
    history_seal()
    services.article_add_customer(ticket=tickets[0], author=desk.requester, body="Back.")

    # when / then: the previous seal; the newest event in its savepoint (on PostgreSQL with
    # the lock timeout and the lock); the changed tickets; one query for the heads of their
    # block; the insert in its savepoint. Not one query per ticket.
    with django_assert_max_num_queries(11):
        seal = history_seal()
    assert seal.tickets == 6
