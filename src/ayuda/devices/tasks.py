"""Celery tasks of the devices app; each is safe to run twice."""

from celery import shared_task

from .scan import scan_due as run_due


@shared_task(acks_late=True)
def scan_due() -> int:
    """Beat, every minute: run the scan rules that are due (each claimed by one worker).
    Returns how many rules ran."""
    return len(run_due())
