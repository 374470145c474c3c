"""Failed deliveries: back-off for a day, the log of attempts, disabling and telling the
owner, replay from the log. Time moves by passing ``now``, never by sleeping."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from standardwebhooks import Webhook

from ayuda.notifications.models import OutgoingKind, OutgoingMessage
from ayuda.tickets.tests.factories import desk_make, ticket_make
from ayuda.webhooks import tasks
from ayuda.webhooks.delivery import deliveries_send, due_ids
from ayuda.webhooks.models import Delivery, DeliveryStatus, Subscription

from .factories import subscription_make

pytestmark = pytest.mark.django_db


def _failing_delivery(receiver, committed, *, status=503):
    desk = desk_make()
    subscription, secret = subscription_make(admin=desk.admin, url=receiver.url)
    receiver.status = status
    committed(ticket_make, requester=desk.requester)
    return desk, subscription, secret, Delivery.objects.get(subscription=subscription)


def test_a_failed_delivery_is_retried_with_exponential_back_off(receiver, committed, settings):
    # given: the first attempt (the fast path) failed
    _desk, _subscription, secret, delivery = _failing_delivery(receiver, committed)
    start = delivery.created_at
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
        DeliveryStatus.RETRYING,
        1,
        503,
    )
    waits = [delivery.next_attempt_at - delivery.attempt_log.get().at]

    # when: each retry happens when it is due, and fails
    for _ in range(4):
        now = delivery.next_attempt_at
        assert due_ids(now=now - timedelta(seconds=1)) == []
        assert due_ids(now=now) == [delivery.pk]
        deliveries_send(delivery_ids=[delivery.pk], now=now)
        delivery.refresh_from_db()
        waits.append(delivery.next_attempt_at - now)

    # then
    base = settings.AYUDA_WEBHOOK_RETRY_BASE_SECONDS
    assert waits == [timedelta(seconds=base * 2**n) for n in range(5)]
    assert list(delivery.attempt_log.values_list("number", "status_code")) == [
        (n, 503) for n in range(1, 6)
    ]
    assert delivery.status == DeliveryStatus.RETRYING
    assert delivery.created_at == start
    # every attempt carried the same message id and a valid signature
    assert len({r.headers["webhook-id"] for r in receiver.requests}) == 1
    for request in receiver.requests:
        Webhook(secret).verify(request.body, request.headers)


def test_a_retry_that_succeeds_ends_the_failing_run(receiver, committed):
    # given
    _desk, subscription, _secret, delivery = _failing_delivery(receiver, committed)
    assert Subscription.objects.get(pk=subscription.pk).failing_since is not None

    # when
    receiver.status = 200
    deliveries_send(delivery_ids=[delivery.pk], now=delivery.next_attempt_at)

    # then
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DELIVERED, 2)
    assert Subscription.objects.get(pk=subscription.pk).failing_since is None


def test_only_a_few_kib_of_the_answer_are_kept(receiver, committed, settings):
    # given
    receiver.answer = b"x" * 100_000

    # when
    _desk, _subscription, _secret, delivery = _failing_delivery(receiver, committed, status=500)

    # then
    attempt = delivery.attempt_log.get()
    assert len(attempt.response_body) == settings.AYUDA_WEBHOOK_RESPONSE_KEEP_BYTES
    assert attempt.status_code == 500


def test_after_a_day_of_failures_the_subscription_is_disabled_and_its_owner_told(
    receiver, committed
):
    # given: a receiver that fails every time, and a second event waiting behind the first
    desk, subscription, _secret, delivery = _failing_delivery(receiver, committed)
    committed(ticket_make, requester=desk.requester, subject="Second")
    waiting = Delivery.objects.exclude(pk=delivery.pk).get(subscription=subscription)
    day_end = delivery.created_at + timedelta(days=1)

    # when: the retries run as beat would, a day long
    now = delivery.next_attempt_at
    while now <= day_end:
        with_mail = committed(deliveries_send, delivery_ids=due_ids(now=now), now=now)
        assert with_mail
        delivery.refresh_from_db()
        if delivery.next_attempt_at is None:
            break
        now = delivery.next_attempt_at

    # then
    delivery.refresh_from_db()
    subscription.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == 17  # 30 s doubling to 3 h apart, the last at the day's end
    assert delivery.attempt_log.order_by("-number").first().at == day_end
    assert not subscription.is_active
    assert subscription.disabled_at is not None
    assert "503" in subscription.disabled_reason
    waiting.refresh_from_db()
    assert waiting.status in (DeliveryStatus.CANCELLED, DeliveryStatus.FAILED)
    notice = OutgoingMessage.objects.get(kind=OutgoingKind.NOTICE)
    assert notice.to_address == desk.admin.email
    assert [m.to for m in mail.outbox if "disabled" in m.subject] == [[desk.admin.email]]
    assert subscription.url in mail.outbox[-1].body
    # and nothing more is sent to it
    count = len(receiver.requests)
    committed(ticket_make, requester=desk.requester, subject="Third")
    assert len(receiver.requests) == count


def test_the_owner_is_told_in_their_language(receiver, committed):
    # given
    desk = desk_make()
    desk.admin.language = "es"
    desk.admin.save()
    subscription, _secret = subscription_make(admin=desk.admin, url=receiver.url)
    receiver.status = 500
    committed(ticket_make, requester=desk.requester)
    delivery = Delivery.objects.get(subscription=subscription)

    # when
    later = delivery.created_at + timedelta(days=1)
    committed(deliveries_send, delivery_ids=[delivery.pk], now=later)

    # then
    assert [m.subject for m in mail.outbox if m.to == [desk.admin.email]] == [
        "Webhook “Monitoring” desactivado"
    ]


def test_a_delivered_event_is_replayed_from_the_log_with_the_same_id(receiver, committed):
    # given
    desk = desk_make()
    subscription, secret = subscription_make(admin=desk.admin, url=receiver.url)
    committed(ticket_make, requester=desk.requester)
    delivery = Delivery.objects.get(subscription=subscription)

    # when
    tasks.webhook_replay.delay(delivery.pk)

    # then
    first, again = receiver.requests
    assert first.body == again.body
    assert first.headers["webhook-id"] == again.headers["webhook-id"]
    Webhook(secret).verify(again.body, again.headers)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert list(delivery.attempt_log.values_list("number", "replay")) == [(1, False), (2, True)]


def test_a_failed_delivery_replayed_once_the_receiver_works_is_delivered(receiver, committed):
    # given: a delivery given up after a day
    _desk, _subscription, _secret, delivery = _failing_delivery(receiver, committed)
    Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.FAILED)

    # when
    receiver.status = 200
    tasks.webhook_replay.delay(delivery.pk)

    # then
    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_status_code) == (DeliveryStatus.DELIVERED, 200)


def test_a_failed_replay_changes_nothing_but_the_log(receiver, committed):
    # given
    desk = desk_make()
    subscription, _secret = subscription_make(admin=desk.admin, url=receiver.url)
    committed(ticket_make, requester=desk.requester)
    delivery = Delivery.objects.get(subscription=subscription)

    # when
    receiver.status = 500
    tasks.webhook_replay.delay(delivery.pk)

    # then
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert list(delivery.attempt_log.values_list("status_code", flat=True)) == [204, 500]
    assert Subscription.objects.get(pk=subscription.pk).failing_since is None


def test_a_delivery_is_not_sent_twice_by_two_tasks(receiver, committed):
    # given
    desk = desk_make()
    subscription, _secret = subscription_make(admin=desk.admin, url=receiver.url)
    committed(ticket_make, requester=desk.requester)
    delivery = Delivery.objects.get(subscription=subscription)

    # when: a duplicate task and the retry beat run afterwards
    tasks.webhooks_send.delay([delivery.pk])
    tasks.webhooks_retry_due()
    deliveries_send(delivery_ids=[delivery.pk], now=timezone.now() + timedelta(hours=1))

    # then
    assert len(receiver.requests) == 1
