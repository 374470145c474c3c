"""What the agent's and the portal's decision-tree walkers share (R18): the walker's view of
a walk (or of a tree's first question before the walk starts) and the service calls behind its
buttons. The pages themselves are ``agent/views/trees.py`` and ``portal/trees.py``."""

from dataclasses import dataclass, field

from django.urls import reverse

from ayuda.core.i18n import translated
from ayuda.knowledge.models import DecisionTree, NodeKind, TreeChoice, TreeNode, TreeWalk
from ayuda.knowledge.trees_selectors import node_choices
from ayuda.knowledge.trees_services import walk_abandon, walk_answer, walk_back


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
        walk=walk, choice_id=_int(post.get("choice")), user=user
    ),
    "back": lambda walk, user, post: walk_back(walk=walk, user=user),
    "abandon": lambda walk, user, post: walk_abandon(walk=walk, user=user),
}


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
