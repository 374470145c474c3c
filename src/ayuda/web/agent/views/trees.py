"""Decision trees in the agent workspace (R18): the "Decision trees" card on the ticket page
(walk a tree on the ticket; the walk is recorded in its history and an "escalate" ends in a
level 2 escalation), and the standalone walker for a call before any ticket exists."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ayuda.core.errors import AyudaError, PermissionDeniedError
from ayuda.knowledge.models import TreeWalk, WalkOutcome
from ayuda.knowledge.trees_selectors import (
    tree_get_published,
    trees_for_ticket,
    trees_published,
    walk_counts,
    walk_get,
    walk_latest_on_ticket,
)
from ayuda.knowledge.trees_services import walk_answer, walk_start
from ayuda.tickets import selectors
from ayuda.web.walkers import STEPS, Walker, WalkPrefill, as_int, walker_for, walker_preview

from ..lookups import Lookups
from ._access import helpdesk_required, render_page_or_fragment, wants_fragment

CARD = "#trees-card"
PAGE = "#walker"


def walk_contact_initial(prefill: WalkPrefill | None) -> dict:
    """The contact form from a walk on the phone: its answers, and a solved walk's solution as
    the answer given (resolved on the spot)."""
    if prefill is None:
        return {}
    initial = dict(prefill.initial)
    walk = prefill.walk
    if walk.outcome == WalkOutcome.SOLVED and walk.current_node is not None:
        initial |= {"resolve_now": True, "solution": walk.current_node.display_text}
    return initial


def trees_context(request, ticket) -> dict:
    """The ticket page's "Decision trees" card: the published trees for the ticket's category
    and the general ones (cached: no query), and the agent's last walk on this ticket (one
    query, none when no tree is offered and none was walked here)."""
    user = request.user
    if not user.is_helpdesk:
        return {"tree_card": None}
    trees = trees_for_ticket(ticket)
    walker = None
    walk = walk_latest_on_ticket(user=user, ticket=ticket) if trees else None
    if walk is not None and walk.outcome != WalkOutcome.ABANDONED:
        walk.ticket = ticket
        walker = walker_for(walk, ns="agent", target=CARD)
        walker.notice = getattr(request, "tree_notice", "")
    return {"tree_card": {"trees": trees, "walker": walker, "ticket": ticket}}


def _ticket_response(request, walk: TreeWalk, *, status: int = 200):
    """After a step of a walk on a ticket: the card alone while walking, and the card with the
    timeline (``hx-select-oob``) when the walk ended: the reply being typed stays. An
    escalation changed the whole ticket: the whole panel."""
    from .tickets import render_ticket

    ticket = selectors.ticket_get(user=request.user, pk=walk.ticket_id)
    if not wants_fragment(request):
        return redirect("agent:ticket", pk=ticket.pk)
    if walk.outcome:
        response = render_ticket(request, ticket, lookups=Lookups(user=request.user))
        if walk.outcome == WalkOutcome.ESCALATED:
            response["HX-Retarget"] = "#ticket-panel"
            response["HX-Reswap"] = "outerHTML"
        else:
            response["HX-Reselect"] = CARD
        return response
    return render_page_or_fragment(
        request,
        "knowledge/_ticket_trees.html",
        "card",
        trees_context(request, ticket) | {"ticket": ticket},
        status=status,
    )


def _after_step(request, walk: TreeWalk):
    if walk.ticket_id is not None and not walk.in_portal:
        return _ticket_response(request, walk)
    if not wants_fragment(request):
        return redirect("agent:tree_walk_show", pk=walk.pk)
    return _walk_page(request, walk)


def _walk_page(request, walk: TreeWalk, *, status: int = 200):
    walker = walker_for(walk, ns="agent", target=PAGE, notice=getattr(request, "tree_notice", ""))
    return _page(request, walker, status=status)


def _page(request, walker: Walker, *, status: int = 200):
    context = {"walker": walker, "nav": "contact"}
    if walker.walk is not None and walker.finished and walker.walk.ticket_id is None:
        walker.new_ticket_url = f"{reverse('agent:contact_new')}?walk={walker.walk.pk}"
    return render_page_or_fragment(
        request, "agent/tree_walk.html", "walker", context, status=status
    )


def _refused(request, err: AyudaError, walk: TreeWalk | None):
    if isinstance(err, PermissionDeniedError):
        raise PermissionDenied(err.message) from err
    if not wants_fragment(request) or walk is None:
        messages.error(request, err.message)
        target = walk.ticket_id if walk is not None else None
        return redirect("agent:ticket", pk=target) if target else redirect("agent:trees")
    request.tree_notice = err.message
    if walk.ticket_id is not None and not walk.in_portal:
        return _ticket_response(request, walk, status=422)
    return _walk_page(request, walk, status=422)


def _escalation_message(request, walk: TreeWalk) -> None:
    if walk.outcome != WalkOutcome.ESCALATED or walk.ticket_id is None:
        return
    refused = getattr(walk, "escalation_refused", "")
    if refused:
        messages.warning(request, refused)
    else:
        messages.success(request, _("The walk ended in an escalation: the ticket went to level 2."))


@helpdesk_required
@require_http_methods(["GET"])
def trees_list(request):
    """Every published tree, by category, with how their walks ended."""
    trees = trees_published()
    counts = walk_counts([t.pk for t in trees])
    rows = [(t, counts.get(t.pk, {})) for t in trees]
    rows.sort(key=lambda row: (row[0].category.display_name if row[0].category else "",))
    return render_page_or_fragment(
        request, "agent/trees.html", "list", {"rows": rows, "nav": "contact"}
    )


@helpdesk_required
@require_http_methods(["GET", "POST"])
def tree_walk(request, pk: int):
    """GET: the tree's first question. POST (an answer to it): start the walk and answer."""
    tree = tree_get_published(pk=pk, portal=False)
    if request.method == "GET":
        return _page(request, walker_preview(tree, ns="agent", target=PAGE))
    try:
        with transaction.atomic():  # a wrong first answer leaves no walk behind
            walk = walk_start(tree=tree, user=request.user, in_portal=False)
            choice_id = as_int(request.POST.get("choice"))
            walk = walk_answer(walk=walk, choice_id=choice_id, user=request.user)
    except AyudaError as err:
        if isinstance(err, PermissionDeniedError):
            raise PermissionDenied(err.message) from err
        messages.error(request, err.message)
        return redirect("agent:tree_walk", pk=pk)
    return _after_step(request, walk)


@helpdesk_required
@require_http_methods(["GET"])
def tree_walk_show(request, pk: int):
    walk = walk_get(user=request.user, pk=pk)
    if walk.ticket_id is not None and not walk.in_portal:
        return redirect("agent:ticket", pk=walk.ticket_id)
    return _walk_page(request, walk)


@helpdesk_required
@require_POST
def ticket_tree_start(request, pk: int, tree: int):
    """Start walking ``tree`` on ticket ``pk`` (the ticket page's card)."""
    ticket = selectors.ticket_get(user=request.user, pk=pk)
    chosen = tree_get_published(pk=tree, portal=False)
    try:
        walk = walk_start(tree=chosen, user=request.user, ticket=ticket, in_portal=False)
    except PermissionDeniedError as err:
        raise PermissionDenied(err.message) from err
    except AyudaError as err:
        messages.error(request, err.message)
        if wants_fragment(request):
            from .tickets import render_ticket

            return render_ticket(request, ticket, lookups=Lookups(user=request.user), status=422)
        return redirect("agent:ticket", pk=pk)
    return _ticket_response(request, walk)


def _step(name: str):
    @helpdesk_required
    @require_POST
    def view(request, pk: int):
        walk = walk_get(user=request.user, pk=pk)
        try:
            walk = STEPS[name](walk, request.user, request.POST)
        except AyudaError as err:
            return _refused(request, err, walk)
        _escalation_message(request, walk)
        return _after_step(request, walk)

    view.__name__ = f"tree_{name}"
    return view


tree_answer = _step("answer")
tree_back = _step("back")
tree_abandon = _step("abandon")
