"""The calendar's admin form (R22): opening hours typed per weekday ("09:00-14:00, 15:00-18:00"),
checked for bad times, empty and overlapping ranges; the time zone and the public holidays'
country and region checked against zoneinfo and the ``holidays`` library."""

import zoneinfo
from functools import lru_cache

import holidays
from django import forms
from django.utils.translation import gettext_lazy as _

from .calendars import WEEKDAYS, format_time, parse_time
from .models import Calendar

DAY_LABELS = {
    "mon": _("Monday"),
    "tue": _("Tuesday"),
    "wed": _("Wednesday"),
    "thu": _("Thursday"),
    "fri": _("Friday"),
    "sat": _("Saturday"),
    "sun": _("Sunday"),
}
WEEK_MINUTES = 7 * 1440


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


@lru_cache(maxsize=1)
def _countries() -> dict[str, tuple[str, ...]]:
    return {code: tuple(subdivs) for code, subdivs in holidays.list_supported_countries().items()}


def parse_day(text: str) -> list[tuple[int, int]]:
    """ "09:00-14:00, 15:00-18:00" as [(540, 840), (900, 1080)]; raises ValidationError."""
    ranges = []
    for part in text.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        start_text, sep, end_text = part.partition("-")
        try:
            if not sep:
                raise ValueError(part)
            start, end = parse_time(start_text), parse_time(end_text)
            if start == 1440:
                raise ValueError(part)
        except ValueError:
            raise forms.ValidationError(
                _("“%(range)s” is not a range like 09:00-14:00."), params={"range": part}
            ) from None
        if start == end % 1440:
            raise forms.ValidationError(
                _("“%(range)s” is empty: its start and end are the same."), params={"range": part}
            )
        ranges.append((start, end))
    return ranges


def week_overlaps(week: dict[str, list[tuple[int, int]]]) -> list[str]:
    """The days whose ranges overlap a range of the same day or the previous day's range that
    runs past midnight (the week wraps: Sunday night runs into Monday)."""
    spans = []  # (start, end, day) in minutes of the week
    for index, day in enumerate(WEEKDAYS):
        for start, end in week.get(day, []):
            end = end if end > start else end + 1440
            spans.append((index * 1440 + start, index * 1440 + end, day))
    spans.sort()
    bad = []
    for position, (_start, end, _day) in enumerate(spans):
        for other_start, _other_end, other_day in spans[position + 1 :]:
            if other_start >= end:
                break
            bad.append(other_day)
        # the week wraps: a late Sunday range against Monday's first ranges
        if end > WEEK_MINUTES:
            for other_start, _other_end, other_day in spans:
                if other_start < end - WEEK_MINUTES:
                    bad.append(other_day)
    return list(dict.fromkeys(bad))


def _hours_field(day: str) -> forms.CharField:
    return forms.CharField(
        label=DAY_LABELS[day],
        required=False,
        help_text=_("e.g. 09:00-14:00, 15:00-18:00; 22:00-06:00 ends the next morning.")
        if day == "mon"
        else "",
    )


class CalendarForm(forms.ModelForm):
    hours_mon = _hours_field("mon")
    hours_tue = _hours_field("tue")
    hours_wed = _hours_field("wed")
    hours_thu = _hours_field("thu")
    hours_fri = _hours_field("fri")
    hours_sat = _hours_field("sat")
    hours_sun = _hours_field("sun")

    class Meta:
        model = Calendar
        fields = [
            "name",
            "timezone",
            "always_open",
            "holiday_country",
            "holiday_subdivision",
        ]
        help_texts = {"timezone": _("A time zone name such as Europe/Madrid or UTC.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        hours = self.instance.hours if isinstance(self.instance.hours, dict) else {}
        for day in WEEKDAYS:
            self.fields[f"hours_{day}"].initial = ", ".join(
                f"{start}-{end}" for start, end in hours.get(day) or []
            )

    def clean_timezone(self) -> str:
        value = self.cleaned_data["timezone"].strip()
        if value not in _zones():
            raise forms.ValidationError(
                _("“%(zone)s” is not a time zone (e.g. Europe/Madrid)."), params={"zone": value}
            )
        return value

    def clean_holiday_country(self) -> str:
        value = self.cleaned_data["holiday_country"].strip().upper()
        if value and value not in _countries():
            raise forms.ValidationError(
                _("The holidays library does not know the country “%(country)s”."),
                params={"country": value},
            )
        return value

    def clean(self):
        cleaned = super().clean()
        week = {}
        for day in WEEKDAYS:
            try:
                week[day] = parse_day(cleaned.get(f"hours_{day}") or "")
            except forms.ValidationError as error:
                self.add_error(f"hours_{day}", error)
        if len(week) == len(WEEKDAYS):
            for day in week_overlaps(week):
                self.add_error(
                    f"hours_{day}",
                    _("The ranges on %(day)s overlap each other or the previous night's range.")
                    % {"day": DAY_LABELS[day]},
                )
            if not cleaned.get("always_open") and not any(week.values()):
                self.add_error(
                    None,
                    _("The calendar is never open: give it opening hours or make it 24x7x365."),
                )
        country = cleaned.get("holiday_country")
        region = (cleaned.get("holiday_subdivision") or "").strip().upper()
        cleaned["holiday_subdivision"] = region
        if region and "holiday_country" in cleaned:
            if not country:
                self.add_error(
                    "holiday_subdivision", _("A region needs the country of its holidays.")
                )
            elif region not in _countries().get(country, ()):
                self.add_error(
                    "holiday_subdivision",
                    _("The country %(country)s has no region “%(region)s” (known: %(known)s).")
                    % {
                        "country": country,
                        "region": region,
                        "known": ", ".join(_countries().get(country, ())) or "-",
                    },
                )
        self._week = week
        return cleaned

    def save(self, commit=True):
        self.instance.hours = {
            day: [[format_time(start), format_time(end)] for start, end in self._week.get(day, [])]
            for day in WEEKDAYS
        }
        self.instance.holiday_subdivision = self.cleaned_data.get("holiday_subdivision", "")
        return super().save(commit=commit)
