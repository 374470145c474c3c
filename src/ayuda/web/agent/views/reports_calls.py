"""The call reports (R30): the figures from the phone system's records beside the e-mail
channel's arrivals, the calls behind each figure, and their CSV exports. Help desk only (caller
numbers are personal data); the figures read the hourly roll-up (``reports.calls``)."""

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db.models import Max
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from ayuda.intake.phone.models import CallImport
from ayuda.reports.access import can_manage, can_read_reports, team_scope
from ayuda.reports.call_forms import CallListForm, CallReportForm
from ayuda.reports.calls import call_tables, calls_matching
from ayuda.reports.export import csv_response
from ayuda.tickets.permissions import ticket_visible_to

from ._access import agent_required

PAGE_SIZE = 50


def _reader(request) -> None:
    if not can_read_reports(request.user):
        raise PermissionDenied


def _context(request, form, tab="calls", **more) -> dict:
    return {
        "form": form,
        "tab": tab,
        "tz": timezone.get_current_timezone_name(),
        "can_manage": can_manage(request.user),
        **more,
    }


@require_GET
@agent_required
def calls_page(request):
    _reader(request)
    form = CallReportForm(request.GET, teams=team_scope(request.user))
    filters = form.call_filters()
    if filters is None:
        return render(
            request, "agent/reports/calls.html", _context(request, form, tables=[]), status=422
        )
    query = urlencode(filters.page_params())
    tables = [
        (table, f"{reverse('agent:reports_calls_export', args=[table.key])}?{query}")
        for table in call_tables(filters)
    ]
    refreshed = CallImport.objects.aggregate(at=Max("finished_at"))["at"]
    context = _context(
        request,
        form,
        tables=tables,
        report_query=urlencode(
            {
                "since": filters.report.first_day.isoformat(),
                "until": filters.report.last_day.isoformat(),
            }
        ),
        refreshed_at=refreshed,
        calls_csv=f"{reverse('agent:reports_calls_export', args=['calls'])}?{query}",
        calls_url=filters.list_url(),
    )
    return render(request, "agent/reports/calls.html", context)


def _cursor(value: str) -> tuple[datetime, int] | None:
    """``after=<ISO instant>_<id>``: the last call of the page before."""
    at, _sep, pk = value.rpartition("_")
    try:
        return datetime.fromisoformat(at), int(pk)
    except ValueError:
        return None


@require_GET
@agent_required
def calls_list(request):
    _reader(request)
    form = CallListForm(request.GET, teams=team_scope(request.user))
    query = form.call_query()
    after = _cursor(request.GET["after"]) if request.GET.get("after") else None
    if query is None or (request.GET.get("after") and after is None):
        if after is None and request.GET.get("after") and query is not None:
            form.add_error(None, _("This page link is not valid."))
        return render(
            request, "agent/reports/calls_list.html", _context(request, form, calls=[]), status=422
        )
    calls = calls_matching(query).select_related("source")
    if after:
        at, pk = after
        calls = calls.filter(arrived_at__gte=at).exclude(arrived_at=at, id__lte=pk)
    page = list(calls[: PAGE_SIZE + 1])
    more, page = len(page) > PAGE_SIZE, page[:PAGE_SIZE]
    ticket_ids = {c.ticket_id for c in page if c.ticket_id}
    visible = (
        set(ticket_visible_to(request.user).filter(pk__in=ticket_ids).values_list("pk", flat=True))
        if ticket_ids
        else set()
    )
    params = request.GET.copy()
    params.pop("after", None)
    next_url = ""
    if more:
        last = page[-1]
        params["after"] = f"{last.arrived_at.isoformat()}_{last.pk}"
        next_url = f"?{params.urlencode()}"
    params.pop("after", None)
    context = _context(
        request,
        form,
        calls=page,
        visible=visible,
        next_url=next_url,
        first_url=f"?{params.urlencode()}" if after else "",
        back_url=f"{reverse('agent:reports_calls')}?{urlencode(query.calls.page_params())}",
        csv_url=f"{reverse('agent:reports_calls_export', args=['calls'])}?{params.urlencode()}",
        report_query=urlencode(query.calls.params()),
    )
    return render(request, "agent/reports/calls_list.html", context)


def _calls_rows(calls, zone):
    yield [
        _("Arrived"),
        _("Phone system"),
        _("Queue"),
        _("Caller"),
        _("Agent"),
        _("Outcome"),
        _("Waited (s)"),
        _("Talk (s)"),
        _("Ticket"),
    ]
    rows = calls.values_list(
        "arrived_at",
        "source__name",
        "queue",
        "caller",
        "agent",
        "outcome",
        "waited_seconds",
        "talk_seconds",
        "ticket_id",
    )
    for at, source, queue, caller, agent, outcome, waited, talk, ticket in rows.iterator(
        chunk_size=2000
    ):
        yield [
            at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S"),
            source,
            queue,
            caller,
            agent,
            outcome,
            waited,
            talk,
            ticket,
        ]


@require_GET
@agent_required
def export(request, key: str):
    _reader(request)
    if key == "calls":
        form = CallListForm(request.GET, teams=team_scope(request.user))
        query = form.call_query()
        if query is None:
            return render(
                request,
                "agent/reports/calls_list.html",
                _context(request, form, calls=[]),
                status=422,
            )
        return csv_response(_calls_rows(calls_matching(query), query.calls.report.zone), "calls")
    form = CallReportForm(request.GET, teams=team_scope(request.user))
    filters = form.call_filters()
    if filters is None:
        return render(
            request, "agent/reports/calls.html", _context(request, form, tables=[]), status=422
        )
    for table in call_tables(filters):
        if table.key == key:
            return csv_response(table.csv_rows(), f"calls-{key}")
    raise Http404
