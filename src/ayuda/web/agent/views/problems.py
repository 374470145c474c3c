"""Problems and bulletins in the workspace (R21, R31): the list, a problem's page (its record,
linked tickets, bulletins, updates), the ticket page's "Known problem" card and the queue's
"Link selected". Each view parses a form and calls one service of ``knowledge/problems.py``.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ayuda.core.errors import AyudaError, PermissionDeniedError
from ayuda.knowledge import problems as services
from ayuda.knowledge import problems_selectors as selectors
from ayuda.knowledge.models import Bulletin, Problem, ProblemStatus, ProblemUpdate
from ayuda.tickets import selectors as ticket_selectors
from ayuda.tickets.models import EventAction, Ticket

from ..lookups import Lookups
from ..problem_forms import (
    BulletinForm,
    CloseForm,
    MessageForm,
    ProblemForm,
    ProblemNewForm,
    ResolveForm,
)
from ._access import helpdesk_required, wants_fragment


def _linked_in(events) -> bool:
    """Whether the ticket's history (in order) leaves it linked to a problem."""
    linked = False
    for event in events:
        if event.action == EventAction.PROBLEM_LINKED:
            linked = True
        elif event.action == EventAction.PROBLEM_UNLINKED:
            linked = False
    return linked


def problem_context(request, ticket: Ticket, *, events=None) -> dict:
    """The ticket page's "Known problem" card: the ticket's problem and its live bulletins,
    or the live bulletins the ticket matches to link it in one click. Help desk only. The
    bulletins come from the cache; the link is read only when ``events`` (the history the
    page loaded) says the ticket is linked, or when no history is given."""
    if not request.user.is_helpdesk:
        return {}
    link = None
    if events is None or _linked_in(events):
        link = selectors.ticket_problem_link(ticket)
    active = selectors.bulletins_of_request(request)
    if link is not None:
        return {
            "problem_link": link,
            "problem_bulletins_live": [b for b in active if b.problem_id == link.problem_id],
            "problem_card": True,
        }
    matching = selectors.bulletins_matching(ticket, active=active)
    return {"problem_candidates": matching, "problem_card": True}


def _problem(pk: int) -> Problem:
    try:
        return selectors.problem_get(pk)
    except Problem.DoesNotExist:
        raise Http404 from None


def _cursor(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@helpdesk_required
@require_GET
def problem_list(request):
    status = request.GET.get("status", "")
    status = status if status in ProblemStatus.values else ""
    return render(
        request,
        "agent/problems.html",
        {
            "problems": selectors.problem_list(status=status or None),
            "status": status,
            "statuses": ProblemStatus.choices,
            "new_form": ProblemNewForm(),
            "nav": "problems",
        },
    )


@helpdesk_required
@require_POST
def problem_new(request):
    form = ProblemNewForm(request.POST)
    if form.is_valid():
        try:
            problem = services.problem_create(
                actor=request.user,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
            )
        except AyudaError as err:
            form.add_service_error(err)
        else:
            messages.success(request, _("The problem was recorded."))
            return redirect("agent:problem", pk=problem.pk)
    context = {
        "problems": selectors.problem_list(),
        "status": "",
        "statuses": ProblemStatus.choices,
        "new_form": form,
        "nav": "problems",
    }
    return render(request, "agent/problems.html", context, status=422)


def _detail(request, problem: Problem, *, status: int = 200, **forms):
    user = request.user
    lookups = Lookups(user=user)
    can_manage = services.is_problem_manager(user)
    after = _cursor(request.GET.get("after"))
    links, next_after = selectors.problem_links_page(problem=problem, after=after)
    initial = {
        "title": problem.title,
        "description": problem.description,
        "workaround": problem.workaround,
        "cause": problem.cause,
        "fix": problem.fix,
        "status": problem.status,
        "category": problem.category_id or "",
        "owner": problem.owner_id or "",
    }
    context = {
        "problem": problem,
        "links": links,
        "next_after": next_after,
        "is_first_page": after is None,
        "bulletins": selectors.problem_bulletins(problem),
        "updates": selectors.problem_updates(problem),
        "can_manage": can_manage,
        "is_resolved": problem.status == ProblemStatus.RESOLVED,
        "edit_form": forms.get("edit_form")
        or ProblemForm(initial=initial, lookups=lookups, can_manage=can_manage),
        "bulletin_form": forms.get("bulletin_form") or BulletinForm(lookups=lookups),
        "resolve_form": forms.get("resolve_form") or ResolveForm(initial={"fix": problem.fix}),
        "close_form": forms.get("close_form") or CloseForm(),
        "message_form": forms.get("message_form") or MessageForm(),
        "nav": "problems",
    }
    if wants_fragment(request) and request.method == "GET":
        return render(request, "agent/problem.html#links", context)
    return render(request, "agent/problem.html", context, status=status)


@helpdesk_required
@require_GET
def problem_detail(request, pk: int):
    return _detail(request, _problem(pk))


def _done(request, problem: Problem, text: str):
    messages.success(request, text)
    return redirect("agent:problem", pk=problem.pk)


REFUSED = object()


def _submit(form, call):
    """``call()``'s result when ``form`` is valid and the service accepts it; else REFUSED,
    with the service's refusal on the form (a permission refusal is a 403)."""
    if not form.is_valid():
        return REFUSED
    try:
        return call()
    except PermissionDeniedError as err:
        raise PermissionDenied(err.message) from err
    except AyudaError as err:
        form.add_service_error(err)
        return REFUSED


@helpdesk_required
@require_POST
def problem_edit(request, pk: int):
    problem = _problem(pk)
    user = request.user
    form = ProblemForm(
        request.POST,
        lookups=Lookups(user=user),
        can_manage=services.is_problem_manager(user),
        initial={"cause": problem.cause, "fix": problem.fix},
    )
    done = _submit(
        form, lambda: services.problem_update(problem=problem, actor=user, **form.values())
    )
    if done is not REFUSED:
        return _done(request, problem, _("The problem was saved."))
    return _detail(request, problem, status=422, edit_form=form)


@helpdesk_required
@require_POST
def bulletin_new(request, pk: int):
    problem = _problem(pk)
    form = BulletinForm(request.POST, lookups=Lookups(user=request.user))
    done = _submit(
        form,
        lambda: services.bulletin_create(actor=request.user, problem=problem, **form.values()),
    )
    if done is not REFUSED:
        return _done(request, problem, _("The bulletin is published."))
    return _detail(request, problem, status=422, bulletin_form=form)


def _update_started(request, problem: Problem, update: ProblemUpdate | None, text: str):
    if update is not None and update.total:
        text = ngettext(
            "%(text)s %(n)s linked ticket is being updated in the background.",
            "%(text)s %(n)s linked tickets are being updated in the background.",
            update.total,
        ) % {"text": text, "n": update.total}
    return _done(request, problem, text)


@helpdesk_required
@require_POST
def bulletin_close(request, pk: int):
    bulletin = get_object_or_404(Bulletin.objects.select_related("problem"), pk=pk)
    problem = bulletin.problem
    form = CloseForm(request.POST)
    update = _submit(
        form,
        lambda: services.bulletin_close(
            bulletin=bulletin,
            actor=request.user,
            message=form.cleaned_data["message"],
            resolve=form.cleaned_data["resolve"],
        ),
    )
    if update is not REFUSED:
        return _update_started(request, problem, update, _("The bulletin is closed."))
    return _detail(request, _problem(problem.pk), status=422, close_form=form)


@helpdesk_required
@require_POST
def problem_resolve(request, pk: int):
    problem = _problem(pk)
    form = ResolveForm(request.POST)
    update = _submit(
        form,
        lambda: services.problem_resolve(
            problem=problem,
            actor=request.user,
            message=form.cleaned_data["message"],
            fix=form.cleaned_data["fix"],
        ),
    )
    if update is not REFUSED:
        return _update_started(request, problem, update, _("The problem is resolved."))
    return _detail(request, problem, status=422, resolve_form=form)


@helpdesk_required
@require_POST
def problem_message(request, pk: int):
    problem = _problem(pk)
    form = MessageForm(request.POST)
    update = _submit(
        form,
        lambda: services.problem_message(
            problem=problem, actor=request.user, message=form.cleaned_data["message"]
        ),
    )
    if update is not REFUSED:
        return _update_started(request, problem, update, _("The update is on its way."))
    return _detail(request, problem, status=422, message_form=form)


@helpdesk_required
@require_POST
def problem_update_resume(request, pk: int):
    update = get_object_or_404(ProblemUpdate.objects.select_related("problem"), pk=pk)
    try:
        services.problem_update_resume(update=update, actor=request.user)
    except PermissionDeniedError as err:
        raise PermissionDenied(err.message) from err
    return _done(request, update.problem, _("The update continues in the background."))


# -- from a ticket and from the queue -----------------------------------------------------------


def _ticket_panel(request, pk: int, *, status: int = 200):
    from .tickets import render_ticket

    if not wants_fragment(request):
        return redirect("agent:ticket", pk=pk)
    ticket = ticket_selectors.ticket_get(user=request.user, pk=pk)
    return render_ticket(request, ticket, lookups=Lookups(user=request.user), status=status)


@helpdesk_required
@require_POST
def ticket_problem_link(request, pk: int):
    """Link the ticket to the problem of a bulletin (or a problem) in one click."""
    ticket = ticket_selectors.ticket_get(user=request.user, pk=pk)
    problem = Problem.objects.filter(pk=_cursor(request.POST.get("problem"))).first()
    if problem is None:
        messages.error(request, _("Choose a problem."))
        return _ticket_panel(request, pk, status=422)
    try:
        services.problem_link(problem=problem, ticket=ticket, actor=request.user)
    except PermissionDeniedError as err:
        raise PermissionDenied(err.message) from err
    except AyudaError as err:
        messages.error(request, err.message)
        return _ticket_panel(request, pk, status=422)
    messages.success(request, _("Linked to “%(title)s”.") % {"title": problem.title})
    return _ticket_panel(request, pk)


@helpdesk_required
@require_POST
def ticket_problem_unlink(request, pk: int):
    ticket = ticket_selectors.ticket_get(user=request.user, pk=pk)
    try:
        services.problem_unlink(ticket=ticket, actor=request.user)
    except PermissionDeniedError as err:
        raise PermissionDenied(err.message) from err
    except AyudaError as err:
        messages.error(request, err.message)
        return _ticket_panel(request, pk, status=422)
    messages.success(request, _("The ticket is no longer linked to the problem."))
    return _ticket_panel(request, pk)


@helpdesk_required
@require_http_methods(["POST"])
def queue_link(request):
    """The queue's "Link selected": the checked tickets to the chosen bulletin's problem."""
    back = request.POST.get("next", "")
    queue = reverse("agent:queue")
    back = back if back.startswith(queue) else queue
    bulletin = selectors.bulletin_active_get(_cursor(request.POST.get("bulletin")) or 0)
    ids = [i for i in (_cursor(v) for v in request.POST.getlist("ticket")) if i]
    if bulletin is None:
        messages.error(request, _("That bulletin is no longer active."))
        return redirect(back)
    problem = Problem.objects.get(pk=bulletin.problem_id)
    try:
        count = services.link_many(problem=problem, ticket_ids=ids, actor=request.user)
    except PermissionDeniedError as err:
        raise PermissionDenied(err.message) from err
    except AyudaError as err:
        messages.error(request, err.message)
        return redirect(back)
    messages.success(
        request,
        ngettext(
            "%(n)s ticket linked to “%(title)s”.",
            "%(n)s tickets linked to “%(title)s”.",
            count,
        )
        % {"n": count, "title": bulletin.display_title},
    )
    return redirect(back)
