"""Who works on a ticket: qualify, assign, escalate (transfer, referral, vendor), hand back,
forward."""

import pytest

from ayuda.accounts.models import Level, Role
from ayuda.accounts.tests.factories import team_make, user_make, vendor_make
from ayuda.core.errors import PermissionDeniedError, ValidationError
from ayuda.tickets import services
from ayuda.tickets.models import (
    Category,
    EscalationMode,
    EventAction,
    Priority,
    SenderRole,
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


# --- assign -------------------------------------------------------------------------------


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


# --- escalate to level 2 ------------------------------------------------------------------


def _owned_l1_ticket(desk, category=S.OPEN):
    ticket = ticket_in(category, desk=desk)
    services.ticket_assign(
        ticket=ticket, actor=desk.agent_l1, team=desk.l1_team, owner=desk.agent_l1
    )
    ticket.refresh_from_db()
    return ticket


def test_escalate_as_transfer_gives_level_2_the_ticket():
    # given
    desk = desk_make()
    ticket = _owned_l1_ticket(desk)
    seq = last_seq(ticket)

    # when
    services.ticket_escalate(
        ticket=ticket,
        actor=desk.agent_l1,
        team=desk.l2_team,
        mode=EscalationMode.TRANSFER,
        reason="Needs a database fix",
    )

    # then
    ticket.refresh_from_db()
    assert (ticket.level, ticket.team, ticket.owner, ticket.referral_team) == (
        Level.L2,
        desk.l2_team,
        None,
        None,
    )
    assert events_after(ticket, seq) == [
        (EventAction.ESCALATED, "level", Level.L1, Level.L2),
        (EventAction.CHANGED, "team", desk.l1_team.name, desk.l2_team.name),
        (EventAction.CHANGED, "owner", str(desk.agent_l1), ""),
    ]
    escalated = ticket.events.get(action=EventAction.ESCALATED)
    assert escalated.data["mode"] == EscalationMode.TRANSFER
    assert escalated.data["reason"] == "Needs a database fix"
    assert escalated.data["from_owner_id"] == desk.agent_l1.pk


def test_hand_back_after_a_transfer_restores_the_previous_team_and_owner():
    # given
    desk = desk_make()
    ticket = _owned_l1_ticket(desk)
    services.ticket_escalate(
        ticket=ticket,
        actor=desk.agent_l1,
        team=desk.l2_team,
        mode=EscalationMode.TRANSFER,
        reason="Needs a database fix",
    )
    seq = last_seq(ticket)

    # when
    services.ticket_hand_back(ticket=ticket, actor=desk.agent_l2, answer="Index rebuilt.")

    # then
    ticket.refresh_from_db()
    assert (ticket.level, ticket.team, ticket.owner) == (Level.L1, desk.l1_team, desk.agent_l1)
    assert events_after(ticket, seq) == [
        (EventAction.HANDED_BACK, "level", Level.L2, Level.L1),
        (EventAction.CHANGED, "team", desk.l2_team.name, desk.l1_team.name),
        (EventAction.CHANGED, "owner", "", str(desk.agent_l1)),
    ]
    answer = ticket.articles.order_by("-id").first()
    assert (answer.body, answer.internal, answer.sender_role) == (
        "Index rebuilt.",
        True,
        SenderRole.AGENT,
    )


def test_escalate_as_referral_keeps_team_and_owner():
    # given
    desk = desk_make()
    ticket = _owned_l1_ticket(desk)
    seq = last_seq(ticket)

    # when
    services.ticket_escalate(
        ticket=ticket,
        actor=desk.agent_l1,
        team=desk.l2_team,
        mode=EscalationMode.REFERRAL,
        reason="How do I fix this?",
    )

    # then
    ticket.refresh_from_db()
    assert (ticket.level, ticket.team, ticket.owner, ticket.referral_team) == (
        Level.L2,
        desk.l1_team,
        desk.agent_l1,
        desk.l2_team,
    )
    assert ticket.in_referral
    assert events_after(ticket, seq) == [
        (EventAction.ESCALATED, "level", Level.L1, Level.L2),
        (EventAction.CHANGED, "referral_team", "", desk.l2_team.name),
    ]


def test_resolve_is_refused_while_in_referral():
    # given
    desk = desk_make()
    ticket = _owned_l1_ticket(desk)
    services.ticket_escalate(
        ticket=ticket,
        actor=desk.agent_l1,
        team=desk.l2_team,
        mode=EscalationMode.REFERRAL,
        reason="How do I fix this?",
    )
    before = footprint(ticket)

    # when
    with pytest.raises(ValidationError):
        services.ticket_resolve(ticket=ticket, actor=desk.agent_l2, solution="Do X")

    # then
    assert footprint(ticket) == before


def test_hand_back_from_a_referral_returns_to_level_1_which_then_resolves():
    # given
    desk = desk_make()
    ticket = _owned_l1_ticket(desk)
    services.ticket_escalate(
        ticket=ticket,
        actor=desk.agent_l1,
        team=desk.l2_team,
        mode=EscalationMode.REFERRAL,
        reason="How do I fix this?",
    )
    seq = last_seq(ticket)

    # when
    services.ticket_hand_back(ticket=ticket, actor=desk.agent_l2, answer="Do X then Y.")
    services.ticket_resolve(ticket=ticket, actor=desk.agent_l1, solution="Did X then Y.")

    # then
    ticket.refresh_from_db()
    assert (ticket.level, ticket.team, ticket.owner, ticket.referral_team) == (
        Level.L1,
        desk.l1_team,
        desk.agent_l1,
        None,
    )
    assert ticket.state_category == S.RESOLVED
    assert events_after(ticket, seq)[:2] == [
        (EventAction.HANDED_BACK, "level", Level.L2, Level.L1),
        (EventAction.CHANGED, "referral_team", desk.l2_team.name, ""),
    ]


def test_escalating_a_new_ticket_opens_it():
    # given
    desk = desk_make()
    ticket = ticket_in(S.NEW, desk=desk)

    # when
    services.ticket_escalate(
        ticket=ticket,
        actor=desk.agent_l1,
        team=desk.l2_team,
        mode=EscalationMode.TRANSFER,
        reason="Straight to level 2",
    )

    # then
    ticket.refresh_from_db()
    assert ticket.state_category == S.OPEN


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


@pytest.mark.parametrize(
    ("case", "field"),
    [
        ("level_1_team", "team"),
        ("no_reason", "reason"),
        ("bad_mode", "mode"),
        ("already_level_2", None),
    ],
)
def test_escalate_refuses_bad_requests(case, field):
    # given
    desk = desk_make()
    ticket = ticket_in(S.OPEN, desk=desk)
    if case == "already_level_2":
        services.ticket_escalate(
            ticket=ticket,
            actor=desk.agent_l1,
            team=desk.l2_team,
            mode=EscalationMode.TRANSFER,
            reason="First time",
        )
    before = footprint(ticket)
    arguments = {"team": desk.l2_team, "mode": EscalationMode.TRANSFER, "reason": "Why"}
    arguments |= {
        "level_1_team": {"team": desk.l1_team},
        "no_reason": {"reason": " "},
        "bad_mode": {"mode": "sideways"},
        "already_level_2": {},
    }[case]

    # when
    with pytest.raises(ValidationError) as refused:
        services.ticket_escalate(ticket=ticket, actor=desk.agent_l1, **arguments)

    # then
    assert refused.value.field == field
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


# --- vendor -------------------------------------------------------------------------------


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


@pytest.mark.parametrize(
    ("who", "error"),
    [
        ("agent_l1", ValidationError),
        # The vendor handed it back: it still reads the ticket, and may do nothing on it.
        ("vendor_agent", PermissionDeniedError),
    ],
)
def test_hand_back_with_no_lower_level_is_refused(who, error):
    # given: a level 1 ticket the vendor once had (so its agent may still see it)
    desk = desk_make()
    ticket = ticket_in(S.PENDING_VENDOR, desk=desk)
    services.ticket_hand_back(ticket=ticket, actor=desk.vendor_agent, answer="Done")
    before = footprint(ticket)

    # when
    with pytest.raises(error):
        services.ticket_hand_back(ticket=ticket, actor=getattr(desk, who), answer="Again")

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


@pytest.mark.parametrize("role", [Role.REQUESTER, Role.SITE_ADMIN])
def test_customers_cannot_hand_back(role):
    # given
    desk = desk_make()
    ticket = ticket_in(S.PENDING_VENDOR, desk=desk)
    before = footprint(ticket)

    # when
    with pytest.raises(PermissionDeniedError):
        services.ticket_hand_back(ticket=ticket, actor=desk.user(role), answer="Done")

    # then
    assert footprint(ticket) == before


def test_hand_back_needs_an_answer():
    # given
    desk = desk_make()
    ticket = ticket_in(S.PENDING_VENDOR, desk=desk)
    before = footprint(ticket)

    # when
    with pytest.raises(ValidationError) as refused:
        services.ticket_hand_back(ticket=ticket, actor=desk.vendor_agent, answer=" ")

    # then
    assert refused.value.field == "answer"
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


# --- forward ------------------------------------------------------------------------------


def test_forward_sends_the_ticket_to_another_team_and_clears_the_owner():
    # given
    desk = desk_make()
    ticket = _owned_l1_ticket(desk)
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
