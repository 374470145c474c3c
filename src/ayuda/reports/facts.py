"""Keeping TicketFact current (R29): one set-based upsert per batch of tickets, run after every
committed ticket change (``ticket_events_reports``) and for all tickets by ``facts_rebuild``.
Business minutes need the ticket's service-level calendar, computed in Python: the upsert
marks the row ``business_stale`` and ``facts_business_refresh`` (every minute, Celery beat)
fills them in. The hourly roll-up TicketHour (per UTC hour and channel) follows the facts: the
hours of the refreshed tickets are recomputed after them, all hours after a rebuild. See
docs/reports.md."""

import logging
from collections.abc import Iterable
from datetime import UTC, timedelta
from itertools import islice

from django.db import connection, transaction
from django.db.models import Max, Min
from django.utils import timezone

from ayuda.accounts.models import Level
from ayuda.sla.calendars import business_minutes
from ayuda.sla.models import Calendar, Side, SlaClock, SlaPolicy
from ayuda.tickets.models import Article, EventAction, SenderRole, Ticket, TicketEvent

from .models import RefreshMark, TicketFact, TicketHour

logger = logging.getLogger(__name__)

IN_CHUNK = 500  # ticket ids per statement on the incremental path (SQLite's variable limit)
BUSINESS_MARK = "business"

COLUMNS = (
    "ticket_id",
    "created_at",
    "channel",
    "type",
    "priority",
    "level",
    "state_category",
    "organisation_id",
    "site_id",
    "team_id",
    "category_id",
    "device_id",
    "vendor_id",
    "first_response_at",
    "resolved_at",
    "closed_at",
    "first_response_seconds",
    "resolution_seconds",
    "first_response_business",
    "resolution_business",
    "business_stale",
    "escalated_l2",
    "escalated_vendor",
    "reopens",
    "customer_messages",
    "fcr",
    "refreshed_at",
)


def _seconds(later: str, earlier: str) -> str:
    """Whole seconds from ``earlier`` to ``later`` (SQL expressions), never negative."""
    if connection.vendor == "postgresql":
        return f"GREATEST(0, CAST(EXTRACT(EPOCH FROM ({later} - {earlier})) AS bigint))"
    return f"MAX(0, CAST(ROUND((julianday({later}) - julianday({earlier})) * 86400) AS integer))"


def _upsert_sql(where: str) -> str:
    """INSERT … SELECT … ON CONFLICT DO UPDATE for the tickets matching ``where`` (on ``t``),
    valid on SQLite (3.24+) and PostgreSQL. Parameters, in order: the refresh time, the
    level-2 and vendor level values, the actions (escalated, reopened, resolved), the customer
    sender role, then those of ``where`` (twice: events, articles) and once more for tickets."""
    fact = TicketFact._meta.db_table
    ticket = Ticket._meta.db_table
    event = TicketEvent._meta.db_table
    article = Article._meta.db_table
    where_e = where.replace("t.id", "ev.ticket_id")
    where_a = where.replace("t.id", "a.ticket_id")
    resolved = "COALESCE(e.first_resolved, t.resolved_at)"
    l2 = "COALESCE(e.l2, 0) = 1"
    vendor = "COALESCE(e.vendor, 0) = 1"
    messages = "COALESCE(m.customer, 0)"
    updates = ",\n".join(
        f"{c} = excluded.{c}"
        for c in COLUMNS
        if c not in ("ticket_id", "first_response_business", "resolution_business")
    )
    # Table names from the models, expressions from this module, values as parameters.
    return f"""
INSERT INTO {fact} ({", ".join(COLUMNS)})
SELECT t.id, t.created_at, t.channel, t.type, t.priority, t.level, t.state_category,
  t.organisation_id, t.site_id, t.team_id, t.category_id, t.device_id,
  CASE WHEN {vendor} THEN t.vendor_id END,
  t.first_response_at, {resolved}, t.closed_at,
  CASE WHEN t.first_response_at IS NOT NULL
    THEN {_seconds("t.first_response_at", "t.created_at")} END,
  CASE WHEN {resolved} IS NOT NULL THEN {_seconds(resolved, "t.created_at")} END,
  NULL, NULL,
  (t.first_response_at IS NOT NULL OR {resolved} IS NOT NULL),
  {l2}, {vendor}, COALESCE(e.reopens, 0), {messages},
  ({resolved} IS NOT NULL AND NOT ({l2}) AND NOT ({vendor})
    AND COALESCE(e.reopens, 0) = 0 AND {messages} <= 1),
  %s
FROM {ticket} t
LEFT JOIN (
  SELECT ev.ticket_id,
    MAX(CASE WHEN ev.action = %s AND ev.new_value = %s THEN 1 ELSE 0 END) AS l2,
    MAX(CASE WHEN ev.action = %s AND ev.new_value = %s THEN 1 ELSE 0 END) AS vendor,
    SUM(CASE WHEN ev.action = %s THEN 1 ELSE 0 END) AS reopens,
    MIN(CASE WHEN ev.action = %s THEN ev.at END) AS first_resolved
  FROM {event} ev
  WHERE {where_e} AND ev.action IN (%s, %s, %s)
  GROUP BY ev.ticket_id
) e ON e.ticket_id = t.id
LEFT JOIN (
  SELECT a.ticket_id, COUNT(*) AS customer
  FROM {article} a
  WHERE {where_a} AND a.sender_role = %s AND a.internal = %s
  GROUP BY a.ticket_id
) m ON m.ticket_id = t.id
WHERE {where}
ON CONFLICT (ticket_id) DO UPDATE SET
{updates},
first_response_business = CASE WHEN excluded.first_response_at IS NULL THEN NULL
  ELSE {fact}.first_response_business END,
resolution_business = CASE WHEN excluded.resolved_at IS NULL THEN NULL
  ELSE {fact}.resolution_business END
"""  # noqa: S608


def _execute(where: str, where_params: list) -> int:
    escalated, reopened, resolved = (
        EventAction.ESCALATED.value,
        EventAction.REOPENED.value,
        EventAction.RESOLVED.value,
    )
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    params = [
        now,
        escalated,
        Level.L2.value,
        escalated,
        Level.VENDOR.value,
        reopened,
        resolved,
        *where_params,
        escalated,
        reopened,
        resolved,
        *where_params,
        SenderRole.CUSTOMER.value,
        False,
        *where_params,
    ]
    with connection.cursor() as cursor:
        cursor.execute(_upsert_sql(where), params)
        return cursor.rowcount


def facts_refresh(ticket_ids: Iterable[int]) -> None:
    """Recompute the facts of these tickets (one statement per few hundred tickets), then the
    roll-up of the hours they were created in."""
    ids = sorted({int(i) for i in ticket_ids})
    chunks = iter(ids)
    while chunk := list(islice(chunks, IN_CHUNK)):
        marks = ", ".join(["%s"] * len(chunk))
        _execute(f"t.id IN ({marks})", chunk)
    ticket_hours_refresh(ids)


def ticket_events_reports(events) -> None:
    """After-commit ticket-event handler (settings.TICKET_EVENT_HANDLERS): one statement for
    the events' tickets. A failure is logged, never raised (the change is committed; the
    nightly or manual rebuild repairs the row)."""
    ids = {event.ticket_id for event in events}
    if not ids:
        return
    try:
        facts_refresh(ids)
    except Exception:
        logger.exception("Report facts of tickets %s not refreshed", sorted(ids))


def facts_rebuild(*, batch: int = 20000) -> int:
    """Every ticket's facts, in id ranges of ``batch`` (each its own statement and
    transaction), then the business minutes and the hourly roll-up. Returns the tickets
    written."""
    bounds = Ticket.objects.aggregate(low=Min("id"), high=Max("id"))
    if bounds["low"] is None:
        return 0
    written = 0
    low = bounds["low"]
    while low <= bounds["high"]:
        high = low + batch - 1
        with transaction.atomic():
            written += max(_execute("t.id BETWEEN %s AND %s", [low, high]), 0)
        low = high + 1
    while facts_business_refresh(limit=5000):
        pass
    ticket_hours_rebuild()
    return written


# The hourly roll-up ---------------------------------------------------------------------------

HOUR_LOCK = 13_0001  # pg_advisory_xact_lock(HOUR_LOCK, hours since the epoch)


def _hour_sql(column: str) -> str:
    """The UTC hour a datetime column falls in, as the column's own type."""
    if connection.vendor == "postgresql":
        return f"(date_trunc('hour', {column} AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')"
    return f"strftime('%%Y-%%m-%%d %%H:00:00', {column})"


def _hours_insert_sql(where: str) -> str:
    """INSERT … SELECT of the TicketHour rows grouped from the facts matching ``where``."""
    hour, fact = TicketHour._meta.db_table, TicketFact._meta.db_table
    return f"""
INSERT INTO {hour} (hour, channel, tickets, resolved, fcr, escalated_l2, escalated_vendor,
  reopened)
SELECT {_hour_sql("f.created_at")}, f.channel, COUNT(*),
  SUM(CASE WHEN f.resolved_at IS NOT NULL THEN 1 ELSE 0 END),
  SUM(CASE WHEN f.fcr THEN 1 ELSE 0 END),
  SUM(CASE WHEN f.escalated_l2 THEN 1 ELSE 0 END),
  SUM(CASE WHEN f.escalated_vendor THEN 1 ELSE 0 END),
  SUM(CASE WHEN f.reopens > 0 THEN 1 ELSE 0 END)
FROM {fact} f
WHERE {where}
GROUP BY {_hour_sql("f.created_at")}, f.channel
"""  # noqa: S608


def ticket_hours_refresh(ticket_ids: Iterable[int]) -> int:
    """Recompute the TicketHour rows of the UTC hours these tickets were created in, from
    their facts (a ticket's creation time never changes: its hour is the one to recompute).
    Three statements: the hours, a delete, an insert grouped from the facts of those hours.
    On PostgreSQL each hour is locked first (an advisory lock held to the commit), so two
    refreshes of one hour run one after the other and the second sees the first's facts.
    Returns the hours recomputed."""
    ids = sorted({int(i) for i in ticket_ids})
    if not ids:
        return 0
    hours = set()
    fact = TicketFact._meta.db_table
    with connection.cursor() as cursor:
        chunks = iter(ids)
        while chunk := list(islice(chunks, IN_CHUNK)):
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"SELECT DISTINCT {_hour_sql('created_at')} FROM {fact} "  # noqa: S608
                f"WHERE ticket_id IN ({marks})",
                chunk,
            )
            hours.update(TicketHour._meta.get_field("hour").to_python(h) for (h,) in cursor)
    hours = sorted(h if timezone.is_aware(h) else h.replace(tzinfo=UTC) for h in hours)
    if not hours:
        return 0
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for h in hours:
                cursor.execute(
                    "SELECT pg_advisory_xact_lock(%s, %s)", [HOUR_LOCK, int(h.timestamp()) // 3600]
                )
        chunks = iter(hours)
        while chunk := list(islice(chunks, IN_CHUNK // 2)):
            adapt = connection.ops.adapt_datetimefield_value
            TicketHour.objects.filter(hour__in=chunk).delete()
            where = " OR ".join(["(f.created_at >= %s AND f.created_at < %s)"] * len(chunk))
            params = []
            for h in chunk:
                params += [adapt(h), adapt(h + timedelta(hours=1))]
            cursor.execute(_hours_insert_sql(where), params)
    return len(hours)


def ticket_hours_rebuild() -> int:
    """Every hour of the roll-up again from all the facts (a delete, one grouped insert).
    Returns the rows written."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [HOUR_LOCK, -1])
        TicketHour.objects.all().delete()
        cursor.execute(_hours_insert_sql("1 = 1"), [])
        return cursor.rowcount


# Business minutes ------------------------------------------------------------------------------


def facts_business_refresh(*, limit: int = 5000) -> int:
    """Business minutes of up to ``limit`` stale facts under their ticket's service-level
    calendar (none: left empty). Returns how many rows it looked at (0: nothing stale).
    Facts of tickets that never had a service level are cleared first, in one statement."""
    clocked = SlaClock.objects.filter(side=Side.DESK, policy__isnull=False)
    TicketFact.objects.filter(business_stale=True, ticket__sla_policy__isnull=True).exclude(
        ticket_id__in=clocked.values("ticket_id")
    ).update(business_stale=False, first_response_business=None, resolution_business=None)
    stale = list(
        TicketFact.objects.filter(business_stale=True)
        .order_by("ticket_id")
        .values_list(
            "ticket_id", "created_at", "first_response_at", "resolved_at", "ticket__sla_policy_id"
        )[:limit]
    )
    if stale:
        # The ticket's policy while its desk clock runs; a stopped clock (resolved, closed)
        # clears the ticket's column but keeps its policy: the latest desk clock's, else that.
        ids = [row[0] for row in stale]
        calendar_of_ticket = dict(
            SlaClock.objects.filter(ticket_id__in=ids, side=Side.DESK, policy__isnull=False)
            .order_by("ticket_id", "started_at", "id")
            .values_list("ticket_id", "policy__calendar_id")
        )
        policies = {p for *_, p in stale if p is not None}
        calendar_of_policy = dict(
            SlaPolicy.objects.filter(pk__in=policies).values_list("pk", "calendar_id")
        )
        calendars = Calendar.objects.in_bulk(
            set(calendar_of_ticket.values()) | set(calendar_of_policy.values())
        )
        rows = []
        for ticket_id, created, responded, resolved, policy in stale:
            calendar = calendars.get(
                calendar_of_ticket.get(ticket_id, calendar_of_policy.get(policy))
            )
            rows.append(
                TicketFact(
                    ticket_id=ticket_id,
                    business_stale=False,
                    first_response_business=(
                        business_minutes(calendar, created, responded)
                        if calendar and responded
                        else None
                    ),
                    resolution_business=(
                        business_minutes(calendar, created, resolved)
                        if calendar and resolved
                        else None
                    ),
                )
            )
        TicketFact.objects.bulk_update(
            rows,
            ["business_stale", "first_response_business", "resolution_business"],
            batch_size=1000,
        )
    RefreshMark.objects.update_or_create(name=BUSINESS_MARK, defaults={"at": timezone.now()})
    return len(stale)
