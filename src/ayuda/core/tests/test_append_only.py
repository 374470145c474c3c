"""Append-only tables (core.append_only): emptying a database with ``flush`` still works on
both databases, and the guard is back afterwards."""

import pytest
from django.core.management import call_command
from django.db import connection

from ayuda.core.append_only import guarded_tables
from ayuda.tickets.models import HistorySeal, Ticket, TicketEvent
from ayuda.tickets.tests.factories import states_ensure, ticket_make


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_append_only_tables_and_keeps_their_guard():
    # given (an earlier transactional test may have emptied the states)
    states_ensure()
    ticket_make()
    guarded = guarded_tables(connection)

    # when
    call_command("flush", interactive=False, verbosity=0)

    # then
    assert not Ticket.objects.exists() and not TicketEvent.objects.exists()
    assert guarded == sorted([TicketEvent._meta.db_table, HistorySeal._meta.db_table])
    assert guarded_tables(connection) == guarded
