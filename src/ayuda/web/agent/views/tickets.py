"""The ticket page, its actions, its history and its attachments."""

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ayuda.core.errors import AyudaError, ConflictError, PermissionDeniedError, ValidationError
from ayuda.sla.selectors import ticket_sla_clocks
from ayuda.tickets import permissions, selectors
from ayuda.tickets.attachments import attachment_filename
from ayuda.tickets.extra_fields import extra_answers
from ayuda.tickets.models import Attachment, Ticket, TicketEvent
from ayuda.tickets.permissions import Action
from ayuda.web.devices import device_panel_context

from ..forms import TicketActionForm
from ..lookups import Lookups
from ..presenters import event_view, person_name, ticket_age, timeline_merge
from ..sla import clock_views, due_badge
from ..timeline import timeline_html
from ._access import agent_required, render_page_or_fragment, wants_fragment
from .actions import ACTIONS, TicketAction
from .guides import knowledge_context
from .kb import kb_ticket_context
from .problems import problem_context
from .trees import trees_context


@dataclass
class ActionForm:
    action: TicketAction
    form: TicketActionForm
    open: bool = False


def action_form(action: TicketAction, ticket: Ticket, lookups: Lookups, data=None, files=None):
    return action.form_class(
        data,
        files,
        ticket=ticket,
        lookups=lookups,
        auto_id=f"id_{action.slug}_%s",
    )


def action_forms(
    *,
    ticket: Ticket,
    lookups: Lookups,
    allowed: frozenset,
    failed: ActionForm | None = None,
) -> list[ActionForm]:
    """The forms for the ``allowed`` actions (``permissions.allowed_actions``, read once per
    page by the caller); ``failed`` keeps what they typed."""
    forms = []
    for action in ACTIONS.values():
        if failed is not None and action.slug == failed.action.slug:
            forms.append(failed)
        elif action.permission in allowed and action.shown(ticket):
            forms.append(ActionForm(action, action_form(action, ticket, lookups)))
    return forms


def ticket_context(
    request, ticket: Ticket, *, lookups: Lookups, failed=None, knowledge: dict | None = None
) -> dict:
    timeline = selectors.ticket_timeline(user=request.user, ticket=ticket)
    user = request.user
    contact = permissions.contact_visible(user, ticket.organisation)
    entries = timeline_merge(
        timeline["articles"],
        timeline["events"],
        lookups.agent_names,
        contact=contact,
        lookups=lookups,
    )
    allowed = permissions.allowed_actions(user, ticket)
    # The SLA panel (R22): two queries, the clocks' targets and their timelines; a vendor
    # agent sees its own vendor's clock only, and not our due time.
    now, zone = timezone.now(), timezone.get_current_timezone()
    sla_clocks = clock_views(ticket_sla_clocks(user=user, ticket=ticket), now, zone)
    forms = action_forms(ticket=ticket, lookups=lookups, allowed=allowed, failed=failed)
    return (
        {
            "ticket": ticket,
            "age": ticket_age(ticket),
            "category_label": lookups.category_labels.get(ticket.category_id, ""),
            "extra_answers": extra_answers(ticket.category, ticket.extra),
            "timeline": entries,
            "timeline_html": timeline_html(entries, tz_name=timezone.get_current_timezone_name()),
            "action_forms": forms,
            "sla_clocks": sla_clocks,
            "sla_badge": None if user.is_vendor_agent else due_badge(ticket, now, zone),
            "can_view_history": Action.VIEW_HISTORY in allowed,
            # A vendor reads neither the requester's address and phone (unless the organisation
            # shares them) nor which of the help desk's agents owns the ticket.
            "requester_name": person_name(ticket.requester, contact=contact),
            "requester_contact": contact,
            "show_owner": not user.is_vendor_agent,
            "show_vendor": not user.is_vendor_agent or ticket.vendor_id == user.vendor_id,
            "read_only": user.is_vendor_agent and not permissions.is_with_vendor_of(user, ticket),
            "nav": "queue",
            **device_panel_context(user, ticket, portal=False),
        }
        | knowledge_context(request, ticket, events=timeline["events"], **(knowledge or {}))
        | (trees_context(request, ticket))
        | (kb_ticket_context(request, ticket))
        | (
            problem_context(request, ticket, events=timeline["events"])  # "Known problem" card
        )
    )


def render_ticket(
    request,
    ticket: Ticket,
    *,
    lookups: Lookups,
    failed=None,
    status: int = 200,
    knowledge: dict | None = None,
):
    context = ticket_context(request, ticket, lookups=lookups, failed=failed, knowledge=knowledge)
    return render_page_or_fragment(request, "agent/ticket.html", "panel", context, status=status)


@agent_required
@require_GET
def ticket_detail(request, pk: int):
    ticket = selectors.ticket_get(user=request.user, pk=pk)
    return render_ticket(request, ticket, lookups=Lookups(user=request.user))


def _add_error(form: TicketActionForm, err: AyudaError) -> None:
    field = getattr(err, "field", None)
    form.add_error(field if field in form.fields else None, err.message)


@agent_required
@require_POST
def ticket_action(request, pk: int, action: str):
    """One action: parse its form, call its service, then redirect (no JS) or return the
    refreshed ticket panel (htmx). On failure the form comes back with what was typed."""
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404
    user = request.user
    ticket = selectors.ticket_get(user=user, pk=pk)
    if spec.permission not in permissions.allowed_actions(user, ticket):
        raise PermissionDenied  # the service would refuse too; don't even parse the form
    lookups = Lookups(user=user)
    form = action_form(spec, ticket, lookups, request.POST, request.FILES)
    status = 422
    if form.is_valid():
        try:
            spec.perform(form, ticket, user)
        except PermissionDeniedError as err:
            if not wants_fragment(request):
                raise PermissionDenied(err.message) from err
            messages.error(request, err.message)
            return render_ticket(request, ticket, lookups=lookups, status=403)
        except ConflictError as err:
            # Show the ticket as it is now, keep what they typed, and let them resend it
            # knowingly against the current version.
            ticket = selectors.ticket_get(user=user, pk=pk)
            data = request.POST.copy()
            data["version"] = str(ticket.version)
            form = action_form(spec, ticket, lookups, data)
            form.is_valid()
            message = err.message
            if request.FILES:
                # Outside the f-string, so that makemessages (xgettext) finds it.
                again = _("Attach your files again.")
                message = f"{message} {again}"
            form.add_error(None, message)
            status = 409
        except (ValidationError, AyudaError) as err:
            _add_error(form, err)
        else:
            messages.success(request, spec.done)
            if wants_fragment(request):
                ticket = selectors.ticket_get(user=user, pk=pk)
                return render_ticket(request, ticket, lookups=Lookups(user=request.user))
            return redirect("agent:ticket", pk=pk)
    failed = ActionForm(spec, form, open=True)
    return render_ticket(request, ticket, lookups=lookups, failed=failed, status=status)


@agent_required
@require_GET
def ticket_history(request, pk: int):
    ticket = selectors.ticket_get(user=request.user, pk=pk)
    try:
        permissions.check(request.user, ticket, Action.VIEW_HISTORY)
    except PermissionDeniedError as err:
        raise PermissionDenied(err.message) from err
    events = TicketEvent.objects.filter(ticket=ticket).select_related("actor").order_by("seq")
    lookups = Lookups()
    names = lookups.agent_names
    return render_page_or_fragment(
        request,
        "agent/history.html",
        "events",
        {
            "ticket": ticket,
            "events": [event_view(e, names, lookups=lookups) for e in events],
            "nav": "queue",
        },
    )


@agent_required
@require_GET
def attachment_download(request, pk: int):
    """Serve a file as a download, never inline, to someone who may see its ticket and its
    message (vendor agents: public messages and the vendor's own)."""
    attachment = get_object_or_404(Attachment, pk=pk)
    ticket = selectors.ticket_get(user=request.user, pk=attachment.ticket_id)
    if attachment.article_id is not None:
        visible = permissions.articles_visible_to(request.user, ticket)
        if not visible.filter(pk=attachment.article_id).exists():
            raise Http404
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        # Rows stored before names followed the detected type get its extension here.
        filename=attachment_filename(
            name=attachment.filename, content_type=attachment.content_type
        ),
        content_type=attachment.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
