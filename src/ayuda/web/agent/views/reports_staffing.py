"""The staffing page (R30): agents needed per hour of the week for a target service level,
and the opening hours judged from the same traffic. Managers and administrators only."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from ayuda.reports.access import can_manage
from ayuda.reports.export import csv_response
from ayuda.reports.staffing import staffing_compute
from ayuda.reports.staffing_tables import StaffingForm, staffing_tables, table_get

TEMPLATE = "agent/reports/staffing.html"


def manager_required(view):
    """Managers and administrators; everybody else (agents, vendors, customers) gets 403."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not can_manage(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


@require_GET
@manager_required
def staffing_page(request):
    form = StaffingForm(request.GET or None)
    params = form.params() if request.GET else StaffingForm({}).params()
    context = {
        "form": form,
        "tab": "staffing",
        "tz": timezone.get_current_timezone_name(),
        "can_manage": True,
        "report_query": "",
    }
    if params is None:
        return render(request, TEMPLATE, context, status=422)
    staffing = staffing_compute(params, cached=True)
    query = request.GET.urlencode()
    figures = [
        (
            table,
            reverse("agent:reports_staffing_export", args=[table.key])
            + (f"?{query}" if query else ""),
        )
        for table in staffing_tables(staffing)
    ]
    context.update(
        staffing=staffing, params=params, figures=figures, refreshed_at=staffing.computed_at
    )
    return render(request, TEMPLATE, context)


@require_GET
@manager_required
def export(request, key: str):
    form = StaffingForm(request.GET or {})
    params = form.params()
    if params is None:
        return render(
            request,
            TEMPLATE,
            {"form": form, "tab": "staffing", "can_manage": True},
            status=422,
        )
    table = table_get(staffing_tables(staffing_compute(params, cached=True)), key)
    if table is None:
        raise Http404
    return csv_response(table.csv_rows(), f"staffing-{key}")
