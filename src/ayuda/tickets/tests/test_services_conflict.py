"""Two agents saving the same ticket: the second gets a conflict and nothing is overwritten."""

import pytest

from ayuda.core.errors import ConflictError
from ayuda.tickets import services
from ayuda.tickets.models import Priority, StateCategory, Ticket, TicketType
from ayuda.tickets.tests.factories import desk_make, footprint, state_get, ticket_in

pytestmark = pytest.mark.django_db


def test_second_agent_saving_a_stale_ticket_gets_a_conflict_and_nothing_changes():
    # given: both agents load the same version
    desk = desk_make()
    ticket = ticket_in(StateCategory.OPEN, desk=desk)
    seen_by_first = Ticket.objects.get(pk=ticket.pk)
    seen_by_second = Ticket.objects.get(pk=ticket.pk)
    services.ticket_qualify(
        ticket=seen_by_first,
        actor=desk.agent_l1,
        category=None,
        type=TicketType.PROBLEM,
        priority=Priority.HIGH,
        expected_version=seen_by_first.version,
    )
    after_first = footprint(ticket)

    # when
    with pytest.raises(ConflictError) as conflict:
        services.ticket_qualify(
            ticket=seen_by_second,
            actor=desk.agent_l2,
            category=None,
            type=TicketType.SERVICE_REQUEST,
            priority=Priority.LOW,
            expected_version=seen_by_second.version,
        )

    # then
    assert "Someone else changed this ticket" in conflict.value.message
    assert after_first.version == seen_by_second.version + 1
    assert footprint(ticket) == after_first
    ticket.refresh_from_db()
    assert (ticket.type, ticket.priority) == (TicketType.PROBLEM, Priority.HIGH)


@pytest.mark.parametrize(
    "call",
    [
        lambda t, d, v: services.article_add_reply(
            ticket=t, actor=d.agent_l2, body="Stale reply", expected_version=v
        ),
        lambda t, d, v: services.article_add_note(
            ticket=t, actor=d.agent_l2, body="Stale note", expected_version=v
        ),
        lambda t, d, v: services.ticket_change_state(
            ticket=t,
            actor=d.agent_l2,
            state=state_get(StateCategory.PENDING_CUSTOMER),
            expected_version=v,
        ),
        lambda t, d, v: services.ticket_resolve(
            ticket=t, actor=d.agent_l2, solution="Stale", expected_version=v
        ),
        lambda t, d, v: services.ticket_assign(
            ticket=t, actor=d.agent_l2, team=d.l2_team, owner=d.agent_l2, expected_version=v
        ),
        lambda t, d, v: services.article_add_customer(
            ticket=t, author=d.requester, body="Stale", expected_version=v
        ),
    ],
    ids=["reply", "note", "change_state", "resolve", "assign", "customer_reply"],
)
def test_every_write_with_a_stale_version_is_refused(call):
    # given
    desk = desk_make()
    ticket = ticket_in(StateCategory.OPEN, desk=desk)
    stale_version = ticket.version
    services.article_add_note(ticket=ticket, actor=desk.agent_l1, body="First")
    before = footprint(ticket)

    # when
    with pytest.raises(ConflictError):
        call(ticket, desk, stale_version)

    # then
    assert footprint(ticket) == before


def test_the_current_version_saves():
    # given
    desk = desk_make()
    ticket = ticket_in(StateCategory.OPEN, desk=desk)
    version = ticket.version

    # when
    services.article_add_note(
        ticket=ticket, actor=desk.agent_l1, body="Fresh", expected_version=version
    )

    # then
    assert footprint(ticket).version == version + 1
