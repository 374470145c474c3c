"""Opening hours judged from the staffing page's traffic (R30): how much of each hour of the
week a calendar's weekly hours are open, the contacts and missed calls that arrive while it is
closed, and what an hour more or less at either end of each weekday would mean."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from ayuda.sla.calendars import parse_week
from ayuda.sla.models import Calendar

DAYS = range(7)  # Monday = 0
HOURS = range(24)

if TYPE_CHECKING:
    from .staffing import Slot, Staffing, StaffingParams


SAMPLES = (7.5, 22.5, 37.5, 52.5)  # minutes into the hour: the open fraction in quarters


def calendar_default() -> Calendar | None:
    """The first calendar (by name) that is not open around the clock."""
    return Calendar.objects.filter(always_open=False).order_by("name").first()


def open_fractions(calendar: Calendar, params: StaffingParams) -> dict[tuple[int, int], float]:
    """The share of each hour of the week (viewer's zone) the calendar's weekly hours are open,
    sampled at the middle of each quarter of an hour of the most recent complete week and read
    in the calendar's own zone. Public holidays and closing days are not applied: the question
    is the regular week."""
    if calendar.always_open:
        return {(d, h): 1.0 for d in DAYS for h in HOURS}
    week = parse_week(calendar.hours or {})
    zone = ZoneInfo(calendar.timezone)
    monday = params.last_monday - timedelta(weeks=1)
    fractions = {}
    for d in DAYS:
        for h in HOURS:
            start = params.instant(monday + timedelta(days=d), h)
            open_count = 0
            for minutes in SAMPLES:
                local = (start + timedelta(minutes=minutes)).astimezone(zone)
                open_count += _week_open(week, local.weekday(), local.hour * 60 + local.minute)
            fractions[(d, h)] = open_count / len(SAMPLES)
    return fractions


def _week_open(week, weekday: int, minute: float) -> bool:
    """Open at ``minute`` of ``weekday`` by the week rules (a range crossing midnight counts
    for the next morning too)."""
    for start, end in week[weekday]:
        if start <= minute < end:
            return True
    return any(end > 1440 and minute < end - 1440 for _start, end in week[(weekday - 1) % 7])


@dataclass(frozen=True)
class DayHours:
    """One weekday under the calendar: its first and last open hour (viewer's zone) and what an
    hour more or less at either end would mean."""

    day: int
    first: int | None  # the first hour mostly open; None when closed all day
    last: int | None
    earlier: Slot | None  # the hour before opening
    later: Slot | None  # the hour after closing
    first_slot: Slot | None
    last_slot: Slot | None


def day_hours(staffing: Staffing) -> list[DayHours]:
    result = []
    for d in DAYS:
        open_hours = [h for h in HOURS if (staffing.slot(d, h).open_fraction or 0) >= 0.5]
        if not open_hours:
            result.append(DayHours(d, None, None, None, None, None, None))
            continue
        first, last = open_hours[0], open_hours[-1]
        result.append(
            DayHours(
                day=d,
                first=first,
                last=last,
                earlier=staffing.slot(d, first - 1) if first > 0 else None,
                later=staffing.slot(d, last + 1) if last < 23 else None,
                first_slot=staffing.slot(d, first),
                last_slot=staffing.slot(d, last),
            )
        )
    return result


def outside_by_hour(staffing: Staffing) -> list[tuple[int, float, float, float, float]]:
    """Per hour of the day (all weekdays): contacts per week, of them outside opening hours,
    missed calls per week, of them outside."""
    sums = defaultdict(lambda: [0.0, 0.0, 0.0, 0.0])
    for slot in staffing.slots.values():
        closed = 1.0 - (slot.open_fraction if slot.open_fraction is not None else 1.0)
        row = sums[slot.hour]
        row[0] += slot.contacts
        row[1] += slot.contacts * closed
        row[2] += slot.missed
        row[3] += slot.missed * closed
    return [(h, *sums[h]) for h in HOURS]
