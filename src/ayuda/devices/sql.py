"""The readings service's three set-based writes, in raw SQL (the one place the devices app
writes SQL by hand, because the ORM has no multi-row "insert, skip conflicts, tell me which
rows went in" nor an additive upsert).

Each statement takes its rows as ONE parameter per column, whatever the batch's size, so a
batch of 5,000 readings is still one query per statement:

- PostgreSQL: ``unnest(%s::bigint[], %s::timestamptz[], ...)`` turns parallel arrays into rows;
- SQLite: ``json_each(%s)`` turns one JSON array of rows into rows (``json_extract`` picks the
  columns). SQLite needs 3.35+ for ``RETURNING`` and 3.33+ for ``UPDATE ... FROM``.

Both databases understand the rest as written: ``INSERT ... ON CONFLICT ... DO NOTHING
RETURNING`` and ``INSERT ... ON CONFLICT ... DO UPDATE SET col = table.col + excluded.col``.
(``INSERT ... SELECT ... ON CONFLICT`` needs a ``WHERE`` in the ``SELECT`` on SQLite, or the
parser takes ``ON`` for a join: hence ``WHERE true``.)
"""

# The statements are built from model table names and constants only; every value is a
# parameter.
# ruff: noqa: S608

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime

from django.db import connection

from ayuda.accounts.models import Organisation, Site

from .models import Device, DeviceDay, Reading

# (name, PostgreSQL array type) of each column a statement's rows carry.
Columns = Sequence[tuple[str, str]]


def db_time(value: datetime):
    """``value`` as the database stores it (Django's UTC text on SQLite)."""
    return connection.ops.adapt_datetimefield_value(value)


def _plain(value):
    if isinstance(value, datetime):
        return db_time(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _pg_array(values) -> str:
    """A PostgreSQL array literal (``{"a","b",NULL}``), sent as ONE text parameter. Django's
    psycopg connection binds parameters on the client, quoting each value in Python: a list of
    5,000 datetimes took 30 ms to quote, its literal a fraction of a millisecond."""

    def element(value) -> str:
        if value is None:
            return "NULL"
        if isinstance(value, date):  # datetimes too, with their offset
            value = value.isoformat()
        text = str(value)
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    return "{" + ",".join(element(v) for v in values) + "}"


def devices_resolve(*, serials: Sequence[str]) -> list[tuple]:
    """``(serial, id, organisation_id, is_active, site time zone, organisation time zone,
    last_heartbeat_at)`` of the devices with these serials: one query on the unique serial
    index, the serials as ONE parameter (an ``IN`` list of 5,000 placeholders costs more to
    build and parse than the lookup itself)."""
    if not serials:
        return []
    if connection.vendor == "postgresql":
        where, params = "d.serial = ANY(%s::text[])", [_pg_array(serials)]
    else:
        where, params = "d.serial IN (SELECT value FROM json_each(%s))", [json.dumps(serials)]
    device, site = Device._meta.db_table, Site._meta.db_table
    organisation = Organisation._meta.db_table
    sql = (
        f"SELECT d.serial, d.id, s.organisation_id, d.is_active, s.timezone, o.timezone, "
        f"d.last_heartbeat_at FROM {device} AS d JOIN {site} AS s ON s.id = d.site_id "
        f"JOIN {organisation} AS o ON o.id = s.organisation_id WHERE {where}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(*row[:6], _aware(row[6]) if row[6] else None) for row in cursor.fetchall()]


def _rows(columns: Columns, rows: Sequence[Sequence]) -> tuple[str, list]:
    """A ``SELECT`` giving ``rows`` with ``columns``' names, and its parameters."""
    names = [name for name, _type in columns]
    if connection.vendor == "postgresql":
        arrays = ", ".join(f"%s::{pg_type}[]" for _name, pg_type in columns)
        params = [_pg_array(row[i] for row in rows) for i in range(len(columns))]
        return f"SELECT * FROM unnest({arrays}) AS r({', '.join(names)})", params
    picks = ", ".join(f"json_extract(value, '$[{i}]') AS {name}" for i, name in enumerate(names))
    data = json.dumps([[_plain(v) for v in row] for row in rows], separators=(",", ":"))
    return f"SELECT {picks} FROM json_each(%s)", [data]


def readings_insert(*, rows: Sequence[tuple], received_at: datetime) -> set[tuple]:
    """Insert readings ``(device_id, period_start, period_end, count_in, count_out)``, skipping
    those already stored (the ``reading_once`` constraint on device and period start), and
    return the ``(device_id, period_start)`` (aware) of the rows THIS statement inserted.

    Only those are rolled up: a reading another batch stored first (a re-sent batch, or the
    same batch sent twice at once, where this insert waits for the other's commit on the
    unique index and then skips the row) is not counted again."""
    if not rows:
        return set()
    source, params = _rows(
        [
            ("device_id", "bigint"),
            ("period_start", "timestamptz"),
            ("period_end", "timestamptz"),
            ("count_in", "integer"),
            ("count_out", "integer"),
        ],
        rows,
    )
    table = Reading._meta.db_table
    sql = (
        f"INSERT INTO {table} (device_id, period_start, period_end, count_in, count_out, "
        f"received_at) SELECT r.device_id, r.period_start, r.period_end, r.count_in, "
        f"r.count_out, %s FROM ({source}) AS r WHERE true "
        f"ON CONFLICT (device_id, period_start) DO NOTHING "
        f"RETURNING device_id, period_start"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [db_time(received_at), *params])
        return {(device_id, _aware(start)) for device_id, start in cursor.fetchall()}


def days_add(*, rows: Sequence[tuple]) -> None:
    """Add ``(device_id, day, count_in, count_out, readings, heartbeats)`` to the devices'
    days: a new day is inserted, an existing one gets the figures added to its own
    (``count_in = count_in + excluded.count_in``), atomically in the database, so two batches
    adding to the same day at once both count."""
    if not rows:
        return
    source, params = _rows(
        [
            ("device_id", "bigint"),
            ("day", "date"),
            ("count_in", "bigint"),
            ("count_out", "bigint"),
            ("readings", "integer"),
            ("heartbeats", "integer"),
        ],
        rows,
    )
    table = DeviceDay._meta.db_table
    sql = (
        f"INSERT INTO {table} (device_id, day, count_in, count_out, readings, heartbeats) "
        f"SELECT r.device_id, r.day, r.count_in, r.count_out, r.readings, r.heartbeats "
        f"FROM ({source}) AS r WHERE true "
        f"ON CONFLICT (device_id, day) DO UPDATE SET "
        f"count_in = {table}.count_in + excluded.count_in, "
        f"count_out = {table}.count_out + excluded.count_out, "
        f"readings = {table}.readings + excluded.readings, "
        f"heartbeats = {table}.heartbeats + excluded.heartbeats"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _later(column: str, table: str) -> str:
    """The batch brings a later ``column`` than the row holds (NULL-safe, both databases)."""
    return (
        f"(r.{column} IS NOT NULL AND ({table}.{column} IS NULL OR r.{column} > {table}.{column}))"
    )


def _greatest(column: str, table: str) -> str:
    """``column`` becomes the batch's value only when that is later."""
    return f"{column} = CASE WHEN {_later(column, table)} THEN r.{column} ELSE {table}.{column} END"


def devices_touch(*, rows: Sequence[tuple]) -> None:
    """Move ``(device_id, last_heartbeat_at, last_reading_at)`` forward, never back: each
    column keeps the greatest of what it held and what the batch brings (None: nothing). A
    device the batch brings nothing later for is not written at all (a late reading)."""
    if not rows:
        return
    source, params = _rows(
        [
            ("device_id", "bigint"),
            ("last_heartbeat_at", "timestamptz"),
            ("last_reading_at", "timestamptz"),
        ],
        rows,
    )
    table = Device._meta.db_table
    sql = (
        f"UPDATE {table} SET {_greatest('last_heartbeat_at', table)}, "
        f"{_greatest('last_reading_at', table)} "
        f"FROM ({source}) AS r WHERE {table}.id = r.device_id AND ("
        f"{_later('last_heartbeat_at', table)} OR {_later('last_reading_at', table)})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _aware(value) -> datetime:
    """A datetime read by raw SQL, aware: SQLite gives Django's UTC text or (for a column
    declared ``datetime``) a naive UTC datetime, PostgreSQL an aware one."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def readings_near(*, rows: Sequence[tuple]) -> list[tuple]:
    """The stored readings that could overlap a batch, given per device ``(device_id, lo,
    hi)``: the earliest start and the latest end of the batch's readings of that device.

    A device's stored periods do not overlap one another, so a stored period overlapping
    ``[lo, hi)`` either starts inside it or is the one that starts last before ``lo``: each
    device costs one index seek for that one (the correlated ``max``) and one range scan on
    the ``reading_once`` index (device, period start), however long its history."""
    if not rows:
        return []
    source, params = _rows(
        [("device_id", "bigint"), ("lo", "timestamptz"), ("hi", "timestamptz")], rows
    )
    table = Reading._meta.db_table
    sql = (
        f"SELECT s.device_id, s.period_start, s.period_end, s.count_in, s.count_out "
        f"FROM ({source}) AS b JOIN {table} AS s ON s.device_id = b.device_id "
        f"AND s.period_start < b.hi AND s.period_start >= COALESCE("
        f"(SELECT max(p.period_start) FROM {table} AS p "
        f"WHERE p.device_id = b.device_id AND p.period_start < b.lo), b.lo)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [
            (device_id, _aware(start), _aware(end), count_in, count_out)
            for device_id, start, end, count_in, count_out in cursor.fetchall()
        ]
