"""Taking in a phone system's file: parse it, refuse bad lines with their reason, store the good
calls once (a re-import adds nothing), link them to the tickets agents logged for the callers,
and refresh the hourly roll-up for the hours the file touched.

The calls are streamed into a temporary table (COPY on PostgreSQL, batched inserts on
SQLite) and moved into ``Call`` with one ``INSERT … SELECT … ON CONFLICT DO NOTHING``: the
file's calls already stored are found with one join, not one query per call.
"""

import bisect
import hashlib
from collections import defaultdict
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from ayuda.intake.reasons import reason
from ayuda.tickets.models import Channel, Ticket

from .models import Call, CallImport, CallSource
from .parsers import FileRefused, LineError, ParsedCall, caller_key, calls_parse
from .rollup import call_hours_refresh

# A call is linked to a phone ticket of a requester with the same number (last nine digits)
# created from the call's arrival until this long after the call ended ("how close is close":
# the agent logs the ticket during the call or while writing it up just after).
LINK_WINDOW_AFTER = timedelta(minutes=30)
MAX_ERRORS = 1000  # refused lines kept on the import (all are counted)
STAGE_BATCH = 5000  # rows per insert into the staging table on databases without COPY
LINK_BATCH = 500  # caller numbers per query when linking
STAGE = "intake_call_stage"
STAGE_COLUMNS = (
    "line", "key", "arrived_at", "queue", "caller", "caller_key", "agent", "outcome", "waited",
    "talk",
)  # fmt: skip


def calls_import(*, source: CallSource, data: bytes, filename: str, user=None) -> CallImport:
    """Import one file into ``source``. All or nothing for the calls: either every good line is
    stored (bad lines listed in ``errors``), or the file is refused as a whole (``failure``)
    and no call is stored. The CallImport row is kept either way."""
    record = CallImport(
        source=source,
        filename=filename[:255],
        sha256=hashlib.sha256(data).hexdigest(),
        user=user,
        started_at=timezone.now(),
        lines=_line_count(data),
    )
    with transaction.atomic():
        record.save()
        try:
            with transaction.atomic():
                _calls_store(record, source, data)
        except FileRefused as exc:
            record.failure = exc.reason
            record.added = record.duplicates = record.refused = record.linked = 0
            record.errors = []
        record.finished_at = timezone.now()
        record.save()
    return record


def _line_count(data: bytes) -> int:
    if not data:
        return 0
    return data.count(b"\n") + (0 if data.endswith(b"\n") else 1)


def _calls_store(record: CallImport, source: CallSource, data: bytes) -> None:
    parsed = calls_parse(
        kind=source.kind, data=data, timezone=source.timezone, mapping=source.mapping or {}
    )
    errors: list[LineError] = []
    refused = 0
    with connection.cursor() as cursor:
        # On an error the caller's savepoint rolls back, and with it the staging table.
        _stage_create(cursor)
        with _Stager(cursor) as stager:
            for item in parsed:
                if isinstance(item, LineError):
                    refused += 1
                    if len(errors) < MAX_ERRORS:
                        errors.append(item)
                    continue
                stager.add(item)
        duplicates, duplicate_notes = _duplicates(cursor, source)
        added = _stage_move(cursor, source, record)
        first, last, longest = _stage_span(cursor)
        cursor.execute(f"DROP TABLE {STAGE}")
    record.added, record.duplicates, record.refused = added, duplicates, refused
    room = max(0, MAX_ERRORS - len(errors))
    record.errors = sorted(
        [e.as_dict() for e in errors] + duplicate_notes[:room], key=lambda e: e["line"]
    )
    if added:
        last_end = last + timedelta(seconds=longest or 0)
        record.linked = calls_link(record=record, since=first, until=last_end)
        call_hours_refresh(source_id=source.pk, since=first, until=last + timedelta(seconds=1))


def _stage_create(cursor) -> None:
    cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
    moment = "timestamp with time zone" if connection.vendor == "postgresql" else "datetime"
    cursor.execute(
        f"CREATE TEMPORARY TABLE {STAGE} (line integer, key varchar(150), arrived_at {moment}, "
        "queue varchar(100), caller varchar(50), caller_key varchar(12), agent varchar(100), "
        "outcome varchar(10), waited integer, talk integer)"
    )


class _Stager:
    """Writes parsed calls into the staging table: COPY on PostgreSQL, batches elsewhere."""

    def __init__(self, cursor):
        self.cursor = cursor
        self.copy = None
        self.rows: list[tuple] = []
        self.adapt = connection.ops.adapt_datetimefield_value

    def __enter__(self):
        if connection.vendor == "postgresql":
            self.copy_context = self.cursor.cursor.copy(
                f"COPY {STAGE} ({', '.join(STAGE_COLUMNS)}) FROM STDIN"
            )
            self.copy = self.copy_context.__enter__()
        return self

    def add(self, call: ParsedCall) -> None:
        row = (
            call.line, call.key, call.arrived_at, call.queue, call.caller,
            caller_key(call.caller), call.agent, call.outcome, call.waited, call.talk,
        )  # fmt: skip
        if self.copy is not None:
            # COPY's text format, written by the batch: much quicker than write_row per call.
            self.rows.append(
                f"{call.line}\t{_copy_text(call.key)}\t{call.arrived_at.isoformat()}\t"
                f"{_copy_text(call.queue)}\t{_copy_text(call.caller)}\t{row[5]}\t"
                f"{_copy_text(call.agent)}\t{call.outcome}\t{call.waited}\t{call.talk}\n"
            )
            if len(self.rows) >= STAGE_BATCH:
                self.copy.write("".join(self.rows))
                self.rows = []
            return
        self.rows.append((*row[:2], self.adapt(call.arrived_at), *row[3:]))
        if len(self.rows) >= STAGE_BATCH:
            self._flush()

    def _flush(self) -> None:
        if self.rows:
            marks = ", ".join(["%s"] * len(STAGE_COLUMNS))
            self.cursor.executemany(
                f"INSERT INTO {STAGE} ({', '.join(STAGE_COLUMNS)}) VALUES ({marks})",  # noqa: S608 (names are constants)
                self.rows,
            )
            self.rows = []

    def __exit__(self, kind, value, trace):
        if self.copy is not None:
            if kind is None and self.rows:
                self.copy.write("".join(self.rows))
            return self.copy_context.__exit__(kind, value, trace)
        if kind is None:
            self._flush()
        return False


COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: str) -> str:
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.translate(COPY_ESCAPES)
    return value


def _stage_span(cursor) -> tuple[datetime | None, datetime | None, int | None]:
    """The file's first and last arrival and its longest call (wait + talk)."""
    cursor.execute(f"SELECT MIN(arrived_at), MAX(arrived_at), MAX(waited + talk) FROM {STAGE}")  # noqa: S608
    first, last, longest = cursor.fetchone()
    if connection.vendor != "postgresql" and first is not None:  # SQLite: text
        parse = connection.ops.convert_datetimefield_value
        first, last = (parse(v, None, connection) for v in (first, last))
    return first, last, longest


def _duplicates(cursor, source: CallSource) -> tuple[int, list[dict]]:
    """The file's calls this source already has: how many, and the first ones as notes."""
    join = f"FROM {STAGE} s JOIN {Call._meta.db_table} c ON c.source_id = %s AND c.key = s.key"
    cursor.execute(f"SELECT COUNT(*) {join}", [source.pk])
    count = cursor.fetchone()[0]
    if not count:
        return 0, []
    cursor.execute(
        f"SELECT s.line, s.key, c.imported_id {join} ORDER BY s.line LIMIT %s",
        [source.pk, MAX_ERRORS],
    )
    notes = [
        {
            "line": line,
            "reason": reason(
                gettext_noop(
                    "Line %(line)d: call %(call)s was already imported (import "
                    "#%(import)s); not counted again."
                ),
                line=line,
                call=key[:60],
                **{"import": imported or "?"},
            ),
            "text": "",
        }
        for line, key, imported in cursor.fetchall()
    ]
    return count, notes


def _stage_move(cursor, source: CallSource, record: CallImport) -> int:
    # Table names are constants, the values parameters.
    sql = (
        f"INSERT INTO {Call._meta.db_table} (source_id, key, imported_id, arrived_at, queue, "  # noqa: S608
        "caller, caller_key, agent, outcome, waited_seconds, talk_seconds) SELECT %s, key, %s, "
        "arrived_at, queue, caller, caller_key, agent, outcome, waited, talk "
        f"FROM {STAGE} WHERE true ON CONFLICT (source_id, key) DO NOTHING"
    )
    cursor.execute(sql, [source.pk, record.pk])
    return max(cursor.rowcount, 0)


def calls_link(*, record: CallImport, since: datetime | None, until: datetime | None) -> int:
    """Link the import's calls to the phone tickets of their callers: a ticket of channel
    phone whose requester's number ends with the same nine digits, created from the call's
    arrival to LINK_WINDOW_AFTER after its end; the one created closest to the call's end.
    One query for the tickets, one per LINK_BATCH numbers for the calls, batched updates."""
    if since is None or until is None:
        return 0
    tickets: dict[str, list[tuple[datetime, int]]] = defaultdict(list)
    rows = (
        Ticket.objects.filter(
            channel=Channel.PHONE, created_at__gte=since, created_at__lte=until + LINK_WINDOW_AFTER
        )
        .exclude(requester__phone="")
        .values_list("id", "created_at", "requester__phone")
    )
    for ticket_id, created_at, phone in rows.iterator(chunk_size=5000):
        key = caller_key(phone)
        if key:
            tickets[key].append((created_at, ticket_id))
    if not tickets:
        return 0
    for found in tickets.values():
        found.sort()
    keys = sorted(tickets)
    linked: list[Call] = []
    for start in range(0, len(keys), LINK_BATCH):
        calls = Call.objects.filter(
            imported=record, caller_key__in=keys[start : start + LINK_BATCH], ticket__isnull=True
        ).values_list("id", "caller_key", "arrived_at", "waited_seconds", "talk_seconds")
        for call_id, key, arrived_at, waited, talk in calls:
            ticket_id = _closest(tickets[key], arrived_at, waited + talk)
            if ticket_id is not None:
                linked.append(Call(id=call_id, ticket_id=ticket_id))
    Call.objects.bulk_update(linked, ["ticket"], batch_size=1000)
    return len(linked)


def _closest(found: list[tuple[datetime, int]], arrived_at: datetime, seconds: int) -> int | None:
    ended = arrived_at + timedelta(seconds=seconds)
    window_end = ended + LINK_WINDOW_AFTER
    first = bisect.bisect_left(found, (arrived_at, 0))
    best = None
    for created_at, ticket_id in found[first:]:
        if created_at > window_end:
            break
        distance = abs((created_at - ended).total_seconds())
        if best is None or distance < best[0]:
            best = (distance, ticket_id)
    return best[1] if best else None
