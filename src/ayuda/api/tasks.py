"""The API's background work: forget idempotency keys older than a day."""

from celery import shared_task
from django.utils import timezone

from .idempotency import LIFETIME
from .models import IdempotencyRecord


@shared_task(name="ayuda.api.tasks.idempotency_purge")
def idempotency_purge() -> int:
    """Delete the Idempotency-Key records past their 24 hours (idempotent; beat, hourly)."""
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=timezone.now() - LIFETIME).delete()
    return deleted
