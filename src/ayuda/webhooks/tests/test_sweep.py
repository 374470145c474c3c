"""The sweep plans the deliveries a lost task did not; nothing is sent twice (R36).

Without ``committed`` the after-commit handler does not run: exactly a planning task that
was never delivered."""

import pytest

from ayuda.notifications.models import EventCursor
from ayuda.tickets.models import TicketEvent
from ayuda.tickets.tests.factories import desk_make, ticket_make
from ayuda.webhooks import tasks
from ayuda.webhooks.models import Delivery, DeliveryStatus
from ayuda.webhooks.planning import CURSOR, deliveries_plan, webhooks_sweep

from .factories import subscription_make

pytestmark = pytest.mark.django_db


def test_a_lost_planning_task_is_planned_and_sent_by_the_sweep(receiver, settings):
    # given: the ticket committed, its webhook task never ran
    desk = desk_make()
    subscription, _secret = subscription_make(admin=desk.admin, url=receiver.url)
    ticket = ticket_make(requester=desk.requester)
    assert not Delivery.objects.exists()

    # when
    settings.AYUDA_WEBHOOKS_SETTLE_SECONDS = 0
    sent = tasks.webhooks_sweep()

    # then
    delivery = Delivery.objects.get(subscription=subscription)
    assert (sent, delivery.status, delivery.event.ticket_id) == (1, "delivered", ticket.pk)
    assert len(receiver.requests) == 1
    cursor = EventCursor.objects.get(name=CURSOR)
    assert cursor.last_event_id == TicketEvent.objects.order_by("-id").first().id


def test_the_sweep_after_the_fast_path_sends_nothing_twice(receiver, committed, settings):
    # given: the fast path did its job
    desk = desk_make()
    subscription_make(admin=desk.admin, url=receiver.url)
    committed(ticket_make, requester=desk.requester)
    assert len(receiver.requests) == 1

    # when
    settings.AYUDA_WEBHOOKS_SETTLE_SECONDS = 0
    first, again = tasks.webhooks_sweep(), tasks.webhooks_sweep()

    # then
    assert (first, again) == (0, 0)
    assert Delivery.objects.count() == 1
    assert len(receiver.requests) == 1


def test_planning_the_same_events_twice_makes_one_delivery(receiver):
    # given
    desk = desk_make()
    subscription_make(admin=desk.admin, url=receiver.url)
    ticket_make(requester=desk.requester)
    events = list(TicketEvent.objects.values_list("id", flat=True))

    # when
    first = deliveries_plan(event_ids=events)
    again = deliveries_plan(event_ids=events)

    # then
    assert (len(first), again) == (1, [])
    assert Delivery.objects.get().status == DeliveryStatus.PENDING


def test_young_events_are_left_for_the_next_sweep(receiver):
    # given
    desk = desk_make()
    subscription_make(admin=desk.admin, url=receiver.url)
    ticket_make(requester=desk.requester)

    # when
    planned = webhooks_sweep(settle_seconds=3600)

    # then
    assert planned == []
    assert not Delivery.objects.exists()


def test_a_new_subscription_hears_nothing_from_before_it(receiver):
    # given: history from before the subscription
    desk = desk_make()
    ticket_make(requester=desk.requester)
    subscription_make(admin=desk.admin, url=receiver.url)

    # when
    planned = webhooks_sweep(settle_seconds=0)

    # then
    assert planned == []
    assert receiver.requests == []


def test_a_lost_send_task_is_sent_by_the_retry_beat(receiver):
    # given: planned, its send task lost
    from datetime import timedelta

    from django.utils import timezone

    desk = desk_make()
    subscription_make(admin=desk.admin, url=receiver.url)
    ticket_make(requester=desk.requester)
    deliveries_plan(event_ids=list(TicketEvent.objects.values_list("id", flat=True)))
    assert tasks.webhooks_retry_due() == 0  # not yet: the fast path has it

    # when
    Delivery.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    sent = tasks.webhooks_retry_due()

    # then
    assert sent == 1
    assert Delivery.objects.get().status == DeliveryStatus.DELIVERED
    assert len(receiver.requests) == 1
