"""Reactions to ticket events, called after commit in the order set in settings.

The handler runs in the request's thread, so it only enqueues: one task per ticket write,
carrying the event numbers. Deciding, rendering and sending happen in a worker.
"""

import logging

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
