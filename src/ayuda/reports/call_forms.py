"""The call reports' forms: the page's (dates, phone system, queue, service-level threshold)
and the calls list's (a figure's filters), each turned into ``reports.calls`` filters."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from ayuda.core.widgets import FastSelect
from ayuda.intake.phone.models import CallHour, CallOutcome, CallSource

from .calls import DEFAULT_THRESHOLD, CallFilters, CallQuery
from .filters import ReportFilterForm

TICKET_FIELDS = ("organisation", "site", "team", "level", "category", "channel")
MAX_THRESHOLD = 900  # the waits histogram's last edge: beyond it nothing is exact


class CallReportForm(ReportFilterForm):
    """The report's dates, one phone system, one queue, and N of "answered within N s"."""

    source = forms.ModelChoiceField(
        CallSource.objects.order_by("name"),
        label=_("Phone system"),
        required=False,
        empty_label=_("Any"),
        widget=FastSelect,
    )
    queue = forms.ChoiceField(label=_("Queue"), required=False, widget=FastSelect)
    threshold = forms.IntegerField(
        label=_("Answered within (s)"),
        required=False,
        min_value=1,
        max_value=MAX_THRESHOLD,
        initial=DEFAULT_THRESHOLD,
    )

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        for name in TICKET_FIELDS:
            del self.fields[name]
        if isinstance(self.fields["queue"], forms.ChoiceField):
            self.fields["queue"].choices = [("", _("Any"))] + [(q, q) for q in queue_names() if q]

    def call_filters(self) -> CallFilters | None:
        report = self.report_filters()
        if report is None:
            return None
        source = self.cleaned_data.get("source")
        return CallFilters(
            report=report,
            source=source.pk if source else None,
            queue=self.cleaned_data.get("queue") or "",
            threshold=self.cleaned_data.get("threshold") or DEFAULT_THRESHOLD,
        )


def queue_names() -> list[str]:
    """The queues the roll-up knows (one small DISTINCT over the hourly rows)."""
    return list(CallHour.objects.order_by("queue").values_list("queue", flat=True).distinct())


HOW = re.compile(r"^([1-7]):([0-9]|1[0-9]|2[0-3])$")
WAITED = re.compile(r"^(\d{1,6})-(\d{0,6})$")
OUTCOMES = [("", _("Any")), *CallOutcome.choices, ("missed", _("Missed"))]


class CallListForm(CallReportForm):
    """What a figure counted: weekday and hour (``how=D:H``), an hour of day, a day, an
    outcome, answered within N seconds, a range of waits (``waited=LOW-HIGH``, high
    exclusive, empty for open)."""

    how = forms.RegexField(HOW, required=False, widget=forms.HiddenInput)
    hour = forms.IntegerField(
        label=_("Hour"), required=False, min_value=0, max_value=23, widget=forms.HiddenInput
    )
    day = forms.DateField(required=False, widget=forms.HiddenInput)
    outcome = forms.ChoiceField(label=_("Outcome"), required=False, choices=OUTCOMES,
                                widget=FastSelect)  # fmt: skip
    answered_within = forms.IntegerField(
        required=False, min_value=1, max_value=MAX_THRESHOLD, widget=forms.HiddenInput
    )
    waited = forms.RegexField(WAITED, required=False, widget=forms.HiddenInput)
    # Any queue name (a call's, not only the roll-up's): nothing to choose from here.
    queue = forms.CharField(label=_("Queue"), required=False, max_length=100)

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        del self.fields["threshold"]
        for name in ("how", "day", "answered_within", "waited"):
            self.fields[name].error_messages["invalid"] = _("This filter is not valid.")

    def call_query(self) -> CallQuery | None:
        calls = self.call_filters()
        if calls is None:
            return None
        d = self.cleaned_data
        weekday = hour = None
        if d.get("how"):
            weekday, hour = (int(n) for n in d["how"].split(":"))
        if d.get("hour") is not None:
            hour = d["hour"]
        waited_min = waited_max = None
        if d.get("waited"):
            low, high = WAITED.match(d["waited"]).groups()
            waited_min, waited_max = int(low), (int(high) if high else None)
        return CallQuery(
            calls=calls,
            weekday=weekday,
            hour=hour,
            day=d.get("day"),
            outcome=d.get("outcome") or "",
            answered_within=d.get("answered_within"),
            waited_min=waited_min,
            waited_max=waited_max,
        )
