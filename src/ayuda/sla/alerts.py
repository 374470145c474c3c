"""Alerts to agents (R23): through the in-app notifications when that app is installed.

``alert_users`` is the one place the SLA code notifies people; ``recipients_for`` decides who.
"""

import logging
from collections.abc import Iterable

from ayuda.accounts.models import Role, User
from ayuda.tickets.models import Ticket

from .models import SlaAction

logger = logging.getLogger(__name__)


def recipients_for(*, ticket: Ticket, action: str) -> list[User]:
    """Who an SLA action notifies. A team lead is a manager who is a member of the ticket's
    team (no separate flag); the managers are all active managers."""
    if action == SlaAction.NOTIFY_OWNER:
        owner = ticket.owner
        return [owner] if owner is not None and owner.is_active else []
    if action == SlaAction.NOTIFY_TEAM_LEAD:
        if ticket.team_id is None:
            return []
        return list(
            User.objects.filter(teams=ticket.team_id, role=Role.MANAGER, is_active=True).order_by(
                "pk"
            )
        )
    if action == SlaAction.NOTIFY_MANAGER:
        return list(User.objects.filter(role=Role.MANAGER, is_active=True).order_by("pk"))
    return []


def alert_users(
    *, recipients: Iterable[User], kind: str, ticket: Ticket | None = None, data: dict | None = None
) -> int:
    """Notify ``recipients`` in-app; nothing when the notifications app is not there."""
    recipients = list(recipients)
    if not recipients:
        return 0
    try:
        from ayuda.notifications.inapp import notify
    except ImportError:
        return 0
    return notify(recipients=recipients, kind=kind, ticket=ticket, data=data or {})
