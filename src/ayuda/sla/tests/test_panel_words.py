"""The SLA panel reads the clocks as ``sla.services`` and ``sla.check`` write them: every
start, pause, resume, target change and breach in words, not codes."""

import pytest
from django.utils import translation

from ayuda.sla.check import sla_check
from ayuda.sla.models import SlaEvent
from ayuda.tickets import services
from ayuda.tickets.models import DelayReason, Priority
from ayuda.tickets.tests.factories import ticket_make
from ayuda.web.agent.sla import event_text

from .conftest import at, policy_make

pytestmark = pytest.mark.django_db


def test_the_timeline_of_a_real_clock_reads_in_words(committed, desk, always):
    # given: a ticket whose clock pauses for a delay reason, resumes, changes policy, breaches
    from datetime import UTC

    policy_make(always, name="Normal", first_response_minutes=60, position=1)
    policy_make(
        always, name="Urgent", priority=Priority.URGENT, first_response_minutes=30, position=0
    )
    ticket = committed(ticket_make, requester=desk.requester, team=desk.l1_team, at=at(0))
    committed(
        services.ticket_set_delay_reason,
        ticket=ticket, actor=desk.agent_l1, reason=DelayReason.CUSTOM_DEVELOPMENT,
    )  # fmt: skip
    ticket.refresh_from_db()
    committed(services.ticket_set_delay_reason, ticket=ticket, actor=desk.agent_l1, reason="")
    ticket.refresh_from_db()
    committed(
        services.ticket_qualify,
        ticket=ticket, actor=desk.agent_l1, priority=Priority.URGENT,
        category=ticket.category, type=ticket.type,
    )  # fmt: skip
    sla_check(now=at(100000))

    # when
    with translation.override("en"):
        lines = [
            event_text(e.kind, e.target, e.data, UTC)
            for e in SlaEvent.objects.filter(clock__ticket=ticket).order_by("at", "id")
        ]

    # then: no code shows through
    text = "\n".join(lines)
    assert "Started: Normal" in text, text
    assert "Paused: Custom development in progress" in text, text
    assert "Resumed: a delay reason" in text, text
    assert "policy Normal → Urgent" in text, text
    assert "after a change of priority" in text, text
    assert "late" in text, text
    for code in ("delay_reason", "custom_development", "to_minutes", "from_policy"):
        assert code not in text, text
