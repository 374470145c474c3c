from celery import shared_task

from .services import action_reminders_send


@shared_task(acks_late=True)
def action_reminders() -> int:
    """Celery beat (``AYUDA_ACTION_REMINDER_CHECK_SECONDS``): remind assignees once."""
    return len(action_reminders_send())


@shared_task(acks_late=True)
def problem_update_batch(update_id: int, after: int = 0) -> int | None:
    """One batch of a problem's update (``problem_delivery.problem_update_deliver``): the linked
    tickets after ticket ``after``, each resolved or answered once; then the next batch as a
    task of its own. Safe to run twice: a ticket the update reached is skipped."""
    from .problem_delivery import problem_update_deliver
    from .problems import problem_update_enqueue

    next_after = problem_update_deliver(update_id=update_id, after=after)
    if next_after is not None:
        problem_update_enqueue(update_id=update_id, after=next_after)
    return next_after
