from celery import shared_task

from .services import action_reminders_send


@shared_task(acks_late=True)
def action_reminders() -> int:
    """Celery beat (``AYUDA_ACTION_REMINDER_CHECK_SECONDS``): remind assignees once."""
    return len(action_reminders_send())
