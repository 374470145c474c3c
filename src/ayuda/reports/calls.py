"""The call reports (R30): what the phone system's records say, read from the hourly roll-up
(``intake.phone`` CallHour), never from the calls themselves; and the e-mail channel's
arrivals beside them, from the tickets' roll-up (TicketFact).

One aggregated query reads the range's CallHour rows (a month is a few thousand: hours x
queues); each UTC hour is turned into the viewer's local hour here, in Python, so a day and an
hour of day are the viewer's, across daylight-saving changes (the two 02:00 hours of an
autumn night are both counted in 02 h; the missing spring hour has no calls).

Definitions (docs/call-reports.md):
- missed: abandoned by the caller or timed out (no agent took it);
- waiting for a person: the answered calls' wait (average from the sums, percentiles from the
  histograms, linear within a bucket);
- service level: answered within N seconds (``waited < N``) / (offered - short abandons),
  where a short abandon is a missed call that held on less than SHORT_ABANDON seconds; also
  shown over the answered calls only.
"""

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from itertools import zip_longest
from operator import add

from django.db.models import Count, Q, StringAgg, Sum, TextField, Value
from django.db.models.functions import Cast, ExtractHour
from django.urls import reverse
from django.utils import formats
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from ayuda.intake.phone.models import WAIT_EDGES, CallHour
from ayuda.tickets.models import Channel

from .filters import ReportFilters, queue_url
from .models import TicketFact
from .tables import Cell, Table, shade

DEFAULT_THRESHOLD = 20  # seconds: the usual "80 % in 20 s" target
SHORT_ABANDON = WAIT_EDGES[0]  # a missed call that held on less than this is not counted
BUCKETS = len(WAIT_EDGES) + 1


def histogram_percentile(counts: list[int], q: float) -> float | None:
    """The ``q`` quantile (0…1) in seconds of a waiting-time histogram over WAIT_EDGES (bucket
    i holds ``WAIT_EDGES[i-1] <= w < WAIT_EDGES[i]``), linear within its bucket; the open last
    bucket answers its lower edge (read it as ">= WAIT_EDGES[-1]"). None without calls."""
    total = sum(counts)
    if not total:
        return None
    target = q * total
    before = 0
    for i, count in enumerate(counts):
        if count and before + count >= target:
            low = WAIT_EDGES[i - 1] if i else 0
            if i >= len(WAIT_EDGES):
                return float(low)
            return low + (WAIT_EDGES[i] - low) * max(0.0, target - before) / count
        before += count
    return float(WAIT_EDGES[-1])


def histogram_below(counts: list[int], seconds: int) -> float:
    """How many of a histogram's calls waited less than ``seconds``: whole buckets below it and
    the linear share of the bucket it falls in (exact at the edges). The open last bucket
    counts as never below."""
    within = 0.0
    for i, count in enumerate(counts[: len(WAIT_EDGES)]):
        low, high = (WAIT_EDGES[i - 1] if i else 0), WAIT_EDGES[i]
        if high <= seconds:
            within += count
        elif low < seconds:
            within += count * (seconds - low) / (high - low)
    return within


def bucket_label(i: int) -> str:
    if i == 0:
        return _("< %(s)s s") % {"s": WAIT_EDGES[0]}
    if i >= len(WAIT_EDGES):
        return _(">= %(s)s s") % {"s": WAIT_EDGES[-1]}
    return _("%(low)s–%(high)s s") % {"low": WAIT_EDGES[i - 1], "high": WAIT_EDGES[i]}


@dataclass(frozen=True)
class CallFilters:
    """A report's date range (its ``report``, days in the viewer's zone) narrowed to one phone
    system and one queue, with the service level's threshold."""

    report: ReportFilters
    source: int | None = None
    queue: str = ""
    threshold: int = DEFAULT_THRESHOLD

    def params(self) -> dict[str, str]:
        params = {
            "since": self.report.first_day.isoformat(),
            "until": self.report.last_day.isoformat(),
        }
        if self.source:
            params["source"] = str(self.source)
        if self.queue:
            params["queue"] = self.queue
        return params

    def page_params(self) -> dict[str, str]:
        params = self.params()
        if self.threshold != DEFAULT_THRESHOLD:
            params["threshold"] = str(self.threshold)
        return params

    @cached_property
    def _list_base(self) -> str:
        return f"{reverse('agent:reports_calls_list')}?{urlencode(self.params())}"

    def list_url(self, **extra: object) -> str:
        """The calls list behind a figure: these filters and ``extra`` (hour=, outcome=…)."""
        more = {k: v for k, v in extra.items() if v not in (None, "")}
        return f"{self._list_base}&{urlencode(more)}" if more else self._list_base


@dataclass
class _Sums:
    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    timeout: int = 0
    answered_wait: int = 0
    missed_wait: int = 0
    answered_waits: list[int] | None = None
    missed_waits: list[int] | None = None

    def add(self, row: tuple) -> None:
        *_counts, a_hist, m_hist = row
        self.add_counts(row)
        self.answered_waits = _add_lists(self.answered_waits, a_hist)
        self.missed_waits = _add_lists(self.missed_waits, m_hist)

    def add_counts(self, row: tuple) -> None:
        _hour, offered, answered, abandoned, timeout, a_wait, m_wait, *_hists = row
        self.offered += offered
        self.answered += answered
        self.abandoned += abandoned
        self.timeout += timeout
        self.answered_wait += a_wait
        self.missed_wait += m_wait

    def merge(self, other: "_Sums") -> None:
        self.add((None, other.offered, other.answered, other.abandoned, other.timeout,
                  other.answered_wait, other.missed_wait, other.answered_waits,
                  other.missed_waits))  # fmt: skip

    @property
    def missed(self) -> int:
        return self.abandoned + self.timeout

    def hist(self, name: str) -> list[int]:
        return getattr(self, name) or [0] * BUCKETS

    def within(self, seconds: int) -> float:
        return histogram_below(self.hist("answered_waits"), seconds)

    @property
    def short_abandons(self) -> int:
        return self.hist("missed_waits")[0]

    def service_level(self, seconds: int) -> float | None:
        """Answered within ``seconds`` over the calls offered less the short abandons (%)."""
        base = self.offered - self.short_abandons
        return 100 * self.within(seconds) / base if base > 0 else None

    def service_level_answered(self, seconds: int) -> float | None:
        return 100 * self.within(seconds) / self.answered if self.answered else None

    def average_wait(self) -> float | None:
        return self.answered_wait / self.answered if self.answered else None


def _add_lists(total: list[int] | None, more: list[int] | None, times: int = 1) -> list[int] | None:
    """``total + times * more`` (in place when ``total`` is a list)."""
    if not more:
        return total
    if times != 1:
        more = [times * n for n in more]
    if total is None:
        return list(more) + [0] * (BUCKETS - len(more))
    total[: len(more)] = map(add, total, more)
    return total


@dataclass
class CallFigures:
    filters: CallFilters
    total: _Sums
    by_hour: list[_Sums]  # 24, the viewer's hour of day
    by_day: dict[date, _Sums]
    by_weekday_hour: dict[tuple[int, int], _Sums]  # (ISO weekday, hour)
    email_by_hour: list[int]


def call_hours_read(filters: CallFilters) -> Iterable[tuple]:
    """The range's roll-up rows as tuples (hour, offered, answered, abandoned, timeout,
    answered waits, missed waits, answered histogram, missed histogram), the histograms as
    their JSON text (``call_figures`` decodes each distinct one once)."""
    rows = CallHour.objects.filter(hour__gte=filters.report.since, hour__lt=filters.report.until)
    if filters.source:
        rows = rows.filter(source_id=filters.source)
    if filters.queue:
        rows = rows.filter(queue=filters.queue)
    # One row per UTC hour: the queues' counts summed, their histograms' JSON texts joined
    # with commas (``_sum_json_lists`` decodes them in one go).
    comma = Value(",")
    rows = (
        rows.values("hour")
        .annotate(
            n_offered=Sum("offered"),
            n_answered=Sum("answered"),
            n_abandoned=Sum("abandoned"),
            n_timeout=Sum("timeout"),
            answered_wait=Sum("answered_wait_seconds"),
            missed_wait=Sum("abandoned_wait_seconds"),
            answered_texts=StringAgg(Cast("answered_waits", TextField()), comma),
            missed_texts=StringAgg(Cast("missed_waits", TextField()), comma),
        )
        .order_by()
        .values_list(
            "hour",
            "n_offered",
            "n_answered",
            "n_abandoned",
            "n_timeout",
            "answered_wait",
            "missed_wait",
            "answered_texts",
            "missed_texts",
        )
    )
    return rows.iterator(chunk_size=5000)


def email_arrivals_by_hour(report: ReportFilters) -> list[int]:
    """Tickets that arrived by e-mail per hour of day (viewer's zone), the agent's teams only
    when the report is scoped to them."""
    facts = TicketFact.objects.filter(
        channel=Channel.EMAIL, created_at__gte=report.since, created_at__lt=report.until
    )
    if report.teams is not None:
        facts = facts.filter(team_id__in=report.teams)
    counts = [0] * 24
    hours = (
        facts.annotate(h=ExtractHour("created_at", tzinfo=report.zone))
        .values("h")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in hours:
        counts[row["h"]] += row["n"]
    return counts


def _sum_json_lists(texts: Iterable[str | None]) -> list[int] | None:
    """The element-wise sum of JSON lists of ints given as text: decoded in one go (one
    ``json.loads`` of them all) and added column by column."""
    texts = [text for text in texts if text]
    if not texts:
        return None
    lists = json.loads(f"[{','.join(texts)}]")
    summed = [sum(column) for column in zip_longest(*lists, fillvalue=0)]
    return summed + [0] * (BUCKETS - len(summed))


def _sums_of(rows: list[tuple], *, histograms: bool) -> _Sums:
    columns = list(zip(*rows, strict=True))
    sums = _Sums(*(sum(column) for column in columns[1:7]))
    if histograms:
        sums.answered_waits = _sum_json_lists(columns[7])
        sums.missed_waits = _sum_json_lists(columns[8])
    return sums


def call_figures(filters: CallFilters) -> CallFigures:
    """The figures of ``filters``. Each row goes to its local day and to its weekday and hour
    (168 groups), where the counts are added up column by column and the histograms decoded
    and added in one go per group; the hours of the day and the total are added up from the
    168 groups. A year of four queues (about 20,000 rows) takes a few hundred milliseconds."""
    zone = filters.report.zone
    local_of: dict[datetime, tuple[date, tuple[int, int]]] = {}
    day_rows: dict[date, list[tuple]] = defaultdict(list)
    how_rows: dict[tuple[int, int], list[tuple]] = defaultdict(list)
    for row in call_hours_read(filters):
        local = local_of.get(row[0])
        if local is None:
            at = row[0].astimezone(zone)
            local = local_of[row[0]] = (at.date(), (at.isoweekday(), at.hour))
        day_rows[local[0]].append(row)
        how_rows[local[1]].append(row)
    by_day = {day: _sums_of(rows, histograms=False) for day, rows in day_rows.items()}
    how = {key: _sums_of(rows, histograms=True) for key, rows in how_rows.items()}
    by_hour = [_Sums() for _ in range(24)]
    for (_weekday, hour), sums in how.items():
        by_hour[hour].merge(sums)
    total = _Sums()
    for sums in by_hour:
        total.merge(sums)
    return CallFigures(filters, total, by_hour, by_day, how, email_arrivals_by_hour(filters.report))


# --- The page's tables -------------------------------------------------------------------


def _seconds(value: float | None, *, open_end: bool = False) -> Cell:
    if value is None:
        return Cell(None)
    if open_end and value >= WAIT_EDGES[-1]:
        return Cell(round(value, 1), _(">= %(s)s s") % {"s": WAIT_EDGES[-1]})
    return Cell(round(value, 1), _("%(s)s s") % {"s": formats.number_format(round(value, 1), 1)})


def _percent(value: float | None) -> Cell:
    if value is None:
        return Cell(None)
    return Cell(round(value, 1), f"{formats.number_format(round(value, 1), 1)} %")


def _hour_label(hour: int) -> str:
    return f"{hour:02d}:00"


WEEKDAYS = (
    pgettext_lazy("weekday", "Mon"),
    pgettext_lazy("weekday", "Tue"),
    pgettext_lazy("weekday", "Wed"),
    pgettext_lazy("weekday", "Thu"),
    pgettext_lazy("weekday", "Fri"),
    pgettext_lazy("weekday", "Sat"),
    pgettext_lazy("weekday", "Sun"),
)


def _weekday(n: int) -> str:
    """ISO weekday ``n`` (1 Monday … 7 Sunday), short."""
    return str(WEEKDAYS[n - 1])


def summary_table(f: CallFigures) -> Table:
    t, n = f.total, f.filters.threshold
    url = f.filters.list_url
    p90 = histogram_percentile(t.hist("answered_waits"), 0.9)
    rows = [
        [Cell(_("Calls offered")), Cell(t.offered, link=url())],
        [Cell(_("Answered")), Cell(t.answered, link=url(outcome="answered"))],
        [Cell(_("Abandoned by the caller")), Cell(t.abandoned, link=url(outcome="abandoned"))],
        [Cell(_("Timed out")), Cell(t.timeout, link=url(outcome="timeout"))],
        [Cell(_("Missed")), Cell(t.missed, link=url(outcome="missed"))],
        [
            Cell(_("Answered within %(n)s s") % {"n": n}),
            Cell(round(t.within(n)), link=url(outcome="answered", answered_within=n)),
        ],
        [Cell(_("Service level (of calls offered)")), _percent(t.service_level(n))],
        [Cell(_("Service level (of calls answered)")), _percent(t.service_level_answered(n))],
        [Cell(_("Average wait for a person")), _seconds(t.average_wait())],
        [Cell(_("90th percentile wait for a person")), _seconds(p90, open_end=True)],
    ]
    return Table(
        key="summary",
        title=_("Calls in the range"),
        columns=[_("Figure"), _("Value")],
        rows=rows,
        note=_(
            "Service level: calls answered within %(n)s seconds over the calls offered, not "
            "counting callers who hung up within %(short)s seconds; also shown over the calls "
            "answered."
        )
        % {"n": n, "short": SHORT_ABANDON},
    )


def by_hour_table(f: CallFigures) -> Table:
    url = f.filters.list_url
    rows = []
    for hour, s in enumerate(f.by_hour):
        rows.append(
            [
                Cell(_hour_label(hour)),
                Cell(s.answered, link=url(hour=hour, outcome="answered")),
                Cell(s.abandoned, link=url(hour=hour, outcome="abandoned")),
                Cell(s.timeout, link=url(hour=hour, outcome="timeout")),
                Cell(s.offered, link=url(hour=hour)),
                Cell(s.missed, link=url(hour=hour, outcome="missed")),
            ]
        )
    return Table(
        key="by-hour",
        title=_("Calls by hour of day"),
        columns=[
            _("Hour"),
            _("Answered"),
            _("Abandoned"),
            _("Timed out"),
            _("Offered"),
            _("Missed"),
        ],
        rows=rows,
        chart="stacked",
        series=[1, 2, 3],
    )


def by_day_table(f: CallFigures) -> Table:
    url = f.filters.list_url
    rows = []
    day, last = f.filters.report.first_day, f.filters.report.last_day
    while day <= last:
        s = f.by_day.get(day) or _Sums()
        iso = day.isoformat()
        rows.append(
            [
                Cell(iso, formats.date_format(day, "SHORT_DATE_FORMAT")),
                Cell(s.offered, link=url(day=iso)),
                Cell(s.answered, link=url(day=iso, outcome="answered")),
                Cell(s.missed, link=url(day=iso, outcome="missed")),
            ]
        )
        day += timedelta(days=1)
    return Table(
        key="by-day",
        title=_("Calls by day"),
        columns=[_("Day"), _("Offered"), _("Answered"), _("Missed")],
        rows=rows,
        chart="line",
    )


def missed_heatmap_table(f: CallFigures) -> Table:
    """Rows are the hours of the day and columns the weekdays: seven columns fit a phone."""
    url = f.filters.list_url
    top = max((s.missed for s in f.by_weekday_hour.values()), default=0)
    rows = []
    for hour in range(24):
        row = [Cell(_hour_label(hour))]
        for weekday in range(1, 8):
            s = f.by_weekday_hour.get((weekday, hour))
            missed = s.missed if s else 0
            link = url(how=f"{weekday}:{hour}", outcome="missed") if missed else ""
            row.append(Cell(missed, link=link, shade=shade(missed, top)))
        rows.append(row)
    return Table(
        key="missed-heatmap",
        title=_("Missed calls by weekday and hour"),
        columns=[_("Hour"), *(_weekday(d) for d in range(1, 8))],
        rows=rows,
        chart="heatmap",
    )


def wait_table(f: CallFigures) -> Table:
    url = f.filters.list_url
    rows = []
    for hour, s in enumerate(f.by_hour):
        p90 = histogram_percentile(s.hist("answered_waits"), 0.9)
        rows.append(
            [
                Cell(_hour_label(hour)),
                Cell(s.answered, link=url(hour=hour, outcome="answered")),
                _seconds(s.average_wait()),
                _seconds(p90, open_end=True),
            ]
        )
    return Table(
        key="wait",
        title=_("How long a caller waits for a person"),
        columns=[_("Hour"), _("Answered"), _("Average wait (s)"), _("90th percentile (s)")],
        rows=rows,
        chart="line",
        series=[2, 3],
        note=_(
            "The wait of the answered calls. The percentile is read from a histogram of waits "
            "(buckets up to %(top)s s, linear within a bucket)."
        )
        % {"top": WAIT_EDGES[-1]},
    )


def service_level_table(f: CallFigures) -> Table:
    url, n = f.filters.list_url, f.filters.threshold
    rows = []
    for hour, s in enumerate(f.by_hour):
        rows.append(
            [
                Cell(_hour_label(hour)),
                Cell(s.offered, link=url(hour=hour)),
                Cell(
                    round(s.within(n)),
                    link=url(hour=hour, outcome="answered", answered_within=n),
                ),
                Cell(s.short_abandons),
                _percent(s.service_level(n)),
                _percent(s.service_level_answered(n)),
            ]
        )
    return Table(
        key="service-level",
        title=_("Service level by hour (answered within %(n)s s)") % {"n": n},
        columns=[
            _("Hour"),
            _("Offered"),
            _("Answered within %(n)s s") % {"n": n},
            _("Short abandons"),
            _("Share of offered (%)"),
            _("Share of answered (%)"),
        ],
        rows=rows,
        chart="line",
        series=[4, 5],
        note=_(
            "Share of offered: answered within %(n)s s / (offered − callers who hung up within "
            "%(short)s s). Share of answered: answered within %(n)s s / answered."
        )
        % {"n": n, "short": SHORT_ABANDON},
    )


def patience_table(f: CallFigures) -> Table:
    url = f.filters.list_url
    counts = f.total.hist("missed_waits")
    rows = []
    for i, count in enumerate(counts):
        low = WAIT_EDGES[i - 1] if i else 0
        high = WAIT_EDGES[i] if i < len(WAIT_EDGES) else ""
        rows.append(
            [
                Cell(bucket_label(i)),
                Cell(count, link=url(outcome="missed", waited=f"{low}-{high}") if count else ""),
            ]
        )
    return Table(
        key="patience",
        title=_("How long missed callers held on"),
        columns=[_("Held on"), _("Missed calls")],
        rows=rows,
        chart="bar",
    )


def email_table(f: CallFigures) -> Table:
    url = f.filters.list_url
    email = queue_url(f.filters.report, channel=Channel.EMAIL)
    rows = [
        [
            Cell(_hour_label(hour)),
            Cell(f.by_hour[hour].offered, link=url(hour=hour)),
            Cell(f.email_by_hour[hour], link=email if f.email_by_hour[hour] else ""),
        ]
        for hour in range(24)
    ]
    return Table(
        key="email",
        title=_("Calls and e-mails by hour of day"),
        columns=[_("Hour"), _("Calls offered"), _("E-mails (tickets)")],
        rows=rows,
        chart="bar",
        note=_("E-mails: tickets that arrived by e-mail in the range (your teams' only)")
        if f.filters.report.teams is not None
        else _("E-mails: tickets that arrived by e-mail in the range."),
    )


def call_tables(filters: CallFilters) -> list[Table]:
    figures = call_figures(filters)
    return [
        summary_table(figures),
        by_hour_table(figures),
        missed_heatmap_table(figures),
        wait_table(figures),
        service_level_table(figures),
        by_day_table(figures),
        patience_table(figures),
        email_table(figures),
    ]


# --- The calls behind a figure ---------------------------------------------------------


@dataclass(frozen=True)
class CallQuery:
    """The calls list's filters (``CallListForm``): a figure's range and what it counted."""

    calls: CallFilters
    weekday: int | None = None  # ISO, viewer's zone
    hour: int | None = None  # viewer's zone
    day: date | None = None  # viewer's zone
    outcome: str = ""  # answered, abandoned, timeout, missed
    answered_within: int | None = None
    waited_min: int | None = None
    waited_max: int | None = None  # exclusive


def local_windows(
    report: ReportFilters, *, weekday: int | None, hour: int | None
) -> list[tuple[datetime, datetime]]:
    """The UTC instants [start, end) of each day of ``report`` that is ``weekday`` (ISO, any
    when None), at local ``hour`` (the whole day when None), in the report's zone. The hour a
    spring change skips gives nothing; the hour an autumn change repeats gives both."""
    zone, windows = report.zone, []
    day = report.first_day
    while day <= report.last_day:
        if weekday is None or day.isoweekday() == weekday:
            if hour is None:
                start, end = datetime.combine(day, time.min), datetime.combine(day, time.min)
                end += timedelta(days=1)
            else:
                start = datetime.combine(day, time(hour))
                end = start + timedelta(hours=1)
            first = start.replace(tzinfo=zone).astimezone(UTC)
            after = end.replace(tzinfo=zone).astimezone(UTC)
            if first < after:
                windows.append((first, after))
        day += timedelta(days=1)
    return windows


def calls_matching(query: CallQuery):
    """The calls of ``query`` in arrival order (the ``call_arrived`` index: keyset pages and
    the CSV export walk it)."""
    from ayuda.intake.phone.models import MISSED, Call, CallOutcome

    report = query.calls.report
    since, until = report.since, report.until
    if query.day:
        day_start = datetime.combine(query.day, datetime.min.time(), tzinfo=report.zone)
        since = max(since, day_start)
        until = min(until, datetime.combine(query.day + timedelta(days=1), datetime.min.time(),
                                            tzinfo=report.zone))  # fmt: skip
    calls = Call.objects.filter(arrived_at__gte=since, arrived_at__lt=until)
    if query.calls.source:
        calls = calls.filter(source_id=query.calls.source)
    if query.calls.queue:
        calls = calls.filter(queue=query.calls.queue)
    if query.hour is not None or query.weekday is not None:
        # The local weekday and hour as the UTC windows they cover, day by day: ranges on
        # the ``call_arrived`` index instead of a time-zone conversion of every call.
        windows = Q(pk__in=[])
        for start, end in local_windows(report, weekday=query.weekday, hour=query.hour):
            windows |= Q(arrived_at__gte=start, arrived_at__lt=end)
        calls = calls.filter(windows)
    if query.outcome == "missed":
        calls = calls.filter(outcome__in=MISSED)
    elif query.outcome:
        calls = calls.filter(outcome=query.outcome)
    if query.answered_within is not None:
        calls = calls.filter(outcome=CallOutcome.ANSWERED, waited_seconds__lt=query.answered_within)
    if query.waited_min is not None:
        calls = calls.filter(waited_seconds__gte=query.waited_min)
    if query.waited_max is not None:
        calls = calls.filter(waited_seconds__lt=query.waited_max)
    return calls.order_by("arrived_at", "id")
