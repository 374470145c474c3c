"""Celery tasks for webhooks: load by id, call a service; each is safe to run twice."""

from celery import shared_task
from django.conf import settings

from . import delivery, planning

CHUNK = 100  # deliveries per send task: sent concurrently inside it


def _send_later(ids: list[int]) -> None:
    for start in range(0, len(ids), CHUNK):
        webhooks_send.delay(ids[start : start + CHUNK])


@shared_task(acks_late=True)
def webhooks_plan(event_ids: list[int]) -> int:
    ids = planning.deliveries_plan(event_ids=event_ids)
    _send_later(ids)
    return len(ids)


@shared_task(acks_late=True)
def webhooks_send(delivery_ids: list[int]) -> int:
    return len(delivery.deliveries_send(delivery_ids=delivery_ids))


@shared_task(acks_late=True)
def webhook_replay(delivery_id: int) -> int:
    return len(delivery.deliveries_send(delivery_ids=[delivery_id], replay=True))


@shared_task
def webhooks_retry_due() -> int:
    """Beat: retries whose back-off has passed, and deliveries a lost task left behind."""
    ids = delivery.due_ids()
    _send_later(ids)
    return len(ids)


@shared_task
def webhooks_sweep() -> int:
    """Beat: plan the deliveries a lost planning task did not, then send them."""
    ids = planning.webhooks_sweep(settle_seconds=settings.AYUDA_WEBHOOKS_SETTLE_SECONDS)
    _send_later(ids)
    return len(ids)
