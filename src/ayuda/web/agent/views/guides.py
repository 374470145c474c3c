"""The ticket page's guide and actions (R14, R15): the help desk fills the category's guide
and assigns actions to the customer's side; vendor agents read the incident's brief."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ayuda.core.errors import AyudaError, ConflictError, PermissionDeniedError
from ayuda.knowledge import selectors as knowledge
from ayuda.knowledge.forms import ActionAssignForm, GuideForm
from ayuda.knowledge.services import (
    AnswersInvalid,
    action_assign,
    assignee_candidates,
    guide_answers_save,
)
from ayuda.tickets import selectors

from ..lookups import Lookups
from ._access import helpdesk_required, wants_fragment


def knowledge_context(request, ticket, *, events=None, guide_form=None, assign_form=None):
    """The guide card, the actions card and (for vendor agents) the incident's brief.
    ``events`` (the history the page loaded) spares the answers' and the actions' queries on
    a ticket that has none; the assignees are listed only when the assign form is asked for
    (``action_new``), so the ticket page itself costs at most the guide's queries."""
    user = request.user
    if user.is_vendor_agent:
        return {"brief": knowledge.escalation_brief(ticket=ticket, events=events)}
    guide = knowledge.ticket_guide(ticket=ticket, events=events)
    if guide_form is None and guide.current is not None:
        guide_form = GuideForm(guide=guide.current)
    actions = knowledge.ticket_actions(ticket=ticket, events=events)
    now = timezone.now()
    return {
        "guide": guide,
        "guide_form": guide_form,
        "assigned_actions": actions,
        "overdue_actions": [a for a in actions if a.is_open and a.due_at < now],
        "assign_form": assign_form,
        "now": now,
    }


def _panel(request, pk, **forms):
    from .tickets import render_ticket

    ticket = selectors.ticket_get(user=request.user, pk=pk)
    status = forms.pop("status", 200)
    return render_ticket(
        request, ticket, lookups=Lookups(user=request.user), status=status, knowledge=forms
    )


@helpdesk_required
@require_POST
def guide_save(request, pk: int):
    ticket = selectors.ticket_get(user=request.user, pk=pk)
    guide = knowledge.ticket_guide(ticket=ticket).current
    if guide is None:
        messages.error(request, _("The ticket's category has no guide."))
        return (
            redirect("agent:ticket", pk=pk)
            if not wants_fragment(request)
            else _panel(request, pk, status=422)
        )
    form = GuideForm(request.POST, guide=guide)
    try:
        guide_answers_save(ticket=ticket, actor=request.user, answers=form.answers())
    except AnswersInvalid as err:
        form.add_service_errors(err.errors)
        form.add_error(None, err.message)
        return _panel(request, pk, guide_form=form, status=422)
    except PermissionDeniedError as err:
        raise PermissionDenied(err.message) from err
    except (ConflictError, AyudaError) as err:
        form.add_error(None, err.message)
        return _panel(request, pk, guide_form=form, status=409)
    messages.success(request, _("The answers were saved."))
    if wants_fragment(request):
        return _panel(request, pk)
    return redirect("agent:ticket", pk=pk)


@helpdesk_required
@require_http_methods(["GET", "POST"])
def action_new(request, pk: int):
    """GET: the ticket page with the assign form open (its list of assignees is read only
    then); POST: assign the action."""
    ticket = selectors.ticket_get(user=request.user, pk=pk)
    if request.method == "GET":
        form = ActionAssignForm(candidates=assignee_candidates(ticket))
        return _panel(request, pk, assign_form=form)
    form = ActionAssignForm(request.POST, candidates=assignee_candidates(ticket))
    if form.is_valid():
        try:
            action_assign(
                ticket=ticket,
                actor=request.user,
                assignee=form.assignee_user(),
                kind=form.cleaned_data["kind"],
                instructions=form.cleaned_data["instructions"],
                due_at=form.cleaned_data["due_at"],
            )
        except PermissionDeniedError as err:
            raise PermissionDenied(err.message) from err
        except AyudaError as err:
            form.add_service_error(err)
        else:
            messages.success(request, _("The action was assigned; we sent them an e-mail."))
            if wants_fragment(request):
                return _panel(request, pk)
            return redirect("agent:ticket", pk=pk)
    return _panel(request, pk, assign_form=form, status=422)
