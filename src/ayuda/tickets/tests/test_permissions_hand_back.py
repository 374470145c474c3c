"""Who may hand a ticket back (issue 8): only a ticket escalated to the level holding it, and
only the staff of that level (with managers and administrators). A ticket that arrived at level
2 (its category routes there) or came there by assignment has no one to hand it back to."""

import pytest

from ayuda.accounts.models import Level, Role
from ayuda.tickets import permissions, services
from ayuda.tickets.models import Category, Channel, EscalationMode
from ayuda.tickets.permissions import Action
from ayuda.tickets.tests.factories import desk_make, ticket_make

pytestmark = pytest.mark.django_db

ROLES = [
    Role.REQUESTER,
    Role.SITE_ADMIN,
    Role.AGENT_L1,
    Role.AGENT_L2,
    Role.VENDOR_AGENT,
    Role.MANAGER,
    Role.ADMIN,
]
NOBODY: set[str] = set()
LEVEL_2 = {Role.AGENT_L2, Role.MANAGER, Role.ADMIN}


def _escalate(desk, ticket, mode=EscalationMode.TRANSFER):
    services.ticket_escalate(
        ticket=ticket, actor=desk.agent_l1, team=desk.l2_team, mode=mode, reason="Hard"
    )


def _to_vendor(desk, ticket, actor=None):
    services.ticket_escalate_to_vendor(
        ticket=ticket, actor=actor or desk.agent_l1, vendor=desk.vendor, reason="Firmware"
    )


def arrived_at_level_1(desk):
    return ticket_make(requester=desk.requester, site=desk.site, team=desk.l1_team)


def routed_to_level_2(desk):
    category = Category.objects.create(
        name="POS software", default_team=desk.l2_team, routes_to_level_2=True
    )
    return services.ticket_create(
        requester=desk.requester,
        actor=desk.requester,
        subject="The POS crashes",
        description="On every refund.",
        category=category,
        site=desk.site,
        channel=Channel.PORTAL,
    )


def transferred_to_level_2(desk):
    ticket = arrived_at_level_1(desk)
    _escalate(desk, ticket)
    return ticket


def referred_to_level_2(desk):
    ticket = arrived_at_level_1(desk)
    _escalate(desk, ticket, EscalationMode.REFERRAL)
    return ticket


def back_from_the_vendor_at_level_2(desk):
    """Level 1 -> level 2 -> vendor -> back to level 2: level 2 still holds an escalation."""
    ticket = transferred_to_level_2(desk)
    _to_vendor(desk, ticket, desk.agent_l2)
    services.ticket_hand_back(ticket=ticket, actor=desk.vendor_agent, answer="Patched")
    return ticket


def assigned_to_level_2_after_the_hand_back(desk):
    ticket = transferred_to_level_2(desk)
    services.ticket_hand_back(ticket=ticket, actor=desk.agent_l2, answer="Do X")
    services.ticket_assign(ticket=ticket, actor=desk.agent_l1, team=desk.l2_team, owner=None)
    return ticket


def with_the_vendor_from_level_1(desk):
    ticket = arrived_at_level_1(desk)
    _to_vendor(desk, ticket)
    return ticket


def with_the_vendor_from_level_2(desk):
    ticket = transferred_to_level_2(desk)
    _to_vendor(desk, ticket, desk.agent_l2)
    return ticket


def with_the_vendor_from_a_routed_level_2(desk):
    ticket = routed_to_level_2(desk)
    _to_vendor(desk, ticket, desk.agent_l2)
    return ticket


CASES = [
    (arrived_at_level_1, Level.L1, NOBODY),
    (routed_to_level_2, Level.L2, NOBODY),
    (transferred_to_level_2, Level.L2, LEVEL_2),
    (referred_to_level_2, Level.L2, LEVEL_2),
    (back_from_the_vendor_at_level_2, Level.L2, LEVEL_2),
    (assigned_to_level_2_after_the_hand_back, Level.L2, NOBODY),
    # The vendor holds it; the level that escalated it may take it back with the vendor's
    # answer (a vendor without an Ayuda account answers by mail).
    (
        with_the_vendor_from_level_1,
        Level.VENDOR,
        {Role.VENDOR_AGENT, Role.AGENT_L1, Role.MANAGER, Role.ADMIN},
    ),
    (
        with_the_vendor_from_level_2,
        Level.VENDOR,
        {Role.VENDOR_AGENT, Role.AGENT_L2, Role.MANAGER, Role.ADMIN},
    ),
    (
        with_the_vendor_from_a_routed_level_2,
        Level.VENDOR,
        {Role.VENDOR_AGENT, Role.AGENT_L2, Role.MANAGER, Role.ADMIN},
    ),
]


@pytest.mark.parametrize(("make", "level", "allowed"), CASES, ids=[c[0].__name__ for c in CASES])
def test_hand_back_is_allowed_only_to_the_level_holding_an_escalated_ticket(make, level, allowed):
    # given
    desk = desk_make()
    ticket = make(desk)
    ticket.refresh_from_db()
    assert ticket.level == level

    # when
    may = {
        role
        for role in ROLES
        if Action.HAND_BACK in permissions.allowed_actions(desk.user(role), ticket)
    }

    # then
    assert may == allowed


def test_the_other_help_desk_actions_stay_on_a_ticket_that_cannot_be_handed_back():
    # given
    desk = desk_make()
    ticket = routed_to_level_2(desk)

    # when
    actions = permissions.allowed_actions(desk.agent_l2, ticket)

    # then
    assert Action.HAND_BACK not in actions
    assert {Action.REPLY, Action.NOTE, Action.RESOLVE, Action.ESCALATE} <= actions
