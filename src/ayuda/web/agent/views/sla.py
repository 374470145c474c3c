"""Service-level compliance (R22): targets met, breached and % on time per policy, team and
vendor, for managers and administrators, with a CSV export of each table."""

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from ayuda.accounts.models import Role
from ayuda.reports.export import csv_response
from ayuda.sla.models import SlaPolicy
from ayuda.sla.selectors import ComplianceFilters, ComplianceRow, sla_compliance

from ..forms import ComplianceForm
from ..lookups import Lookups
from ._access import agent_required

MANAGER_ROLES = frozenset({Role.MANAGER, Role.ADMIN})
DEFAULT_DAYS = 30
TABLES = {
    "policy": gettext_lazy("Per policy"),
    "team": gettext_lazy("Per team"),
    "vendor": gettext_lazy("Per vendor"),
}
FIRST_COLUMN = {
    "policy": gettext_lazy("Policy"),
    "team": gettext_lazy("Team"),
    "vendor": gettext_lazy("Vendor"),
}


def manager_required(view):
    """Managers and administrators of the help desk only; other agents get 403."""

    @agent_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.role not in MANAGER_ROLES:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _instant(day: date) -> datetime:
    """The start of ``day`` in the user's time zone."""
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


def _filters(request) -> tuple[ComplianceForm, ComplianceFilters | None, dict]:
    """The form, the filters (None when the input is invalid: nothing is shown) and the query
    values. Without dates: the last 30 days, today included, in the user's time zone."""
    policies = list(SlaPolicy.objects.order_by("side", "position", "id"))
    data = request.GET.copy()
    if not data.get("since") and not data.get("until"):
        today = timezone.localdate()
        data["since"] = (today - timedelta(days=DEFAULT_DAYS - 1)).isoformat()
        data["until"] = today.isoformat()
    form = ComplianceForm(data, policies=policies, lookups=Lookups(user=request.user))
    if not form.is_valid():
        return form, None, {}
    d = form.cleaned_data
    filters = ComplianceFilters(
        since=_instant(d["since"]) if d.get("since") else None,
        until=_instant(d["until"] + timedelta(days=1)) if d.get("until") else None,
        policy=d["policy"].pk if d.get("policy") else None,
        team=d["team"].pk if d.get("team") else None,
        vendor=d["vendor"].pk if d.get("vendor") else None,
    )
    return form, filters, form.values()


def _percent(row: ComplianceRow) -> str:
    value = row.on_time_percent
    return "—" if value is None else f"{value:.1f} %"


@manager_required
@require_GET
def sla_compliance_page(request):
    form, filters, values = _filters(request)
    tables = []
    if filters is not None:
        query = urlencode(values)
        for group, title in TABLES.items():
            rows = sla_compliance(group=group, filters=filters)
            tables.append(
                {
                    "group": group,
                    "title": title,
                    "first_column": FIRST_COLUMN[group],
                    "rows": [(row, _percent(row)) for row in rows],
                    "csv_url": reverse("agent:sla_export", args=[group])
                    + (f"?{query}" if query else ""),
                }
            )
    return render(
        request,
        "agent/sla_compliance.html",
        {
            "form": form,
            "tables": tables,
            "tz": timezone.get_current_timezone_name(),
            "nav": "sla",
            "on_time_label": _("On time (%)"),
        },
        status=200 if filters is not None else 422,
    )


@manager_required
@require_GET
def sla_compliance_export(request, group: str):
    if group not in TABLES:
        raise Http404
    _form, filters, _values = _filters(request)
    if filters is None:
        raise Http404
    rows = sla_compliance(group=group, filters=filters)

    def lines() -> Iterator[list]:
        yield [
            str(FIRST_COLUMN[group]),
            _("Met on time"),
            _("Breached"),
            _("Open"),
            _("On time (%)"),
        ]
        for row in rows:
            percent = row.on_time_percent
            yield [
                row.name or _("none"),
                row.met,
                row.breached,
                row.open,
                "" if percent is None else f"{percent:.1f}",
            ]

    return csv_response(lines(), f"sla-{group}")
