"""The ticket reports (R29): the overview page of every ticket figure and their CSV exports,
with the row-level facts of the range. Help desk only; agents see their own teams' tickets."""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from ayuda.reports import access
from ayuda.reports.export import csv_response
from ayuda.reports.facts import BUSINESS_MARK
from ayuda.reports.filters import ReportFilterForm
from ayuda.reports.models import RefreshMark
from ayuda.reports.tickets import FIGURES, fact_rows, ticket_table, ticket_tables

from ._access import agent_required


def reports_required(view):
    """The help desk (not vendor agents, not customers)."""

    @agent_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not access.can_read_reports(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _form(request) -> ReportFilterForm:
    return ReportFilterForm(request.GET, teams=access.team_scope(request.user))


@reports_required
@require_GET
def overview(request):
    form = _form(request)
    filters = form.report_filters()
    mark = RefreshMark.objects.filter(name=BUSINESS_MARK).values_list("at", flat=True).first()
    context = {
        "form": form,
        "tab": "overview",
        "tz": timezone.get_current_timezone_name(),
        "refreshed_at": mark,
        "report_query": "",
        "can_manage": access.can_manage(request.user),
        "figures": [],
    }
    if filters is not None:
        query = urlencode(filters.params())
        context["report_query"] = query
        context["figures"] = [
            (table, f"{reverse('agent:reports_export', args=[table.key])}?{query}")
            for table in ticket_tables(filters)
        ]
        context["rows_csv_url"] = f"{reverse('agent:reports_export', args=['tickets'])}?{query}"
    return render(
        request,
        "agent/reports/overview.html",
        context,
        status=200 if filters is not None else 422,
    )


@reports_required
@require_GET
def export(request, key: str):
    if key != "tickets" and key not in FIGURES:
        raise Http404
    filters = _form(request).report_filters()
    if filters is None:
        return HttpResponse(
            _("The report's filters are not valid."),
            status=422,
            content_type="text/plain; charset=utf-8",
        )
    if key == "tickets":
        return csv_response(fact_rows(filters), "tickets")
    table = ticket_table(key, filters)
    return csv_response(table.csv_rows(), f"tickets-{key}")
