"""The hourly roll-up of calls (``CallHour``) that the reports and the staffing page read.

``call_hours_refresh`` recomputes the hours in a range from the calls: the rows of those hours
are deleted and written again from one grouped query (per source, queue, UTC hour, outcome
and waiting-time bucket), folded into one row per source, queue and hour. Set-based, the same
on SQLite and PostgreSQL.
"""

from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.db.models import Case, Count, IntegerField, Sum, Value, When
from django.db.models.functions import TruncHour

from .models import WAIT_EDGES, Call, CallHour, CallOutcome

BUCKETS = len(WAIT_EDGES) + 1
WRITE_BATCH = 2000


def wait_bucket(seconds: int) -> int:
    """The histogram index of a wait (the same rule as the SQL below)."""
    for index, edge in enumerate(WAIT_EDGES):
        if seconds < edge:
            return index
    return len(WAIT_EDGES)


def _bucket_expression() -> Case:
    return Case(
        *[When(waited_seconds__lt=edge, then=Value(i)) for i, edge in enumerate(WAIT_EDGES)],
        default=Value(len(WAIT_EDGES)),
        output_field=IntegerField(),
    )


def _hour_floor(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def _hour_ceil(moment: datetime) -> datetime:
    floor = _hour_floor(moment)
    return floor if floor == moment else floor + timedelta(hours=1)


@transaction.atomic
def call_hours_refresh(
    *, source_id: int | None = None, since: datetime | None = None, until: datetime | None = None
) -> int:
    """Recompute CallHour for the hours that start in [since floored to the hour, until) (all
    hours when None) of one source (all when None). Returns the rows written."""
    calls = Call.objects.all()
    hours = CallHour.objects.all()
    if source_id is not None:
        calls, hours = calls.filter(source_id=source_id), hours.filter(source_id=source_id)
    if since is not None:
        since = _hour_floor(since)
        calls, hours = calls.filter(arrived_at__gte=since), hours.filter(hour__gte=since)
    if until is not None:
        calls = calls.filter(arrived_at__lt=_hour_ceil(until))
        hours = hours.filter(hour__lt=until)
    hours.delete()
    groups = (
        calls.annotate(at=TruncHour("arrived_at", tzinfo=UTC), bucket=_bucket_expression())
        .values("source_id", "queue", "at", "outcome", "bucket")
        .annotate(n=Count("id"), wait=Sum("waited_seconds"), talk=Sum("talk_seconds"))
        .order_by()
    )
    rows: dict[tuple, CallHour] = {}
    for group in groups.iterator(chunk_size=5000):
        key = (group["source_id"], group["queue"], group["at"])
        row = rows.get(key)
        if row is None:
            row = rows[key] = CallHour(
                source_id=group["source_id"],
                queue=group["queue"],
                hour=group["at"],
                answered_waits=[0] * BUCKETS,
                missed_waits=[0] * BUCKETS,
            )
        n, wait = group["n"], group["wait"] or 0
        row.offered += n
        row.wait_seconds += wait
        if group["outcome"] == CallOutcome.ANSWERED:
            row.answered += n
            row.answered_wait_seconds += wait
            row.talk_seconds += group["talk"] or 0
            row.answered_waits[group["bucket"]] += n
        else:
            if group["outcome"] == CallOutcome.ABANDONED:
                row.abandoned += n
            else:
                row.timeout += n
            row.abandoned_wait_seconds += wait
            row.missed_waits[group["bucket"]] += n
    CallHour.objects.bulk_create(rows.values(), batch_size=WRITE_BATCH)
    return len(rows)
