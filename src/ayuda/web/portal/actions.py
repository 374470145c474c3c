"""The portal's side of guides and actions (R14, R15): the requester and the site's admins
answer the category's guide on the ticket page; an assignee lists and completes their own
actions ("My actions")."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ayuda.core.errors import AyudaError, PermissionDeniedError
from ayuda.knowledge import selectors as knowledge
from ayuda.knowledge.forms import ActionCompleteForm, GuideForm
from ayuda.knowledge.services import AnswersInvalid, action_complete, guide_answers_save
from ayuda.tickets import selectors

from .views import customer_required, is_fragment


def portal_knowledge(request, ticket, *, guide_form=None) -> dict:
    """The guide card of the portal's ticket page: nothing is read for a ticket whose
    category has no guide (the cached list of guided categories says so)."""
    guide = knowledge.ticket_guide(ticket=ticket, previous=False)
    if guide_form is None and guide.current is not None:
        guide_form = GuideForm(guide=guide.current, prefix_id="pguide")
    return {"guide": guide, "guide_form": guide_form}


@require_POST
@customer_required
def guide_save(request, pk: int):
    ticket = selectors.ticket_get(user=request.user, pk=pk)
    guide = knowledge.ticket_guide(ticket=ticket).current
    if guide is None:
        messages.error(request, _("The ticket's category has no guide."))
        return redirect("portal:ticket", pk=pk)
    form = GuideForm(request.POST, guide=guide, prefix_id="pguide")
    status = 200
    try:
        guide_answers_save(ticket=ticket, actor=request.user, answers=form.answers())
    except AnswersInvalid as err:
        form.add_service_errors(err.errors)
        form.add_error(None, err.message)
        status = 422
    except PermissionDeniedError:
        raise  # customer_required answers 403
    except AyudaError as err:
        form.add_error(None, err.message)
        status = 422
    else:
        notice = _("Thank you: your answers were saved.")
        if not is_fragment(request):
            messages.success(request, notice)
            return redirect("portal:ticket", pk=pk)
        ticket = selectors.ticket_get(user=request.user, pk=pk)
        context = {"ticket": ticket, "notice": notice} | portal_knowledge(request, ticket)
        return HttpResponse(
            render_to_string("knowledge/_portal_guide.html", context, request=request)
        )
    context = {"ticket": ticket} | portal_knowledge(request, ticket, guide_form=form)
    if is_fragment(request):
        return HttpResponse(
            render_to_string("knowledge/_portal_guide.html", context, request=request),
            status=status,
        )
    from .views import _ticket_context

    return render(
        request, "portal/ticket.html", _ticket_context(request, ticket) | context, status=status
    )


def _actions_page(request, *, failed=None, status=200):
    actions = knowledge.my_actions(user=request.user)
    done = knowledge.my_actions(user=request.user, done=True, limit=20)
    forms = {a.pk: ActionCompleteForm(prefix_id=f"a{a.pk}") for a in actions}
    if failed is not None and failed[0] in forms:
        forms[failed[0]] = failed[1]
    return render(
        request,
        "knowledge/portal_actions.html",
        {
            "actions": [(a, forms[a.pk]) for a in actions],
            "done": done,
            "now": timezone.now(),
        },
        status=status,
    )


@require_GET
@customer_required
def my_actions(request):
    return _actions_page(request)


@require_POST
@customer_required
def action_done(request, pk: int):
    action = knowledge.my_action_get(user=request.user, pk=pk)
    form = ActionCompleteForm(request.POST, request.FILES, prefix_id=f"a{pk}")
    if form.is_valid():
        try:
            action_complete(
                action=action,
                actor=request.user,
                comment=form.cleaned_data["comment"],
                photo=form.cleaned_data["photo"],
            )
        except PermissionDeniedError:
            raise
        except AyudaError as err:
            form.add_service_error(err)
        else:
            messages.success(request, _("Thank you: the action is done."))
            return redirect("portal:actions")
    return _actions_page(request, failed=(pk, form), status=422)
