"""Escalation to a vendor and the hand-back from the vendor."""

import pytest

from ayuda.accounts.models import Level, Role
from ayuda.accounts.tests.factories import user_make, vendor_make
from ayuda.core.errors import PermissionDeniedError, ValidationError
from ayuda.tickets import services
from ayuda.tickets.models import (
    EscalationMode,
    EventAction,
    SenderRole,
    StateCategory,
)
from ayuda.tickets.tests.factories import (
    desk_make,
    events_after,
    footprint,
    last_seq,
    state_get,
    ticket_in,
)

pytestmark = pytest.mark.django_db

S = StateCategory
HELPDESK = [Role.AGENT_L1, Role.AGENT_L2, Role.MANAGER, Role.ADMIN]
NOT_HELPDESK = [Role.REQUESTER, Role.SITE_ADMIN, Role.VENDOR_AGENT]


# --- qualify ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", NOT_HELPDESK)
def test_escalate_is_refused_to_requesters_site_admins_and_vendor_agents(role):
    # given
    desk = desk_make()
    ticket = ticket_in(S.OPEN, desk=desk)
    before = footprint(ticket)

    # when
    with pytest.raises(PermissionDeniedError):
        services.ticket_escalate(
            ticket=ticket,
            actor=desk.user(role),
            team=desk.l2_team,
            mode=EscalationMode.TRANSFER,
            reason="Please",
        )

    # then
    assert footprint(ticket) == before


@pytest.mark.parametrize("frm", [S.PENDING_VENDOR, S.RESOLVED, S.CLOSED])
def test_escalate_refused_with_the_vendor_resolved_or_closed(frm):
    # given
    desk = desk_make()
    ticket = ticket_in(frm, desk=desk)
    before = footprint(ticket)

    # when
    with pytest.raises(ValidationError):
        services.ticket_escalate(
            ticket=ticket,
            actor=desk.agent_l1,
            team=desk.l2_team,
            mode=EscalationMode.REFERRAL,
            reason="Why",
        )

    # then
    assert footprint(ticket) == before


@pytest.mark.parametrize("role", HELPDESK)
def test_help_desk_roles_escalate_to_a_vendor(role):
    # given
    desk = desk_make()
    ticket = ticket_in(S.OPEN, desk=desk)
    seq = last_seq(ticket)

    # when
    services.ticket_escalate_to_vendor(
        ticket=ticket,
        actor=desk.user(role),
        vendor=desk.vendor,
        reason="Firmware bug",
        reference=" CASE-42 ",
    )

    # then
    ticket.refresh_from_db()
    assert (ticket.level, ticket.vendor, ticket.vendor_reference, ticket.state_category) == (
        Level.VENDOR,
        desk.vendor,
        "CASE-42",
        S.PENDING_VENDOR,
    )
    assert events_after(ticket, seq) == [
        (EventAction.ESCALATED, "level", Level.L1, Level.VENDOR),
        (EventAction.CHANGED, "vendor", "", desk.vendor.name),
        (EventAction.CHANGED, "vendor_reference", "", "CASE-42"),
        (
            EventAction.CHANGED,
            "state",
            state_get(S.OPEN).name,
            state_get(S.PENDING_VENDOR).name,
        ),
    ]


@pytest.mark.parametrize("role", NOT_HELPDESK)
def test_escalate_to_vendor_is_refused_to_non_help_desk_roles(role):
    # given: even a vendor agent of that very vendor
    desk = desk_make()
    ticket = ticket_in(S.OPEN, desk=desk)
    before = footprint(ticket)

    # when
    with pytest.raises(PermissionDeniedError):
        services.ticket_escalate_to_vendor(
            ticket=ticket, actor=desk.user(role), vendor=desk.vendor, reason="Please"
        )

    # then
    assert footprint(ticket) == before


def test_vendor_agent_cannot_escalate_a_ticket_it_already_holds_to_another_vendor():
    # given
    desk = desk_make()
    ticket = ticket_in(S.PENDING_VENDOR, desk=desk)
    before = footprint(ticket)

    # when
    with pytest.raises(PermissionDeniedError):
        services.ticket_escalate_to_vendor(
            ticket=ticket, actor=desk.vendor_agent, vendor=vendor_make(), reason="Not ours"
        )

    # then
    assert footprint(ticket) == before


@pytest.mark.parametrize("frm", [S.PENDING_VENDOR, S.RESOLVED, S.CLOSED])
def test_escalate_to_vendor_refused_when_already_there_resolved_or_closed(frm):
    # given
    desk = desk_make()
    ticket = ticket_in(frm, desk=desk)
    before = footprint(ticket)

    # when
    with pytest.raises(ValidationError):
        services.ticket_escalate_to_vendor(
            ticket=ticket, actor=desk.agent_l1, vendor=desk.vendor, reason="Again"
        )

    # then
    assert footprint(ticket) == before


@pytest.mark.parametrize("from_level", [Level.L1, Level.L2])
@pytest.mark.parametrize("who", ["vendor_agent", "escalating_level"])
def test_hand_back_from_the_vendor_returns_to_the_previous_level_and_open(from_level, who):
    # given
    desk = desk_make()
    ticket = ticket_in(S.PENDING_CUSTOMER, desk=desk)
    if from_level == Level.L2:
        services.ticket_escalate(
            ticket=ticket,
            actor=desk.agent_l1,
            team=desk.l2_team,
            mode=EscalationMode.TRANSFER,
            reason="Level 2 first",
        )
    services.ticket_escalate_to_vendor(
        ticket=ticket, actor=desk.agent_l1, vendor=desk.vendor, reason="Firmware bug"
    )
    seq = last_seq(ticket)
    # The vendor's agent, or the help desk's level that escalated it, with the vendor's answer.
    escalating = desk.agent_l1 if from_level == Level.L1 else desk.agent_l2
    actor = desk.vendor_agent if who == "vendor_agent" else escalating

    # when
    services.ticket_hand_back(ticket=ticket, actor=actor, answer="Install firmware 2.1")

    # then
    ticket.refresh_from_db()
    assert (ticket.level, ticket.state_category) == (from_level, S.OPEN)
    assert events_after(ticket, seq) == [
        (EventAction.HANDED_BACK, "level", Level.VENDOR, from_level),
        (
            EventAction.CHANGED,
            "state",
            state_get(S.PENDING_VENDOR).name,
            state_get(S.OPEN).name,
        ),
    ]
    answer = ticket.articles.order_by("-id").first()
    expected_role = SenderRole.VENDOR if who == "vendor_agent" else SenderRole.AGENT
    assert (answer.internal, answer.sender_role) == (True, expected_role)


def test_change_state_is_refused_while_the_vendor_has_the_ticket():
    # given
    desk = desk_make()
    ticket = ticket_in(S.PENDING_VENDOR, desk=desk)
    before = footprint(ticket)

    # when
    with pytest.raises(ValidationError):
        services.ticket_change_state(ticket=ticket, actor=desk.agent_l1, state=state_get(S.OPEN))

    # then
    assert footprint(ticket) == before


def test_vendor_agent_cannot_hand_back_from_level_2():
    # given
    desk = desk_make()
    ticket = ticket_in(S.PENDING_VENDOR, desk=desk)
    services.ticket_hand_back(ticket=ticket, actor=desk.vendor_agent, answer="Done")
    services.ticket_escalate(
        ticket=ticket,
        actor=desk.agent_l1,
        team=desk.l2_team,
        mode=EscalationMode.TRANSFER,
        reason="Level 2 now",
    )
    before = footprint(ticket)

    # when: no longer with the vendor, so refused before any level is looked at
    with pytest.raises(PermissionDeniedError):
        services.ticket_hand_back(ticket=ticket, actor=desk.vendor_agent, answer="Back")

    # then
    assert footprint(ticket) == before


def test_vendor_agent_of_another_vendor_cannot_hand_back():
    # given
    desk = desk_make()
    ticket = ticket_in(S.PENDING_VENDOR, desk=desk)
    stranger = user_make(role=Role.VENDOR_AGENT, vendor=vendor_make())
    before = footprint(ticket)

    # when
    with pytest.raises(PermissionDeniedError):
        services.ticket_hand_back(ticket=ticket, actor=stranger, answer="Not mine")

    # then
    assert footprint(ticket) == before
