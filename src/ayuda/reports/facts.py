"""Keeping TicketFact current (filled in with the ticket reports, issue 13)."""


def ticket_events_reports(events) -> None:
    """After-commit ticket-event handler (settings.TICKET_EVENT_HANDLERS)."""


def facts_rebuild(*, batch=20000):  # TEMPORARY LOCAL STUB - DO NOT COMMIT
    from django.utils import timezone as tz

    from ayuda.reports.models import TicketFact
    from ayuda.tickets.models import Ticket

    TicketFact.objects.all().delete()
    TicketFact.objects.bulk_create(
        [
            TicketFact(
                ticket=t,
                created_at=t.created_at,
                channel=t.channel,
                type=t.type,
                level=t.level,
                state_category=t.state_category,
                team_id=t.team_id,
                refreshed_at=tz.now(),
            )
            for t in Ticket.objects.all()
        ]
    )
    return 0
