"""The periodic check (R22, R23): warnings and breaches of the targets whose time has come.

It reads only the targets whose ``warn_at`` or ``due_at`` has passed, through the partial
indexes ``sla_target_warn`` and ``sla_target_due`` (a range scan, at most ``limit`` rows a
run), and claims each with a conditional UPDATE ... RETURNING: the row is claimed by whoever
sets ``warned_at`` / ``breached_at`` first, so a warning or a breach is handled once even if the
task runs twice or two workers run it at the same time. Then it runs the policy's actions.
"""

import logging
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from ayuda.accounts.models import Level
from ayuda.core.errors import PermissionDeniedError, ValidationError
from ayuda.tickets.models import EscalationMode, Priority, Ticket

from .alerts import alert_users, recipients_for
from .calendars import business_minutes
from .models import Side, SlaAction, SlaEvent, SlaEventKind, SlaTarget, TargetKind
from .services import rows_update

logger = logging.getLogger(__name__)

LIMIT = 1000
STALE = timedelta(hours=24)
TICKET_TEXTS = ("description", "solution", "extra", "steps_to_reproduce", "url", "browser")

_CLAIM_WARN = """
UPDATE sla_slatarget SET warned_at = %s
WHERE id IN (
    SELECT id FROM sla_slatarget
    WHERE met_at IS NULL AND warned_at IS NULL AND warn_at <= %s
    ORDER BY warn_at LIMIT %s
) AND warned_at IS NULL AND met_at IS NULL
RETURNING id
"""

_CLAIM_BREACH = """
UPDATE sla_slatarget SET breached_at = due_at
WHERE id IN (
    SELECT id FROM sla_slatarget
    WHERE met_at IS NULL AND breached_at IS NULL AND due_at <= %s
    ORDER BY due_at LIMIT %s
) AND breached_at IS NULL AND met_at IS NULL AND due_at <= %s
RETURNING id
"""


ACTIONS_CHUNK = 100  # targets whose actions one ``sla_actions`` task runs


def _claim(sql: str, params: list) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def sla_check(*, now: datetime | None = None, limit: int = LIMIT) -> dict:
    """One run: claim and handle due warnings, then breaches. Returns the counts."""
    now = now or timezone.now()
    with transaction.atomic():
        warned = _claim(_CLAIM_WARN, [now, now, limit])
    with transaction.atomic():
        breached = _claim(_CLAIM_BREACH, [now, limit, now])
    if warned:
        _handle(warned, now=now, breach=False)
    if breached:
        _handle(breached, now=now, breach=True)
    return {"warned": len(warned), "breached": len(breached)}


def _handle(ids: list[int], *, now: datetime, breach: bool) -> None:
    targets = list(
        SlaTarget.objects.filter(pk__in=ids)
        .select_related("clock__policy__calendar", "clock__ticket__owner")
        # the ticket's long texts stay in the database
        .defer(*(f"clock__ticket__{name}" for name in TICKET_TEXTS))
        .order_by("pk")
    )
    events, late = [], []
    for target in targets:
        clock = target.clock
        kind = SlaEventKind.BREACHED if breach else SlaEventKind.WARNED
        data = {"due": target.due_at.isoformat() if target.due_at else None}
        if breach:
            calendar = clock.policy.calendar if clock.policy else None
            target.late_minutes = business_minutes(calendar, target.due_at, now)
            late.append(target)
            data["late"] = target.late_minutes
        events.append(SlaEvent(clock=clock, at=now, kind=kind, target=target.kind, data=data))
    SlaEvent.objects.bulk_create(events)
    if late:
        rows_update(SlaTarget, ["late_minutes"], [(t.pk, t.late_minutes) for t in late])
        # the tickets' first desk breach, in one UPDATE
        first_breach = (
            SlaTarget.objects.filter(
                clock__ticket=OuterRef("pk"), clock__side=Side.DESK, breached_at__isnull=False
            )
            .order_by("breached_at")
            .values("breached_at")[:1]
        )
        Ticket.objects.filter(
            pk__in={t.clock.ticket_id for t in late if t.clock.side == Side.DESK},
            sla_breached_at__isnull=True,
        ).update(sla_breached_at=Subquery(first_breach))
    due = [t.pk for t in targets if not _skip_actions(t, breach=breach, now=now)]
    # The actions (mail, in-app alerts, priority, escalation) run in tasks of ACTIONS_CHUNK
    # targets, so one check stays short however many targets fall due at once (a thousand
    # owners mailed took 2.7 s inline: docs/performance.md).
    for start in range(0, len(due), ACTIONS_CHUNK):
        chunk = due[start : start + ACTIONS_CHUNK]
        try:
            from .tasks import sla_actions

            sla_actions.delay(chunk, breach, now.isoformat())
        except Exception:  # a broker outage: run them here rather than lose them
            logger.exception("Could not enqueue service-level actions; running them now")
            targets_actions_run(chunk, breach=breach, now=now)


def targets_actions_run(ids: list[int], *, breach: bool, now: datetime) -> int:
    """Run the actions of these claimed targets (the ``sla_actions`` task). Returns how many."""
    targets = (
        SlaTarget.objects.filter(pk__in=ids)
        .select_related("clock__policy", "clock__ticket__owner")
        .defer(*(f"clock__ticket__{name}" for name in TICKET_TEXTS))
        .order_by("pk")
    )
    done = 0
    for target in targets:
        try:
            target_actions_run(target=target, breach=breach, now=now)
            done += 1
        except Exception:
            logger.exception("Service-level actions for target %s failed", target.pk)
    return done


def _skip_actions(target: SlaTarget, *, breach: bool, now: datetime) -> bool:
    """No warning actions for a target already past due (its breach follows in this run),
    and no actions for a breach older than ``STALE`` (after an outage of the worker, or a
    history loaded in the past like the demo's): recorded, nobody alerted."""
    if target.due_at is None:
        return True
    if not breach:
        return target.due_at <= now
    return target.due_at < now - STALE


def target_actions_run(*, target: SlaTarget, breach: bool, now: datetime) -> None:
    """The policy's actions for a claimed warning or breach, and the courtesy update."""
    from .courtesy import courtesy_update

    clock, policy = target.clock, target.clock.policy
    if policy is None:
        return
    ticket = clock.ticket
    if not breach and target.kind == TargetKind.NEXT_UPDATE and clock.side == Side.DESK:
        courtesy_update(target=target, now=now)
    actions = policy.on_breach if breach else policy.on_warning
    kind = "sla_breach" if breach else "sla_warning"
    # The keys notifications.inapp reads to write the line (and to tell repeats apart).
    data = {"target": target.kind, "due_at": target.due_at.isoformat() if target.due_at else None}
    notified: set[int] = set()
    for action in actions:
        if action in (
            SlaAction.NOTIFY_OWNER,
            SlaAction.NOTIFY_TEAM_LEAD,
            SlaAction.NOTIFY_MANAGER,
        ):
            users = recipients_for(ticket=ticket, action=action)
            users = [u for u in users if u.pk not in notified]
            notified |= {u.pk for u in users}
            alert_users(recipients=users, kind=kind, ticket=ticket, data=data)
        elif action == SlaAction.RAISE_PRIORITY:
            _raise_priority(target=target, now=now)
        elif action == SlaAction.ESCALATE:
            _escalate(target=target, now=now)


def _note(target: SlaTarget, now: datetime, breach: bool, **data) -> None:
    SlaEvent.objects.create(
        clock=target.clock,
        at=now,
        kind=SlaEventKind.BREACHED if breach else SlaEventKind.WARNED,
        target=target.kind,
        data=data,
    )


def _raise_priority(*, target: SlaTarget, now: datetime) -> None:
    from ayuda.tickets.services import ticket_qualify

    ticket = Ticket.objects.get(pk=target.clock.ticket_id)
    if ticket.priority >= Priority.URGENT:
        _note(target, now, bool(target.breached_at), action="raise_priority", skipped="urgent")
        return
    try:
        ticket_qualify(
            ticket=ticket,
            actor=None,
            category=ticket.category,
            type=ticket.type,
            priority=ticket.priority + 1,
        )
    except (ValidationError, PermissionDeniedError) as error:
        _note(target, now, bool(target.breached_at), action="raise_priority", skipped=str(error))


def _escalate(*, target: SlaTarget, now: datetime) -> None:
    """Level 1 -> the category's level 2 team (a transfer), by the system."""
    from ayuda.tickets.services import ticket_escalate

    ticket = Ticket.objects.select_related("category__default_team").get(pk=target.clock.ticket_id)
    team = ticket.category.default_team if ticket.category else None
    breach = bool(target.breached_at)
    if ticket.level != Level.L1 or team is None or team.level != Level.L2:
        _note(target, now, breach, action="escalate", skipped="no_next_level")
        return
    try:
        ticket_escalate(
            ticket=ticket,
            actor=None,
            team=team,
            mode=EscalationMode.TRANSFER,
            reason=_("Service level: the %(target)s target is at risk or missed.")
            % {"target": TargetKind(target.kind).label},
        )
    except (ValidationError, PermissionDeniedError) as error:
        _note(target, now, breach, action="escalate", skipped=str(error))
