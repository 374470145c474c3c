"""The after-commit ticket-event handler that drives the service-level clocks (first in
settings.TICKET_EVENT_HANDLERS, so the due times are there before anything notifies)."""

import logging
from collections import defaultdict

from .services import sla_events_apply

logger = logging.getLogger(__name__)


def ticket_events_sla(events) -> None:
    """Apply each ticket's events to its clocks; one ticket failing doesn't stop the others
    (and never the request: this runs after the commit)."""
    by_ticket = defaultdict(list)
    for event in events:
        by_ticket[event.ticket_id].append(event)
    for ticket_id, ticket_events in by_ticket.items():
        try:
            sla_events_apply(ticket_id=ticket_id, events=ticket_events)
        except Exception:
            logger.exception("Service-level clocks of ticket %s not updated", ticket_id)
