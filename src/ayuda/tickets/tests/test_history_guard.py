"""The database itself refuses to change or remove history rows (events and seals), whatever
the code or SQL that tries; only TRUNCATE (never granted to the application) and dropping the
trigger (only the tables' owner) get past it."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError

from ayuda.tickets.history import history_seal
from ayuda.tickets.models import HistorySeal, Ticket, TicketEvent
from ayuda.tickets.tests.factories import ticket_make
from ayuda.tickets.tests.tamper import guard_dropped, sql

pytestmark = pytest.mark.django_db

EVENTS = TicketEvent._meta.db_table
SEALS = HistorySeal._meta.db_table


def _refused(statement, params):
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        sql(statement, params)


def test_updating_an_event_with_sql_is_refused_by_the_database():
    # given
    event = ticket_make().events.get()

    # when
    _refused(f"UPDATE {EVENTS} SET new_value = %s WHERE id = %s", ["forged", event.pk])

    # then
    event.refresh_from_db()
    assert event.new_value == "Printer on fire"


def test_deleting_an_event_with_sql_is_refused_by_the_database():
    # given
    event = ticket_make().events.get()

    # when
    _refused(f"DELETE FROM {EVENTS} WHERE id = %s", [event.pk])

    # then
    assert TicketEvent.objects.filter(pk=event.pk).exists()


def test_a_queryset_update_or_delete_of_events_is_refused_too():
    # given
    ticket = ticket_make()

    # when / then
    with pytest.raises(IntegrityError), transaction.atomic():
        TicketEvent.objects.filter(ticket=ticket).update(field="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        events = TicketEvent.objects.filter(ticket=ticket)
        events._raw_delete(events.db)
    assert ticket.events.get().field == ""


def test_seals_cannot_be_changed_or_removed_either():
    # given
    ticket_make()
    seal = history_seal()

    # when
    _refused(f"UPDATE {SEALS} SET prev_hash = %s WHERE id = %s", ["0" * 64, seal.pk])
    _refused(f"DELETE FROM {SEALS} WHERE id = %s", [seal.pk])

    # then
    assert HistorySeal.objects.get(pk=seal.pk).prev_hash == ""


def test_a_ticket_with_history_cannot_be_deleted():
    # given: every ticket has at least its "created" event
    ticket = ticket_make()

    # when / then: the model refuses (PROTECT) and so does the database
    with pytest.raises(ProtectedError):
        ticket.delete()
    with pytest.raises(IntegrityError), transaction.atomic():
        sql(f"DELETE FROM {EVENTS} WHERE ticket_id = %s", [ticket.pk])
    assert Ticket.objects.filter(pk=ticket.pk).exists()


def test_the_owner_who_drops_the_trigger_can_edit_and_the_trigger_comes_back():
    # given
    event = ticket_make().events.get()

    # when
    with guard_dropped():
        TicketEvent.objects.filter(pk=event.pk).update(field="x")

    # then
    event.refresh_from_db()
    assert event.field == "x"
    _refused(f"UPDATE {EVENTS} SET field = %s WHERE id = %s", ["y", event.pk])


def test_the_guard_is_a_trigger_in_the_database():
    # given / when
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT event_object_table, event_manipulation FROM information_schema.triggers"
                " WHERE trigger_name LIKE 'ayuda_append_only%%'"
            )
            found = {(table, op) for table, op in cursor.fetchall()}
            expected = {(t, op) for t in (EVENTS, SEALS) for op in ("UPDATE", "DELETE")}
        else:
            cursor.execute(
                "SELECT tbl_name FROM sqlite_master WHERE type = 'trigger'"
                " AND name LIKE 'ayuda_append_only%'"
            )
            found = sorted(row[0] for row in cursor.fetchall())
            expected = sorted([EVENTS, EVENTS, SEALS, SEALS])

    # then
    assert found == expected
