"""A vendor reads the public conversation and its own side of a ticket: never another vendor's
notes and mail, nor the help desk's internal notes, files and reasons (R10, R27)."""

import pytest

from ayuda.accounts.models import Role
from ayuda.accounts.tests.factories import user_make, vendor_make
from ayuda.tickets import services
from ayuda.tickets.attachments import IncomingFile
from ayuda.tickets.models import Article, EventAction, SenderRole, StateCategory
from ayuda.tickets.selectors import ticket_timeline

from .factories import desk_make, ticket_in
from .files import png_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk():
    return desk_make()


@pytest.fixture
def handed_on(desk):
    """Escalated to the desk's vendor (A), answered and handed back, then escalated to B."""
    ticket = ticket_in(StateCategory.PENDING_VENDOR, desk=desk)
    services.article_add_note(ticket=ticket, actor=desk.vendor_agent, body="A: firmware 2.1 bug")
    services.article_add_note(  # A's own mail, matched by the e-mail intake
        ticket=ticket,
        actor=None,
        body="A by mail: case 4711",
        sender_role=SenderRole.VENDOR,
    )
    services.ticket_hand_back(ticket=ticket, actor=desk.vendor_agent, answer="A: patch it")
    services.article_add_note(
        ticket=ticket,
        actor=desk.agent_l1,
        body="Desk only: customer is difficult",
        attachments=[IncomingFile("internal.png", png_bytes())],
    )
    services.ticket_forward(
        ticket=ticket, actor=desk.agent_l1, team=desk.l2_team, reason="FORWARD-SECRET"
    )
    ticket.refresh_from_db()
    vendor_b = vendor_make(name="Vendor B")
    services.ticket_escalate_to_vendor(
        ticket=ticket, actor=desk.agent_l2, vendor=vendor_b, reason="B: please check"
    )
    ticket.refresh_from_db()
    return ticket, user_make(role=Role.VENDOR_AGENT, vendor=vendor_b)


def _bodies(timeline) -> set[str]:
    return {a.body for a in timeline["articles"]}


def test_the_next_vendor_does_not_read_the_earlier_vendors_side(handed_on):
    # given
    ticket, agent_b = handed_on

    # when
    timeline = ticket_timeline(user=agent_b, ticket=ticket)

    # then
    bodies = _bodies(timeline)
    assert not bodies & {"A: firmware 2.1 bug", "A by mail: case 4711", "A: patch it"}
    assert "Desk only: customer is difficult" not in bodies


def test_each_vendor_reads_its_own_side(handed_on, desk):
    # given
    ticket, agent_b = handed_on
    services.article_add_note(ticket=ticket, actor=agent_b, body="B: looking")

    # when
    seen_by_a = _bodies(ticket_timeline(user=desk.vendor_agent, ticket=ticket))
    seen_by_b = _bodies(ticket_timeline(user=agent_b, ticket=ticket))

    # then
    assert {"A: firmware 2.1 bug", "A by mail: case 4711", "A: patch it"} <= seen_by_a
    assert "B: looking" not in seen_by_a
    assert "B: looking" in seen_by_b
    assert Article.objects.get(body="A by mail: case 4711").vendor == desk.vendor


def test_the_help_desk_reads_every_side(handed_on, desk):
    ticket, agent_b = handed_on
    services.article_add_note(ticket=ticket, actor=agent_b, body="B: looking")
    bodies = _bodies(ticket_timeline(user=desk.agent_l1, ticket=ticket))
    assert {"A: firmware 2.1 bug", "A by mail: case 4711", "B: looking"} <= bodies


def test_a_vendor_sees_what_happened_without_the_help_desks_reasons(handed_on):
    # given
    ticket, agent_b = handed_on

    # when
    events = ticket_timeline(user=agent_b, ticket=ticket)["events"]

    # then: the forward is there, its reason is not; B's own escalation keeps its reason
    forward = next(e for e in events if e.action == EventAction.FORWARDED)
    assert "reason" not in forward.data
    escalations = [e for e in events if e.action == EventAction.ESCALATED]
    assert [e.data.get("reason") for e in escalations] == [None, "B: please check"]
    # and no trace of the help desk's internal file
    attached = [e.new_value for e in events if e.action == EventAction.ATTACHMENT_ADDED]
    assert "internal.png" not in attached
    # and nothing was changed in the stored history
    ticket.refresh_from_db()
    stored = ticket.events.get(action=EventAction.FORWARDED)
    assert stored.data["reason"] == "FORWARD-SECRET"
