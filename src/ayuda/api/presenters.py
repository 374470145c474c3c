"""Tickets, messages and events as the API shows them to one user: what the web pages show
that user, no more (vendor agents: no owner, no other vendor, contact details only where the
organisation shares them, ``permissions.contact_visible``)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from ayuda.accounts.models import User
from ayuda.tickets.models import Article, Ticket, TicketEvent
from ayuda.tickets.permissions import allowed_actions, contact_visible
from ayuda.tickets.services.lifecycle import ENVIRONMENT_FIELDS


def ref(obj, name: str | None = None) -> dict | None:
    return None if obj is None else {"id": obj.pk, "name": name or str(obj)}


def person(user: User | None, *, contact: bool = True) -> dict | None:
    if user is None:
        return None
    if contact or not user.is_customer:
        return {"id": user.pk, "name": user.display_name(), "email": user.email or None}
    name = user.get_full_name()
    return {"id": user.pk, "name": name if name and "@" not in name else _("Customer")}


class TicketPresenter:
    """Per request: remembers the contact rule per organisation (one answer per list)."""

    def __init__(self, user: User) -> None:
        self.user = user
        self._contact: dict[int | None, bool] = {}

    def contact(self, ticket: Ticket) -> bool:
        key = ticket.organisation_id
        if key not in self._contact:
            self._contact[key] = contact_visible(self.user, ticket.organisation)
        return self._contact[key]

    def line(self, ticket: Ticket) -> dict:
        vendor = self.user.is_vendor_agent
        return {
            "id": ticket.pk,
            "subject": ticket.subject,
            "type": ticket.type,
            "channel": ticket.channel,
            "state": {
                "id": ticket.state.pk,
                "name": str(ticket.state),
                "category": ticket.state_category,
            },
            "priority": ticket.priority,
            "level": ticket.level,
            "category": ref(ticket.category),
            "team": ref(ticket.team),
            "owner": None if vendor else person(ticket.owner),
            "requester": person(ticket.requester, contact=self.contact(ticket)),
            "organisation": ref(ticket.organisation),
            # A site's str() names its organisation too (a query per site): the name alone.
            "site": ref(ticket.site, ticket.site and ticket.site.name),
            "created_at": ticket.created_at,
            "resolved_at": ticket.resolved_at,
            "closed_at": ticket.closed_at,
            # Service levels (R22): our due times are the help desk's; a vendor agent reads
            # its own vendor's due time only.
            "delay_reason": ticket.delay_reason,
            "sla_due_at": None if vendor else ticket.sla_due_at,
            "sla_breached_at": None if vendor else ticket.sla_breached_at,
            "vendor_due_at": ticket.vendor_due_at
            if not vendor or ticket.vendor_id == self.user.vendor_id
            else None,
            "url": reverse("api-v1:ticket_get", kwargs={"ticket_id": ticket.pk}),
        }

    def detail(self, ticket: Ticket) -> dict:
        user = self.user
        own_vendor = not user.is_vendor_agent or ticket.vendor_id == user.vendor_id
        return self.line(ticket) | {
            "description": ticket.description,
            "vendor": ref(ticket.vendor) if own_vendor else None,
            "vendor_reference": ticket.vendor_reference if own_vendor else "",
            "referral_team": ref(ticket.referral_team),
            "solution": ticket.solution,
            "extra": ticket.extra or {},
            "environment": {
                name: getattr(ticket, name) for name in ENVIRONMENT_FIELDS if getattr(ticket, name)
            },
            **{
                name: None if user.is_vendor_agent else getattr(ticket, name)
                for name in ("first_response_due_at", "next_update_due_at", "resolution_due_at")
            },
            "updated_at": ticket.updated_at,
            "version": ticket.version,
            "actions": sorted(str(a) for a in allowed_actions(user, ticket)),
        }

    def article(self, article: Article, ticket: Ticket) -> dict:
        contact = self.contact(ticket)
        return {
            "id": article.pk,
            "kind": article.kind,
            "sender_role": article.sender_role,
            "internal": article.internal,
            "author": person(article.author, contact=contact),
            "body": article.body,
            "created_at": article.created_at,
            "attachments": [
                {
                    "id": a.pk,
                    "filename": a.filename,
                    "content_type": a.content_type,
                    "size": a.size,
                    "url": reverse("api-v1:attachment_download", kwargs={"attachment_id": a.pk}),
                }
                for a in article.attachments.all()
            ],
        }


def event(event: TicketEvent, *, contact: bool = True) -> dict:
    """An event of the history feed; without ``contact`` (a vendor, an organisation that does
    not share contact details) a customer actor is named as ``person`` names them."""
    actor = None if event.actor is None else person(event.actor, contact=contact)
    return {
        "id": event.pk,
        "ticket_id": event.ticket_id,
        "seq": event.seq,
        "at": event.at,
        "action": event.action,
        "field": event.field,
        "old_value": event.old_value,
        "new_value": event.new_value,
        "actor": None if actor is None else {"id": actor["id"], "name": actor["name"]},
        "data": event.data or {},
    }
