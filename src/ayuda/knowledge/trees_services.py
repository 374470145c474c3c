"""Writes of decision trees and their walks (R18).

A tree is published only when ``tree_check`` finds nothing. A walk keeps each question and
answer as the walker read them (in the walk's language); when a walk attached to a ticket
ends (or is attached to the ticket opened from it), one ``tree_walked`` event in the ticket's
history carries the whole path and how it ended. A walk that ends in "escalate" escalates an
agent's ticket to level 2 (``tickets.services.ticket_escalate``), the answers as the reason."""

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ayuda.accounts.models import Level, Team, User
from ayuda.core.cache import lookups_changed
from ayuda.core.errors import AyudaError, PermissionDeniedError, ValidationError
from ayuda.tickets import permissions
from ayuda.tickets.history import Step
from ayuda.tickets.models import EscalationMode, EventAction, Ticket
from ayuda.tickets.permissions import Action
from ayuda.tickets.services._base import require_open, ticket_lock, ticket_write

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
from .trees_selectors import tree_check, walk_answers_text


class TreeProblems(ValidationError):
    """The tree cannot be published: ``problems`` lists why, one translated line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(
            _("This tree cannot be published: %(problems)s") % {"problems": " ".join(problems)}
        )
        self.problems = problems


# -- trees ----------------------------------------------------------------------------------------


@transaction.atomic
def tree_publish(*, tree: DecisionTree, at: datetime | None = None) -> DecisionTree:
    """Publish ``tree``; ``TreeProblems`` (and nothing changed) if ``tree_check`` finds any."""
    tree = DecisionTree.objects.select_for_update().get(pk=tree.pk)
    problems = tree_check(tree)
    if problems:
        raise TreeProblems(problems)
    if tree.status != TreeStatus.PUBLISHED:
        tree.status, tree.published_at = TreeStatus.PUBLISHED, at or timezone.now()
        tree.save(update_fields=["status", "published_at", "updated_at"])
        transaction.on_commit(lookups_changed)
    return tree


@transaction.atomic
def tree_archive(*, tree: DecisionTree) -> DecisionTree:
    """Withdraw ``tree``: it is offered no more, and walks in progress cannot go on."""
    tree = DecisionTree.objects.select_for_update().get(pk=tree.pk)
    if tree.status != TreeStatus.ARCHIVED:
        tree.status = TreeStatus.ARCHIVED
        tree.save(update_fields=["status", "updated_at"])
        transaction.on_commit(lookups_changed)
    return tree


@transaction.atomic
def tree_edited(*, tree: DecisionTree) -> list[str]:
    """After the admin edited ``tree`` or its nodes: a tree without a first question takes its
    first question node (by position); a published tree that no longer passes ``tree_check``
    goes back to draft (no walker may follow a branch that ends nowhere). Returns the
    problems found."""
    tree = DecisionTree.objects.select_for_update().get(pk=tree.pk)
    if tree.root_id is None:
        first = tree.nodes.filter(kind=NodeKind.QUESTION).order_by("position", "id").first()
        if first is not None:
            tree.root = first
            tree.save(update_fields=["root", "updated_at"])
    problems = tree_check(tree)
    if problems and tree.status == TreeStatus.PUBLISHED:
        tree.status = TreeStatus.DRAFT
        tree.save(update_fields=["status", "updated_at"])
    transaction.on_commit(lookups_changed)
    return problems


# -- walks ----------------------------------------------------------------------------------------


def _check_ticket(user: User, ticket: Ticket) -> None:
    """The help desk walks on any ticket it may write a note on; a customer only on a ticket
    they may reply to (their own; a site admin's site's)."""
    permissions.check(user, ticket, Action.NOTE if user.is_helpdesk else Action.CUSTOMER_REPLY)
    require_open(ticket)


@transaction.atomic
def walk_start(
    *,
    tree: DecisionTree,
    user: User,
    ticket: Ticket | None = None,
    in_portal: bool,
    language: str | None = None,
    at: datetime | None = None,
) -> TreeWalk:
    """Start walking a published tree, at its first question. In the portal only the trees
    for everyone; customers walk only in the portal; vendor agents do not walk."""
    if not (user.is_helpdesk or user.is_customer):
        raise PermissionDeniedError(_("You are not allowed to walk decision trees."))
    if user.is_customer and not in_portal:
        raise PermissionDeniedError(_("You are not allowed to walk decision trees."))
    tree = DecisionTree.objects.select_related("root").get(pk=tree.pk)
    if tree.status != TreeStatus.PUBLISHED or tree.root_id is None:
        raise ValidationError(_("This decision tree is not published."))
    if in_portal and tree.audience != TreeAudience.EVERYONE:
        raise PermissionDeniedError(_("This decision tree is for the help desk only."))
    if ticket is not None:
        _check_ticket(user, ticket)
    return TreeWalk.objects.create(
        tree=tree,
        ticket=ticket,
        user=user,
        in_portal=in_portal,
        language=(language or get_language() or settings.LANGUAGE_CODE)[:8],
        current_node=tree.root,
        started_at=at or timezone.now(),
    )


def _walk_lock(walk: TreeWalk, user: User) -> TreeWalk:
    """The walk, locked, if it is ``user``'s and still going on a published tree."""
    locked = (
        TreeWalk.objects.select_for_update(of=("self",))
        .select_related("tree", "current_node")
        .get(pk=walk.pk)
    )
    if locked.user_id != user.pk:
        raise PermissionDeniedError(_("This walk is someone else's."))
    if locked.outcome:
        raise ValidationError(_("This walk is over."))
    if locked.tree.status != TreeStatus.PUBLISHED:
        raise ValidationError(_("This decision tree is not published any more."))
    return locked


@transaction.atomic
def walk_answer(
    *, walk: TreeWalk, choice_id: int, user: User, at: datetime | None = None
) -> TreeWalk:
    """Answer the current question with one of its choices and move on; a solution or an
    "escalate" ends the walk (``walk_finish``). After an escalation the walk's
    ``escalation_refused`` says why the ticket could not be escalated ("" when it was)."""
    walk = _walk_lock(walk, user)
    node = walk.current_node
    choice = (
        TreeChoice.objects.select_related("next_node")
        .filter(pk=choice_id, node_id=walk.current_node_id)
        .first()
        if node is not None and node.kind == NodeKind.QUESTION
        else None
    )
    if choice is None:
        raise ValidationError(_("Choose one of the answers offered."), field="choice")
    target = choice.next_node
    if target is None or target.tree_id != walk.tree_id:
        raise ValidationError(_("This answer leads nowhere: tell an administrator."))
    with translation.override(walk.language or settings.LANGUAGE_CODE):
        step = {
            "node": node.pk,
            "question": node.display_text,
            "choice": choice.pk,
            "answer": choice.display_label,
        }
    walk.path = [*walk.path, step]
    walk.current_node = target
    walk.escalation_refused = ""
    if target.is_leaf:
        outcome = WalkOutcome.SOLVED if target.kind == NodeKind.SOLUTION else WalkOutcome.ESCALATED
        return _finish(walk, outcome=outcome, user=user, at=at or timezone.now())
    walk.save(update_fields=["path", "current_node"])
    return walk


@transaction.atomic
def walk_back(*, walk: TreeWalk, user: User) -> TreeWalk:
    """Take back the last answer while walking: back at the question it answered."""
    walk = _walk_lock(walk, user)
    if not walk.path:
        raise ValidationError(_("There is no answer to take back."))
    step = walk.path[-1]
    node = TreeNode.objects.filter(pk=step.get("node"), tree_id=walk.tree_id).first()
    if node is None:
        raise ValidationError(_("That question is gone from the tree: start again."))
    walk.path, walk.current_node = walk.path[:-1], node
    walk.save(update_fields=["path", "current_node"])
    return walk


@transaction.atomic
def walk_abandon(*, walk: TreeWalk, user: User, at: datetime | None = None) -> TreeWalk:
    """Stop walking. On a ticket, a walk with answers is recorded in its history."""
    locked = TreeWalk.objects.select_for_update(of=("self",)).select_related("tree")
    walk = locked.get(pk=walk.pk)
    if walk.user_id != user.pk:
        raise PermissionDeniedError(_("This walk is someone else's."))
    if walk.outcome:
        raise ValidationError(_("This walk is over."))
    return _finish(walk, outcome=WalkOutcome.ABANDONED, user=user, at=at or timezone.now())


def _finish(walk: TreeWalk, *, outcome: str, user: User, at: datetime) -> TreeWalk:
    walk.outcome, walk.finished_at = outcome, at
    walk.escalation_refused = ""
    walk.save(update_fields=["path", "current_node", "outcome", "finished_at"])
    if walk.ticket_id is not None and (walk.path or outcome != WalkOutcome.ABANDONED):
        ticket = ticket_lock(walk.ticket_id)
        ticket_write(ticket, actor=user, steps=[_walked_step(walk)], at=at)
        if outcome == WalkOutcome.ESCALATED and user.is_helpdesk:
            walk.escalation_refused = _escalate(walk, ticket, user, at)
    return walk


def _walked_step(walk: TreeWalk) -> Step:
    """The history's record of a finished walk: the tree, every question and answer, and the
    solution or escalation it ended on, in the walker's language."""
    with translation.override(walk.language or settings.LANGUAGE_CODE):
        leaf = walk.current_node
        return Step(
            EventAction.TREE_WALKED,
            new=walk.tree.display_name,
            data={
                "walk_id": walk.pk,
                "tree_id": walk.tree_id,
                "tree": walk.tree.display_name,
                "outcome": walk.outcome,
                "language": walk.language,
                "in_portal": walk.in_portal,
                "path": walk.path,
                "result": leaf.display_text if leaf is not None and leaf.is_leaf else "",
            },
        )


def _escalation_team(ticket: Ticket) -> Team | None:
    """The category's own team when it is a level 2 team, else the only level 2 team."""
    category = ticket.category
    if category is not None and category.default_team_id:
        team = Team.objects.filter(pk=category.default_team_id, level=Level.L2).first()
        if team is not None:
            return team
    teams = list(Team.objects.filter(level=Level.L2)[:2])
    return teams[0] if len(teams) == 1 else None


def walk_reason(walk: TreeWalk) -> str:
    with translation.override(walk.language or settings.LANGUAGE_CODE):
        head = _("Decision tree “%(tree)s”:") % {"tree": walk.tree.display_name}
        leaf = walk.current_node
        tail = leaf.display_text if leaf is not None else ""
    return "\n".join(part for part in (head, walk_answers_text(walk), tail) if part)


def _escalate(walk: TreeWalk, ticket: Ticket, user: User, at: datetime) -> str:
    """Escalate the walk's ticket to level 2; "" when done, else why not (the walk stays
    recorded and the agent escalates by hand)."""
    from ayuda.tickets.services import ticket_escalate

    if Action.ESCALATE not in permissions.allowed_actions(user, ticket):
        return _("You may not escalate this ticket: the walk was recorded.")
    if ticket.level != Level.L1:
        return _("The ticket is not at level 1: the walk was recorded, nothing escalated.")
    team = _escalation_team(ticket)
    if team is None:
        return _("No level 2 team is set for this category: escalate the ticket yourself.")
    try:
        with transaction.atomic():
            ticket_escalate(
                ticket=ticket,
                actor=user,
                team=team,
                mode=EscalationMode.TRANSFER,
                reason=walk_reason(walk),
                at=at,
            )
    except AyudaError as error:
        return error.message
    return ""


@transaction.atomic
def walk_ticket_attach(
    *, walk: TreeWalk, ticket: Ticket, user: User, at: datetime | None = None
) -> TreeWalk:
    """Attach a finished walk to the ticket opened from it (a requester's escalated walk in
    the portal, an agent's walk on the phone) and record it in the ticket's history."""
    walk = (
        TreeWalk.objects.select_for_update(of=("self",))
        .select_related("tree", "current_node")
        .get(pk=walk.pk)
    )
    if walk.user_id != user.pk:
        raise PermissionDeniedError(_("This walk is someone else's."))
    if walk.ticket_id is not None:
        raise ValidationError(_("This walk is already attached to a ticket."))
    if walk.outcome not in (WalkOutcome.ESCALATED, WalkOutcome.SOLVED):
        raise ValidationError(_("Only a finished walk can be attached to a ticket."))
    permissions.check(user, ticket, Action.NOTE if user.is_helpdesk else Action.CUSTOMER_REPLY)
    walk.ticket = ticket
    walk.save(update_fields=["ticket"])
    locked = ticket_lock(ticket)
    ticket_write(locked, actor=user, steps=[_walked_step(walk)], at=at)
    return walk
