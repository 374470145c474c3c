"""The staffing recommendation and the judgement of opening hours (R30), per hour of the week.

Read-only over the roll-ups: ``CallHour`` (calls per UTC hour) and ``TicketHour`` (tickets per
UTC hour and channel), both summed in SQL per UTC hour and placed in the hour of the week of the
viewer's time zone here; never the calls or the tickets themselves. The method, formulas and
limits are in ``docs/staffing.md``.

- Forecast: the mean of the same hour of the week over the last N complete weeks (Monday 00:00
  to Monday 00:00 in the viewer's zone), counted from the first week with any record when the
  history is shorter.
- Real-time contacts (calls, chat, walk-in; phone tickets only when there are no call records
  in the period) are served by agents modelled with Erlang C and, where calls were abandoned,
  Erlang A. Deferred contacts (e-mail, portal, API, monitoring) add workload:
  arrivals x handling minutes / 60 / maximum occupancy agents.
- Handling time: talk time of the answered calls plus a wrap-up, per hour of the week when the
  hour has enough answered calls, else the overall average.
- Patience (Erlang A): all calls' waiting seconds divided by the missed calls, the maximum
  likelihood estimate of an exponential patience from censored waits.
"""

import hashlib
import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.db.models import Max, Q, Sum

from ayuda.intake.phone.models import CallHour
from ayuda.sla.models import Calendar

from . import erlang
from .models import TicketHour
from .opening_hours import DAYS, HOURS, open_fractions

REAL_TIME = ("chat", "walk_in")
PHONE = "phone"
DEFERRED = ("email", "portal", "api", "monitoring")
MAX_PATIENCE = 3600.0  # seconds: a longer estimate (a handful of missed calls) is read as this


def _setting(name: str, default):
    return getattr(settings, name, default)


def deferred_minutes() -> float:
    return float(_setting("AYUDA_STAFFING_DEFERRED_MINUTES", 8))


def wrap_seconds() -> float:
    return float(_setting("AYUDA_STAFFING_WRAP_SECONDS", 30))


def aht_min_calls() -> int:
    return int(_setting("AYUDA_STAFFING_AHT_MIN_CALLS", 30))


def cache_seconds() -> int:
    return int(_setting("AYUDA_STAFFING_CACHE_SECONDS", 3600))


def default_handle_seconds() -> float:
    return float(_setting("AYUDA_STAFFING_DEFAULT_HANDLE_SECONDS", 300))


@dataclass(frozen=True)
class StaffingParams:
    tz: str = "UTC"
    today: date | None = None  # the viewer's today; the period ends at this week's Monday
    weeks: int = 8
    target_fraction: float = 0.8
    target_seconds: int = 20
    max_occupancy: float = 0.85
    calendar: Calendar | None = None
    source_id: int | None = None
    queue: str = ""

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)

    @property
    def last_monday(self) -> date:
        today = self.today or datetime.now(self.zone).date()
        return today - timedelta(days=today.weekday())

    def instant(self, day: date, hour: int = 0) -> datetime:
        return datetime.combine(day, time(hour), tzinfo=self.zone)

    @property
    def until(self) -> datetime:
        return self.instant(self.last_monday)

    @property
    def since(self) -> datetime:
        return self.instant(self.last_monday - timedelta(weeks=self.weeks))

    @property
    def recent_since(self) -> datetime:
        """The start of the most recent complete week (the actuals shown beside the forecast)."""
        return self.instant(self.last_monday - timedelta(weeks=1))


@dataclass
class ErlangFigures:
    agents: int
    service_level: float | None
    wait: float | None  # seconds (ASA in Erlang C; average wait of all callers in Erlang A)
    abandon: float | None  # Erlang A only


@dataclass
class Slot:
    """One hour of the week: the forecast (per week), last week's actuals, the recommendation."""

    day: int  # Monday = 0
    hour: int
    calls: float = 0.0  # forecast offered calls
    missed: float = 0.0  # forecast missed calls
    real_time: float = 0.0  # forecast other real-time contacts
    deferred: float = 0.0  # forecast deferred contacts
    actual_calls: int = 0
    actual_missed: int = 0
    actual_contacts: int = 0  # last week's tickets counted in the model (real-time + deferred)
    answered: int = 0  # over the whole period
    talk_seconds: int = 0
    aht: float = 0.0
    aht_own: bool = False  # from this hour's calls (else the overall average)
    agents_c: int | None = 0
    agents_a: int | None = None
    deferred_agents: float = 0.0
    recommended: int | None = 0
    at_recommended: ErlangFigures | None = None
    at_fewer: ErlangFigures | None = None
    open_fraction: float | None = None  # of the hour, under the chosen calendar

    @property
    def arrivals(self) -> float:
        """Real-time arrivals per hour: the Erlang models' λ."""
        return self.calls + self.real_time

    @property
    def contacts(self) -> float:
        return self.calls + self.real_time + self.deferred

    @property
    def isoweekday(self) -> int:
        return self.day + 1


@dataclass
class Staffing:
    params: StaffingParams
    weeks_used: int
    slots: dict[tuple[int, int], Slot]
    has_calls: bool
    aht_overall: float
    aht_source: str  # "calls" or "default"
    patience: float | None  # seconds; None without abandoned calls
    calendar: Calendar | None
    calls_total: int = 0
    missed_total: int = 0
    first_record: datetime | None = None
    computed_at: datetime | None = None  # when the sums were read (they may come from the cache)
    notes: list[str] = field(default_factory=list)

    def slot(self, day: int, hour: int) -> Slot:
        return self.slots[(day, hour)]


def _call_hours(params: StaffingParams):
    rows = CallHour.objects.filter(hour__gte=params.since, hour__lt=params.until)
    if params.source_id:
        rows = rows.filter(source_id=params.source_id)
    if params.queue:
        rows = rows.filter(queue=params.queue)
    return rows


def _ticket_hours(params: StaffingParams):
    return TicketHour.objects.filter(hour__gte=params.since, hour__lt=params.until)


@dataclass(frozen=True)
class HourSums:
    """What the database returns: sums per UTC hour (a few thousand rows for a year), grouped
    in SQL without any time-zone arithmetic (the local hour of the week is worked out here, once
    per UTC hour, which also gets summer time right)."""

    calls: list[tuple]  # (hour, offered, answered, missed, wait, talk)
    facts: list[tuple]  # (hour, real-time, phone, deferred)
    computed_at: datetime


def hour_sums(params: StaffingParams) -> HourSums:
    """Two aggregate queries: CallHour by hour, TicketHour by hour with one count per kind of
    channel."""
    calls = (
        _call_hours(params)
        .values("hour")
        .annotate(
            offered=Sum("offered"),
            answered=Sum("answered"),
            abandoned=Sum("abandoned"),
            timeout=Sum("timeout"),
            wait=Sum("wait_seconds"),
            talk=Sum("talk_seconds"),
        )
        .order_by()
        .values_list("hour", "offered", "answered", "abandoned", "timeout", "wait", "talk")
    )
    facts = (
        _ticket_hours(params)
        .values("hour")
        .annotate(
            real_time=Sum("tickets", filter=Q(channel__in=REAL_TIME), default=0),
            phone=Sum("tickets", filter=Q(channel=PHONE), default=0),
            deferred=Sum("tickets", filter=Q(channel__in=DEFERRED), default=0),
        )
        .order_by()
        .values_list("hour", "real_time", "phone", "deferred")
    )
    return HourSums(
        calls=[
            (h, o or 0, a or 0, (ab or 0) + (t or 0), w or 0, talk or 0)
            for h, o, a, ab, t, w, talk in calls
        ],
        facts=list(facts),
        computed_at=datetime.now(UTC),
    )


FIELDS = (
    "calls",
    "missed",
    "answered",
    "talk_seconds",
    "actual_calls",
    "actual_missed",
    "real_time",
    "deferred",
    "actual_contacts",
)


@dataclass(frozen=True)
class WeekSums:
    """The hourly sums folded into the 168 hours of the week (viewer's zone): per hour of the
    week the totals over the period of ``FIELDS``; what the cache keeps (small)."""

    slots: dict[tuple[int, int], tuple]
    has_calls: bool
    calls: int
    missed: int
    wait: int
    answered: int
    talk: int
    first: datetime | None
    computed_at: datetime


def week_sums(params: StaffingParams) -> WeekSums:
    sums = hour_sums(params)
    zone, recent_since = params.zone, params.recent_since
    local: dict[datetime, tuple[int, int, bool]] = {}

    def where(hour: datetime) -> tuple[int, int, bool]:
        found = local.get(hour)
        if found is None:
            at = hour.astimezone(zone)
            found = local[hour] = (at.weekday(), at.hour, hour >= recent_since)
        return found

    slots = {(d, h): [0] * len(FIELDS) for d in DAYS for h in HOURS}
    has_calls = False
    first: datetime | None = None
    calls_total = missed_total = wait_total = answered_total = talk_total = 0
    for hour, offered, answered, missed, wait, talk in sums.calls:
        day, local_hour, recent = where(hour)
        row = slots[(day, local_hour)]
        if offered:
            has_calls = True
        first = hour if first is None or hour < first else first
        row[0] += offered
        row[1] += missed
        row[2] += answered
        row[3] += talk
        if recent:
            row[4] += offered
            row[5] += missed
        calls_total += offered
        missed_total += missed
        wait_total += wait
        answered_total += answered
        talk_total += talk

    for hour, real_time, phone, deferred in sums.facts:
        day, local_hour, recent = where(hour)
        row = slots[(day, local_hour)]
        first = hour if first is None or hour < first else first
        # phone tickets stand for calls only when there are no call records
        counted_real_time = real_time + (0 if has_calls else phone)
        row[6] += counted_real_time
        row[7] += deferred
        if recent:
            row[8] += counted_real_time + deferred
    return WeekSums(
        slots={key: tuple(row) for key, row in slots.items()},
        has_calls=has_calls,
        calls=calls_total,
        missed=missed_total,
        wait=wait_total,
        answered=answered_total,
        talk=talk_total,
        first=first,
        computed_at=sums.computed_at,
    )


def week_sums_cached(params: StaffingParams) -> WeekSums:
    """``week_sums`` through the cache for ``AYUDA_STAFFING_CACHE_SECONDS``. The period ends at
    the start of this week, so new tickets and calls never change it (a ticket's facts keep its
    creation time): the key does not move with every new ticket. Late imports of old calls do
    change it: the key holds the newest CallHour row (one index look-up), so an import that adds
    hours shows at once; a change in place to old rows shows after the time-out."""
    seconds = cache_seconds()
    if seconds <= 0:
        return week_sums(params)
    newest_call = CallHour.objects.aggregate(m=Max("pk"))["m"]
    raw = "|".join(
        str(v)
        for v in (
            params.tz,
            params.since.isoformat(),
            params.until.isoformat(),
            params.source_id,
            params.queue,
            newest_call,
        )
    )
    key = "staffing:weeks:" + hashlib.sha256(raw.encode()).hexdigest()[:32]
    found = cache.get(key)
    if found is None:
        found = week_sums(params)
        cache.set(key, found, seconds)
    return found


def staffing_compute(params: StaffingParams, *, cached: bool = False) -> Staffing:
    """The forecast, the handling time, the agents per hour of the week and the opening-hours
    fractions (two aggregate queries, whatever the history's length; ``cached``: through the
    cache, see ``week_sums_cached``)."""
    sums = week_sums_cached(params) if cached else week_sums(params)
    zone = params.zone
    slots = {}
    for (d, h), values in sums.slots.items():
        slot = slots[(d, h)] = Slot(day=d, hour=h)
        for name, value in zip(FIELDS, values, strict=True):
            setattr(slot, name, value)
    has_calls, first = sums.has_calls, sums.first
    calls_total, missed_total, wait_total = sums.calls, sums.missed, sums.wait
    answered_total, talk_total = sums.answered, sums.talk

    weeks_used = params.weeks
    if first is not None:
        first_day = first.astimezone(zone).date()
        first_monday = first_day - timedelta(days=first_day.weekday())
        weeks_used = max(1, min(params.weeks, (params.last_monday - first_monday).days // 7))

    wrap = wrap_seconds()
    if answered_total:
        aht_overall, aht_source = talk_total / answered_total + wrap, "calls"
    else:
        aht_overall, aht_source = default_handle_seconds(), "default"
    patience = wait_total / missed_total if missed_total and wait_total else None
    if patience is not None:
        patience = min(patience, MAX_PATIENCE)

    result = Staffing(
        params=params,
        weeks_used=weeks_used,
        slots=slots,
        has_calls=has_calls,
        aht_overall=aht_overall,
        aht_source=aht_source,
        patience=patience,
        calendar=params.calendar,
        calls_total=calls_total,
        missed_total=missed_total,
        first_record=first,
        computed_at=sums.computed_at,
    )
    fractions = open_fractions(params.calendar, params) if params.calendar else None
    minimum = aht_min_calls()
    for slot in slots.values():
        for name in ("calls", "missed", "real_time", "deferred"):
            setattr(slot, name, getattr(slot, name) / weeks_used)
        if slot.answered >= minimum:
            slot.aht, slot.aht_own = slot.talk_seconds / slot.answered + wrap, True
        else:
            slot.aht = aht_overall
        _recommend(slot, params, patience)
        if fractions is not None:
            slot.open_fraction = fractions[(slot.day, slot.hour)]
    return result


def _recommend(slot: Slot, params: StaffingParams, patience: float | None) -> None:
    rate = slot.arrivals
    target, seconds, cap = params.target_fraction, params.target_seconds, params.max_occupancy
    slot.agents_c = erlang.agents_needed(rate, slot.aht, target, seconds, cap)
    if patience and rate > 0:
        slot.agents_a = erlang.agents_needed_a(
            rate, slot.aht, patience, target, seconds, cap, start=slot.agents_c
        )
    elif patience:
        slot.agents_a = 0
    chosen = slot.agents_a if patience else slot.agents_c
    slot.deferred_agents = slot.deferred * deferred_minutes() / 60 / cap
    if chosen is None:
        slot.recommended = None
        return
    slot.recommended = chosen + math.ceil(slot.deferred_agents - 1e-9)
    if rate > 0:
        slot.at_recommended = figures_at(chosen, rate, slot.aht, patience, seconds)
        slot.at_fewer = figures_at(chosen - 1, rate, slot.aht, patience, seconds)


def figures_at(
    agents: int, rate: float, aht: float, patience: float | None, seconds: float
) -> ErlangFigures:
    """Service level, wait and abandonment at ``agents`` (Erlang A with a patience, else C);
    with traffic at or above the agents, Erlang C has no steady state: no figures."""
    if agents < 0:
        agents = 0
    if patience:
        a = erlang.erlang_a(agents, rate, aht, patience, seconds)
        return ErlangFigures(agents, a.service_level, a.avg_wait, a.p_abandon)
    traffic = rate * aht / 3600
    if agents <= traffic:
        return ErlangFigures(agents, None, None, None)
    return ErlangFigures(
        agents,
        erlang.service_level(agents, traffic, aht, seconds),
        erlang.asa(agents, traffic, aht),
        None,
    )
