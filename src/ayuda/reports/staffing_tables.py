"""The staffing page's form and figures (R30): every figure a ``Table``, each cell with its
number, its text and, where calls are behind it, a link to the calls list of that hour of the
week."""

import math
from datetime import date, timedelta

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ayuda.core.widgets import FastSelect
from ayuda.intake.phone.models import CallSource
from ayuda.sla.models import Calendar

from .opening_hours import DAYS, HOURS, calendar_default, day_hours, outside_by_hour
from .staffing import (
    Slot,
    Staffing,
    StaffingParams,
    aht_min_calls,
    deferred_minutes,
    wrap_seconds,
)
from .tables import Cell, Table, shade

MAX_WEEKS = 53


class StaffingForm(forms.Form):
    weeks = forms.IntegerField(
        label=gettext_lazy("Weeks of history"), min_value=1, max_value=MAX_WEEKS, required=False
    )
    target = forms.FloatField(
        label=gettext_lazy("Answered within the target (%)"),
        min_value=1,
        max_value=99.9,
        required=False,
    )
    seconds = forms.IntegerField(
        label=gettext_lazy("Target (seconds)"), min_value=0, max_value=3600, required=False
    )
    occupancy = forms.FloatField(
        label=gettext_lazy("Maximum occupancy (%)"), min_value=10, max_value=100, required=False
    )
    calendar = forms.ModelChoiceField(
        Calendar.objects.order_by("name"),
        label=gettext_lazy("Opening hours"),
        required=False,
        empty_label=gettext_lazy("First calendar with opening hours"),
        widget=FastSelect,
    )
    source = forms.ModelChoiceField(
        CallSource.objects.order_by("name"),
        label=gettext_lazy("Phone system"),
        required=False,
        empty_label=gettext_lazy("Any"),
        widget=FastSelect,
    )
    queue = forms.CharField(label=gettext_lazy("Call queue"), max_length=100, required=False)

    DEFAULTS = {"weeks": 8, "target": 80, "seconds": 20, "occupancy": 85}

    def __init__(self, data=None, **kwargs):
        super().__init__(data, auto_id="id_report_%s", **kwargs)
        for name, value in self.DEFAULTS.items():
            self.fields[name].initial = value
            self.fields[name].widget.attrs["placeholder"] = str(value)

    def params(self) -> StaffingParams | None:
        """The parameters, or None when the input is invalid (the page shows the errors)."""
        if not self.is_valid():
            return None
        d = self.cleaned_data
        return StaffingParams(
            tz=timezone.get_current_timezone_name(),
            today=timezone.localdate(),
            weeks=d.get("weeks") or self.DEFAULTS["weeks"],
            target_fraction=(d["target"] if d.get("target") is not None else 80) / 100,
            target_seconds=d["seconds"] if d.get("seconds") is not None else 20,
            max_occupancy=(d.get("occupancy") or self.DEFAULTS["occupancy"]) / 100,
            calendar=d.get("calendar") or calendar_default(),
            source_id=d["source"].pk if d.get("source") else None,
            queue=(d.get("queue") or "").strip(),
        )


def weekday_names() -> list[str]:
    # 2024-01-01 was a Monday
    return [date_format(date(2024, 1, 1 + d), "l") for d in DAYS]


def _num(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "—"
    return number_format(round(value, digits), digits)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{number_format(round(100 * value, 1), 1)} %"


def _secs(value: float | None) -> str:
    if value is None:
        return "—"
    if math.isinf(value):
        return "∞"
    return _("%(seconds)s s") % {"seconds": number_format(round(value, 1), 1)}


def _round(value: float | None, digits: int = 2) -> float | None:
    if value is None or (isinstance(value, float) and math.isinf(value)):
        return None
    return round(value, digits)


class _Links:
    def __init__(self, staffing: Staffing):
        p = staffing.params
        self.base = reverse("agent:reports_calls_list")
        last = p.last_monday - timedelta(days=1)
        first = p.last_monday - timedelta(weeks=staffing.weeks_used)
        self.params = {"since": first.isoformat(), "until": last.isoformat()}
        if p.source_id:
            self.params["source"] = str(p.source_id)
        if p.queue:
            self.params["queue"] = p.queue
        self.enabled = staffing.has_calls

    def hour(self, slot: Slot) -> str:
        if not self.enabled or not slot.calls:
            return ""
        params = {**self.params, "how": f"{slot.isoweekday}:{slot.hour}"}
        return f"{self.base}?{urlencode(params)}"


def _hour_label(slot: Slot, names: list[str]) -> str:
    return f"{names[slot.day][:3]} {slot.hour:02d}:00"


def staffing_tables(staffing: Staffing) -> list[Table]:
    """The page's figures, in order: the recommendation (heat map), the forecast against last
    week, the hour detail, and the opening hours (by hour of the day, and per weekday)."""
    names = weekday_names()
    links = _Links(staffing)
    tables = [
        _recommendation(staffing, names, links),
        _forecast(staffing, names),
        _detail(staffing, names, links),
    ]
    if staffing.calendar is not None:
        tables += [_outside(staffing), _changes(staffing, names)]
    return tables


def _hour_columns() -> list[str]:
    return [f"{h:02d}" for h in HOURS]


def _recommendation(staffing: Staffing, names, links) -> Table:
    p = staffing.params
    top = max((s.recommended or 0) for s in staffing.slots.values())
    rows = []
    for d in DAYS:
        row = [Cell(names[d])]
        for h in HOURS:
            slot = staffing.slot(d, h)
            row.append(
                Cell(
                    slot.recommended,
                    text="—" if slot.recommended is None else str(slot.recommended),
                    link=links.hour(slot),
                    shade=shade(slot.recommended, top),
                )
            )
        rows.append(row)
    model = _("Erlang A") if staffing.patience else _("Erlang C")
    return Table(
        key="recommendation",
        title=_("Agents needed per hour"),
        columns=[_("Day"), *_hour_columns()],
        rows=rows,
        chart="heatmap",
        transpose_on_page=True,
        note=_(
            "Agents to answer %(target)s of the real-time contacts within %(seconds)s seconds "
            "(%(model)s, occupancy at most %(occupancy)s), plus the deferred contacts' workload."
        )
        % {
            "target": _pct(p.target_fraction),
            "seconds": p.target_seconds,
            "model": model,
            "occupancy": _pct(p.max_occupancy),
        },
    )


def _forecast(staffing: Staffing, names) -> Table:
    top = max(s.contacts for s in staffing.slots.values())
    rows = []
    for d in DAYS:
        row = [Cell(names[d])]
        for h in HOURS:
            slot = staffing.slot(d, h)
            actual = slot.actual_calls + slot.actual_contacts
            row.append(
                Cell(
                    round(slot.contacts, 2),
                    text=f"{_num(slot.contacts)} · {actual}",
                    shade=shade(slot.contacts, top),
                )
            )
        rows.append(row)
    return Table(
        key="forecast",
        title=_("Forecast contacts per hour · last week's actual"),
        columns=[_("Day"), *_hour_columns()],
        rows=rows,
        chart="heatmap",
        transpose_on_page=True,
        note=_(
            "Forecast: the mean of the same hour of the week over the last %(weeks)s complete "
            "weeks (calls and tickets of every channel); after the dot, the most recent week's "
            "count."
        )
        % {"weeks": staffing.weeks_used},
    )


def _detail(staffing: Staffing, names, links) -> Table:
    rows = []
    for d in DAYS:
        for h in HOURS:
            slot = staffing.slot(d, h)
            rec, fewer = slot.at_recommended, slot.at_fewer
            rows.append(
                [
                    Cell(_hour_label(slot, names)),
                    Cell(round(slot.calls, 2), _num(slot.calls), link=links.hour(slot)),
                    Cell(slot.actual_calls),
                    Cell(round(slot.real_time, 2), _num(slot.real_time)),
                    Cell(round(slot.deferred, 2), _num(slot.deferred)),
                    Cell(slot.actual_contacts),
                    Cell(
                        round(slot.aht),
                        text=_secs(slot.aht) + ("" if slot.aht_own else " *"),
                    ),
                    Cell(slot.agents_c),
                    Cell(slot.agents_a),
                    Cell(round(slot.deferred_agents, 2), _num(slot.deferred_agents, 2)),
                    Cell(slot.recommended),
                    Cell(_round(rec and rec.service_level, 4), _pct(rec and rec.service_level)),
                    Cell(_round(rec and rec.wait), _secs(rec and rec.wait)),
                    Cell(_round(rec and rec.abandon, 4), _pct(rec and rec.abandon)),
                    Cell(
                        _round(fewer and fewer.service_level, 4),
                        _pct(fewer and fewer.service_level),
                    ),
                    Cell(_round(fewer and fewer.wait), _secs(fewer and fewer.wait)),
                    Cell(_round(fewer and fewer.abandon, 4), _pct(fewer and fewer.abandon)),
                ]
            )
    patience = (
        _("Patience (Erlang A): %(seconds)s on average, from %(missed)s missed calls.")
        % {"seconds": _secs(staffing.patience), "missed": staffing.missed_total}
        if staffing.patience
        else _("No abandoned calls in the period: Erlang C only.")
    )
    aht = (
        _(
            "Handling time: talk time of the answered calls plus %(wrap)s s wrap-up, per hour "
            "of the week with at least %(minimum)s answered calls, else the overall %(overall)s "
            "(marked *)."
        )
        % {
            "wrap": _num(wrap_seconds(), 0),
            "minimum": aht_min_calls(),
            "overall": _secs(staffing.aht_overall),
        }
        if staffing.aht_source == "calls"
        else _("No answered calls: handling time %(overall)s (the default) everywhere.")
        % {"overall": _secs(staffing.aht_overall)}
    )
    return Table(
        key="hours",
        title=_("Hour by hour"),
        columns=[
            _("Hour"),
            _("Calls (forecast)"),
            _("Calls last week"),
            _("Chat and walk-in (forecast)"),
            _("Deferred contacts (forecast)"),
            _("Tickets last week"),
            _("Handling time"),
            _("Agents (Erlang C)"),
            _("Agents (Erlang A)"),
            _("Agents for deferred work"),
            _("Agents recommended"),
            _("Service level"),
            _("Expected wait"),
            _("Abandoned"),
            _("Service level, one agent fewer"),
            _("Expected wait, one agent fewer"),
            _("Abandoned, one agent fewer"),
        ],
        rows=rows,
        note=f"{aht} {patience} "
        + _("Deferred contacts (e-mail, portal, API, monitoring) count %(minutes)s minutes each.")
        % {"minutes": _num(deferred_minutes(), 0)},
    )


def _outside(staffing: Staffing) -> Table:
    rows = []
    totals = [0.0, 0.0, 0.0, 0.0]
    for hour, contacts, outside, missed, missed_outside in outside_by_hour(staffing):
        for i, value in enumerate((contacts, outside, missed, missed_outside)):
            totals[i] += value
        rows.append(_outside_row(f"{hour:02d}:00", contacts, outside, missed, missed_outside))
    rows.append(_outside_row(_("All hours"), *totals))
    return Table(
        key="outside",
        title=_("Contacts outside the opening hours of %(calendar)s")
        % {"calendar": staffing.calendar.name},
        columns=[
            _("Hour"),
            _("Contacts per week"),
            _("Outside opening hours"),
            _("Share outside"),
            _("Missed calls per week"),
            _("Missed outside opening hours"),
            _("Share of missed outside"),
        ],
        rows=rows,
        note=_(
            "The calendar's weekly hours (public holidays and closing days aside), in "
            "quarters of an hour; contacts are the forecast per week."
        ),
    )


def _outside_row(label, contacts, outside, missed, missed_outside) -> list[Cell]:
    share = outside / contacts if contacts else None
    missed_share = missed_outside / missed if missed else None
    return [
        Cell(label),
        Cell(round(contacts, 2), _num(contacts)),
        Cell(round(outside, 2), _num(outside)),
        Cell(_round(share, 4), _pct(share)),
        Cell(round(missed, 2), _num(missed)),
        Cell(round(missed_outside, 2), _num(missed_outside)),
        Cell(_round(missed_share, 4), _pct(missed_share)),
    ]


def _changes(staffing: Staffing, names) -> Table:
    rows = []
    for day in day_hours(staffing):
        if day.first is None:
            rows.append([Cell(names[day.day]), Cell(_("closed")), *[Cell(None)] * 8])
            continue
        hours = f"{day.first:02d}:00–{day.last + 1:02d}:00"
        rows.append(
            [
                Cell(names[day.day]),
                Cell(hours),
                *_change_cells(day.earlier),
                *_change_cells(day.later),
                *_change_cells(day.first_slot),
                *_change_cells(day.last_slot),
            ]
        )
    return Table(
        key="opening",
        title=_("An hour more or less"),
        columns=[
            _("Day"),
            _("Open hours"),
            _("Open an hour earlier: contacts served"),
            _("Open an hour earlier: agents needed"),
            _("Close an hour later: contacts served"),
            _("Close an hour later: agents needed"),
            _("Open an hour later: contacts turned away"),
            _("Open an hour later: agents freed"),
            _("Close an hour earlier: contacts turned away"),
            _("Close an hour earlier: agents freed"),
        ],
        rows=rows,
        note=_(
            "Per week, from the forecast: the contacts arriving in the hour gained or given up, "
            "and the agents that hour needs. Open: the first to the last hour open at least "
            "half the time."
        ),
    )


def _change_cells(slot: Slot | None) -> list[Cell]:
    if slot is None:
        return [Cell(None), Cell(None)]
    return [Cell(round(slot.contacts, 2), _num(slot.contacts)), Cell(slot.recommended)]


def table_get(tables: list[Table], key: str) -> Table | None:
    return next((t for t in tables if t.key == key), None)
