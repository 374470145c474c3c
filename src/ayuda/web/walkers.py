"""What the agent's and the portal's decision-tree walkers share (R18): the walker's view of
a walk (or of a tree's first question before the walk starts) and the service calls behind its
buttons. The pages themselves are ``agent/views/trees.py`` and ``portal/trees.py``."""

from contextlib import suppress
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext as _

from ayuda.core.errors import AyudaError
from ayuda.core.i18n import translated
from ayuda.knowledge.models import (
    DecisionTree,
    NodeKind,
    TreeChoice,
    TreeNode,
    TreeWalk,
    WalkOutcome,
)
from ayuda.knowledge.trees_selectors import node_choices, walk_answers_text
from ayuda.knowledge.trees_services import (
    walk_abandon,
    walk_answer,
    walk_back,
    walk_ticket_attach,
)


@dataclass
class Walker:
    tree: DecisionTree
    walk: TreeWalk | None  # None: the first question, before anything is answered
    node: TreeNode | None
    choices: list[TreeChoice]
    urls: dict[str, str]
    target: str  # the element the walker's buttons swap (htmx)
    reply_text: str = ""  # a solution on a ticket: the text "Send as reply" puts in the reply
    new_ticket_url: str = ""  # the portal's escalation: the pre-filled ticket form
    notice: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def finished(self) -> bool:
        return self.walk is not None and bool(self.walk.outcome)

    @property
    def leaf_kind(self) -> str:
        if self.node is not None and self.node.kind != NodeKind.QUESTION:
            return self.node.kind
        return ""

    @property
    def path(self) -> list[dict]:
        return self.walk.path if self.walk is not None else []


def walker_for(walk: TreeWalk, *, ns: str, target: str, notice: str = "") -> Walker:
    """The walker of a walk in progress or finished (one query: the current node's choices)."""
    node = walk.current_node
    urls = {
        "answer": reverse(f"{ns}:tree_answer", args=[walk.pk]),
        "back": reverse(f"{ns}:tree_back", args=[walk.pk]),
        "abandon": reverse(f"{ns}:tree_abandon", args=[walk.pk]),
        "restart": reverse(f"{ns}:tree_walk", args=[walk.tree_id]),
    }
    walker = Walker(
        tree=walk.tree,
        walk=walk,
        node=node,
        choices=[] if walk.outcome else node_choices(node),
        urls=urls,
        target=target,
        notice=notice,
    )
    if walk.ticket is not None and node is not None and node.kind == NodeKind.SOLUTION:
        requester = walk.ticket.requester
        walker.reply_text = translated(node.text_i18n, node.text, language=requester.language)
    return walker


def walker_preview(tree: DecisionTree, *, ns: str, target: str, start_url: str = "") -> Walker:
    """The tree's first question, before the walk exists: answering it starts the walk."""
    start = start_url or reverse(f"{ns}:tree_walk", args=[tree.pk])
    return Walker(
        tree=tree,
        walk=None,
        node=tree.root,
        choices=node_choices(tree.root),
        urls={"answer": start},
        target=target,
    )


STEPS = {
    "answer": lambda walk, user, post: walk_answer(
        walk=walk, choice_id=as_int(post.get("choice")), user=user
    ),
    "back": lambda walk, user, post: walk_back(walk=walk, user=user),
    "abandon": lambda walk, user, post: walk_abandon(walk=walk, user=user),
}


def as_int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


# -- a ticket opened from a walk ----------------------------------------------------------------


@dataclass
class WalkPrefill:
    walk: TreeWalk
    initial: dict
    category_id: int | None


def walk_prefill_for(request, *, in_portal: bool) -> WalkPrefill | None:
    """The user's own finished walk named by ``walk`` (the query string, then the form's hidden
    field), not yet attached to a ticket, with what it puts in the ticket form: the tree's name
    as the subject, the answers in the description; None for anything else."""
    source = request.POST if request.method == "POST" else request.GET
    pk = as_int(source.get("walk"))
    if not pk:
        return None
    walk = (
        TreeWalk.objects.filter(
            pk=pk,
            user=request.user,
            in_portal=in_portal,
            ticket=None,
            outcome__in=(WalkOutcome.ESCALATED, WalkOutcome.SOLVED),
        )
        .select_related("tree", "current_node")
        .first()
    )
    if walk is None:
        return None
    leaf = walk.current_node.display_text if walk.current_node is not None else ""
    intro = _("Answers to “%(tree)s”:") % {"tree": walk.tree.display_name}
    description = "\n".join(part for part in (intro, walk_answers_text(walk), "", leaf))
    initial = {"subject": walk.tree.display_name[:255], "description": description.strip()}
    if walk.tree.category_id:
        initial["category"] = walk.tree.category_id
    return WalkPrefill(walk=walk, initial=initial, category_id=walk.tree.category_id)


def walk_attach(request, prefill: WalkPrefill | None, ticket) -> None:
    """The ticket opened from the walk carries it, and the walk is in its history."""
    if prefill is None:
        return
    # Attached meanwhile (a second tab): the ticket stands on its own.
    with suppress(AyudaError):
        walk_ticket_attach(walk=prefill.walk, ticket=ticket, user=request.user)
