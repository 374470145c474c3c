"""Celery tasks of the reports; each is safe to run twice."""

from celery import shared_task


@shared_task
def facts_business_refresh() -> int:
    """Beat, every minute: business minutes of the facts changed since (``facts.py``)."""
    from .facts import facts_business_refresh as refresh

    return refresh(limit=5000)
