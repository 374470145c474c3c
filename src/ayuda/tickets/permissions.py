"""Who may see and do what on a ticket (R27). Every view and service asks here."""

import copy
from enum import StrEnum

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from ayuda.accounts.models import Level, Organisation, Role, User
from ayuda.core.errors import AyudaError, PermissionDeniedError, ValidationError

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
READ_ONLY = frozenset({Action.VIEW})


NOTHING = Q(pk__in=[])


def _with_vendor(vendor_id: int) -> Q:
    """Escalated to the vendor now: at the vendor level, with this vendor (``vendor_now``, a
    generated column, and its index tk_vendor_now)."""
    return Q(vendor_now=vendor_id)


def _worked_on(vendor_id: int) -> Q:
    """Tickets the vendor wrote on (its notes, its mail, its hand-back answer), whoever has
    them now (article_vendor_ticket)."""
    return Q(pk__in=Article.objects.filter(vendor_id=vendor_id).values("ticket_id"))


def vendor_tickets(user: User, *, earlier: bool = False) -> Q:
    """A vendor agent's queue: the tickets escalated to its vendor now or, with ``earlier``,
    the ones it worked on that are no longer with it (read-only, see ``allowed_actions``)."""
    if not user.is_authenticated or not user.is_active or not user.vendor_id:
        return NOTHING
    if earlier:
        # NULL-safe: "not with this vendor now" includes tickets with no vendor now.
        not_now = Q(vendor_now__isnull=True) | ~Q(vendor_now=user.vendor_id)
        return _worked_on(user.vendor_id) & not_now
    return _with_vendor(user.vendor_id)


def is_with_vendor_of(user: User, ticket: Ticket) -> bool:
    """The ticket is escalated to ``user``'s vendor now (the vendor may work on it)."""
    return (
        user.vendor_id is not None
        and ticket.level == Level.VENDOR
        and ticket.vendor_id == user.vendor_id
    )


def ticket_scope(user: User) -> Q | None:
    """The tickets a user may see, as a filter; None means every ticket."""
    if not user.is_authenticated or not user.is_active:
        return NOTHING
    match user.role:
        case Role.AGENT_L1 | Role.AGENT_L2 | Role.MANAGER | Role.ADMIN:
            return None
        case Role.VENDOR_AGENT:
            if not user.vendor_id:
                return NOTHING
            return _with_vendor(user.vendor_id) | _worked_on(user.vendor_id)
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
        if user.vendor_id is None:
            return False
        return (
            is_with_vendor_of(user, ticket)
            or Article.objects.filter(ticket_id=ticket.pk, vendor_id=user.vendor_id).exists()
        )
    return Ticket.objects.filter(scope, pk=ticket.pk).exists()


def escalations_held(ticket: Ticket, *, events: list[TicketEvent] | None = None) -> list[dict]:
    """The escalations that brought ``ticket`` to the level it is at, innermost last (the data
    of their ``ESCALATED`` events). Read from the level's history: an escalation pushes, a
    hand-back pops, any other change of level (an assignment or a forward to another level's
    team) starts afresh. Empty when the ticket arrived at its level (the front line, or a
    category routed straight to level 2): there is then no one to hand it back to.

    One query, kept on the ticket for its current version; none when ``events`` (the
    ticket's whole history, in order, as the ticket page already loads it) is given."""
    if ticket.level not in (Level.L2, Level.VENDOR):
        return []
    key = (ticket.pk, ticket.version, ticket.level)
    cached = ticket.__dict__.get("_escalations_held")
    if events is None and cached is not None and cached[0] == key:
        return cached[1]
    if events is not None:
        rows = [(e.action, e.data) for e in events if e.field == "level"]
    else:
        rows = (
            TicketEvent.objects.filter(ticket_id=ticket.pk, field="level")
            .order_by("seq")
            .values_list("action", "data")
        )
    held: list[dict] = []
    for action, data in rows:
        if action == EventAction.ESCALATED:
            held.append(data or {})
        elif action == EventAction.HANDED_BACK:
            held = held[:-1]
        else:
            held = []
    ticket.__dict__["_escalations_held"] = (key, held)
    return held


# Who may hand back a ticket held at each level, besides the vendor's own agents.
_HAND_BACK_ROLES = {
    Level.L1: frozenset({Role.AGENT_L1, Role.MANAGER, Role.ADMIN}),
    Level.L2: frozenset({Role.AGENT_L2, Role.MANAGER, Role.ADMIN}),
}


def hand_back_refusal(user: User, ticket: Ticket) -> AyudaError | None:
    """Why ``user`` may not hand ``ticket`` back now, or None when they may.

    Only an escalated ticket goes back, and only by the level holding it: level 2 staff for a
    ticket escalated to level 2, the vendor's agents for a ticket with their vendor. The help
    desk may also take a ticket back from a vendor with the vendor's answer (a vendor without
    an account answers by mail), by the level that escalated it. Managers and administrators
    act for every level."""
    if user.is_vendor_agent:
        if is_with_vendor_of(user, ticket):
            return None
        return PermissionDeniedError(_("You are not allowed to do that on this ticket."))
    if not user.is_helpdesk:
        return PermissionDeniedError(_("You are not allowed to do that on this ticket."))
    if ticket.level == Level.L2 and user.role not in _HAND_BACK_ROLES[Level.L2]:
        return PermissionDeniedError(_("Only level 2 hands this ticket back."))  # no query
    held = escalations_held(ticket)
    if not held:
        if ticket.level == Level.L2:
            return ValidationError(
                _(
                    "This ticket came to level 2 without an escalation: there is no one to "
                    "hand it back to."
                )
            )
        return ValidationError(_("There is no lower level to hand this ticket back to."))
    if ticket.level == Level.VENDOR:
        from_level = held[-1].get("from_level") or Level.L1
        if user.role not in _HAND_BACK_ROLES.get(from_level, _HAND_BACK_ROLES[Level.L1]):
            return PermissionDeniedError(
                _("Only the vendor, or the level that escalated the ticket to it, hands it back.")
            )
    return None  # the vendor's escalating level, or level 2 staff on a ticket escalated there


def allowed_actions(user: User, ticket: Ticket) -> frozenset[Action]:
    if not can_view(user, ticket):
        return frozenset()
    if user.is_helpdesk:
        actions = HELPDESK_ACTIONS
    elif user.is_vendor_agent:
        # Handed back (or now with another vendor): what it wrote stays readable, nothing more.
        actions = VENDOR_ACTIONS if is_with_vendor_of(user, ticket) else READ_ONLY
    else:
        return CUSTOMER_ACTIONS
    if Action.HAND_BACK in actions and hand_back_refusal(user, ticket) is not None:
        actions = actions - {Action.HAND_BACK}
    return actions


def contact_visible(user: User, organisation: Organisation | None) -> bool:
    """Whether ``user`` may read the e-mail addresses and phone numbers of the requesters of
    ``organisation`` (a ticket's). The help desk may; a vendor agent only where the
    organisation shares them (``Organisation.share_contact_with_vendors``)."""
    if not user.is_vendor_agent:
        return True
    return organisation is not None and organisation.share_contact_with_vendors


def check(user: User | None, ticket: Ticket, action: Action) -> None:
    """Raise PermissionDeniedError unless ``user`` may do ``action`` on ``ticket``.

    ``user`` None means the system itself (a mail poller, a scheduled task).
    """
    if user is None:
        return
    if action not in allowed_actions(user, ticket):
        raise PermissionDeniedError(_("You are not allowed to do that on this ticket."))


def check_hand_back(user: User | None, ticket: Ticket) -> None:
    """Raise, with the reason, unless ``user`` may hand ``ticket`` back now (see
    ``hand_back_refusal``); someone who may not see the ticket learns nothing more."""
    if user is not None:
        check(user, ticket, Action.VIEW)
        refusal = hand_back_refusal(user, ticket)
    elif not escalations_held(ticket):
        refusal = ValidationError(_("There is no lower level to hand this ticket back to."))
    else:
        refusal = None
    if refusal is not None:
        raise refusal


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
    desk's reasons (for a forward, an escalation to level 2, another vendor's escalation),
    nor another vendor's case number; the reason of its own escalation stays. Events are
    copied, never changed."""
    if user.is_helpdesk:
        return events
    if not user.is_vendor_agent:
        return []
    shown = []
    with_vendor = None  # whose case the ticket was at each event, for its case numbers
    for event in events:
        data = event.data or {}
        if event.action == EventAction.ESCALATED and data.get("to_level") == Level.VENDOR:
            with_vendor = data.get("vendor_id")
        if event.field == "vendor_reference" and with_vendor != user.vendor_id:
            continue  # another vendor's case number is its side
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
