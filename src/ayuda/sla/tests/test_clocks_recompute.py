"""Recomputing the live due times after a policy (or calendar) change."""

import pytest

from ayuda.sla.check import sla_check
from ayuda.sla.models import SlaTarget
from ayuda.sla.models import TargetKind as K
from ayuda.sla.services import sla_recompute
from ayuda.sla.tasks import sla_recompute as sla_recompute_task
from ayuda.tickets import services
from ayuda.tickets.models import Ticket
from ayuda.tickets.tests.factories import ticket_make

from .conftest import at, policy_make

pytestmark = pytest.mark.django_db


def test_policy_change_recomputes_live_targets_only(committed, desk, always):
    policy = policy_make(always, first_response_minutes=10, resolution_minutes=1000)
    met = committed(ticket_make, requester=desk.requester, at=at(0))
    committed(services.article_add_reply, ticket=met, actor=desk.agent_l1, body="Hi", at=at(5))
    late = committed(ticket_make, requester=desk.requester, at=at(0))
    live = committed(ticket_make, requester=desk.requester, at=at(30))
    sla_check(now=at(20))  # breaches "late"'s first response (and "met"'s is met)
    policy.first_response_minutes = 100
    policy.resolution_minutes = 2000
    policy.save()

    assert sla_recompute(policy=policy) > 0

    def target(ticket, kind):
        return SlaTarget.objects.get(clock__ticket=ticket, kind=kind)

    assert (target(met, K.FIRST_RESPONSE).minutes, target(met, K.FIRST_RESPONSE).due_at) == (
        10,
        at(10),
    )
    assert (target(late, K.FIRST_RESPONSE).minutes, target(late, K.FIRST_RESPONSE).due_at) == (
        10,
        at(10),
    )
    assert target(live, K.FIRST_RESPONSE).due_at == at(130)
    assert target(live, K.RESOLUTION).due_at == at(2030)
    live.refresh_from_db()
    assert (live.first_response_due_at, live.resolution_due_at, live.sla_due_at) == (
        at(130),
        at(2030),
        at(130),
    )
    assert Ticket.objects.get(pk=late.pk).resolution_due_at == at(2000)


def test_recompute_task_and_calendar(committed, desk, always):
    policy_make(always, first_response_minutes=10)
    ticket = committed(ticket_make, requester=desk.requester, at=at(0))
    assert sla_recompute_task(calendar_id=always.pk) == 3
    assert sla_recompute_task() == 0
    assert Ticket.objects.get(pk=ticket.pk).first_response_due_at == at(10)


def test_calendar_hours_change_moves_due_times(committed, desk):
    from ayuda.sla.models import Calendar

    office = Calendar.objects.create(
        name="Office",
        timezone="UTC",
        hours={"mon": [["09:00", "10:00"]], "tue": [["09:00", "10:00"]]},
    )
    policy_make(office, first_response_minutes=90)
    ticket = committed(ticket_make, requester=desk.requester, at=at(0))  # Monday 09:00
    assert Ticket.objects.get(pk=ticket.pk).first_response_due_at == at(24 * 60 + 30)
    office.hours = {"mon": [["09:00", "11:00"]]}
    office.save()
    sla_recompute(calendar=office)
    assert Ticket.objects.get(pk=ticket.pk).first_response_due_at == at(90)
