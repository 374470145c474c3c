"""Celery tasks of the ground floor."""

from celery import shared_task

from . import ratelimit


@shared_task
def ratelimit_counters_purge() -> int:
    """Beat, daily: forget rate-limit counters whose window has long passed."""
    return ratelimit.counters_purge()
