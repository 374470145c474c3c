"""Escalation to level 2 (transfer or referral) and the hand-back to level 1."""

import pytest

from ayuda.accounts.models import Level, Role
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
    ticket_in,
    ticket_owned_l1,
)

pytestmark = pytest.mark.django_db

S = StateCategory
HELPDESK = [Role.AGENT_L1, Role.AGENT_L2, Role.MANAGER, Role.ADMIN]
NOT_HELPDESK = [Role.REQUESTER, Role.SITE_ADMIN, Role.VENDOR_AGENT]


# --- qualify ------------------------------------------------------------------------------


def test_escalate_as_transfer_gives_level_2_the_ticket():
    # given
    desk = desk_make()
    ticket = ticket_owned_l1(desk)
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
    ticket = ticket_owned_l1(desk)
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
    ticket = ticket_owned_l1(desk)
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
    ticket = ticket_owned_l1(desk)
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
    ticket = ticket_owned_l1(desk)
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
