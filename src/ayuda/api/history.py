"""The history feed: ticket events after a cursor, for integrations to replay after downtime.

The help desk reads every event; a vendor agent the events of its tickets as its timeline
shows them (``permissions.events_visible_to``), its requesters named as its pages name them
(no address unless the organisation shares contact details); customers read no events.
The cursor is the last event's id. Events younger than ``AYUDA_API_FEED_SETTLE_SECONDS`` wait:
on PostgreSQL a transaction that took a lower id may commit after a higher one."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from ayuda.tickets.models import Article, Ticket, TicketEvent
from ayuda.tickets.permissions import events_visible_to, ticket_scope

from . import schemas as s
from .presenters import event as event_out
from .problems import ERRORS

router = Router(tags=["history"])


class FeedQuery(Schema):
    after: int = Field(
        0, ge=0, le=s.MAX_ID, description="The last event id you have; 0 from the start."
    )
    limit: int = Field(100, ge=1, le=500)
    ticket: s.Id | None = Field(None, description="Only this ticket's events.")


def _vendor_filter(user, events: list[TicketEvent]) -> list[TicketEvent]:
    """A vendor's view of each ticket's events: its whole chain decides what it may read
    (whose case each event belongs to), so the page's tickets' chains are read at once."""
    ticket_ids = {e.ticket_id for e in events}
    chains: dict[int, list[TicketEvent]] = {pk: [] for pk in ticket_ids}
    for e in (
        TicketEvent.objects.filter(ticket_id__in=ticket_ids, id__lte=events[-1].pk)
        .select_related("actor")
        .order_by("ticket_id", "seq")
    ):
        chains[e.ticket_id].append(e)
    visible_articles = set(
        Article.objects.filter(ticket_id__in=ticket_ids)
        .filter(Q(internal=False) | Q(vendor_id=user.vendor_id))
        .values_list("pk", flat=True)
    )
    wanted = {e.pk for e in events}
    shown = []
    for chain in chains.values():
        shown += [e for e in events_visible_to(user, chain, visible_articles) if e.pk in wanted]
    return sorted(shown, key=lambda e: e.pk)


@router.get(
    "",
    response={200: s.EventPage, **ERRORS},
    url_name="event_list",
    summary="Ticket events after a cursor",
    description="Oldest first. Keep the `next` URL (or the last id) and call it again later: "
    "nothing is skipped and nothing comes twice.",
)
def event_list(request, query: Query[FeedQuery]):
    user = request.auth
    settled = timezone.now() - timedelta(seconds=settings.AYUDA_API_FEED_SETTLE_SECONDS)
    events = TicketEvent.objects.filter(pk__gt=query.after, at__lte=settled)
    if query.ticket is not None:
        events = events.filter(ticket_id=query.ticket)
    if not user.is_agent:
        events = events.none()
    else:
        scope = ticket_scope(user)
        if scope is not None:
            events = events.filter(ticket_id__in=Ticket.objects.filter(scope).values("pk"))
    rows = list(events.select_related("actor").order_by("pk")[: query.limit])
    last = rows[-1].pk if rows else query.after
    contact: dict[int, bool] = {}
    if rows and not user.is_helpdesk:
        rows = _vendor_filter(user, rows)
        organisations = Ticket.objects.filter(pk__in={e.ticket_id for e in rows}).values_list(
            "pk", "organisation__share_contact_with_vendors"
        )
        # ``permissions.contact_visible`` for a vendor, per ticket, in one query
        contact = {pk: bool(shared) for pk, shared in organisations}
    params = f"after={last}&limit={query.limit}"
    if query.ticket is not None:
        params += f"&ticket={query.ticket}"
    return {
        "items": [event_out(e, contact=contact.get(e.ticket_id, True)) for e in rows],
        "next": f"{reverse('api-v1:event_list')}?{params}",
    }
