"""Reads: the queue with keyset pagination, a permission-checked ticket, its timeline (R16)."""

import base64
import binascii
import re
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Case, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.http import Http404
from django.utils.dateparse import parse_datetime

from ayuda.accounts.models import Role, User

from .models import (
    ACTIVE,
    ACTIVE_CATEGORIES,
    Article,
    ArticleKind,
    Attachment,
    EventAction,
    StateCategory,
    Ticket,
    TicketEvent,
)
from .permissions import (
    articles_visible_to,
    escalations_held,
    events_visible_to,
    ticket_scope,
    ticket_visible_to,
    vendor_tickets,
)

PAGE_SIZE = 50
QUEUE_COLUMNS_DEFERRED = ("description", "steps_to_reproduce", "solution", "extra")
QUEUE_PREFETCH = ("team", "owner", "category__parent", "site", "organisation")
# What a queue line shows: with ``related=False`` the queue loads only these columns.
QUEUE_LINE_FIELDS = (
    "subject",
    "type",
    "channel",
    "state_category",
    "priority",
    "level",
    "created_at",
    "resolved_at",
    "closed_at",
    "state_id",
    "category_id",
    "team_id",
    "owner_id",
    "requester_id",
    "organisation_id",
    "site_id",
    # The "due" badge (R22) from the row alone.
    "sla_due_at",
    "sla_breached_at",
    "sla_policy_id",
    "delay_reason",
)
REQUESTER_NAME_FIELDS = ("id", "first_name", "last_name", "email", "username", "role")
NUMBER = re.compile(r"^#?\s*(\d{1,12})$")


@dataclass(frozen=True)
class QueueFilters:
    """What the queue shows. Empty values mean "any". ``status`` is "active", "all", a state
    category or a state id."""

    status: str = "active"
    level: str = ""
    team: int | None = None
    owner: str = ""  # "", "me", "none" or a user id
    category: int | None = None
    site: int | None = None
    channel: str = ""
    type: str = ""
    organisation: int | None = None
    requester: int | None = None
    device: str = ""  # a device's serial, or its id when only digits
    q: str = ""
    order: str = "oldest"  # or "newest", or "due" (due soonest: tickets with a due time only)
    breached: bool = False  # only tickets that breached a service-level target
    earlier: bool = False  # vendor agents: the tickets they handed back (read-only)
    created_since: datetime | None = None  # created at or after (a report's date range)
    created_until: datetime | None = None  # created before


@dataclass
class QueuePage:
    tickets: list[Ticket]
    next_cursor: str | None
    filters: QueueFilters
    extra: dict = field(default_factory=dict)


def cursor_encode(ticket: Ticket, key: str = "created_at") -> str:
    """The keyset position after ``ticket``: its ``key`` column (a datetime) and its id."""
    raw = f"{getattr(ticket, key).isoformat()}|{ticket.pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def cursor_decode(cursor: str) -> tuple[datetime, int] | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        when, pk = raw.split("|")
        moment = parse_datetime(when)
        return (moment, int(pk)) if moment else None
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None


def _status_filter(status: str) -> Q:
    if status in ("", "active"):
        return ACTIVE
    if status == "all":
        return Q()
    if status in StateCategory.values:
        return Q(state_category=status)
    if status.isdigit():
        return Q(state_id=int(status))
    return ACTIVE


def device_filter(value: str) -> Q:
    """Tickets of a device given by serial or, when only digits, by id (a serial made of
    digits wins): one scalar subquery on the devices table, no join, so the ``tk_device_age``
    index serves it. An unknown device matches no ticket."""
    value = value.strip()[:100]
    devices = Ticket._meta.get_field("device").related_model._default_manager
    match = Q(serial=value)
    if value.isdigit() and len(value) < 19:
        match |= Q(pk=int(value))
    device = (
        devices.filter(match)
        .annotate(exact=Case(When(serial=value, then=Value(0)), default=Value(1)))
        .order_by("exact")
        .values("pk")[:1]
    )
    return Q(device_id=Subquery(device))


def ticket_queue(
    *,
    user: User,
    filters: QueueFilters,
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
    related: bool = True,
    where=None,
    annotations: dict | None = None,
) -> QueuePage:
    """One page of the queue, oldest first by default; its cost does not grow with the page
    number or the number of tickets. ``related=False`` loads only what a queue line shows
    (``QUEUE_LINE_FIELDS``, and the requesters' names) and leaves the state, team, owner,
    category, site and organisation to callers that already hold those small tables (the
    agent workspace's select boxes do). ``where`` and ``annotations`` let an app that uses
    tickets narrow the queue and mark its lines without this module knowing it."""
    if user.is_vendor_agent:
        # One indexed filter (tk_vendor_now), or the tickets it worked on.
        tickets = Ticket.objects.filter(vendor_tickets(user, earlier=filters.earlier))
    else:
        tickets = ticket_visible_to(user)
    tickets = tickets.filter(_status_filter(filters.status))
    match = NUMBER.match(filters.q.strip())
    if match:
        tickets = tickets.filter(pk=int(match.group(1)))
    elif filters.q.strip():
        tickets = tickets.filter(subject__icontains=filters.q.strip())
    simple = {
        "level": filters.level,
        "team_id": filters.team,
        "category_id": filters.category,
        "site_id": filters.site,
        "channel": filters.channel,
        "type": filters.type,
        "organisation_id": filters.organisation,
        "requester_id": filters.requester,
    }
    tickets = tickets.filter(**{k: v for k, v in simple.items() if v not in ("", None)})
    if filters.device.strip():
        tickets = tickets.filter(device_filter(filters.device))
    if filters.created_since:
        tickets = tickets.filter(created_at__gte=filters.created_since)
    if filters.created_until:
        tickets = tickets.filter(created_at__lt=filters.created_until)
    if where is not None:  # a filter an app above this one adds (knowledge: overdue actions)
        tickets = tickets.filter(where)
    if annotations:  # per-line markers computed in the same query (an EXISTS per line)
        tickets = tickets.annotate(**annotations)
    if filters.owner == "me":
        tickets = tickets.filter(owner=user)
    elif filters.owner == "none":
        tickets = tickets.filter(owner__isnull=True)
    elif filters.owner.isdigit():
        tickets = tickets.filter(owner_id=int(filters.owner))

    if filters.breached:  # tk_active_breached, oldest first (or newest)
        tickets = tickets.filter(sla_breached_at__isnull=False)
    if filters.order == "due":
        # Due soonest (R22): ORDER BY sla_due_at, id on tk_active_due; a ticket without a due
        # time (no service level, paused, all targets met) is not in this view.
        return _queue_page_due(tickets, filters, cursor, limit, related)
    newest = filters.order == "newest"
    position = cursor_decode(cursor) if cursor else None
    if position:
        when, pk = position
        if newest:
            tickets = tickets.filter(created_at__lte=when).filter(
                Q(created_at__lt=when) | Q(pk__lt=pk)
            )
        else:
            tickets = tickets.filter(created_at__gte=when).filter(
                Q(created_at__gt=when) | Q(pk__gt=pk)
            )
    ordering = ("-created_at", "-id") if newest else ("created_at", "id")
    # No join: on the tickets table alone PostgreSQL picks the partial index that fits the
    # filters, and plans in well under a millisecond (a seven-table join took 13-37 ms to
    # plan at 1M tickets; joined to users, a rare combination of filters ran 88 ms instead of
    # 4 at 100k). The requesters (and, for ``related``, the rest) come by primary key.
    tickets = _queue_load(tickets, related)
    rows = list(tickets.order_by(*ordering)[: limit + 1])
    next_cursor = cursor_encode(rows[limit - 1]) if len(rows) > limit else None
    return QueuePage(tickets=rows[:limit], next_cursor=next_cursor, filters=filters)


def _queue_load(tickets: QuerySet[Ticket], related: bool) -> QuerySet[Ticket]:
    requesters = Prefetch("requester", queryset=User.objects.only(*REQUESTER_NAME_FIELDS))
    if related:
        return tickets.prefetch_related("state", requesters, *QUEUE_PREFETCH).defer(
            *QUEUE_COLUMNS_DEFERRED
        )
    return tickets.prefetch_related(requesters).only(*QUEUE_LINE_FIELDS)


def _queue_page_due(
    tickets: QuerySet[Ticket], filters: QueueFilters, cursor: str | None, limit: int, related: bool
) -> QueuePage:
    """The "due soonest" page: keyset on (sla_due_at, id), ascending."""
    tickets = tickets.filter(sla_due_at__isnull=False)
    position = cursor_decode(cursor) if cursor else None
    if position:
        when, pk = position
        tickets = tickets.filter(sla_due_at__gte=when).filter(Q(sla_due_at__gt=when) | Q(pk__gt=pk))
    tickets = _queue_load(tickets, related)
    rows = list(tickets.order_by("sla_due_at", "id")[: limit + 1])
    next_cursor = cursor_encode(rows[limit - 1], "sla_due_at") if len(rows) > limit else None
    return QueuePage(tickets=rows[:limit], next_cursor=next_cursor, filters=filters)


@dataclass(frozen=True)
class TicketRefs:
    """The organisations, sites, teams and categories that appear on a set of tickets."""

    organisations: frozenset[int] = frozenset()
    sites: frozenset[int] = frozenset()
    teams: frozenset[int] = frozenset()
    categories: frozenset[int] = frozenset()


def vendor_ticket_refs(*, user: User) -> TicketRefs:
    """What a vendor agent's filters may offer: only what appears on the tickets it may see
    (with it now, or worked on before hand-back). One query over the vendor's own tickets."""
    scope = ticket_scope(user) if user.is_vendor_agent else None
    if scope is None:
        return TicketRefs()
    rows = (
        Ticket.objects.filter(scope)
        .order_by()
        .values_list("organisation_id", "site_id", "team_id", "category_id")
        .distinct()
    )
    columns = list(zip(*rows, strict=True)) or [(), (), (), ()]
    organisations, sites, teams, categories = (
        frozenset(pk for pk in column if pk is not None) for column in columns
    )
    return TicketRefs(organisations, sites, teams, categories)


def site_requesters(*, user: User) -> QuerySet[User]:
    """The people who raised tickets at the sites a site admin looks after (what the portal's
    requester filter offers), by name. One query: for each person of the organisation, an
    indexed look for one ticket of theirs at those sites."""
    if user.role != Role.SITE_ADMIN or user.organisation_id is None:
        return User.objects.none()
    sites = user.sites.filter(organisation_id=user.organisation_id).values("pk")
    at_sites = Ticket.objects.filter(requester_id=OuterRef("pk"), site__in=sites)
    return (
        User.objects.filter(organisation_id=user.organisation_id)
        .filter(Exists(at_sites))
        .only(*REQUESTER_NAME_FIELDS)
        .order_by("first_name", "last_name", "email", "pk")
    )


def ticket_get(*, user: User, pk: int) -> Ticket:
    """A ticket the user may see, or 404 (never tell whether someone else's ticket exists)."""
    try:
        return (
            ticket_visible_to(user)
            .select_related(
                "state",
                "category",
                "team",
                "owner",
                "requester",
                "organisation",
                "site",
                "vendor",
                "referral_team",
                # The device panel (R34): the device and its health incident, no extra query.
                "device__site",
                "health_incident__rule",
                "health_incident__previous",
            )
            .get(pk=pk)
        )
    except (Ticket.DoesNotExist, ValueError):
        raise Http404 from None


# What an agent writes of a customer's call or visit: kept in the customer's name (the contact
# came from them), written by the agent who logged it.
CONTACT_KINDS = frozenset({ArticleKind.PHONE, ArticleKind.WALK_IN})


def _contacts_logged_by(
    ticket: Ticket, articles: list[Article], history: list[TicketEvent] | None
) -> None:
    """Mark the articles that record a call or a visit (``contact_record``) and set
    ``logged_by``: the help desk agent who logged it (the actor of the event that added it),
    or None when the system did. From the ticket's history when it is loaded, else one
    query."""
    contacts = {a.pk: a for a in articles if a.kind in CONTACT_KINDS}
    if not contacts:
        return
    if history is None:
        history = list(
            TicketEvent.objects.filter(
                ticket_id=ticket.pk,
                action__in=(EventAction.CREATED, EventAction.ARTICLE_ADDED),
                data__article_id__in=list(contacts),
            ).select_related("actor")
        )
    for article in contacts.values():
        article.contact_record, article.logged_by = True, None
    for event in history:
        article = contacts.get((event.data or {}).get("article_id"))
        if article is not None and event.actor is not None and event.actor.is_helpdesk:
            article.logged_by = event.actor


def ticket_timeline(*, user: User, ticket: Ticket) -> dict:
    """Articles with their attachments and, for staff, the events; a fixed number of queries."""
    articles = list(
        articles_visible_to(user, ticket)
        .select_related("author")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("id")))
        .order_by("created_at", "id")
    )
    events: list[TicketEvent] = []
    history = None
    if user.is_agent:
        history = list(ticket.events.select_related("actor").order_by("seq"))
        escalations_held(ticket, events=history)  # the page's hand-back check needs no query
        events = events_visible_to(user, history, {a.pk for a in articles})
    _contacts_logged_by(ticket, articles, history)
    return {"articles": articles, "events": events}


def tickets_for_requester(*, user: User, limit: int = 100) -> QuerySet[Ticket]:
    """The portal's list: the tickets a customer may see, newest first."""
    scope = ticket_scope(user)
    tickets = Ticket.objects.filter(scope) if scope is not None else Ticket.objects.none()
    return (
        tickets.select_related("state", "category", "site", "requester")
        .defer(*QUEUE_COLUMNS_DEFERRED)
        .order_by("-created_at", "-id")[:limit]
    )


def article_list(*, ticket: Ticket) -> QuerySet[Article]:
    return ticket.articles.order_by("created_at", "id")


__all__ = [
    "ACTIVE_CATEGORIES",
    "PAGE_SIZE",
    "QueueFilters",
    "QueuePage",
    "TicketRefs",
    "cursor_decode",
    "cursor_encode",
    "device_filter",
    "site_requesters",
    "ticket_get",
    "ticket_queue",
    "ticket_timeline",
    "tickets_for_requester",
    "vendor_ticket_refs",
]
