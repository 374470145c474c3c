"""Moving tickets through their states (ticket_change_state, ticket_resolve, ticket_close,
ticket_reopen) along the state machine. Creation is in test_services_create.py."""

import pytest

from ayuda.accounts.models import Role
from ayuda.core.errors import PermissionDeniedError, ValidationError
from ayuda.tickets import services
from ayuda.tickets.models import (
    EventAction,
    SenderRole,
    StateCategory,
    Ticket,
)
from ayuda.tickets.services._base import transition_check
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
ALL = [S.NEW, S.OPEN, S.PENDING_CUSTOMER, S.PENDING_VENDOR, S.RESOLVED, S.CLOSED]
# The state machine, written out independently of services._base.TRANSITIONS.
ALLOWED = {
    (S.NEW, S.OPEN),
    (S.NEW, S.PENDING_CUSTOMER),
    (S.NEW, S.PENDING_VENDOR),
    (S.NEW, S.RESOLVED),
    (S.OPEN, S.OPEN),
    (S.OPEN, S.PENDING_CUSTOMER),
    (S.OPEN, S.PENDING_VENDOR),
    (S.OPEN, S.RESOLVED),
    (S.PENDING_CUSTOMER, S.OPEN),
    (S.PENDING_CUSTOMER, S.PENDING_CUSTOMER),
    (S.PENDING_CUSTOMER, S.PENDING_VENDOR),
    (S.PENDING_CUSTOMER, S.RESOLVED),
    (S.PENDING_VENDOR, S.OPEN),
    (S.PENDING_VENDOR, S.PENDING_VENDOR),
    (S.PENDING_VENDOR, S.RESOLVED),
    (S.RESOLVED, S.OPEN),
    (S.RESOLVED, S.RESOLVED),
    (S.RESOLVED, S.CLOSED),
    (S.CLOSED, S.CLOSED),
}


@pytest.mark.parametrize("to", ALL)
@pytest.mark.parametrize("frm", ALL)
def test_transition_check_follows_the_state_machine(frm, to):
    # given
    ticket = Ticket(state_category=frm)

    # when
    try:
        transition_check(ticket, to)
        allowed = True
    except ValidationError:
        allowed = False

    # then
    assert allowed == ((frm, to) in ALLOWED)


# --- change state -------------------------------------------------------------------------

# (from, to) -> what ticket_change_state does: "change", "same" (nothing to do) or "refuse".
CHANGE_STATE_TARGETS = [S.NEW, S.OPEN, S.PENDING_CUSTOMER, S.CLOSED]


def _change_state_outcome(frm, to):
    if frm == S.PENDING_VENDOR and to != frm:
        return "refuse"  # hand it back first
    if (frm, to) not in ALLOWED:
        return "refuse"
    return "same" if frm == to else "change"


@pytest.mark.parametrize("to", CHANGE_STATE_TARGETS)
@pytest.mark.parametrize("frm", ALL)
def test_change_state_moves_only_along_the_state_machine(frm, to):
    # given
    desk = desk_make()
    ticket = ticket_in(frm, desk=desk)
    before = footprint(ticket)
    seq = last_seq(ticket)
    expected = _change_state_outcome(frm, to)

    # when
    try:
        services.ticket_change_state(ticket=ticket, actor=desk.agent_l1, state=state_get(to))
        outcome = "done"
    except ValidationError:
        outcome = "refuse"

    # then
    after = footprint(ticket)
    ticket.refresh_from_db()
    if expected == "refuse":
        assert outcome == "refuse"
        assert after == before
    elif expected == "same":
        assert outcome == "done"
        assert after == before
    else:
        assert outcome == "done"
        assert ticket.state_category == to
        assert after.version == before.version + 1
        expected = [(EventAction.CHANGED, "state", state_get(frm).name, state_get(to).name)]
        if to == S.CLOSED and frm != S.CLOSED:
            expected.append((EventAction.CLOSED, "", "", ""))
        assert events_after(ticket, seq) == expected


@pytest.mark.parametrize("to", [S.PENDING_VENDOR, S.RESOLVED])
def test_change_state_refuses_states_that_have_their_own_service(to):
    # given
    desk = desk_make()
    ticket = ticket_in(S.OPEN, desk=desk)
    before = footprint(ticket)

    # when
    with pytest.raises(ValidationError) as refused:
        services.ticket_change_state(ticket=ticket, actor=desk.agent_l1, state=state_get(to))

    # then
    assert refused.value.field == "state"
    assert footprint(ticket) == before


@pytest.mark.parametrize("role", [Role.REQUESTER, Role.SITE_ADMIN, Role.VENDOR_AGENT])
def test_change_state_is_for_the_help_desk_only(role):
    # given
    desk = desk_make()
    ticket = ticket_in(S.OPEN, desk=desk)
    before = footprint(ticket)

    # when
    with pytest.raises(PermissionDeniedError):
        services.ticket_change_state(
            ticket=ticket, actor=desk.user(role), state=state_get(S.PENDING_CUSTOMER)
        )

    # then
    assert footprint(ticket) == before


def test_reopening_by_state_change_clears_resolved_at():
    # given
    desk = desk_make()
    ticket = ticket_in(S.RESOLVED, desk=desk)
    assert ticket.resolved_at is not None

    # when
    services.ticket_change_state(ticket=ticket, actor=desk.agent_l1, state=state_get(S.OPEN))

    # then
    ticket.refresh_from_db()
    assert ticket.state_category == S.OPEN
    assert ticket.resolved_at is None


# --- resolve ------------------------------------------------------------------------------


@pytest.mark.parametrize("frm", [S.NEW, S.OPEN, S.PENDING_CUSTOMER, S.PENDING_VENDOR])
def test_resolve_with_a_solution_from_every_active_state(frm):
    # given
    desk = desk_make()
    ticket = ticket_in(frm, desk=desk)
    seq = last_seq(ticket)
    version = ticket.version

    # when
    services.ticket_resolve(ticket=ticket, actor=desk.agent_l1, solution=" Cleaned the heads. ")

    # then
    ticket.refresh_from_db()
    assert ticket.state_category == S.RESOLVED
    assert ticket.solution == "Cleaned the heads."
    assert ticket.resolved_at is not None
    assert ticket.first_response_at is not None
    assert ticket.version == version + 1
    answer = ticket.articles.order_by("-id").first()
    assert (answer.body, answer.internal, answer.sender_role) == (
        "Cleaned the heads.",
        False,
        SenderRole.AGENT,
    )
    assert events_after(ticket, seq) == [
        (EventAction.ARTICLE_ADDED, "", "", ""),
        (EventAction.CHANGED, "state", state_get(frm).name, state_get(S.RESOLVED).name),
        (EventAction.RESOLVED, "solution", "", "Cleaned the heads."),
    ]


@pytest.mark.parametrize("solution", ["", "   \n "])
def test_resolve_needs_a_solution(solution):
    # given
    desk = desk_make()
    ticket = ticket_in(S.OPEN, desk=desk)
    before = footprint(ticket)

    # when
    with pytest.raises(ValidationError) as refused:
        services.ticket_resolve(ticket=ticket, actor=desk.agent_l1, solution=solution)

    # then
    assert refused.value.field == "solution"
    assert footprint(ticket) == before


def test_resolve_a_closed_ticket_is_refused():
    # given
    desk = desk_make()
    ticket = ticket_in(S.CLOSED, desk=desk)
    before = footprint(ticket)

    # when
    with pytest.raises(ValidationError):
        services.ticket_resolve(ticket=ticket, actor=desk.agent_l1, solution="Again")

    # then
    assert footprint(ticket) == before


def test_resolving_a_resolved_ticket_again_is_refused():
    # given
    desk = desk_make()
    ticket = ticket_in(S.RESOLVED, desk=desk)
    before = footprint(ticket)

    # when
    with pytest.raises(ValidationError):
        services.ticket_resolve(ticket=ticket, actor=desk.agent_l1, solution="Better answer")

    # then
    assert footprint(ticket) == before


@pytest.mark.parametrize("role", [Role.REQUESTER, Role.SITE_ADMIN, Role.VENDOR_AGENT])
def test_resolve_is_for_the_help_desk_only(role):
    # given
    desk = desk_make()
    ticket = ticket_in(S.PENDING_VENDOR, desk=desk)
    before = footprint(ticket)

    # when
    with pytest.raises(PermissionDeniedError):
        services.ticket_resolve(ticket=ticket, actor=desk.user(role), solution="Fixed")

    # then
    assert footprint(ticket) == before


# --- close --------------------------------------------------------------------------------


def test_close_a_resolved_ticket():
    # given
    desk = desk_make()
    ticket = ticket_in(S.RESOLVED, desk=desk)
    seq = last_seq(ticket)

    # when
    services.ticket_close(ticket=ticket, actor=desk.agent_l1)

    # then
    ticket.refresh_from_db()
    assert ticket.state_category == S.CLOSED
    assert ticket.closed_at is not None
    assert events_after(ticket, seq) == [
        (EventAction.CHANGED, "state", state_get(S.RESOLVED).name, state_get(S.CLOSED).name),
        (EventAction.CLOSED, "", "", ""),
    ]


@pytest.mark.parametrize("frm", [S.NEW, S.OPEN, S.PENDING_CUSTOMER, S.PENDING_VENDOR, S.CLOSED])
def test_close_only_a_resolved_ticket(frm):
    # given
    desk = desk_make()
    ticket = ticket_in(frm, desk=desk)
    before = footprint(ticket)

    # when
    with pytest.raises(ValidationError):
        services.ticket_close(ticket=ticket, actor=desk.agent_l1)

    # then
    assert footprint(ticket) == before


@pytest.mark.parametrize("role", [Role.REQUESTER, Role.SITE_ADMIN])
def test_customers_cannot_close(role):
    # given
    desk = desk_make()
    ticket = ticket_in(S.RESOLVED, desk=desk)
    before = footprint(ticket)

    # when
    with pytest.raises(PermissionDeniedError):
        services.ticket_close(ticket=ticket, actor=desk.user(role))

    # then
    assert footprint(ticket) == before


# --- reopen -------------------------------------------------------------------------------


def test_reopen_a_resolved_ticket_records_the_reason_and_clears_resolved_at():
    # given
    desk = desk_make()
    ticket = ticket_in(S.RESOLVED, desk=desk)
    seq = last_seq(ticket)

    # when
    services.ticket_reopen(ticket=ticket, actor=desk.agent_l1, reason=" Still smoking ")

    # then
    ticket.refresh_from_db()
    assert ticket.state_category == S.OPEN
    assert ticket.resolved_at is None
    assert events_after(ticket, seq) == [
        (EventAction.CHANGED, "state", state_get(S.RESOLVED).name, state_get(S.OPEN).name),
        (EventAction.REOPENED, "", "", "Still smoking"),
    ]


@pytest.mark.parametrize("frm", [S.NEW, S.OPEN, S.PENDING_CUSTOMER, S.PENDING_VENDOR, S.CLOSED])
def test_reopen_only_a_resolved_ticket(frm):
    # given
    desk = desk_make()
    ticket = ticket_in(frm, desk=desk)
    before = footprint(ticket)

    # when
    with pytest.raises(ValidationError):
        services.ticket_reopen(ticket=ticket, actor=desk.agent_l1)

    # then
    assert footprint(ticket) == before


def test_a_requester_reopens_by_replying_not_through_reopen():
    # given
    desk = desk_make()
    ticket = ticket_in(S.RESOLVED, desk=desk)
    before = footprint(ticket)

    # when
    with pytest.raises(PermissionDeniedError):
        services.ticket_reopen(ticket=ticket, actor=desk.requester)

    # then
    assert footprint(ticket) == before
