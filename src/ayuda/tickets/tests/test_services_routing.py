"""Routing services: qualify (recategorise, retype, reprioritise), assign, forward and the
vendor reference."""

import pytest

from ayuda.accounts.models import Level, Role
from ayuda.accounts.tests.factories import team_make, user_make
from ayuda.core.errors import PermissionDeniedError, ValidationError
from ayuda.tickets import services
from ayuda.tickets.models import (
    Category,
    EventAction,
    Priority,
    StateCategory,
    TicketEvent,
    TicketType,
)
from ayuda.tickets.tests.factories import (
    desk_make,
    events_after,
    footprint,
    last_seq,
    state_get,
    ticket_in,
    ticket_owned_l1,
)

pytestmark = pytest.mark.django_db

S = StateCategory
HELPDESK = [Role.AGENT_L1, Role.AGENT_L2, Role.MANAGER, Role.ADMIN]
NOT_HELPDESK = [Role.REQUESTER, Role.SITE_ADMIN, Role.VENDOR_AGENT]


# --- qualify ------------------------------------------------------------------------------


def test_qualify_records_recategorisation_type_and_priority():
    # given
    desk = desk_make()
    hardware = Category.objects.create(name="Hardware")
    network = Category.objects.create(name="Network")
    ticket = ticket_in(S.OPEN, desk=desk, category=hardware)
    seq = last_seq(ticket)

    # when
    services.ticket_qualify(
        ticket=ticket,
        actor=desk.agent_l1,
        category=network,
        type=TicketType.PROBLEM,
        priority=Priority.URGENT,
    )

    # then
    ticket.refresh_from_db()
    assert (ticket.category, ticket.type, ticket.priority) == (
        network,
        TicketType.PROBLEM,
        Priority.URGENT,
    )
    assert events_after(ticket, seq) == [
        (EventAction.CHANGED, "category", "Hardware", "Network"),
        (EventAction.CHANGED, "type", TicketType.INCIDENT, TicketType.PROBLEM),
        (EventAction.CHANGED, "priority", str(Priority.NORMAL.value), str(Priority.URGENT.value)),
    ]
    category_event = ticket.events.get(field="category")
    assert category_event.data == {"from_id": hardware.pk, "to_id": network.pk}


def test_qualify_without_a_change_records_nothing():
    # given
    desk = desk_make()
    ticket = ticket_in(S.OPEN, desk=desk)
    before = footprint(ticket)

    # when
    services.ticket_qualify(
        ticket=ticket,
        actor=desk.agent_l1,
        category=None,
        type=ticket.type,
        priority=ticket.priority,
    )

    # then
    assert footprint(ticket) == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"type": "bug"}, "type"),
        ({"priority": 9}, "priority"),
        ({"category": "retired"}, "category"),
    ],
)
def test_qualify_refuses_unknown_values(change, field):
    # given
    desk = desk_make()
    ticket = ticket_in(S.OPEN, desk=desk)
    before = footprint(ticket)
    arguments = {"category": None, "type": TicketType.INCIDENT, "priority": Priority.HIGH}
    arguments |= change
    if arguments["category"] == "retired":
        arguments["category"] = Category.objects.create(name="Fax", is_active=False)

    # when
    with pytest.raises(ValidationError) as refused:
        services.ticket_qualify(ticket=ticket, actor=desk.agent_l1, **arguments)

    # then
    assert refused.value.field == field
    assert footprint(ticket) == before


@pytest.mark.parametrize("role", NOT_HELPDESK)
def test_qualify_is_for_the_help_desk_only(role):
    # given
    desk = desk_make()
    ticket = ticket_in(S.PENDING_VENDOR, desk=desk)
    before = footprint(ticket)

    # when
    with pytest.raises(PermissionDeniedError):
        services.ticket_qualify(
            ticket=ticket,
            actor=desk.user(role),
            category=None,
            type=TicketType.INCIDENT,
            priority=Priority.URGENT,
        )

    # then
    assert footprint(ticket) == before


def test_qualify_a_closed_ticket_is_refused():
    # given
    desk = desk_make()
    ticket = ticket_in(S.CLOSED, desk=desk)
    before = footprint(ticket)

    # when
    with pytest.raises(ValidationError):
        services.ticket_qualify(
            ticket=ticket,
            actor=desk.agent_l1,
            category=None,
            type=TicketType.INCIDENT,
            priority=Priority.URGENT,
        )

    # then
    assert footprint(ticket) == before


def test_assign_an_owner_of_the_team_opens_a_new_ticket():
    # given
    desk = desk_make()
    ticket = ticket_in(S.NEW, desk=desk)
    seq = last_seq(ticket)

    # when
    services.ticket_assign(
        ticket=ticket, actor=desk.manager, team=desk.l1_team, owner=desk.agent_l1
    )

    # then
    ticket.refresh_from_db()
    assert (ticket.team, ticket.owner, ticket.state_category) == (
        desk.l1_team,
        desk.agent_l1,
        S.OPEN,
    )
    assert events_after(ticket, seq) == [
        (EventAction.CHANGED, "owner", "", str(desk.agent_l1)),
        (EventAction.CHANGED, "state", state_get(S.NEW).name, state_get(S.OPEN).name),
    ]


def test_assign_to_a_level_2_team_moves_the_level():
    # given
    desk = desk_make()
    ticket = ticket_in(S.OPEN, desk=desk)
    seq = last_seq(ticket)

    # when
    services.ticket_assign(
        ticket=ticket, actor=desk.agent_l1, team=desk.l2_team, owner=desk.agent_l2
    )

    # then
    ticket.refresh_from_db()
    assert (ticket.team, ticket.owner, ticket.level) == (desk.l2_team, desk.agent_l2, Level.L2)
    assert events_after(ticket, seq) == [
        (EventAction.CHANGED, "team", desk.l1_team.name, desk.l2_team.name),
        (EventAction.CHANGED, "owner", "", str(desk.agent_l2)),
        (EventAction.CHANGED, "level", Level.L1, Level.L2),
    ]


def test_assign_refuses_an_owner_outside_the_team():
    # given
    desk = desk_make()
    ticket = ticket_in(S.OPEN, desk=desk)
    before = footprint(ticket)

    # when
    with pytest.raises(ValidationError) as refused:
        services.ticket_assign(
            ticket=ticket, actor=desk.manager, team=desk.l1_team, owner=desk.agent_l2
        )

    # then
    assert refused.value.field == "owner"
    assert footprint(ticket) == before


@pytest.mark.parametrize("owner_kind", ["requester", "vendor_agent", "inactive_agent"])
def test_assign_refuses_an_owner_who_is_not_active_help_desk_staff(owner_kind):
    # given
    desk = desk_make()
    ticket = ticket_in(S.OPEN, desk=desk)
    before = footprint(ticket)
    owner = {
        "requester": desk.requester,
        "vendor_agent": desk.vendor_agent,
        "inactive_agent": user_make(role=Role.AGENT_L1, teams=[desk.l1_team], is_active=False),
    }[owner_kind]
    owner.teams.add(desk.l1_team)

    # when
    with pytest.raises(ValidationError) as refused:
        services.ticket_assign(ticket=ticket, actor=desk.manager, team=desk.l1_team, owner=owner)

    # then
    assert refused.value.field == "owner"
    assert footprint(ticket) == before


@pytest.mark.parametrize("role", NOT_HELPDESK)
def test_assign_is_for_the_help_desk_only(role):
    # given
    desk = desk_make()
    ticket = ticket_in(S.PENDING_VENDOR, desk=desk)
    before = footprint(ticket)

    # when
    with pytest.raises(PermissionDeniedError):
        services.ticket_assign(
            ticket=ticket, actor=desk.user(role), team=desk.l1_team, owner=desk.agent_l1
        )

    # then
    assert footprint(ticket) == before


def test_assign_a_closed_ticket_is_refused():
    # given
    desk = desk_make()
    ticket = ticket_in(S.CLOSED, desk=desk)
    before = footprint(ticket)

    # when
    with pytest.raises(ValidationError):
        services.ticket_assign(
            ticket=ticket, actor=desk.manager, team=desk.l1_team, owner=desk.agent_l1
        )

    # then
    assert footprint(ticket) == before


def test_vendor_reference_is_recorded_once_and_only_when_it_changes():
    # given
    desk = desk_make()
    ticket = ticket_in(S.PENDING_VENDOR, desk=desk)
    seq = last_seq(ticket)

    # when
    services.ticket_set_vendor_reference(ticket=ticket, actor=None, reference="V-1")
    services.ticket_set_vendor_reference(ticket=ticket, actor=desk.vendor_agent, reference="V-1")

    # then
    ticket.refresh_from_db()
    assert ticket.vendor_reference == "V-1"
    assert events_after(ticket, seq) == [(EventAction.CHANGED, "vendor_reference", "", "V-1")]


def test_forward_sends_the_ticket_to_another_team_and_clears_the_owner():
    # given
    desk = desk_make()
    ticket = ticket_owned_l1(desk)
    accounts = team_make(level=Level.L2, name="Accounts")
    seq = last_seq(ticket)

    # when
    services.ticket_forward(ticket=ticket, actor=desk.agent_l1, team=accounts, reason="Billing")

    # then
    ticket.refresh_from_db()
    assert (ticket.team, ticket.owner, ticket.level) == (accounts, None, Level.L2)
    assert events_after(ticket, seq) == [
        (EventAction.FORWARDED, "team", desk.l1_team.name, "Accounts"),
        (EventAction.CHANGED, "owner", str(desk.agent_l1), ""),
        (EventAction.CHANGED, "level", Level.L1, Level.L2),
    ]
    forwarded = TicketEvent.objects.get(ticket=ticket, action=EventAction.FORWARDED)
    assert forwarded.data["reason"] == "Billing"


@pytest.mark.parametrize("case", ["same_team", "vendor_team", "no_reason"])
def test_forward_refuses_bad_requests(case):
    # given
    desk = desk_make()
    ticket = ticket_in(S.OPEN, desk=desk)
    before = footprint(ticket)
    team = {
        "same_team": desk.l1_team,
        "vendor_team": team_make(level=Level.VENDOR),
        "no_reason": desk.l2_team,
    }[case]

    # when
    with pytest.raises(ValidationError):
        services.ticket_forward(
            ticket=ticket,
            actor=desk.agent_l1,
            team=team,
            reason="" if case == "no_reason" else "Why",
        )

    # then
    assert footprint(ticket) == before


@pytest.mark.parametrize("role", NOT_HELPDESK)
def test_forward_is_for_the_help_desk_only(role):
    # given
    desk = desk_make()
    ticket = ticket_in(S.PENDING_VENDOR, desk=desk)
    before = footprint(ticket)

    # when
    with pytest.raises(PermissionDeniedError):
        services.ticket_forward(
            ticket=ticket, actor=desk.user(role), team=desk.l2_team, reason="Why"
        )

    # then
    assert footprint(ticket) == before


@pytest.mark.parametrize("frm", [S.RESOLVED, S.CLOSED])
def test_forward_refused_on_resolved_or_closed(frm):
    # given
    desk = desk_make()
    ticket = ticket_in(frm, desk=desk)
    before = footprint(ticket)

    # when
    with pytest.raises(ValidationError):
        services.ticket_forward(ticket=ticket, actor=desk.agent_l1, team=desk.l2_team, reason="Why")

    # then
    assert footprint(ticket) == before
