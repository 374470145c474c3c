"""Rows for the service-level views' tests, written directly: the clocks and due times are
``sla.services``' to compute; the views only read them."""

from datetime import datetime

from ayuda.sla.models import (
    Calendar,
    ClockState,
    Side,
    SlaClock,
    SlaEvent,
    SlaPolicy,
    SlaTarget,
)
from ayuda.tickets.models import Ticket


def calendar_make(**kwargs) -> Calendar:
    kwargs.setdefault("name", "24x7")
    kwargs.setdefault("always_open", True)
    return Calendar.objects.get_or_create(name=kwargs.pop("name"), defaults=kwargs)[0]


def policy_make(**kwargs) -> SlaPolicy:
    kwargs.setdefault("name", "Standard")
    kwargs.setdefault("calendar", calendar_make())
    kwargs.setdefault("first_response_minutes", 60)
    kwargs.setdefault("resolution_minutes", 480)
    return SlaPolicy.objects.create(**kwargs)


def clock_make(
    ticket: Ticket, *, started_at: datetime, side: str = Side.DESK, **kwargs
) -> SlaClock:
    kwargs.setdefault("state", ClockState.RUNNING)
    if kwargs["state"] != ClockState.STOPPED:  # replace the live clock the handler started
        SlaClock.objects.filter(ticket=ticket, side=side).exclude(state=ClockState.STOPPED).delete()
    return SlaClock.objects.create(ticket=ticket, side=side, started_at=started_at, **kwargs)


def target_make(clock: SlaClock, kind: str, **kwargs) -> SlaTarget:
    kwargs.setdefault("minutes", 60)
    return SlaTarget.objects.create(clock=clock, kind=kind, **kwargs)


def event_make(clock: SlaClock, kind: str, at: datetime, **kwargs) -> SlaEvent:
    return SlaEvent.objects.create(clock=clock, kind=kind, at=at, **kwargs)


def ticket_due(ticket: Ticket, **fields) -> Ticket:
    """Set a ticket's due fields (``sla_due_at``, ``sla_breached_at``, ...) as the sla app
    would, without touching its history."""
    Ticket.objects.filter(pk=ticket.pk).update(**fields)
    ticket.refresh_from_db()
    return ticket
