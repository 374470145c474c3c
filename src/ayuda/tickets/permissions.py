"""Who may see and do what on a ticket (R27). Every view and service asks here."""

import copy
from enum import StrEnum

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from ayuda.accounts.models import Role, User
from ayuda.core.errors import PermissionDeniedError

from .models import Article, EventAction, Ticket, TicketEvent


class Action(StrEnum):
    VIEW = "view"
    CUSTOMER_REPLY = "customer_reply"
    REPLY = "reply"  # public reply by the help desk
    NOTE = "note"
    ASSIGN = "assign"
    QUALIFY = "qualify"  # category, type, priority
    CHANGE_STATE = "change_state"
    ESCALATE = "escalate"
    HAND_BACK = "hand_back"
    FORWARD = "forward"
    RESOLVE = "resolve"
    CLOSE = "close"
    REOPEN = "reopen"
    VIEW_HISTORY = "view_history"


HELPDESK_ACTIONS = frozenset(Action) - {Action.CUSTOMER_REPLY}
# The full history (with the help desk's internal reasons) is the help desk's audit record.
VENDOR_ACTIONS = frozenset({Action.VIEW, Action.NOTE, Action.HAND_BACK})
CUSTOMER_ACTIONS = frozenset({Action.VIEW, Action.CUSTOMER_REPLY})


def ticket_scope(user: User) -> Q | None:
    """The tickets a user may see, as a filter; None means every ticket."""
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    match user.role:
        case Role.AGENT_L1 | Role.AGENT_L2 | Role.MANAGER | Role.ADMIN:
            return None
        case Role.VENDOR_AGENT:
            return Q(vendor_id=user.vendor_id) if user.vendor_id else Q(pk__in=[])
        case Role.SITE_ADMIN:
            return Q(requester=user) | Q(
                site__in=user.sites.filter(organisation_id=user.organisation_id).values("pk")
            )
        case _:
            return Q(requester=user)


def ticket_visible_to(user: User) -> QuerySet[Ticket]:
    scope = ticket_scope(user)
    tickets = Ticket.objects.all()
    return tickets if scope is None else tickets.filter(scope)


def can_view(user: User, ticket: Ticket) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    scope = ticket_scope(user)
    if scope is None:
        return True
    if user.role == Role.REQUESTER:
        return ticket.requester_id == user.pk
    if user.role == Role.VENDOR_AGENT:
        return user.vendor_id is not None and ticket.vendor_id == user.vendor_id
    return Ticket.objects.filter(scope, pk=ticket.pk).exists()


def allowed_actions(user: User, ticket: Ticket) -> frozenset[Action]:
    if not can_view(user, ticket):
        return frozenset()
    if user.is_helpdesk:
        return HELPDESK_ACTIONS
    if user.is_vendor_agent:
        return VENDOR_ACTIONS
    return CUSTOMER_ACTIONS


def check(user: User | None, ticket: Ticket, action: Action) -> None:
    """Raise PermissionDeniedError unless ``user`` may do ``action`` on ``ticket``.

    ``user`` None means the system itself (a mail poller, a scheduled task).
    """
    if user is None:
        return
    if action not in allowed_actions(user, ticket):
        raise PermissionDeniedError(_("You are not allowed to do that on this ticket."))


def articles_visible_to(user: User, ticket: Ticket) -> QuerySet[Article]:
    articles = ticket.articles.all()
    if user.is_helpdesk:
        return articles
    if user.is_vendor_agent:
        # Public messages, and what this vendor itself wrote (never another vendor's).
        own = Q(vendor_id=user.vendor_id) if user.vendor_id else Q(pk__in=[])
        return articles.filter(Q(internal=False) | own)
    return articles.filter(internal=False)


def events_visible_to(
    user: User, events: list[TicketEvent], visible_article_ids: set[int]
) -> list[TicketEvent]:
    """The history a user reads on the ticket page. The help desk: all of it. A vendor agent:
    what happened to the ticket, but not the messages and files it may not read, nor the help
    desk's reasons (for a forward, an escalation to level 2, another vendor's escalation);
    the reason of its own escalation stays. Events are copied, never changed."""
    if user.is_helpdesk:
        return events
    if not user.is_vendor_agent:
        return []
    shown = []
    for event in events:
        data = event.data or {}
        article_id = data.get("article_id")
        if (
            event.action in (EventAction.ARTICLE_ADDED, EventAction.ATTACHMENT_ADDED)
            and article_id is not None
            and article_id not in visible_article_ids
        ):
            continue
        own_escalation = (
            event.action == EventAction.ESCALATED and data.get("vendor_id") == user.vendor_id
        )
        if "reason" in data and not own_escalation:
            event = copy.copy(event)
            event.data = {k: v for k, v in data.items() if k != "reason"}
        shown.append(event)
    return shown
