"""Tables whose rows the database itself refuses to change or remove (the ticket history).

A trigger on each such table raises on every UPDATE and DELETE, whoever sends it: the ORM, a
script, or someone at a SQL prompt with the application's credentials. What still gets past:
``TRUNCATE`` on PostgreSQL (row triggers do not fire; never grant TRUNCATE to the application's
role) and dropping or disabling the trigger, which only the table's owner may do (run the
application as a role that does not own its tables). The keyed chain and the seals catch those.

PostgreSQL: one ``BEFORE UPDATE OR DELETE ... FOR EACH ROW`` trigger per table. SQLite: one
trigger per operation with ``RAISE(ABORT, ...)``. Both fail with an integrity error whose
message says "append-only".
"""

from collections.abc import Iterable
from contextlib import contextmanager

from django.db import transaction

PREFIX = "ayuda_append_only"


def _name(table: str, suffix: str = "") -> str:
    return f"{PREFIX}_{table}{suffix}"


def install_sql(vendor: str, table: str) -> list[str]:
    if vendor == "postgresql":
        function = _name(table)
        return [
            f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN RAISE EXCEPTION '% of a row of {table} refused: the table is append-only', "
            f"TG_OP USING ERRCODE = 'integrity_constraint_violation'; END $$",
            f'CREATE TRIGGER {_name(table)} BEFORE UPDATE OR DELETE ON "{table}" '
            f"FOR EACH ROW EXECUTE FUNCTION {function}()",
        ]
    if vendor == "sqlite":
        return [
            f'CREATE TRIGGER {_name(table, f"_{op.lower()}")} BEFORE {op} ON "{table}" '
            f"BEGIN SELECT RAISE(ABORT, '{op} of a row of {table} refused: "
            f"the table is append-only'); END"
            for op in ("UPDATE", "DELETE")
        ]
    return []


def remove_sql(vendor: str, table: str) -> list[str]:
    if vendor == "postgresql":
        return [
            f'DROP TRIGGER IF EXISTS {_name(table)} ON "{table}"',
            f"DROP FUNCTION IF EXISTS {_name(table)}()",
        ]
    if vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {_name(table, f'_{op}')}" for op in ("update", "delete")]
    return []


def guarded_tables(connection) -> list[str]:
    """The tables that carry the append-only trigger now."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT DISTINCT event_object_table FROM information_schema.triggers "
                "WHERE trigger_schema = current_schema() AND trigger_name LIKE %s",
                [f"{PREFIX}%"],
            )
        elif connection.vendor == "sqlite":
            cursor.execute(
                "SELECT DISTINCT tbl_name FROM sqlite_master WHERE type = 'trigger' "
                "AND name LIKE %s",
                [f"{PREFIX}%"],
            )
        else:
            return []
        return sorted(row[0] for row in cursor.fetchall())


@contextmanager
def append_only_lifted(connection, tables: Iterable[str]):
    """Drop the triggers of ``tables`` and put them back on leaving, in one transaction.

    For the owner's maintenance only: emptying a development database (``flush``) and the
    tests that play a forger who can drop triggers. Application code never calls it.
    """
    tables = list(tables)
    with transaction.atomic(using=connection.alias):
        with connection.cursor() as cursor:
            for table in tables:
                for sql in remove_sql(connection.vendor, table):
                    cursor.execute(sql)
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                for table in tables:
                    for sql in install_sql(connection.vendor, table):
                        cursor.execute(sql)
