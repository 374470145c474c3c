"""Planning: which subscription hears of which ticket event (one delivery each), and the
sweep that plans again what a lost task missed (R36, as ``notifications/sweep.py``).

Planning is idempotent: ``(subscription, event)`` is unique, so the after-commit fast path
and the sweep can both plan an event and only one delivery exists, sent once.
"""

import uuid
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from ayuda.notifications.models import EventCursor
from ayuda.tickets.models import Article, Ticket, TicketEvent
from ayuda.tickets.permissions import ticket_scope

from .models import Delivery, DeliveryStatus, Subscription
from .payloads import body_build, event_type_of, visible_to

CURSOR = "webhooks"
# A planned delivery is sent at once by its task; the retry beat takes it only after this,
# in case that task was lost.
LOST_AFTER = timedelta(seconds=60)


def _visible_ticket_ids(owner, ticket_ids: set[int]) -> set[int]:
    scope = ticket_scope(owner)
    if scope is None:
        return ticket_ids
    return set(Ticket.objects.filter(scope, pk__in=ticket_ids).values_list("pk", flat=True))


def deliveries_plan(*, event_ids: list[int], now: datetime | None = None) -> list[int]:
    """Record a delivery per active subscription that may hear of each event; return the ids
    of the deliveries made now (those already planned are not returned again)."""
    subscriptions = list(Subscription.objects.filter(is_active=True).select_related("owner"))
    if not subscriptions or not event_ids:
        return []
    now = now or timezone.now()
    typed = [
        (event, kind)
        for event in TicketEvent.objects.filter(pk__in=event_ids).order_by("id")
        if (kind := event_type_of(event)) is not None
    ]
    if not typed:
        return []
    ticket_ids = {event.ticket_id for event, _kind in typed}
    tickets = Ticket.objects.select_related("state").in_bulk(ticket_ids)
    article_ids = [e.data.get("article_id") for e, _k in typed if (e.data or {}).get("article_id")]
    articles = Article.objects.prefetch_related("attachments").in_bulk(article_ids)
    planned = set(
        Delivery.objects.filter(
            event_id__in=[e.pk for e, _k in typed], subscription__in=subscriptions
        ).values_list("subscription_id", "event_id")
    )
    bodies: dict[tuple[int, bool], str] = {}
    new: list[Delivery] = []
    for subscription in subscriptions:
        owner = subscription.owner
        wanted = set(subscription.event_types)
        candidates = [
            (event, kind)
            for event, kind in typed
            if kind in wanted
            and event.pk > subscription.start_event_id
            and (subscription.pk, event.pk) not in planned
            and visible_to(owner, event, kind)
        ]
        if not candidates:
            continue
        visible = _visible_ticket_ids(owner, {e.ticket_id for e, _k in candidates})
        for event, kind in candidates:
            if event.ticket_id not in visible:
                continue
            key = (event.pk, owner.is_helpdesk)
            if key not in bodies:
                bodies[key] = body_build(
                    event=event,
                    event_type=kind,
                    ticket=tickets[event.ticket_id],
                    owner=owner,
                    articles=articles,
                )
            new.append(
                Delivery(
                    subscription=subscription,
                    event=event,
                    event_type=kind,
                    message_id=f"msg_{uuid.uuid4().hex}",
                    body=bodies[key],
                    status=DeliveryStatus.PENDING,
                    next_attempt_at=now + LOST_AFTER,
                    created_at=now,
                )
            )
    if not new:
        return []
    # A planner running at the same time may have made some: theirs stand, ours are dropped.
    Delivery.objects.bulk_create(new, ignore_conflicts=True, batch_size=500)
    return list(
        Delivery.objects.filter(message_id__in=[d.message_id for d in new])
        .order_by("id")
        .values_list("pk", flat=True)
    )


def webhooks_sweep(*, settle_seconds: int = 120, batch: int = 2000) -> list[int]:
    """Plan the deliveries of the events behind the cursor; return the new delivery ids.
    Events younger than ``settle_seconds`` are left to the fast path and the next sweep."""
    cutoff = timezone.now() - timedelta(seconds=settle_seconds)
    with transaction.atomic():
        cursor, _created = EventCursor.objects.select_for_update().get_or_create(name=CURSOR)
        floor = Subscription.objects.filter(is_active=True).aggregate(m=Min("start_event_id"))
        if floor["m"] is None:  # nobody listens: nothing before now will ever be sent
            last = TicketEvent.objects.order_by("-id").values_list("id", flat=True).first()
            if last and last > cursor.last_event_id:
                cursor.last_event_id = last
                cursor.save(update_fields=["last_event_id", "updated_at"])
            return []
        start = max(cursor.last_event_id, floor["m"])
        events = list(
            TicketEvent.objects.filter(id__gt=start).only("id", "at").order_by("id")[:batch]
        )
        settled = []
        for event in events:
            if event.at >= cutoff:
                break
            settled.append(event.pk)
        if not settled:
            return []
        created = deliveries_plan(event_ids=settled)
        cursor.last_event_id = settled[-1]
        cursor.save(update_fields=["last_event_id", "updated_at"])
    return created
