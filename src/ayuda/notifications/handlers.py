"""Reactions to ticket events, called after commit in the order set in settings.

The handler runs in the request's thread, so it only enqueues: one task per ticket write,
carrying the event numbers. Deciding, rendering and sending happen in a worker.
"""

import logging

from django.db.models import Q

from ayuda.tickets.models import EventAction

logger = logging.getLogger(__name__)

NOTIFYING_ACTIONS = {
    EventAction.CREATED,
    EventAction.ARTICLE_ADDED,
    EventAction.CHANGED,
    EventAction.ESCALATED,
}


def notifying(event) -> bool:
    """Whether an event can lead to a mail at all (the rest is decided by the planner)."""
    if event.action not in NOTIFYING_ACTIONS:
        return False
    if event.action == EventAction.CHANGED:
        return event.field == "state"
    if event.action in (EventAction.CREATED, EventAction.ARTICLE_ADDED):
        return not (event.data or {}).get("internal", False)
    return (event.data or {}).get("to_level") == "vendor"


def ticket_events_notify(events) -> None:
    relevant = [e for e in events if notifying(e)]
    if not relevant:
        return
    from .tasks import notify_ticket_events

    by_ticket: dict[int, list[int]] = {}
    for event in relevant:
        by_ticket.setdefault(event.ticket_id, []).append(event.seq)
    for ticket_id, seqs in by_ticket.items():
        try:
            notify_ticket_events.delay(ticket_id, seqs)
        except Exception:  # a broker outage must not break the request that changed the ticket
            logger.exception("Could not enqueue notifications for ticket %s", ticket_id)


def ticket_events_inapp(events) -> None:
    """Agents' alerts for a ticket write (R23): the new owner of an assignment, the members of
    the team a ticket is escalated or forwarded to, the owner of a ticket the customer wrote on.
    Never the agent who did it. A few queries per write; a failure is logged, never raised."""
    try:
        _inapp_plan(events)
    except Exception:
        logger.exception("Could not record in-app notifications")


def _inapp_plan(events) -> None:
    from ayuda.accounts.models import Level, User
    from ayuda.tickets.models import SenderRole, Ticket

    from .inapp import notify
    from .models import NotificationKind

    wanted = []  # (event, kind, user ids or "owner" or None, team id or None, data)
    for event in events:
        data = event.data or {}
        base = {"seq": event.seq, "actor_id": event.actor_id}
        if event.action == EventAction.CHANGED and event.field == "owner" and data.get("to_id"):
            if data["to_id"] != event.actor_id:
                wanted.append((event, NotificationKind.ASSIGNED, {data["to_id"]}, None, base))
        elif event.action == EventAction.ESCALATED and data.get("to_level") == Level.L2:
            if data.get("team_id"):
                extra = {"team": data.get("team", ""), "team_id": data["team_id"]}
                wanted.append(
                    (event, NotificationKind.TEAM_ESCALATION, None, data["team_id"], base | extra)
                )
        elif event.action == EventAction.FORWARDED and data.get("to_id"):
            extra = {"team": event.new_value, "team_id": data["to_id"], "forwarded": True}
            wanted.append(
                (event, NotificationKind.TEAM_ESCALATION, None, data["to_id"], base | extra)
            )
        elif (
            event.action == EventAction.ARTICLE_ADDED
            and data.get("sender_role") == SenderRole.CUSTOMER
            and not data.get("internal")
        ):
            wanted.append((event, NotificationKind.CUSTOMER_REPLIED, "owner", None, base))
    if not wanted:
        return
    ticket = Ticket.objects.filter(pk=events[0].ticket_id).first()
    if ticket is None:
        return
    user_ids: set[int] = set()
    for _event, _kind, who, _team, _data in wanted:
        if who == "owner":
            user_ids.add(ticket.owner_id)
        elif who:
            user_ids |= who
    team_ids = {team for _event, _kind, _who, team, _data in wanted if team is not None}
    users = User.objects.filter(Q(pk__in=user_ids - {None}) | Q(teams__in=team_ids)).distinct()
    users = list(users.prefetch_related("teams") if team_ids else users)
    for event, kind, who, team_id, data in wanted:
        if who == "owner":
            ids = {ticket.owner_id} if ticket.owner_id else set()
        elif who is not None:
            ids = set(who)
        else:
            ids = {u.pk for u in users if any(t.pk == team_id for t in u.teams.all())}
        ids.discard(event.actor_id)
        recipients = [u for u in users if u.pk in ids]
        if recipients:
            notify(recipients=recipients, kind=kind, ticket=ticket, data=data)
