"""What a ticket event says to a subscription: its type and its JSON body (docs/webhooks.md).

The body is built once, when the delivery is planned, and stored: every attempt and replay
sends the same bytes. Its shape, Standard Webhooks' ``{"type", "timestamp", "data"}``:
``data.ticket`` is the ticket when the delivery was planned, ``data.event`` what happened.

What a subscription may read follows its owner (``tickets.permissions``): an administrator
reads what the help desk reads (internal notes included: the administrator chose to send
them); a customer's integration only what the customer reads in the portal: no internal note
or event about one, no escalation, reassignment, level, priority or vendor, no reasons.
"""

import json

from ayuda.accounts.models import User
from ayuda.tickets.models import Article, EventAction, Ticket, TicketEvent

from .models import EventType

BODY_MAX_CHARS = 16_000
# Fields of a "changed" event that a customer sees on the portal's ticket page.
CUSTOMER_FIELDS = frozenset({"type", "category"})


def event_type_of(event: TicketEvent) -> str | None:
    """The webhook event type of a ticket event, or None for one no webhook carries
    (resolved, closed, reopened ride on their state change; attachments on their message)."""
    match event.action:
        case EventAction.CREATED:
            return EventType.TICKET_CREATED
        case EventAction.ARTICLE_ADDED:
            return EventType.TICKET_MESSAGE_ADDED
        case EventAction.ESCALATED:
            return EventType.TICKET_ESCALATED
        case EventAction.CHANGED if event.field == "state":
            return EventType.TICKET_STATE_CHANGED
        case EventAction.CHANGED | EventAction.HANDED_BACK | EventAction.FORWARDED:
            return EventType.TICKET_UPDATED
    return None


def visible_to(owner: User, event: TicketEvent, event_type: str) -> bool:
    """Whether the owner of a subscription may hear of this event (its ticket's scope is
    checked by the planner)."""
    if owner.is_helpdesk:
        return True
    if not owner.is_customer:
        return False
    data = event.data or {}
    match event_type:
        case EventType.TICKET_CREATED | EventType.TICKET_STATE_CHANGED:
            return True
        case EventType.TICKET_MESSAGE_ADDED:
            return not data.get("internal", False)
        case EventType.TICKET_UPDATED:
            return event.action == EventAction.CHANGED and event.field in CUSTOMER_FIELDS
    return False


def _iso(value) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def _ticket(ticket: Ticket, *, helpdesk: bool) -> dict:
    data = {
        "id": ticket.pk,
        "number": ticket.number,
        "subject": ticket.subject,
        "state": ticket.state.name,
        "state_category": ticket.state_category,
        "type": ticket.type,
        "category_id": ticket.category_id,
        "organisation_id": ticket.organisation_id,
        "site_id": ticket.site_id,
        "requester_id": ticket.requester_id,
        "created_at": _iso(ticket.created_at),
        "updated_at": _iso(ticket.updated_at),
    }
    if helpdesk:
        data |= {
            "level": ticket.level,
            "priority": ticket.priority,
            "team_id": ticket.team_id,
            "owner_id": ticket.owner_id,
            "vendor_id": ticket.vendor_id,
        }
    return data


def _message(article: Article) -> dict:
    body = article.body
    return {
        "id": article.pk,
        "kind": article.kind,
        "sender_role": article.sender_role,
        "internal": article.internal,
        "author_id": article.author_id,
        "created_at": _iso(article.created_at),
        "body": body[:BODY_MAX_CHARS],
        "body_truncated": len(body) > BODY_MAX_CHARS,
        "attachments": [
            {"id": a.pk, "filename": a.filename, "content_type": a.content_type, "size": a.size}
            for a in article.attachments.order_by("pk")
        ],
    }


def _event(event: TicketEvent, *, helpdesk: bool, articles: dict[int, Article]) -> dict:
    data = event.data or {}
    out = {
        "id": event.pk,
        "seq": event.seq,
        "action": event.action,
        "at": _iso(event.at),
    }
    if event.field:
        out |= {"field": event.field, "old": event.old_value, "new": event.new_value}
    if event.action == EventAction.CHANGED and event.field == "state":
        out |= {"from_category": data.get("from_category"), "to_category": data.get("to_category")}
    if helpdesk:
        out["actor_id"] = event.actor_id
        for key in ("to_level", "from_level", "mode", "team_id", "vendor_id", "reason"):
            if key in data:
                out[key] = data[key]
    if event.action == EventAction.CREATED:
        out["channel"] = data.get("channel")
    article = articles.get(data.get("article_id"))
    if article is not None and (helpdesk or not article.internal):
        out["message"] = _message(article)
    return out


def body_build(
    *, event: TicketEvent, event_type: str, ticket: Ticket, owner: User, articles: dict
) -> str:
    """The JSON body for ``owner``'s subscription: compact, keys sorted, UTF-8."""
    helpdesk = owner.is_helpdesk
    payload = {
        "type": event_type,
        "timestamp": _iso(event.at),
        "data": {
            "ticket": _ticket(ticket, helpdesk=helpdesk),
            "event": _event(event, helpdesk=helpdesk, articles=articles),
        },
    }
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
