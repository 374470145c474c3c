"""Contacts an agent logs: phone calls and walk-ins, every one recorded (R3)."""

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from ayuda.accounts.models import Site, User
from ayuda.core.errors import PermissionDeniedError, ValidationError

from ..models import Category, Channel, Priority, Ticket, TicketType
from .lifecycle import ticket_create, ticket_resolve

CONTACT_CHANNELS = (Channel.PHONE, Channel.WALK_IN)


@transaction.atomic
def contact_log(
    *,
    actor: User,
    requester: User,
    channel: str,
    subject: str,
    description: str,
    type: str = TicketType.SERVICE_REQUEST,
    category: Category | None = None,
    priority: int = Priority.NORMAL,
    site: Site | None = None,
    resolve_now: bool = False,
    solution: str = "",
    at: datetime | None = None,
) -> Ticket:
    """Record a phone call or walk-in as a ticket; with ``resolve_now``, log and resolve in one
    step (a general question answered on the spot)."""
    if not actor.is_helpdesk:
        raise PermissionDeniedError(_("Only help desk staff log contacts."))
    if channel not in CONTACT_CHANNELS:
        raise ValidationError(_("A contact is a phone call or a walk-in."), field="channel")
    if not requester.is_customer:
        raise ValidationError(_("Choose the customer who contacted you."), field="requester")
    if resolve_now and not solution.strip():
        raise ValidationError(
            _("Write the answer you gave to log and resolve in one step."), field="solution"
        )
    ticket = ticket_create(
        requester=requester,
        subject=subject,
        description=description,
        channel=channel,
        actor=actor,
        type=type,
        category=category,
        priority=priority,
        site=site,
        at=at,
    )
    if resolve_now:
        ticket = ticket_resolve(ticket=ticket, actor=actor, solution=solution, at=at)
    return ticket
