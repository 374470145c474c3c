"""The ticket figures (R29), each a Table computed from TicketFact, and its counts from the
hourly roll-up TicketHour when the filters allow (never from the tickets, their events or
messages): volume by channel, by hour and weekday, by day; the backlog and its
age; first-contact resolution; escalations; response and resolution times; reopens; root
causes; service-level compliance. Every count links to the queue showing its tickets.
What each figure means exactly: docs/reports.md."""

import math
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, timedelta
from functools import cached_property

from django.db import connection
from django.db.models import Aggregate, Count, FloatField, Q, QuerySet, Sum
from django.db.models.functions import ExtractHour, TruncDate, TruncHour
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from ayuda.accounts.models import Organisation, Site, Vendor
from ayuda.devices.models import Device
from ayuda.sla.selectors import ComplianceFilters, sla_compliance
from ayuda.tickets.models import ACTIVE_CATEGORIES, Category, Channel, StateCategory

from .filters import ReportFilters, queue_url
from .models import TicketFact, TicketHour
from .tables import Cell, Table, shade

TOP = 15  # rows of a root-cause table before "Others"
# Backlog ages in days: [low, high) (None: no upper bound).
AGES = ((0, 1), (1, 3), (3, 7), (7, 30), (30, None))
PERCENTILES = (0.5, 0.9)
TOP_FIELDS = ("category_id", "site_id", "device_id", "organisation_id")  # the top-N figures


# Querysets ------------------------------------------------------------------------------------


def facts_scope(filters: ReportFilters) -> QuerySet:
    """The facts matching the dimensions and the viewer's teams, any date."""
    facts = TicketFact.objects.filter(**filters.dimensions())
    if filters.teams is not None:
        facts = facts.filter(team_id__in=filters.teams)
    return facts


def facts_in_range(filters: ReportFilters) -> QuerySet:
    """The same, created in the range (days in the viewer's zone)."""
    return facts_scope(filters).filter(created_at__gte=filters.since, created_at__lt=filters.until)


def whole_hours(filters: ReportFilters) -> bool:
    """Whether the viewer's zone is a whole number of hours from UTC throughout the range
    (checked at its ends and every day between: offsets change at most a few times a year)."""
    zone, moment = filters.zone, filters.since
    while moment <= filters.until:
        offset = moment.astimezone(zone).utcoffset()
        if offset is None or offset.total_seconds() % 3600:
            return False
        moment += timedelta(days=1)
    return True


def hourly(filters: ReportFilters) -> bool:
    """Whether the counts can come from TicketHour: no filter but the channel, no team scope,
    and a zone whole hours from UTC (the range is then whole UTC hours)."""
    return (
        set(filters.dimensions()) <= {"channel"} and filters.teams is None and whole_hours(filters)
    )


def hours_in_range(filters: ReportFilters) -> QuerySet:
    hours = TicketHour.objects.filter(hour__gte=filters.since, hour__lt=filters.until)
    return hours.filter(channel=filters.channel) if filters.channel else hours


class Report:
    """The queries the figures share, each run once and only when a figure asks: a page is a
    handful of scans of the range's facts (by channel; by day and hour; the times) and one of
    the active ones, whatever the number of figures."""

    def __init__(self, filters: ReportFilters):
        self.filters = filters

    @cached_property
    def by_channel(self) -> dict[str, dict[str, int]]:
        """Per channel: tickets, resolved, fcr, escalated to level 2 / a vendor, reopened."""
        if hourly(self.filters):
            rows = (
                hours_in_range(self.filters)
                .values("channel")
                .annotate(
                    n=Sum("tickets"),
                    resolved=Sum("resolved"),
                    fcr=Sum("fcr"),
                    l2=Sum("escalated_l2"),
                    vendor=Sum("escalated_vendor"),
                    reopened=Sum("reopened"),
                )
                .order_by()
            )
            return {row.pop("channel"): row for row in rows if row["n"]}
        rows = (
            facts_in_range(self.filters)
            .values("channel")
            .annotate(
                n=Count("pk"),
                resolved=Count("pk", filter=Q(resolved_at__isnull=False)),
                fcr=Count("pk", filter=Q(fcr=True)),
                l2=Count("pk", filter=Q(escalated_l2=True)),
                vendor=Count("pk", filter=Q(escalated_vendor=True)),
                reopened=Count("pk", filter=Q(reopens__gt=0)),
            )
            .order_by()
        )
        return {row.pop("channel"): row for row in rows}

    @cached_property
    def totals(self) -> dict[str, int]:
        keys = ("n", "resolved", "fcr", "l2", "vendor", "reopened")
        return {k: sum(c[k] for c in self.by_channel.values()) for k in keys}

    @cached_property
    def by_day_hour(self) -> dict[tuple, int]:
        """Tickets per (day, hour) of creation in the viewer's zone. In a zone whose offset is
        whole hours (most), grouped by UTC hour and converted here: no time-zone conversion
        per row, a third of the time at a million tickets; otherwise converted per row."""
        zone = self.filters.zone
        if hourly(self.filters):
            counts = defaultdict(int)
            for hour, n in (
                hours_in_range(self.filters)
                .values_list("hour")
                .annotate(n=Sum("tickets"))
                .order_by()
            ):
                local = hour.astimezone(zone)
                counts[(local.date(), local.hour)] += n
            return {key: n for key, n in counts.items() if n}
        facts = facts_in_range(self.filters)
        if whole_hours(self.filters):
            counts = defaultdict(int)
            for hour, n in (
                facts.annotate(hour=TruncHour("created_at", tzinfo=UTC))
                .values_list("hour")
                .annotate(n=Count("pk"))
                .order_by()
            ):
                local = hour.astimezone(zone)
                counts[(local.date(), local.hour)] += n
            return dict(counts)
        return {
            (day, hour): n
            for day, hour, n in facts.annotate(
                day=TruncDate("created_at", tzinfo=zone),
                hour=ExtractHour("created_at", tzinfo=zone),
            )
            .values_list("day", "hour")
            .annotate(n=Count("pk"))
            .order_by()
        }

    @cached_property
    def active(self) -> dict[str, dict[str, int]]:
        """Active tickets now (any creation date) per state category, with their ages."""
        now = timezone.now()
        buckets = {}
        for low, high in AGES:
            where = Q(created_at__lte=now - timedelta(days=low))
            if high is not None:
                where &= Q(created_at__gt=now - timedelta(days=high))
            buckets[f"a{low}"] = Count("pk", filter=where)
        rows = (
            facts_scope(self.filters)
            .filter(state_category__in=[c.value for c in ACTIVE_CATEGORIES])
            .values("state_category")
            .annotate(n=Count("pk"), **buckets)
            .order_by()
        )
        return {row.pop("state_category"): row for row in rows}

    @cached_property
    def times(self) -> dict[str, tuple[int, list[float | None]]]:
        fields = [field for _key, field, _unit, _figure in TIMES]
        return percentiles(facts_in_range(self.filters), fields)

    def top(self, field: str) -> list[tuple[int, int]]:
        """The TOP most frequent values of ``field`` (not NULL) among the range's facts, with
        their counts, most frequent first (ties by id). On PostgreSQL every top-N field comes
        from one scan (``tops``); on SQLite one query per field."""
        if connection.vendor == "postgresql":
            return self.tops[field]
        return list(
            facts_in_range(self.filters)
            .exclude(**{f"{field}__isnull": True})
            .values_list(field)
            .annotate(n=Count("pk"))
            .order_by("-n", field)[:TOP]
        )

    @cached_property
    def tops(self) -> dict[str, list[tuple[int, int]]]:
        """PostgreSQL: the counts of every TOP_FIELDS value in one scan of the range's facts
        (``GROUP BY GROUPING SETS``, one set per field), cut to the TOP in Python."""
        sql, params = facts_in_range(self.filters).values_list(*TOP_FIELDS).query.sql_with_params()
        columns = ", ".join(f"s.{f}" for f in TOP_FIELDS)
        sets = ", ".join(f"(s.{f})" for f in TOP_FIELDS)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {columns}, GROUPING({columns}), COUNT(*) FROM ({sql}) s "  # noqa: S608
                f"GROUP BY GROUPING SETS ({sets})",
                params,
            )
            rows = cursor.fetchall()
        width = len(TOP_FIELDS)
        counts: dict[str, list[tuple[int, int]]] = {f: [] for f in TOP_FIELDS}
        for row in rows:
            grouping, n = row[width], row[width + 1]
            for i, field in enumerate(TOP_FIELDS):
                # GROUPING(...) sets the bit of every column not grouped in this row's set
                alone = (1 << width) - 1 - (1 << (width - 1 - i))
                if grouping == alone and row[i] is not None:
                    counts[field].append((row[i], n))
        return {
            f: sorted(pairs, key=lambda pair: (-pair[1], pair[0]))[:TOP]
            for f, pairs in counts.items()
        }


# Formatting -----------------------------------------------------------------------------------


def percent(part: int, whole: int) -> Cell:
    """A rate as a percentage with one decimal; None (shown "—") without a whole."""
    if not whole:
        return Cell(None)
    value = round(100 * part / whole, 1)
    return Cell(value, f"{value:.1f} %")


def duration(minutes: float | None) -> str:
    """``minutes`` as "45 min", "3 h 20 min", "2 d 4 h"."""
    if minutes is None:
        return "—"
    total = round(minutes)
    if total < 60:
        return _("%(m)s min") % {"m": total}
    hours, rest = divmod(total, 60)
    if hours < 48:
        return _("%(h)s h %(m)s min") % {"h": hours, "m": rest}
    days, hours = divmod(hours, 24)
    return _("%(d)s d %(h)s h") % {"d": days, "h": hours}


def _minutes_cell(minutes: float | None) -> Cell:
    return Cell(None if minutes is None else round(minutes, 1), duration(minutes))


# Volume ---------------------------------------------------------------------------------------


def volume_by_channel(report: Report) -> Table:
    filters = report.filters
    counts = {key: c["n"] for key, c in report.by_channel.items()}
    total = sum(counts.values())
    names = dict(Channel.choices)
    rows = [
        [
            Cell(key, str(names.get(key, key))),
            Cell(n, link=queue_url(filters, channel=key)),
            percent(n, total),
        ]
        for key, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    rows.append([Cell(_("Total")), Cell(total, link=queue_url(filters)), percent(total, total)])
    return Table(
        key="channels",
        title=_("Tickets by channel"),
        columns=[_("Channel"), _("Tickets"), _("Share")],
        rows=rows,
        chart="bar",
        series=[1],
    )


def volume_by_hour(report: Report) -> Table:
    """Hours (rows) by weekday (columns), in the viewer's zone."""
    filters = report.filters
    counts = defaultdict(int)
    for (day, hour), n in report.by_day_hour.items():
        counts[(day.isoweekday(), hour)] += n
    top = max(counts.values(), default=0)
    rows = []
    for hour in range(24):
        row = [Cell(hour, f"{hour:02d}:00")]
        for day in range(1, 8):
            n = counts.get((day, hour), 0)
            link = queue_url(filters, figure=f"how:{day}:{hour}") if n else ""
            row.append(Cell(n, link=link, shade=shade(n, top)))
        rows.append(row)
    return Table(
        key="heatmap",
        title=_("Tickets by hour and weekday"),
        columns=[_("Hour"), *[str(WEEKDAYS_ABBR[d]) for d in range(7)]],
        rows=rows,
        chart="heatmap",
    )


def volume_by_day(report: Report) -> Table:
    """Every day of the range, in the viewer's zone (days without tickets as 0)."""
    filters = report.filters
    counts = defaultdict(int)
    for (day, _hour), n in report.by_day_hour.items():
        counts[day] += n
    rows = []
    for offset in range(filters.days):
        day = filters.first_day + timedelta(days=offset)
        n = counts.get(day, 0)
        link = queue_url(filters.but(first_day=day, last_day=day)) if n else ""
        label = Cell(day.isoformat(), date_format(day, "SHORT_DATE_FORMAT"))
        rows.append([label, Cell(n, link=link)])
    return Table(
        key="days",
        title=_("Tickets by day"),
        columns=[_("Day"), _("Tickets")],
        rows=rows,
        chart="line",
    )


# Backlog --------------------------------------------------------------------------------------


def backlog(report: Report) -> Table:
    """Active tickets now, by state category (the dimensions apply, not the dates)."""
    filters = report.filters
    counts = {key: c["n"] for key, c in report.active.items()}
    names = dict(StateCategory.choices)
    rows = [
        [
            Cell(c.value, str(names[c.value])),
            Cell(
                counts.get(c.value, 0),
                link=queue_url(filters, dated=False, status=c.value),
            ),
        ]
        for c in ACTIVE_CATEGORIES
    ]
    rows.append(
        [
            Cell(_("Total")),
            Cell(sum(counts.values()), link=queue_url(filters, dated=False, status="active")),
        ]
    )
    return Table(
        key="backlog",
        title=_("Backlog now"),
        columns=[_("State"), _("Tickets")],
        rows=rows,
        chart="bar",
        note=_("Active tickets now, whatever their creation date."),
    )


def age_label(low: int, high: int | None) -> str:
    if low == 0:
        return _("Less than a day")
    if high is None:
        return _("More than %(days)s days") % {"days": low}
    return _("%(low)s–%(high)s days") % {"low": low, "high": high}


def backlog_age(report: Report) -> Table:
    filters = report.filters
    counts = {f"a{low}": sum(c[f"a{low}"] for c in report.active.values()) for low, _high in AGES}
    rows = []
    for low, high in AGES:
        n = counts[f"a{low}"]
        figure = f"age:{low}:{'' if high is None else high}"
        link = queue_url(filters, dated=False, status="active", figure=figure) if n else ""
        rows.append([Cell(age_label(low, high)), Cell(n, link=link)])
    return Table(
        key="backlog_age",
        title=_("Backlog by age"),
        columns=[_("Age"), _("Tickets")],
        rows=rows,
        chart="bar",
    )


# Resolution -----------------------------------------------------------------------------------


def first_contact_resolution(report: Report) -> Table:
    """Among the tickets of the range that were resolved: those resolved at the first contact
    (never escalated, never reopened, at most one customer message), by channel."""
    filters = report.filters
    per = {
        channel: (c["resolved"], c["fcr"])
        for channel, c in report.by_channel.items()
        if c["resolved"]
    }
    names = dict(Channel.choices)

    def row(label: Cell, resolved: int, fcr: int, **extra) -> list[Cell]:
        resolved_link = queue_url(filters, figure="resolved", **extra) if resolved else ""
        fcr_link = queue_url(filters, figure="fcr", **extra) if fcr else ""
        return [
            label,
            Cell(resolved, link=resolved_link),
            Cell(fcr, link=fcr_link),
            _linked(percent(fcr, resolved), fcr_link),
        ]

    rows = [
        row(Cell(key, str(names.get(key, key))), resolved, fcr, channel=key)
        for key, (resolved, fcr) in sorted(per.items(), key=lambda kv: (-kv[1][0], kv[0]))
    ]
    resolved = sum(v[0] for v in per.values())
    fcr = sum(v[1] for v in per.values())
    rows.append(row(Cell(_("Total")), resolved, fcr))
    return Table(
        key="fcr",
        title=_("First-contact resolution"),
        columns=[_("Channel"), _("Resolved"), _("At the first contact"), _("Rate")],
        rows=rows,
        chart="bar",
        series=[3],
        note=_(
            "Resolved tickets of the range that were never escalated, never reopened and had at "
            "most one message from the customer."
        ),
    )


def _linked(cell: Cell, link: str) -> Cell:
    return Cell(cell.value, cell.text, link)


def escalations(report: Report) -> Table:
    """Tickets of the range ever escalated to level 2, to any vendor, to each vendor (the last
    vendor a ticket went to)."""
    filters = report.filters
    total, totals = report.totals["n"], report.totals
    per_vendor = {}
    if totals["vendor"]:
        per_vendor = dict(
            facts_in_range(filters)
            .filter(escalated_vendor=True)
            .values_list("vendor_id")
            .annotate(n=Count("pk"))
            .order_by()
        )
    vendor_names = dict(Vendor.objects.filter(pk__in=list(per_vendor)).values_list("pk", "name"))

    def row(label: str, n: int, figure: str) -> list[Cell]:
        link = queue_url(filters, figure=figure) if n else ""
        return [Cell(label), Cell(n, link=link), _linked(percent(n, total), link)]

    rows = [
        row(_("Level 2"), totals["l2"], "escalated:l2"),
        row(_("Any vendor"), totals["vendor"], "escalated:vendor"),
    ]
    for vendor_id, n in sorted(per_vendor.items(), key=lambda kv: (-kv[1], kv[0] or 0)):
        name = vendor_names.get(vendor_id, _("Unknown vendor"))
        figure = f"escalated:vendor:{vendor_id}" if vendor_id else "escalated:vendor"
        rows.append(row(_("Vendor: %(name)s") % {"name": name}, n, figure))
    return Table(
        key="escalations",
        title=_("Escalations"),
        columns=[_("Escalated to"), _("Tickets"), _("Rate")],
        rows=rows,
        chart="bar",
        series=[2],
        note=_("Share of the tickets created in the range."),
    )


def reopens(report: Report) -> Table:
    filters = report.filters
    counts = report.totals
    resolved, reopened = counts["resolved"], counts["reopened"]
    reopened_link = queue_url(filters, figure="reopened") if reopened else ""
    return Table(
        key="reopens",
        title=_("Reopened tickets"),
        columns=[_("Measure"), _("Value")],
        rows=[
            [
                Cell(_("Resolved")),
                Cell(resolved, link=queue_url(filters, figure="resolved") if resolved else ""),
            ],
            [Cell(_("Reopened")), Cell(reopened, link=reopened_link)],
            [Cell(_("Reopen rate")), _linked(percent(reopened, resolved), reopened_link)],
        ],
        note=_("Reopened at least once, among the resolved tickets of the range."),
    )


# Times ----------------------------------------------------------------------------------------


class PercentileCont(Aggregate):
    """PostgreSQL's ``percentile_cont(ARRAY[q, …]) WITHIN GROUP (ORDER BY x)``: every
    fraction from one sort (NULLs ignored)."""

    function = "percentile_cont"
    template = "%(function)s(ARRAY[%(fractions)s]) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, fractions: tuple[float, ...], **extra):
        from django.contrib.postgres.fields import ArrayField

        text = ", ".join(f"{float(q)!r}::float8" for q in fractions)
        super().__init__(expression, fractions=text, output_field=ArrayField(FloatField()), **extra)


def percentiles(facts: QuerySet, fields: list[str]) -> dict[str, tuple[int, list]]:
    """Per field: how many facts have it, and its continuous percentiles (linear interpolation
    between the two nearest ranks, as PostgreSQL's percentile_cont) for PERCENTILES. One
    query on PostgreSQL; on SQLite a count and one or two values read by OFFSET per figure."""
    if connection.vendor == "postgresql":
        aggregates = {}
        for f in fields:
            aggregates[f"{f}__n"] = Count(f)
            aggregates[f"{f}__p"] = PercentileCont(f, PERCENTILES)
        result = facts.aggregate(**aggregates)
        return {
            f: (result[f"{f}__n"], list(result[f"{f}__p"] or [None for _q in PERCENTILES]))
            for f in fields
        }
    counts = facts.aggregate(**{f: Count(f) for f in fields})
    out = {}
    for f in fields:
        n = counts[f]
        if not n:
            out[f] = (0, [None for _q in PERCENTILES])
            continue
        ordered = facts.filter(**{f"{f}__isnull": False}).order_by(f).values_list(f, flat=True)
        values = []
        for q in PERCENTILES:
            position = q * (n - 1)
            low = math.floor(position)
            pair = list(ordered[low : low + 2])
            upper = pair[1] if len(pair) > 1 else pair[0]
            values.append(pair[0] + (upper - pair[0]) * (position - low))
        out[f] = (n, values)
    return out


TIMES = (
    # key, field, its unit in minutes (seconds: 60), the figure of the tickets measured
    ("first_response", "first_response_seconds", 60, "responded"),
    ("resolution", "resolution_seconds", 60, "resolved"),
    ("first_response_business", "first_response_business", 1, "responded"),
    ("resolution_business", "resolution_business", 1, "resolved"),
)


def times(report: Report) -> Table:
    filters = report.filters
    labels = {
        "first_response": _("First response"),
        "resolution": _("Resolution"),
        "first_response_business": _("First response, business time"),
        "resolution_business": _("Resolution, business time"),
    }
    rows = []
    for key, field, per_minute, figure in TIMES:
        n, values = report.times[field]
        minutes = [None if v is None else v / per_minute for v in values]
        rows.append(
            [
                Cell(labels[key]),
                Cell(n, link=queue_url(filters, figure=figure) if n else ""),
                *[_minutes_cell(m) for m in minutes],
            ]
        )
    return Table(
        key="times",
        title=_("Time to first response and to resolution"),
        columns=[_("Measure"), _("Tickets"), _("Median (minutes)"), _("90th percentile (minutes)")],
        rows=rows,
        note=_(
            "Tickets created in the range. Business time counts the open minutes of the "
            "ticket's service-level calendar; tickets without one are left out of it."
        ),
    )


# Root causes ----------------------------------------------------------------------------------


def _top(report: Report, *, key: str, title: str, column: str, field: str, names, param):
    filters = report.filters
    counts = report.top(field)
    total = report.totals["n"]
    label_of, value_of = names([pk for pk, _n in counts])
    rows = [
        [
            Cell(label_of.get(pk, str(pk))),
            Cell(n, link=queue_url(filters, **{param: value_of.get(pk, pk)})),
            percent(n, total),
        ]
        for pk, n in counts
    ]
    others = total - sum(n for _pk, n in counts)
    if others:
        rows.append([Cell(_("Others or none")), Cell(others), percent(others, total)])
    return Table(
        key=key,
        title=title,
        columns=[column, _("Tickets"), _("Share")],
        rows=rows,
        chart="bar",
        series=[1],
        note=_("The %(top)s most frequent; the share of all tickets of the range.") % {"top": TOP},
    )


def _names(model, label: Callable = str, value: Callable | None = None):
    def names(ids):
        objects = model.objects.filter(pk__in=ids)
        if model is Site:
            objects = objects.select_related("organisation")
        if model is Category:
            objects = objects.select_related("parent")
        objects = list(objects)
        return (
            {o.pk: label(o) for o in objects},
            {o.pk: (value(o) if value else o.pk) for o in objects},
        )

    return names


def categories(report: Report) -> Table:
    return _top(
        report,
        key="categories",
        title=_("Top categories"),
        column=_("Category"),
        field="category_id",
        names=_names(Category, lambda c: c.display_path()),
        param="category",
    )


def sites(report: Report) -> Table:
    return _top(
        report,
        key="sites",
        title=_("Top sites"),
        column=_("Site"),
        field="site_id",
        names=_names(Site, lambda s: f"{s.organisation.name} / {s.name}"),
        param="site",
    )


def devices(report: Report) -> Table:
    return _top(
        report,
        key="devices",
        title=_("Top devices"),
        column=_("Device"),
        field="device_id",
        names=_names(Device, str, lambda d: d.serial),
        param="device",
    )


def organisations(report: Report) -> Table:
    return _top(
        report,
        key="organisations",
        title=_("Top organisations"),
        column=_("Organisation"),
        field="organisation_id",
        names=_names(Organisation, lambda o: o.name),
        param="organisation",
    )


# Service levels -------------------------------------------------------------------------------


def sla(report: Report) -> Table:
    """Targets due in the range met on time, breached, still open (sla.selectors), per policy
    for managers, per team for agents (their teams only)."""
    filters = report.filters
    group = "policy" if filters.teams is None else "team"
    rows = sla_compliance(
        group=group,
        filters=ComplianceFilters(since=filters.since, until=filters.until, team=filters.team),
    )
    if filters.teams is not None:
        rows = [r for r in rows if r.key in filters.teams]
    query = urlencode(
        {"since": filters.first_day.isoformat(), "until": filters.last_day.isoformat()}
    )
    link = f"{reverse('agent:sla')}?{query}" if filters.teams is None else ""
    table_rows = []
    for r in rows:
        value = r.on_time_percent
        table_rows.append(
            [
                Cell(r.name or "—", link=link),
                Cell(r.met),
                Cell(r.breached),
                Cell(r.open),
                Cell(value, "—" if value is None else f"{value:.1f} %"),
            ]
        )
    return Table(
        key="sla",
        title=_("Service-level compliance"),
        columns=[
            _("Policy") if group == "policy" else _("Team"),
            _("Met on time"),
            _("Breached"),
            _("Open"),
            _("On time"),
        ],
        rows=table_rows,
        chart="stacked",
        series=[1, 2],
        note=_("Targets due in the range, whatever the ticket's creation date."),
    )


FIGURES: dict[str, Callable[[Report], Table]] = {
    "channels": volume_by_channel,
    "days": volume_by_day,
    "heatmap": volume_by_hour,
    "backlog": backlog,
    "backlog_age": backlog_age,
    "fcr": first_contact_resolution,
    "escalations": escalations,
    "times": times,
    "reopens": reopens,
    "categories": categories,
    "sites": sites,
    "devices": devices,
    "organisations": organisations,
    "sla": sla,
}


def ticket_tables(filters: ReportFilters) -> list[Table]:
    report = Report(filters)
    return [build(report) for build in FIGURES.values()]


def ticket_table(key: str, filters: ReportFilters) -> Table | None:
    build = FIGURES.get(key)
    return build(Report(filters)) if build else None


# Row-level export -----------------------------------------------------------------------------


def fact_rows(filters: ReportFilters):
    """The header and every fact of the range (a generator over a server-side cursor)."""
    yield [
        _("Ticket"),
        _("Created"),
        _("Channel"),
        _("Type"),
        _("Priority"),
        _("Level"),
        _("State"),
        _("Organisation"),
        _("Site"),
        _("Team"),
        _("Category"),
        _("Device"),
        _("Vendor"),
        _("First response"),
        _("Resolved"),
        _("Closed"),
        _("First response (seconds)"),
        _("Resolution (seconds)"),
        _("First response (business minutes)"),
        _("Resolution (business minutes)"),
        _("Escalated to level 2"),
        _("Escalated to a vendor"),
        _("Reopens"),
        _("Customer messages"),
        _("Resolved at the first contact"),
    ]
    zone = filters.zone
    facts = (
        facts_in_range(filters)
        .order_by("created_at", "ticket_id")
        .values_list(
            "ticket_id",
            "created_at",
            "channel",
            "type",
            "priority",
            "level",
            "state_category",
            "organisation__name",
            "site__name",
            "team__name",
            "category__name",
            "device_id",
            "vendor__name",
            "first_response_at",
            "resolved_at",
            "closed_at",
            "first_response_seconds",
            "resolution_seconds",
            "first_response_business",
            "resolution_business",
            "escalated_l2",
            "escalated_vendor",
            "reopens",
            "customer_messages",
            "fcr",
        )
    )

    def local(value):
        return value.astimezone(zone).isoformat(" ", "seconds")[:19] if value else ""

    for row in facts.iterator(chunk_size=2000):
        row = list(row)
        for i in (1, 13, 14, 15):
            row[i] = local(row[i])
        for i in (20, 21, 24):
            row[i] = int(row[i])
        yield row
