"""Celery tasks of the tickets app; each is safe to run twice."""

from celery import shared_task

from .history import history_seal as seal


@shared_task
def history_seal() -> int | None:
    """Beat (``AYUDA_HISTORY_SEAL_SECONDS``): seal the history heads; nothing new, no new seal."""
    made = seal()
    return made.pk if made else None
