"""Tampering as someone who can write the database and drop its triggers (the tables' owner).

The history tables refuse UPDATE and DELETE in the database itself (``core.append_only``); a
test that plays the forger lifts that guard first, as such a person would.
"""

from contextlib import contextmanager

from django.db import connection

from ayuda.core.append_only import append_only_lifted
from ayuda.tickets.models import HistorySeal, TicketEvent

HISTORY_TABLES = (TicketEvent._meta.db_table, HistorySeal._meta.db_table)


@contextmanager
def guard_dropped():
    """The history tables without their append-only triggers, put back on leaving."""
    with append_only_lifted(connection, HISTORY_TABLES):
        yield


def sql(statement: str, params: list | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])
