"""The filters every report page reads (R29): a date range in the viewer's time zone and the
ticket's organisation, site, team, level, category and channel; and the links from a figure to
the queue filtered to the tickets behind it."""

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from ayuda.accounts.models import Level, Organisation, Site, Team
from ayuda.core.widgets import FastSelect
from ayuda.tickets.models import Category, Channel

DEFAULT_DAYS = 28  # four whole weeks: every weekday counted as often
MAX_DAYS = 732  # two years: the pages' budget is measured at one


@dataclass(frozen=True)
class ReportFilters:
    """``since`` and ``until`` are aware instants: the start of the first day and the start of
    the day after the last, in ``tz`` (the viewer's zone). ``teams`` is forced for agents (their
    own teams); None means every team."""

    first_day: date
    last_day: date
    tz: str = "UTC"
    organisation: int | None = None
    site: int | None = None
    team: int | None = None
    level: str = ""
    category: int | None = None
    channel: str = ""
    teams: tuple[int, ...] | None = None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)

    @property
    def since(self) -> datetime:
        return datetime.combine(self.first_day, time.min, tzinfo=self.zone)

    @property
    def until(self) -> datetime:
        return datetime.combine(self.last_day + timedelta(days=1), time.min, tzinfo=self.zone)

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    def dimensions(self) -> dict[str, object]:
        """The ticket filters as TicketFact lookups (no date, no team scope)."""
        values = {
            "organisation_id": self.organisation,
            "site_id": self.site,
            "team_id": self.team,
            "level": self.level,
            "category_id": self.category,
            "channel": self.channel,
        }
        return {k: v for k, v in values.items() if v not in (None, "")}

    def params(self) -> dict[str, str]:
        """The filters as query parameters (for links between report pages and CSV links)."""
        values = {
            "since": self.first_day.isoformat(),
            "until": self.last_day.isoformat(),
            "organisation": self.organisation,
            "site": self.site,
            "team": self.team,
            "level": self.level,
            "category": self.category,
            "channel": self.channel,
        }
        return {k: str(v) for k, v in values.items() if v not in (None, "")}

    def but(self, **changes) -> "ReportFilters":
        return replace(self, **changes)


def queue_url(
    filters: ReportFilters,
    *,
    figure: str = "",
    status: str = "all",
    dated: bool = True,
    **extra: object,
) -> str:
    """The queue showing the tickets behind a figure: the report's filters, the tickets created
    in its range (``dated``), a ``figure`` (reports/queue.py) and any other queue filter
    (``status="active"``, ``channel="email"``, ``category=3``…). The queue applies the
    viewer's own permissions on top."""
    params = {k: v for k, v in filters.params().items() if dated or k not in ("since", "until")}
    params["status"] = status
    if figure:
        params["figure"] = figure
    params.update({k: str(v) for k, v in extra.items() if v not in (None, "")})
    if params.get("status") == "active":
        params.pop("status")
    return f"{reverse('agent:queue')}?{urlencode(params)}"


class ReportFilterForm(forms.Form):
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    organisation = forms.ModelChoiceField(
        Organisation.objects.order_by("name"),
        label=_("Organisation"),
        required=False,
        empty_label=_("Any"),
        widget=FastSelect,
    )
    site = forms.ModelChoiceField(
        Site.objects.select_related("organisation").order_by("organisation__name", "name"),
        label=_("Site"),
        required=False,
        empty_label=_("Any"),
        widget=FastSelect,
    )
    team = forms.ModelChoiceField(
        Team.objects.order_by("level", "name"),
        label=_("Team"),
        required=False,
        empty_label=_("Any"),
        widget=FastSelect,
    )
    level = forms.ChoiceField(
        label=_("Level"),
        required=False,
        choices=[("", _("Any")), *Level.choices],
        widget=FastSelect,
    )
    category = forms.ModelChoiceField(
        Category.objects.order_by("name"),
        label=_("Category"),
        required=False,
        empty_label=_("Any"),
        widget=FastSelect,
    )
    channel = forms.ChoiceField(
        label=_("Channel"),
        required=False,
        choices=[("", _("Any")), *Channel.choices],
        widget=FastSelect,
    )

    def __init__(self, data=None, *, teams: tuple[int, ...] | None = None, **kwargs):
        super().__init__(data, auto_id="id_report_%s", **kwargs)
        self.teams = teams
        if teams is not None:
            self.fields["team"].queryset = Team.objects.filter(pk__in=teams).order_by("name")

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        first, last = data.get("since"), data.get("until")
        if not self.errors:
            if not first and not last:
                last = today
            last = last or min(first + timedelta(days=DEFAULT_DAYS - 1), today)
            first = first or last - timedelta(days=DEFAULT_DAYS - 1)
            if first > last:
                raise forms.ValidationError(_("The range ends before it starts."))
            if (last - first).days + 1 > MAX_DAYS:
                raise forms.ValidationError(_("Choose at most %(days)s days.") % {"days": MAX_DAYS})
            data["since"], data["until"] = first, last
        return data

    def report_filters(self) -> ReportFilters | None:
        """The filters, or None when the input is invalid (the page shows the errors)."""
        if not self.is_valid():
            return None
        d = self.cleaned_data
        return ReportFilters(
            first_day=d["since"],
            last_day=d["until"],
            tz=timezone.get_current_timezone_name(),
            organisation=d["organisation"].pk if d.get("organisation") else None,
            site=d["site"].pk if d.get("site") else None,
            team=d["team"].pk if d.get("team") else None,
            level=d.get("level") or "",
            category=d["category"].pk if d.get("category") else None,
            channel=d.get("channel") or "",
            teams=self.teams,
        )
