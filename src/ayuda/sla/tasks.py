"""Celery tasks of the service levels; each is safe to run twice."""

from celery import shared_task


@shared_task
def sla_check() -> dict:
    """Beat, every minute: warnings and breaches whose time has come (``sla/check.py``)."""
    from .check import sla_check as check

    return check()


@shared_task
def sla_actions(target_ids: list[int], breach: bool, now: str) -> int:
    """The policy's actions for warnings or breaches a check claimed (``sla/check.py``). Not
    acks-late: a redelivered task would raise a priority or escalate twice."""
    from datetime import datetime

    from .check import targets_actions_run

    return targets_actions_run(target_ids, breach=breach, now=datetime.fromisoformat(now))


@shared_task
def sla_recompute(*, calendar_id: int | None = None, policy_id: int | None = None) -> int:
    """After the admin changed a calendar or a policy: recompute the live due times."""
    from .calendars import calendar_cache_clear
    from .models import Calendar, SlaPolicy
    from .services import sla_recompute as recompute

    calendar_cache_clear()  # this worker may hold the calendar's old hours or closing days

    calendar = Calendar.objects.filter(pk=calendar_id).first() if calendar_id else None
    policy = SlaPolicy.objects.filter(pk=policy_id).first() if policy_id else None
    if calendar is None and policy is None:
        return 0
    return recompute(calendar=calendar, policy=policy)
