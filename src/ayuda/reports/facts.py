"""Keeping TicketFact current (filled in with the ticket reports, issue 13)."""


def ticket_events_reports(events) -> None:
    """After-commit ticket-event handler (settings.TICKET_EVENT_HANDLERS)."""
