"""Decision trees and their walks (R18; docs/knowledge.md, "Decision trees"): the published
trees the caller may walk, and walks step by step through the same services as the pages.
A customer's walk is a portal walk (trees for everyone only); a help desk's is not."""

from datetime import datetime

from ninja import Field, Router, Schema, Status

from ayuda.accounts.models import User
from ayuda.knowledge.models import DecisionTree, TreeAudience, TreeWalk
from ayuda.knowledge.trees_selectors import (
    node_choices,
    tree_get_published,
    trees_published,
    walk_get,
)
from ayuda.knowledge.trees_services import walk_abandon, walk_answer, walk_back, walk_start
from ayuda.tickets import selectors

from .problems import ERRORS, WRITE_ERRORS
from .schemas import Id, PathId

router = Router(tags=["decision trees"])
walks_router = Router(tags=["decision trees"])


class Tree(Schema):
    id: int
    name: str
    description: str
    category_id: int | None
    audience: str = Field(description="agents, or everyone (the portal too)")


class TreeList(Schema):
    items: list[Tree]


class ChoiceOut(Schema):
    id: int
    label: str


class Node(Schema):
    id: int
    kind: str = Field(description="question, solution or escalate")
    text: str
    choices: list[ChoiceOut] = Field(description="A question's answers; none for a leaf.")


class Step(Schema):
    node: int
    question: str
    choice: int
    answer: str


class Walk(Schema):
    id: int
    tree_id: int
    ticket_id: int | None
    in_portal: bool
    language: str
    path: list[Step] = Field(description="Each question and answer as the walker read them.")
    node: Node | None = Field(description="Where the walk stands: a question, or its leaf.")
    outcome: str = Field(description='"" while walking, then solved, escalated or abandoned')
    escalation_refused: str = Field(
        default="", description="Why an escalated walk could not escalate its ticket."
    )
    started_at: datetime
    finished_at: datetime | None


class WalkIn(Schema):
    tree_id: Id
    ticket_id: Id | None = Field(default=None, description="Walk on this ticket (recorded).")


class AnswerIn(Schema):
    choice_id: Id


def _visible(user: User, tree: DecisionTree) -> bool:
    return user.is_helpdesk or (user.is_customer and tree.audience == TreeAudience.EVERYONE)


def _tree(tree: DecisionTree) -> dict:
    return {
        "id": tree.pk,
        "name": tree.display_name,
        "description": tree.display_description,
        "category_id": tree.category_id,
        "audience": tree.audience,
    }


def _walk(walk: TreeWalk) -> dict:
    node = walk.current_node
    return {
        "id": walk.pk,
        "tree_id": walk.tree_id,
        "ticket_id": walk.ticket_id,
        "in_portal": walk.in_portal,
        "language": walk.language,
        "path": walk.path,
        "node": None
        if node is None
        else {
            "id": node.pk,
            "kind": node.kind,
            "text": node.display_text,
            "choices": [
                {"id": c.pk, "label": c.display_label}
                for c in ([] if walk.outcome else node_choices(node))
            ],
        },
        "outcome": walk.outcome,
        "escalation_refused": getattr(walk, "escalation_refused", ""),
        "started_at": walk.started_at,
        "finished_at": walk.finished_at,
    }


@router.get(
    "",
    response={200: TreeList, **ERRORS},
    url_name="tree_list",
    summary="List the published decision trees",
    description="The help desk reads every published tree; a customer the trees for everyone; "
    "a vendor agent none.",
)
def trees_get(request):
    user: User = request.auth
    return {"items": [_tree(t) for t in trees_published() if _visible(user, t)]}


@walks_router.post(
    "",
    response={201: Walk, **WRITE_ERRORS},
    url_name="walk_list",
    summary="Start walking a tree",
    description="At its first question. With ticket_id the walk is on that ticket: its end is "
    "recorded in the ticket's history, and a help desk walk ending in escalate escalates it.",
)
def walk_post(request, payload: WalkIn):
    user: User = request.auth
    tree = tree_get_published(pk=payload.tree_id, portal=not user.is_helpdesk)
    ticket = None
    if payload.ticket_id is not None:
        ticket = selectors.ticket_get(user=user, pk=payload.ticket_id)
    walk = walk_start(tree=tree, user=user, ticket=ticket, in_portal=not user.is_helpdesk)
    return Status(201, _walk(walk_get(user=user, pk=walk.pk)))


@walks_router.get(
    "/{walk_id}",
    response={200: Walk, **ERRORS},
    url_name="walk",
    summary="Read one of your walks",
)
def walk_read(request, walk_id: PathId):
    return _walk(walk_get(user=request.auth, pk=walk_id))


@walks_router.post(
    "/{walk_id}/answer",
    response={200: Walk, **WRITE_ERRORS},
    url_name="walk_answer",
    summary="Answer the current question",
    description="choice_id must be one of the current question's choices (else 422).",
)
def walk_answer_post(request, walk_id: PathId, payload: AnswerIn):
    walk = walk_get(user=request.auth, pk=walk_id)
    walk = walk_answer(walk=walk, choice_id=payload.choice_id, user=request.auth)
    return _walk(walk)


@walks_router.post(
    "/{walk_id}/back",
    response={200: Walk, **WRITE_ERRORS},
    url_name="walk_back",
    summary="Take the last answer back",
)
def walk_back_post(request, walk_id: PathId):
    walk = walk_get(user=request.auth, pk=walk_id)
    return _walk(walk_back(walk=walk, user=request.auth))


@walks_router.post(
    "/{walk_id}/abandon",
    response={200: Walk, **WRITE_ERRORS},
    url_name="walk_abandon",
    summary="Stop walking",
)
def walk_abandon_post(request, walk_id: PathId):
    walk = walk_get(user=request.auth, pk=walk_id)
    return _walk(walk_abandon(walk=walk, user=request.auth))
