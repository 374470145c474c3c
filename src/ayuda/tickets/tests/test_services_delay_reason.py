"""A ticket's delay reason (R28): set and cleared by the help desk, recorded in the history as
the change of the field ``delay_reason`` (the sla app pauses and resumes the clock on it)."""

import pytest

from ayuda.accounts.models import Role
from ayuda.core.errors import ConflictError, PermissionDeniedError, ValidationError
from ayuda.tickets import services
from ayuda.tickets.models import DelayReason, EventAction, StateCategory, TicketEvent
from ayuda.tickets.tests.factories import desk_make, ticket_in, ticket_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk():
    return desk_make()


def _delay_events(ticket):
    return list(
        TicketEvent.objects.filter(ticket=ticket, field="delay_reason")
        .order_by("seq")
        .values_list("action", "old_value", "new_value", "actor_id")
    )


def test_an_agent_sets_then_clears_the_reason_and_each_change_is_in_the_history(desk):
    # given
    ticket = ticket_make(requester=desk.requester)
    version = ticket.version
    # when
    services.ticket_set_delay_reason(
        ticket=ticket, actor=desk.agent_l1, reason=DelayReason.CUSTOM_DEVELOPMENT
    )
    ticket.refresh_from_db()
    set_version = ticket.version
    services.ticket_set_delay_reason(ticket=ticket, actor=desk.agent_l2, reason="")
    ticket.refresh_from_db()
    # then
    assert ticket.delay_reason == ""
    assert set_version == version + 1 and ticket.version == version + 2
    assert _delay_events(ticket) == [
        (EventAction.CHANGED, "", "custom_development", desk.agent_l1.pk),
        (EventAction.CHANGED, "custom_development", "", desk.agent_l2.pk),
    ]


def test_the_same_reason_again_writes_nothing(desk):
    ticket = ticket_make(requester=desk.requester)
    services.ticket_set_delay_reason(ticket=ticket, actor=desk.manager, reason="misuse")
    ticket.refresh_from_db()
    version = ticket.version
    services.ticket_set_delay_reason(ticket=ticket, actor=desk.manager, reason="misuse")
    ticket.refresh_from_db()
    assert ticket.version == version
    assert len(_delay_events(ticket)) == 1


@pytest.mark.parametrize("role", [Role.REQUESTER, Role.SITE_ADMIN, Role.VENDOR_AGENT])
def test_only_the_help_desk_may_set_it(desk, role):
    # given: a ticket escalated to the vendor, so its agent may see it
    ticket = ticket_in(StateCategory.PENDING_VENDOR, desk=desk)
    version = ticket.version
    # when / then
    with pytest.raises(PermissionDeniedError):
        services.ticket_set_delay_reason(
            ticket=ticket, actor=desk.user(role), reason=DelayReason.MISUSE
        )
    ticket.refresh_from_db()
    assert ticket.delay_reason == "" and ticket.version == version
    assert _delay_events(ticket) == []


@pytest.mark.parametrize("reason", ["holiday", "CUSTOM_DEVELOPMENT", "x" * 40])
def test_an_unknown_reason_is_refused(desk, reason):
    ticket = ticket_make(requester=desk.requester)
    with pytest.raises(ValidationError) as err:
        services.ticket_set_delay_reason(ticket=ticket, actor=desk.agent_l1, reason=reason)
    assert err.value.field == "reason"
    ticket.refresh_from_db()
    assert ticket.delay_reason == "" and _delay_events(ticket) == []


def test_a_closed_ticket_takes_no_reason_and_a_resolved_one_only_a_clearing(desk):
    closed = ticket_in(StateCategory.CLOSED, desk=desk)
    with pytest.raises(ValidationError):
        services.ticket_set_delay_reason(ticket=closed, actor=desk.agent_l1, reason="misuse")
    resolved = ticket_in(StateCategory.RESOLVED, desk=desk)
    with pytest.raises(ValidationError):
        services.ticket_set_delay_reason(ticket=resolved, actor=desk.agent_l1, reason="misuse")


def test_a_stale_version_is_a_conflict(desk):
    ticket = ticket_make(requester=desk.requester)
    with pytest.raises(ConflictError):
        services.ticket_set_delay_reason(
            ticket=ticket,
            actor=desk.agent_l1,
            reason="misuse",
            expected_version=ticket.version - 1 if ticket.version > 1 else 99,
        )
    ticket.refresh_from_db()
    assert ticket.delay_reason == ""
