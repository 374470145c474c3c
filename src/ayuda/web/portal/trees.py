"""Decision trees in the portal (R18): "Help me solve it" lists the trees for everyone by
category; the walker asks its questions; a solution ends the walk without a ticket (a
deflection), an "escalate" ends on "Open a ticket", the new-ticket form pre-filled with the
answers and the walk, which the created ticket carries (``web/walkers.py``: ``walk_prefill_for``,
``walk_attach``)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ayuda.core.errors import AyudaError, PermissionDeniedError
from ayuda.knowledge.models import TreeWalk, WalkOutcome
from ayuda.knowledge.trees_selectors import (
    tree_get_published,
    trees_for_portal,
    walk_get,
)
from ayuda.knowledge.trees_services import walk_answer, walk_start
from ayuda.web.walkers import (
    STEPS,
    Walker,
    WalkPrefill,
    as_int,
    walk_prefill_for,
    walker_for,
    walker_preview,
)

from .views import customer_required, is_fragment

TARGET = "#walker"


def _render(request, walker: Walker, *, status: int = 200):
    walk = walker.walk
    if walk is not None and walk.outcome == WalkOutcome.ESCALATED and walk.ticket_id is None:
        walker.new_ticket_url = f"{reverse('portal:ticket_new')}?walk={walk.pk}"
    name = "portal/tree_walk.html#walker" if is_fragment(request) else "portal/tree_walk.html"
    response = render(request, name, {"walker": walker}, status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response


def _after(request, walk: TreeWalk, *, notice: str = "", status: int = 200):
    if not is_fragment(request):
        if notice:
            messages.error(request, notice)
        return redirect("portal:tree_walk_show", pk=walk.pk)
    return _render(
        request, walker_for(walk, ns="portal", target=TARGET, notice=notice), status=status
    )


def _walk_get(request, pk: int) -> TreeWalk:
    walk = walk_get(user=request.user, pk=pk)
    if not walk.in_portal:
        raise Http404
    return walk


@require_GET
@customer_required
def help_home(request):
    """The portal's trees, by category."""
    chosen = as_int(request.GET.get("category"))
    groups: dict[tuple, list] = {}
    for tree in trees_for_portal():
        label = tree.category.display_name if tree.category else _("General")
        # The category the ticket form came from first, the general trees last.
        order = 0 if chosen and tree.category_id == chosen else 2 if not tree.category else 1
        groups.setdefault((order, label), []).append(tree)
    shown = [(label, trees) for (_order, label), trees in sorted(groups.items())]
    return render(request, "portal/help.html", {"groups": shown})


@require_http_methods(["GET", "POST"])
@customer_required
def tree_walk(request, pk: int):
    """GET: the tree's first question. POST (an answer to it): start the walk and answer."""
    tree = tree_get_published(pk=pk, portal=True)
    if request.method == "GET":
        return _render(request, walker_preview(tree, ns="portal", target=TARGET))
    try:
        with transaction.atomic():  # a wrong first answer leaves no walk behind
            walk = walk_start(tree=tree, user=request.user, in_portal=True)
            choice_id = as_int(request.POST.get("choice"))
            walk = walk_answer(walk=walk, choice_id=choice_id, user=request.user)
    except PermissionDeniedError as err:
        raise PermissionDenied(err.message) from err
    except AyudaError as err:
        messages.error(request, err.message)
        return redirect("portal:tree_walk", pk=pk)
    return _after(request, walk)


@require_GET
@customer_required
def tree_walk_show(request, pk: int):
    walk = _walk_get(request, pk)
    return _render(request, walker_for(walk, ns="portal", target=TARGET))


def _step(name: str):
    @require_POST
    @customer_required
    def view(request, pk: int):
        walk = _walk_get(request, pk)
        try:
            walk = STEPS[name](walk, request.user, request.POST)
        except PermissionDeniedError as err:
            raise PermissionDenied(err.message) from err
        except AyudaError as err:
            return _after(request, walk, notice=err.message, status=422)
        return _after(request, walk)

    view.__name__ = f"tree_{name}"
    return view


tree_answer = _step("answer")
tree_back = _step("back")
tree_abandon = _step("abandon")


# -- the new-ticket form, from an escalated walk ------------------------------------------------


def walk_prefill(request) -> WalkPrefill | None:
    return walk_prefill_for(request, in_portal=True)
