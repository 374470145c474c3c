"""Reads of decision trees (R18): the checks that decide whether a tree may be published, the
outline the admin shows, the trees offered to agents and in the portal, and walks.

A tree is read whole in two queries (``tree_graph``: its nodes, then their choices); the lists
of published trees come from the select-box lists' cache (``core.cache``), which publishing,
archiving and the admin refresh, so a ticket page asks nothing for them."""

from collections import Counter
from dataclasses import dataclass, field

from django.http import Http404
from django.utils.translation import gettext as _

from ayuda.accounts.models import User
from ayuda.core.cache import cached_list
from ayuda.tickets.models import Ticket

from .models import (
    DecisionTree,
    NodeKind,
    TreeAudience,
    TreeChoice,
    TreeNode,
    TreeStatus,
    TreeWalk,
    WalkOutcome,
)


@dataclass
class TreeGraph:
    tree: DecisionTree
    nodes: dict[int, TreeNode]
    choices: dict[int, list[TreeChoice]]  # node id -> its choices, in order


def tree_graph(tree: DecisionTree) -> TreeGraph:
    """The tree's nodes and choices (two queries)."""
    nodes = {n.pk: n for n in TreeNode.objects.filter(tree=tree).order_by("position", "id")}
    choices: dict[int, list[TreeChoice]] = {pk: [] for pk in nodes}
    for choice in TreeChoice.objects.filter(node__tree=tree).order_by("position", "id"):
        choices.setdefault(choice.node_id, []).append(choice)
    return TreeGraph(tree=tree, nodes=nodes, choices=choices)


def _reachable(graph: TreeGraph, root_id: int) -> set[int]:
    seen, stack = set(), [root_id]
    while stack:
        pk = stack.pop()
        if pk in seen or pk not in graph.nodes:
            continue
        seen.add(pk)
        stack += [c.next_node_id for c in graph.choices.get(pk, []) if c.next_node_id]
    return seen


def _cycles(graph: TreeGraph, root_id: int) -> list[list[int]]:
    """Each loop reachable from the root once, as the node ids around it."""
    found, done, on_path = [], set(), []

    def visit(pk: int) -> None:
        if pk in on_path:
            found.append([*on_path[on_path.index(pk) :], pk])
            return
        if pk in done or pk not in graph.nodes:
            return
        on_path.append(pk)
        for choice in graph.choices.get(pk, []):
            if choice.next_node_id:
                visit(choice.next_node_id)
        on_path.pop()
        done.add(pk)

    visit(root_id)
    return found


def tree_check(tree: DecisionTree, graph: TreeGraph | None = None) -> list[str]:
    """What stops ``tree`` from being published, one translated message per problem; an empty
    list when every branch from the first question ends in a solution or "escalate"."""
    graph = graph or tree_graph(tree)
    problems = []
    root_id = tree.root_id
    if root_id is None:
        problems.append(_("The tree has no first question."))
    elif root_id not in graph.nodes:
        problems.append(_("The first question belongs to another tree."))
        root_id = None
    elif graph.nodes[root_id].is_leaf:
        problems.append(_("The first node must be a question."))
    for node in graph.nodes.values():
        choices = graph.choices.get(node.pk, [])
        if not node.text.strip():
            problems.append(_("“%(key)s” has no text.") % {"key": node.key})
        if node.is_leaf:
            if choices:
                problems.append(
                    _("“%(key)s” is a solution or an escalation but has answers.")
                    % {"key": node.key}
                )
            continue
        if len(choices) < 2:
            problems.append(_("Question “%(key)s” has fewer than two answers.") % {"key": node.key})
        for choice in choices:
            names = {"key": node.key, "answer": choice.label or "—"}
            if not choice.label.strip():
                problems.append(_("An answer of “%(key)s” has no text.") % names)
            if choice.next_node_id is None:
                problems.append(_("Answer “%(answer)s” of “%(key)s” leads nowhere.") % names)
            elif choice.next_node_id not in graph.nodes:
                problems.append(
                    _("Answer “%(answer)s” of “%(key)s” leads to another tree.") % names
                )
    if root_id is not None:
        for loop in _cycles(graph, root_id):
            path = " → ".join(graph.nodes[pk].key for pk in loop)
            problems.append(_("The tree goes round in a circle: %(path)s.") % {"path": path})
        reachable = _reachable(graph, root_id)
        for node in graph.nodes.values():
            if node.pk not in reachable:
                problems.append(
                    _("“%(key)s” cannot be reached from the first question.") % {"key": node.key}
                )
    return problems


# -- the admin's outline --------------------------------------------------------------------------


@dataclass
class OutlineBranch:
    choice: TreeChoice
    node: "OutlineNode | None"  # None: the answer leads nowhere


@dataclass
class OutlineNode:
    node: TreeNode
    branches: list[OutlineBranch] = field(default_factory=list)
    loops_back: bool = False  # already shown above on this path: a cycle


@dataclass
class TreeOutline:
    root: OutlineNode | None
    unreachable: list[TreeNode]
    problems: list[str]
    counts: dict[str, int]


def tree_outline(tree: DecisionTree) -> TreeOutline:
    """The whole tree from its first question, for the admin's read-only view (three queries:
    nodes, choices, the walks' counts). A loop is shown once and marked, not followed."""
    graph = tree_graph(tree)

    def build(pk: int, path: tuple[int, ...]) -> OutlineNode:
        node = graph.nodes[pk]
        if pk in path:
            return OutlineNode(node=node, loops_back=True)
        outline = OutlineNode(node=node)
        for choice in graph.choices.get(pk, []):
            target = choice.next_node_id
            child = build(target, (*path, pk)) if target in graph.nodes else None
            outline.branches.append(OutlineBranch(choice=choice, node=child))
        return outline

    root = build(tree.root_id, ()) if tree.root_id in graph.nodes else None
    reachable = _reachable(graph, tree.root_id) if root is not None else set()
    return TreeOutline(
        root=root,
        unreachable=[n for n in graph.nodes.values() if n.pk not in reachable],
        problems=tree_check(tree, graph),
        counts=walk_counts([tree.pk]).get(tree.pk, {}),
    )


def walk_counts(tree_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per tree: finished walks per outcome, and ``deflected`` (solved in the portal with no
    ticket: a ticket the requester did not need to open). One query."""
    counts: dict[int, Counter] = {pk: Counter() for pk in tree_ids}
    rows = (
        TreeWalk.objects.filter(tree_id__in=tree_ids)
        .exclude(outcome="")
        .values_list("tree_id", "outcome", "in_portal", "ticket_id")
    )
    for tree_id, outcome, in_portal, ticket_id in rows.iterator():
        counts[tree_id][outcome] += 1
        if outcome == WalkOutcome.SOLVED and in_portal and ticket_id is None:
            counts[tree_id]["deflected"] += 1
    return {pk: dict(c) for pk, c in counts.items()}


# -- the trees offered ----------------------------------------------------------------------------


def trees_published() -> list[DecisionTree]:
    """The published trees (without their nodes), from the select-box lists' cache."""
    return cached_list(
        "decision_trees",
        lambda: list(
            DecisionTree.objects.filter(status=TreeStatus.PUBLISHED)
            .exclude(root=None)
            .select_related("category")
            .order_by("name", "id")
        ),
    )


def trees_for_ticket(ticket: Ticket) -> list[DecisionTree]:
    """The trees for the ticket's category first, then the general ones (no category)."""
    trees = trees_published()
    own = [t for t in trees if t.category_id and t.category_id == ticket.category_id]
    return own + [t for t in trees if t.category_id is None]


def trees_for_portal() -> list[DecisionTree]:
    return [t for t in trees_published() if t.audience == TreeAudience.EVERYONE]


def tree_get_published(*, pk: int, portal: bool) -> DecisionTree:
    """A published tree (the portal: one for everyone), with its first question; else 404."""
    query = DecisionTree.objects.filter(pk=pk, status=TreeStatus.PUBLISHED).select_related(
        "root", "category"
    )
    if portal:
        query = query.filter(audience=TreeAudience.EVERYONE)
    tree = query.first()
    if tree is None or tree.root_id is None:
        raise Http404
    return tree


def walk_get(*, user: User, pk: int) -> TreeWalk:
    """One of ``user``'s own walks; anyone else's is not found."""
    walk = (
        TreeWalk.objects.filter(pk=pk, user=user)
        .select_related("tree", "tree__category", "current_node", "ticket__requester")
        .first()
    )
    if walk is None:
        raise Http404
    return walk


def walk_latest_on_ticket(*, user: User, ticket: Ticket) -> TreeWalk | None:
    """The last walk ``user`` started on ``ticket`` (in progress or finished), if any."""
    return (
        TreeWalk.objects.filter(ticket=ticket, user=user)
        .select_related("tree", "tree__category", "current_node")
        .order_by("-started_at", "-pk")
        .first()
    )


def node_choices(node: TreeNode | None) -> list[TreeChoice]:
    if node is None or node.kind != NodeKind.QUESTION:
        return []
    return list(node.choices.order_by("position", "id"))


def walk_answers_text(walk: TreeWalk) -> str:
    """The walk's questions and answers as lines of text, as the walker read them."""
    lines = [f"- {step['question']} {step['answer']}" for step in walk.path]
    return "\n".join(lines)
