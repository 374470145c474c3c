from datetime import UTC, datetime, timedelta

import pytest

from ayuda.sla.models import Calendar, Side, SlaPolicy
from ayuda.tickets.tests.factories import desk_make

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a service and its after-commit handlers (the SLA clocks among them)."""

    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run


@pytest.fixture
def always():
    return Calendar.objects.create(name="24x7", always_open=True)


def policy_make(calendar, **kwargs) -> SlaPolicy:
    kwargs.setdefault("name", "Default")
    kwargs.setdefault("side", Side.DESK)
    kwargs.setdefault("first_response_minutes", 60)
    kwargs.setdefault("next_update_minutes", 240)
    kwargs.setdefault("resolution_minutes", 1440)
    kwargs.setdefault("warn_percent", 80)
    return SlaPolicy.objects.create(calendar=calendar, **kwargs)


@pytest.fixture
def desk():
    return desk_make()
