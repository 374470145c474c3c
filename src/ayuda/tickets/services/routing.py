"""Who works on a ticket: qualification, assignment, escalation, hand-back, forwarding (R8-R10)."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ayuda.accounts.models import Level, Team, User, Vendor
from ayuda.core.errors import PermissionDeniedError, ValidationError

from .. import permissions
from ..history import Step
from ..models import (
    Article,
    ArticleKind,
    Category,
    DelayReason,
    EscalationMode,
    EventAction,
    Priority,
    SenderRole,
    StateCategory,
    Ticket,
    TicketType,
)
from ..permissions import Action
from ._base import (
    change_step,
    require_open,
    require_text,
    state_default,
    state_step,
    state_updates,
    ticket_lock,
    ticket_write,
    transition_check,
)


def _require_active(ticket: Ticket) -> None:
    require_open(ticket)
    if ticket.state_category == StateCategory.RESOLVED:
        raise ValidationError(_("This ticket is resolved; reopen it first."))


def _open_if_new(ticket: Ticket, at) -> tuple[list[Step], dict]:
    if ticket.state_category != StateCategory.NEW:
        return [], {}
    state = state_default(StateCategory.OPEN)
    return [state_step(ticket, state)], state_updates(ticket, state, at)


@transaction.atomic
def ticket_qualify(
    *,
    ticket: Ticket,
    actor: User,
    category: Category | None,
    type: str,
    priority: int,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Ticket:
    """Set category, type and priority; each change, including recategorisation, is recorded."""
    ticket = ticket_lock(ticket, expected_version)
    permissions.check(actor, ticket, Action.QUALIFY)
    require_open(ticket)
    if type not in TicketType.values:
        raise ValidationError(_("Unknown ticket type."), field="type")
    if int(priority) not in Priority.values:
        raise ValidationError(_("Unknown priority."), field="priority")
    if category is not None and not category.is_active:
        raise ValidationError(_("That category is no longer in use."), field="category")
    steps = [
        change_step(ticket, "category", category),
        change_step(ticket, "type", type),
        change_step(ticket, "priority", int(priority)),
    ]
    steps = [s for s in steps if s]
    if not steps:
        return ticket
    ticket_write(
        ticket,
        actor=actor,
        steps=steps,
        updates={"category": category, "type": type, "priority": int(priority)},
        at=at,
    )
    return ticket


@transaction.atomic
def ticket_assign(
    *,
    ticket: Ticket,
    actor: User,
    team: Team | None,
    owner: User | None,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Ticket:
    ticket = ticket_lock(ticket, expected_version)
    permissions.check(actor, ticket, Action.ASSIGN)
    require_open(ticket)
    if owner is not None:
        if not owner.is_helpdesk or not owner.is_active:
            raise ValidationError(
                _("Tickets can only be assigned to help desk staff."), field="owner"
            )
        if team is not None and not owner.teams.filter(pk=team.pk).exists():
            raise ValidationError(
                _("%(agent)s is not a member of %(team)s.")
                % {"agent": owner.display_name(), "team": team.name},
                field="owner",
            )
    steps = [change_step(ticket, "team", team), change_step(ticket, "owner", owner)]
    steps = [s for s in steps if s]
    if not steps:
        return ticket
    at = at or timezone.now()
    updates = {"team": team, "owner": owner}
    level_follows_team = (
        team is not None
        and team.level in (Level.L1, Level.L2)
        and ticket.level not in (Level.VENDOR, team.level)
        and not ticket.in_referral
    )
    if level_follows_team:
        steps.append(change_step(ticket, "level", team.level))
        updates["level"] = team.level
    if owner is not None:
        open_steps, open_updates = _open_if_new(ticket, at)
        steps += open_steps
        updates |= open_updates
    ticket_write(ticket, actor=actor, steps=steps, updates=updates, at=at)
    return ticket


@transaction.atomic
def ticket_escalate(
    *,
    ticket: Ticket,
    actor: User,
    team: Team,
    mode: str,
    reason: str,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Ticket:
    """Escalate from level 1 to a level-2 team, as a transfer or as a referral (R8)."""
    ticket = ticket_lock(ticket, expected_version)
    permissions.check(actor, ticket, Action.ESCALATE)
    _require_active(ticket)
    reason = require_text(reason, field="reason", message=_("Say why the ticket is escalated."))
    if mode not in EscalationMode.values:
        raise ValidationError(_("Choose transfer or referral."), field="mode")
    if ticket.level != Level.L1:
        raise ValidationError(_("Only a level 1 ticket can be escalated to level 2."))
    if team.level != Level.L2:
        raise ValidationError(_("Choose a level 2 team."), field="team")
    at = at or timezone.now()
    steps = [
        Step(
            EventAction.ESCALATED,
            field="level",
            old=ticket.level,
            new=Level.L2,
            data={
                "to_level": Level.L2,
                "mode": mode,
                "team_id": team.pk,
                "team": team.name,
                "from_team_id": ticket.team_id,
                "from_owner_id": ticket.owner_id,
                "reason": reason,
            },
        )
    ]
    updates = {"level": Level.L2}
    if mode == EscalationMode.TRANSFER:
        steps += [change_step(ticket, "team", team), change_step(ticket, "owner", None)]
        updates |= {"team": team, "owner": None, "referral_team": None}
    else:
        steps.append(change_step(ticket, "referral_team", team))
        updates["referral_team"] = team
    open_steps, open_updates = _open_if_new(ticket, at)
    ticket_write(
        ticket,
        actor=actor,
        steps=[s for s in steps + open_steps if s],
        updates=updates | open_updates,
        at=at,
    )
    return ticket


@transaction.atomic
def ticket_escalate_to_vendor(
    *,
    ticket: Ticket,
    actor: User,
    vendor: Vendor,
    reason: str,
    reference: str = "",
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Ticket:
    """Hand the ticket to an outside vendor's second line (R10). Help desk only."""
    ticket = ticket_lock(ticket, expected_version)
    permissions.check(actor, ticket, Action.ESCALATE)
    _require_active(ticket)
    reason = require_text(reason, field="reason", message=_("Say why the ticket is escalated."))
    if ticket.level == Level.VENDOR:
        raise ValidationError(_("The ticket is already with a vendor."))
    transition_check(ticket, StateCategory.PENDING_VENDOR)
    at = at or timezone.now()
    state = state_default(StateCategory.PENDING_VENDOR)
    steps = [
        Step(
            EventAction.ESCALATED,
            field="level",
            old=ticket.level,
            new=Level.VENDOR,
            data={
                "to_level": Level.VENDOR,
                "from_level": ticket.level,
                "vendor_id": vendor.pk,
                "vendor": vendor.name,
                "reason": reason,
            },
        ),
        change_step(ticket, "vendor", vendor),
        change_step(ticket, "vendor_reference", reference.strip()),
        state_step(ticket, state),
    ]
    updates = {"level": Level.VENDOR, "vendor": vendor, "vendor_reference": reference.strip()}
    updates |= state_updates(ticket, state, at)
    ticket_write(ticket, actor=actor, steps=[s for s in steps if s], updates=updates, at=at)
    return ticket


@transaction.atomic
def ticket_hand_back(
    *,
    ticket: Ticket,
    actor: User,
    answer: str,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Ticket:
    """Return an escalated ticket to the level it came from, with an answer: vendor -> the
    help desk's level that escalated it, level 2 -> level 1. Only the level holding it hands
    it back (``permissions.hand_back_refusal``); a ticket that arrived at its level (a category
    routed straight to level 2) has no one to go back to."""
    ticket = ticket_lock(ticket, expected_version)
    permissions.check_hand_back(actor, ticket)
    escalation = permissions.escalations_held(ticket)[-1]
    _require_active(ticket)
    answer = require_text(answer, field="answer", message=_("Write the answer you hand back."))
    at = at or timezone.now()
    updates: dict = {}
    steps: list[Step | None] = []
    if ticket.level == Level.VENDOR:
        back_to = escalation.get("from_level") or Level.L1
        state = state_default(StateCategory.OPEN)
        steps.append(state_step(ticket, state))
        updates |= state_updates(ticket, state, at)
    else:  # level 2 (permissions.check_hand_back saw an escalation held)
        back_to = Level.L1
        if ticket.in_referral:
            steps.append(change_step(ticket, "referral_team", None))
            updates["referral_team"] = None
        else:
            team = Team.objects.filter(pk=escalation.get("from_team_id")).first()
            owner = User.objects.filter(pk=escalation.get("from_owner_id")).first()
            steps += [change_step(ticket, "team", team), change_step(ticket, "owner", owner)]
            updates |= {"team": team, "owner": owner}
    article = Article.objects.create(
        ticket=ticket,
        kind=ArticleKind.NOTE,
        sender_role=SenderRole.VENDOR if actor.is_vendor_agent else SenderRole.AGENT,
        vendor_id=actor.vendor_id if actor.is_vendor_agent else None,
        internal=True,
        author=actor,
        body=answer,
        created_at=at,
    )
    steps.insert(
        0,
        Step(
            EventAction.HANDED_BACK,
            field="level",
            old=ticket.level,
            new=back_to,
            data={"article_id": article.pk, "to_level": back_to, "internal": True},
        ),
    )
    updates["level"] = back_to
    ticket_write(ticket, actor=actor, steps=[s for s in steps if s], updates=updates, at=at)
    return ticket


@transaction.atomic
def ticket_forward(
    *,
    ticket: Ticket,
    actor: User,
    team: Team,
    reason: str,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Ticket:
    """Send the ticket to another team (another department) (R9)."""
    ticket = ticket_lock(ticket, expected_version)
    permissions.check(actor, ticket, Action.FORWARD)
    _require_active(ticket)
    reason = require_text(reason, field="reason", message=_("Say why the ticket is forwarded."))
    if team.pk == ticket.team_id:
        raise ValidationError(_("The ticket is already with that team."), field="team")
    if team.level not in (Level.L1, Level.L2):
        raise ValidationError(_("Choose a level 1 or level 2 team."), field="team")
    steps = [
        Step(
            EventAction.FORWARDED,
            field="team",
            old=ticket.team.name if ticket.team else "",
            new=team.name,
            data={"from_id": ticket.team_id, "to_id": team.pk, "reason": reason},
        ),
        change_step(ticket, "owner", None),
    ]
    updates = {"team": team, "owner": None}
    if ticket.level != Level.VENDOR and not ticket.in_referral:
        steps.append(change_step(ticket, "level", team.level))
        updates["level"] = team.level
    ticket_write(ticket, actor=actor, steps=[s for s in steps if s], updates=updates, at=at)
    return ticket


@transaction.atomic
def ticket_set_vendor_reference(
    *, ticket: Ticket, actor: User | None, reference: str, expected_version: int | None = None
) -> Ticket:
    """Record the vendor's own case number (from its first answer, or typed by an agent)."""
    ticket = ticket_lock(ticket, expected_version)
    permissions.check(
        actor, ticket, Action.ESCALATE if actor and actor.is_helpdesk else Action.NOTE
    )
    step = change_step(ticket, "vendor_reference", reference.strip()[:100])
    if step is None:
        return ticket
    ticket_write(
        ticket, actor=actor, steps=[step], updates={"vendor_reference": reference.strip()[:100]}
    )
    return ticket


@transaction.atomic
def ticket_set_delay_reason(
    *,
    ticket: Ticket,
    actor: User | None,
    reason: str,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Ticket:
    """Set why the ticket waits through no fault of the desk (R28), or clear it with ``""``.

    Help desk staff only. Recorded as a CHANGED event of the field ``delay_reason`` (old and
    new values are the stored codes); the sla app's handler pauses or resumes the clock on it.
    """
    reason = (reason or "").strip()
    if reason and reason not in DelayReason.values:
        raise ValidationError(_("Choose one of the offered delay reasons."), field="reason")
    ticket = ticket_lock(ticket, expected_version)
    permissions.check(actor, ticket, Action.QUALIFY)
    if actor is not None and not actor.is_helpdesk:  # QUALIFY is the help desk's already
        raise PermissionDeniedError(_("You are not allowed to do that on this ticket."))
    require_open(ticket)
    if reason and not ticket.is_active:
        raise ValidationError(_("Only an active ticket can wait for a reason."), field="reason")
    step = change_step(ticket, "delay_reason", reason)
    if step is None:
        return ticket
    ticket_write(ticket, actor=actor, steps=[step], updates={"delay_reason": reason}, at=at)
    return ticket
