"""Celery tasks for outgoing mail: load by id, call a service; each is safe to run twice."""

from celery import shared_task
from django.conf import settings

from . import services


@shared_task(acks_late=True)
def notify_ticket_events(ticket_id: int, seqs: list[int]) -> list[int]:
    """Plan the mails and send them in the same task: a second task per mail cost the worker
    more CPU than the sending (docs/performance.md). A failed send is retried by
    ``outgoing_retry_due``; running this twice sends nothing twice (``outgoing_deliver``)."""
    messages = services.notify_for_events(ticket_id=ticket_id, seqs=seqs)
    for message in messages:
        if message.status == "queued":
            services.outgoing_deliver(message_pk=message.pk)
    return [m.pk for m in messages]


@shared_task(acks_late=True)
def outgoing_send(message_pk: int) -> str:
    message = services.outgoing_deliver(message_pk=message_pk)
    return message.status if message else "missing"


@shared_task
def outgoing_retry_due() -> int:
    """Beat: resend what failed once its back-off has passed, and what a dead worker left."""
    ids = services.outgoing_due_ids()
    for pk in ids:
        outgoing_send.delay(pk)
    return len(ids)


@shared_task
def notifications_sweep() -> int:
    """Beat: plan the notifications a lost task did not, then send them."""
    from .sweep import notifications_sweep as sweep

    ids = sweep(settle_seconds=settings.AYUDA_NOTIFICATIONS_SETTLE_SECONDS)
    for pk in ids:
        outgoing_send.delay(pk)
    return len(ids)
