"""Business time of a calendar (R22): when it is open, and exact arithmetic on its open minutes.

Semantics (also in ``docs/sla.md``, "Calendars and business time"):

- Opening hours are wall-clock times in the calendar's time zone. ``hours`` maps a weekday
  (``mon``…``sun``) to ranges ``[["09:00", "14:00"], ...]``; a range whose end is not after
  its start crosses midnight and ends on the next day ("22:00"-"06:00").
- A range belongs to the day it starts on: it is dropped when *that* day is a public holiday
  or a closing day, even if it runs into the next day, and it runs into a holiday after it.
- A range runs from the first instant the clock shows its start to the last instant the clock
  shows its end. On a spring-forward day a range (or the part of it) inside the missing hour
  has no real minutes ("02:00"-"03:00" in Madrid on 2026-03-29 contributes nothing); on a
  fall-back day the repeated hour counts twice, as real time ("00:00"-"06:00" on 2026-10-25
  in Madrid is seven hours).
- A business minute is a real minute (60 s) while the calendar is open; overlapping ranges
  count once. ``always_open`` is open every minute, no hours, no holidays.

The arithmetic walks open intervals day by day, never minute by minute. Each calendar's parsed
rules, its holidays per year and its open intervals per day are cached in this process; the
cache is keyed by the calendar's row content, so a change to hours, time zone or holidays
shows at once. Closing days live in their own table: they are re-read after
``AYUDA_CALENDAR_CACHE_SECONDS`` (default 60) or at once after ``calendar_cache_clear()``,
which the admin calls on every save.
"""

import json
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
from django.conf import settings
from django.utils.translation import gettext as _

from .models import Calendar, ClosingDay

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_DAYS = 3660  # the search gives up after about ten years
DEFAULT_24X7_NAME = "24x7x365"
ONE_DAY = timedelta(days=1)
DAY_CACHE_MAX = 5000  # days of open intervals kept per calendar

type Interval = tuple[datetime, datetime]


class CalendarNeverOpen(ValueError):
    """The calendar has no open minute where the arithmetic looked for one."""


def parse_time(text: str) -> int:
    """ "HH:MM" as minutes after midnight (0..1439; "24:00" is 1440). ValueError if malformed."""
    hours, sep, minutes = text.strip().partition(":")
    if not sep or not hours.isdigit() or not minutes.isdigit() or len(minutes) != 2:
        raise ValueError(text)
    value = int(hours) * 60 + int(minutes)
    if int(minutes) > 59 or not 0 <= value <= 1440:
        raise ValueError(text)
    return value


def format_time(minutes: int) -> str:
    minutes %= 1440
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_week(hours: dict) -> tuple[tuple[tuple[int, int], ...], ...]:
    """The stored ``hours`` as seven tuples (Monday first) of (start, end) minutes after
    midnight; an end not after the start has 1440 added (it crosses midnight)."""
    if not isinstance(hours, dict):
        raise ValueError(_("The opening hours are not a list per weekday."))
    week = []
    for day in WEEKDAYS:
        ranges = []
        for pair in hours.get(day) or ():
            try:
                start, end = (parse_time(part) for part in pair)
            except (TypeError, ValueError):
                raise ValueError(
                    _("Opening hours on %(day)s are not valid: %(range)s")
                    % {"day": day, "range": pair}
                ) from None
            start %= 1440
            end %= 1440
            ranges.append((start, end if end > start else end + 1440))
        week.append(tuple(sorted(ranges)))
    return tuple(week)


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(_("Unknown time zone: %(zone)s") % {"zone": name}) from None


@lru_cache(maxsize=512)
def holidays_of_year(country: str, subdivision: str, year: int) -> dict[date, str]:
    """The public holidays of one country (and region) in one year: date -> name."""
    if not country:
        return {}
    try:
        found = holidays.country_holidays(country, subdiv=subdivision or None, years=year)
    except NotImplementedError:
        raise ValueError(
            _("The holidays library does not know the country “%(country)s”.")
            % {"country": f"{country} {subdivision}".strip()}
        ) from None
    return dict(found.items())


def _gap_end(zone: ZoneInfo, naive: datetime) -> datetime:
    """The instant a missing (spring-forward) wall time falls into: the transition itself."""
    one = naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
    two = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
    low, high = min(one, two), max(one, two)
    before = low.astimezone(zone).utcoffset()
    # the first second in (low, high] whose offset differs from the one before the gap
    lo, hi = 0, int((high - low).total_seconds())
    while lo < hi:
        mid = (lo + hi) // 2
        if (low + timedelta(seconds=mid)).astimezone(zone).utcoffset() == before:
            lo = mid + 1
        else:
            hi = mid
    return low + timedelta(seconds=lo)


def _first_instant(zone: ZoneInfo, naive: datetime) -> datetime:
    """The first instant the clock shows ``naive`` (the gap's end if it never does)."""
    instant = naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) == naive:
        return instant
    return _gap_end(zone, naive)


def _last_instant(zone: ZoneInfo, naive: datetime) -> datetime:
    """The last instant the clock shows ``naive`` (the gap's end if it never does)."""
    instant = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) == naive:
        return instant
    return _gap_end(zone, naive)


@dataclass
class _Rules:
    signature: tuple
    zone: ZoneInfo
    always_open: bool
    week: tuple[tuple[tuple[int, int], ...], ...]
    country: str
    subdivision: str
    closing_days: frozenset[date]
    expires: float
    days: dict[date, tuple[Interval, ...]] = field(default_factory=dict)

    def closed(self, day: date) -> bool:
        return day in self.closing_days or (
            bool(self.country) and day in holidays_of_year(self.country, self.subdivision, day.year)
        )

    def intervals(self, day: date) -> tuple[Interval, ...]:
        """The open intervals (UTC, sorted by start) of the ranges that start on ``day``."""
        found = self.days.get(day)
        if found is not None:
            return found
        result = []
        if not self.closed(day):
            midnight = datetime(day.year, day.month, day.day)
            for start, end in self.week[day.weekday()]:
                opens = _first_instant(self.zone, midnight + timedelta(minutes=start))
                closes = _last_instant(self.zone, midnight + timedelta(minutes=end))
                if opens < closes:
                    result.append((opens, closes))
        found = tuple(sorted(result))
        if len(self.days) >= DAY_CACHE_MAX:
            self.days.clear()
        self.days[day] = found
        return found

    def local_date(self, at: datetime) -> date:
        return at.astimezone(self.zone).date()


_rules_cache: dict[object, _Rules] = {}


def calendar_cache_clear() -> None:
    """Forget every calendar's cached rules and closing days (after a change to a calendar)."""
    _rules_cache.clear()


def _signature(calendar: Calendar) -> tuple:
    return (
        calendar.timezone,
        calendar.always_open,
        json.dumps(calendar.hours, sort_keys=True),
        (calendar.holiday_country or "").upper(),
        (calendar.holiday_subdivision or "").upper(),
    )


def _rules(calendar: Calendar) -> _Rules:
    signature = _signature(calendar)
    key = calendar.pk if calendar.pk is not None else signature
    now = time.monotonic()
    found = _rules_cache.get(key)
    if found is not None and found.signature == signature and found.expires > now:
        return found
    closing_days = frozenset(
        ClosingDay.objects.filter(calendar_id=calendar.pk).values_list("day", flat=True)
        if calendar.pk is not None
        else ()
    )
    # an unsaved calendar has no closing days to re-read
    seconds = settings.AYUDA_CALENDAR_CACHE_SECONDS if calendar.pk is not None else 10**9
    rules = _Rules(
        signature=signature,
        zone=_zone(calendar.timezone or "UTC"),
        always_open=calendar.always_open,
        week=parse_week(calendar.hours or {}),
        country=signature[3],
        subdivision=signature[4],
        closing_days=closing_days,
        expires=now + seconds,
    )
    if len(_rules_cache) > 1000:
        _rules_cache.clear()
    _rules_cache[key] = rules
    return rules


def _aware(at: datetime, name: str) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(_("%(name)s must be an aware datetime.") % {"name": name})
    return at.astimezone(UTC)


def _never_open(calendar: Calendar) -> CalendarNeverOpen:
    return CalendarNeverOpen(
        _("The calendar %(name)s is never open: give it opening hours or make it 24x7x365.")
        % {"name": calendar.name}
    )


def is_open(calendar: Calendar, at: datetime) -> bool:
    """Whether the calendar is open at the instant ``at`` (aware)."""
    at = _aware(at, "at")
    rules = _rules(calendar)
    if rules.always_open:
        return True
    day = rules.local_date(at)
    for current in (day - ONE_DAY, day):
        for opens, closes in rules.intervals(current):
            if opens <= at < closes:
                return True
    return False


def business_add(calendar: Calendar, start: datetime, minutes: int) -> datetime:
    """The instant (aware, UTC) when ``minutes`` business minutes after ``start`` have elapsed.

    ``minutes == 0`` returns ``start`` itself (in UTC), even when the calendar is closed then:
    nothing has to elapse. Otherwise the result is always an open instant's end, i.e. the
    counting starts at the next opening. Raises ``ValueError`` for negative minutes and
    ``CalendarNeverOpen`` (a ``ValueError``) for a calendar without any opening hours or with
    no open minute in the next ten years.
    """
    start = _aware(start, "start")
    if minutes < 0:
        raise ValueError(_("Business minutes cannot be negative."))
    if minutes == 0:
        return start
    rules = _rules(calendar)
    if rules.always_open:
        return start + timedelta(minutes=minutes)
    if not any(rules.week):
        raise _never_open(calendar)
    remaining = timedelta(minutes=minutes)
    cursor = start
    day = rules.local_date(start) - ONE_DAY
    was_open = False
    for _i in range(MAX_DAYS):
        for opens, closes in rules.intervals(day):
            was_open = True
            if closes <= cursor:
                continue
            if opens > cursor:
                cursor = opens
            available = closes - cursor
            if remaining <= available:
                return cursor + remaining
            remaining -= available
            cursor = closes
        day += ONE_DAY
    if was_open:
        raise CalendarNeverOpen(
            _("The calendar %(name)s is not open long enough within ten years of %(start)s.")
            % {"name": calendar.name, "start": start.date().isoformat()}
        )
    raise _never_open(calendar)


def business_minutes(calendar: Calendar, start: datetime, end: datetime) -> int:
    """Whole business minutes between two instants (0 when ``end`` is not after ``start``)."""
    start = _aware(start, "start")
    end = _aware(end, "end")
    if end <= start:
        return 0
    rules = _rules(calendar)
    if rules.always_open:
        return int((end - start).total_seconds() // 60)
    total = timedelta(0)
    cursor = start
    day = rules.local_date(start) - ONE_DAY
    last = rules.local_date(end)
    while day <= last:
        for opens, closes in rules.intervals(day):
            if opens >= end:
                break
            if closes <= cursor:
                continue
            if opens > cursor:
                cursor = opens
            stop = min(closes, end)
            total += stop - cursor
            cursor = stop
        day += ONE_DAY
    return int(total.total_seconds() // 60)


def next_holidays(calendar: Calendar, *, today: date, count: int = 10) -> list[tuple[date, str]]:
    """The calendar's next public holidays and closing days from ``today`` (date, name)."""
    rules = _rules(calendar)
    found: dict[date, str] = {}
    for year in (today.year, today.year + 1):
        if rules.country:
            found.update(holidays_of_year(rules.country, rules.subdivision, year))
    closing = {}
    if calendar.pk is not None:
        closing = dict(
            ClosingDay.objects.filter(calendar_id=calendar.pk, day__gte=today).values_list(
                "day", "name"
            )
        )
    for day, name in closing.items():
        found[day] = name or _("Closing day")
    return sorted((day, name) for day, name in found.items() if day >= today)[:count]


def calendar_24x7(name: str = DEFAULT_24X7_NAME) -> Calendar:
    """The one-click 24x7x365 calendar named ``name``: created, or the existing one returned.
    A calendar of that name that is not 24x7x365 is refused (ValueError), never changed."""
    calendar, _created = Calendar.objects.get_or_create(
        name=name, defaults={"always_open": True, "timezone": "UTC", "hours": {}}
    )
    if not calendar.always_open:
        raise ValueError(
            _("A calendar named %(name)s exists and is not 24x7x365.") % {"name": name}
        )
    return calendar
