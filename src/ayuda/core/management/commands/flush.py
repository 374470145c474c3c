"""``manage.py flush`` that also empties the append-only tables on SQLite.

Django empties tables with ``TRUNCATE`` on PostgreSQL, which row triggers do not see, but with
``DELETE`` on SQLite, which the append-only triggers refuse (``core.append_only``). This lifts
those triggers for the flush and puts them back, so both databases behave alike (the test
suite's transactional tests flush between tests).
"""

from django.core.management.commands.flush import Command as FlushCommand
from django.db import DEFAULT_DB_ALIAS, connections

from ayuda.core.append_only import append_only_lifted, guarded_tables


class Command(FlushCommand):
    def handle(self, **options):
        connection = connections[options.get("database") or DEFAULT_DB_ALIAS]
        if connection.vendor != "sqlite":
            return super().handle(**options)
        with append_only_lifted(connection, guarded_tables(connection)):
            return super().handle(**options)
