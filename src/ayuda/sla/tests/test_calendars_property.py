"""Business-time arithmetic against a slow minute-by-minute reference (R22), on random
calendars: ranges (crossing midnight, overlapping, in the missing or repeated DST hour),
closing days, public holidays, four time zones and start instants near DST changes."""

import uuid
from bisect import bisect_left
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from ayuda.sla.calendars import (
    WEEKDAYS,
    business_add,
    business_minutes,
    calendar_cache_clear,
    is_open,
)
from ayuda.sla.models import Calendar, ClosingDay

pytestmark = pytest.mark.django_db

ZONES_AND_HOLIDAYS = [
    ("Europe/Madrid", "ES", "MD"),
    ("Europe/Madrid", "", ""),
    ("Europe/Rome", "IT", ""),
    ("America/New_York", "US", "NY"),
    ("UTC", "ES", ""),
]
# DST changes of 2026 (and a public holiday week) the start instants cluster around
BASES = [
    datetime(2026, 3, 29, 1, 0, tzinfo=UTC),  # Europe springs forward
    datetime(2026, 10, 25, 1, 0, tzinfo=UTC),  # Europe falls back
    datetime(2026, 3, 8, 7, 0, tzinfo=UTC),  # New York springs forward
    datetime(2026, 11, 1, 6, 0, tzinfo=UTC),  # New York falls back
    datetime(2026, 1, 5, 12, 0, tzinfo=UTC),  # Epiphany on the 6th
]
WINDOW_BEFORE = timedelta(days=2)
WINDOW_AFTER = timedelta(days=16)

minute_of_day = st.one_of(
    st.sampled_from([0, 60, 90, 120, 150, 180, 210, 1320, 540]), st.integers(0, 1439)
)
# (start, length): the end too is often on a DST hour; a range may cross midnight
a_range = (
    st.tuples(minute_of_day, minute_of_day)
    .filter(lambda r: r[0] != r[1])
    .map(lambda r: (r[0], (r[1] - r[0]) % 1440))
)
a_week = st.lists(st.lists(a_range, max_size=3), min_size=7, max_size=7)


def hours_of(week) -> dict:
    return {
        day: [
            [f"{s // 60:02d}:{s % 60:02d}", f"{(s + n) % 1440 // 60:02d}:{(s + n) % 60:02d}"]
            for s, n in ranges
        ]
        for day, ranges in zip(WEEKDAYS, week, strict=True)
    }


class Reference:
    """Which UTC minutes of a window are open, worked out from the wall clock of each minute:
    a range of day D is open from the first instant the clock reaches its start to the last
    instant the clock is before its end (``docs/sla.md``)."""

    def __init__(self, *, zone, week, closed, begin, minutes):
        self.begin = begin
        walls = [
            (begin + timedelta(minutes=i)).astimezone(zone).replace(tzinfo=None)
            for i in range(minutes)
        ]
        prefix_max, suffix_min = [], [None] * minutes
        for wall in walls:
            prefix_max.append(max(prefix_max[-1], wall) if prefix_max else wall)
        for i in range(minutes - 1, -1, -1):
            suffix_min[i] = min(suffix_min[i + 1], walls[i]) if i + 1 < minutes else walls[i]
        self.open = [False] * minutes
        day = walls[0].date() - timedelta(days=1)
        while day <= walls[-1].date():
            if day not in closed:
                midnight = datetime(day.year, day.month, day.day)
                for start, length in week[day.weekday()]:
                    end = (
                        start + length
                        if (start + length) % 1440 > start
                        else ((start + length) % 1440 + 1440)
                    )
                    low = bisect_left(prefix_max, midnight + timedelta(minutes=start))
                    high = bisect_left(suffix_min, midnight + timedelta(minutes=end))
                    for i in range(low, high):
                        self.open[i] = True
            day += timedelta(days=1)

    def index(self, at: datetime) -> int:
        return int((at - self.begin).total_seconds() // 60)

    def add(self, start: datetime, minutes: int) -> datetime | None:
        if minutes == 0:
            return start
        count = 0
        for i in range(self.index(start), len(self.open)):
            count += self.open[i]
            if count == minutes:
                return self.begin + timedelta(minutes=i + 1)
        return None  # beyond the window

    def minutes_between(self, start: datetime, end: datetime) -> int:
        return sum(self.open[self.index(start) : self.index(end)])


def make_calendar(*, zone_name, country, region, week, closing_days) -> Calendar:
    calendar = Calendar.objects.create(
        name=uuid.uuid4().hex,
        timezone=zone_name,
        hours=hours_of(week),
        holiday_country=country,
        holiday_subdivision=region,
    )
    ClosingDay.objects.bulk_create(ClosingDay(calendar=calendar, day=d) for d in closing_days)
    calendar_cache_clear()
    return calendar


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(
    setup=st.sampled_from(ZONES_AND_HOLIDAYS),
    week=a_week,
    base=st.sampled_from(BASES),
    offset=st.integers(-3 * 1440, 1440),
    closing=st.lists(st.integers(-2, 10), max_size=3),
    minutes=st.integers(0, 1500),
    span=st.integers(0, 6 * 1440),
)
def test_business_time_matches_the_minute_by_minute_reference(
    setup, week, base, offset, closing, minutes, span
):
    # given
    zone_name, country, region = setup
    zone = ZoneInfo(zone_name)
    start = base + timedelta(minutes=offset)
    local_start = start.astimezone(zone).date()
    closing_days = {local_start + timedelta(days=n) for n in closing}
    calendar = make_calendar(
        zone_name=zone_name, country=country, region=region, week=week, closing_days=closing_days
    )
    begin = start - WINDOW_BEFORE
    closed = set(closing_days)
    if country:
        for year in {begin.year, (start + WINDOW_AFTER).year}:
            closed |= set(holidays.country_holidays(country, subdiv=region or None, years=year))
    reference = Reference(
        zone=zone,
        week=week,
        closed=closed,
        begin=begin,
        minutes=int((WINDOW_BEFORE + WINDOW_AFTER).total_seconds() // 60),
    )
    assume(any(ranges for ranges in week))

    # when / then: open or not, minute by minute around the start
    for step in range(0, 3 * 1440, 37):
        at = start + timedelta(minutes=step)
        assert is_open(calendar, at) == reference.open[reference.index(at)], (at, week)

    # business_minutes over [start, start + span)
    end = start + timedelta(minutes=span)
    assert business_minutes(calendar, start, end) == reference.minutes_between(start, end)

    # business_add, and the round trip
    expected = reference.add(start, minutes)
    if expected is not None:
        due = business_add(calendar, start, minutes)
        assert due == expected
        assert due.tzinfo == UTC
        assert business_minutes(calendar, start, due) == minutes


@settings(max_examples=40, deadline=None)
@given(
    setup=st.sampled_from(ZONES_AND_HOLIDAYS),
    week=a_week.filter(lambda w: any(w)),
    day=st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31)),
    minute=st.integers(0, 1439),
    seconds=st.integers(0, 59),
    minutes=st.integers(1, 20_000),
)
def test_business_add_and_business_minutes_round_trip(setup, week, day, minute, seconds, minutes):
    # given an instant that need not fall on a whole minute
    zone_name, country, region = setup
    calendar = Calendar(
        name="round trip",
        timezone=zone_name,
        hours=hours_of(week),
        holiday_country=country,
        holiday_subdivision=region,
    )
    start = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(
        minutes=minute, seconds=seconds
    )

    # when
    due = business_add(calendar, start, minutes)

    # then
    assert due > start
    assert business_minutes(calendar, start, due) == minutes
    assert business_minutes(calendar, start, due - timedelta(seconds=1)) == minutes - 1
