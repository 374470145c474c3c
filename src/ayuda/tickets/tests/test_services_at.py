"""Services that change a ticket take ``at``: when it happened (the demo's made-up past, an
import). The ticket, its articles and its history all carry that time, and the chain holds."""

from datetime import timedelta

import pytest
from django.utils import timezone

from ayuda.tickets import services
from ayuda.tickets.history import chain_verify
from ayuda.tickets.models import EscalationMode, Ticket, TicketType
from ayuda.tickets.tests.factories import desk_make, ticket_make

pytestmark = pytest.mark.django_db


def _times(ticket: Ticket) -> tuple[list, list]:
    events = list(ticket.events.order_by("seq").values_list("action", "at"))
    articles = list(ticket.articles.order_by("pk").values_list("body", "created_at"))
    return events, articles


def test_every_lifecycle_service_records_the_time_it_is_given():
    # given a ticket raised ten days ago
    desk = desk_make()
    start = timezone.now() - timedelta(days=10)
    ticket = ticket_make(requester=desk.requester, site=desk.site, team=desk.l1_team, at=start)
    hour = timedelta(hours=1)
    l1, l2 = desk.agent_l1, desk.agent_l2

    # when each step is dated an hour after the one before
    services.ticket_assign(ticket=ticket, actor=l1, team=desk.l1_team, owner=l1, at=start + hour)
    services.ticket_qualify(
        ticket=ticket,
        actor=l1,
        category=None,
        type=TicketType.INCIDENT,
        priority=3,
        at=start + 2 * hour,
    )
    services.article_add_reply(
        ticket=ticket, actor=l1, body="Which till?", ask_customer=True, at=start + 3 * hour
    )
    services.article_add_customer(
        ticket=ticket, author=desk.requester, body="Till 2.", at=start + 4 * hour
    )
    services.article_add_note(ticket=ticket, actor=l1, body="Needs L2.", at=start + 5 * hour)
    services.ticket_escalate(
        ticket=ticket,
        actor=l1,
        team=desk.l2_team,
        mode=EscalationMode.REFERRAL,
        reason="Crash in the app.",
        at=start + 6 * hour,
    )
    services.ticket_hand_back(ticket=ticket, actor=l2, answer="Clear cache.", at=start + 7 * hour)
    services.ticket_escalate_to_vendor(
        ticket=ticket, actor=l1, vendor=desk.vendor, reason="Firmware.", at=start + 8 * hour
    )
    services.ticket_hand_back(
        ticket=ticket, actor=desk.vendor_agent, answer="Fixed.", at=start + 9 * hour
    )
    services.ticket_forward(
        ticket=ticket, actor=l1, team=desk.l2_team, reason="Network.", at=start + 10 * hour
    )
    services.ticket_resolve(ticket=ticket, actor=l2, solution="Done.", at=start + 11 * hour)
    services.ticket_reopen(ticket=ticket, actor=l2, reason="Again.", at=start + 12 * hour)
    services.ticket_resolve(ticket=ticket, actor=l2, solution="Done.", at=start + 13 * hour)
    services.ticket_close(ticket=ticket, actor=l2, at=start + 14 * hour)

    # then nothing carries the time it really ran at, and the history is a valid chain
    ticket.refresh_from_db()
    events, articles = _times(ticket)
    assert ticket.created_at == start
    assert ticket.updated_at == start + 14 * hour
    assert ticket.first_response_at == start + 3 * hour
    assert ticket.resolved_at == start + 13 * hour
    assert ticket.closed_at == start + 14 * hour
    event_times = [at for _action, at in events]
    assert event_times == sorted(event_times)
    assert {at for _action, at in events} == {start + n * hour for n in range(15)}
    assert all(at <= start + 13 * hour for _body, at in articles)
    assert len({at for _body, at in articles}) == len(articles)
    assert (
        chain_verify(ticket.events.order_by("seq"), head=(ticket.history_seq, ticket.history_head))
        is None
    )


def test_a_contact_logged_and_resolved_takes_its_time():
    desk = desk_make()
    at = timezone.now() - timedelta(days=3)

    ticket = services.contact_log(
        actor=desk.agent_l1,
        requester=desk.requester,
        channel="phone",
        subject="Till password",
        description="Forgot it.",
        resolve_now=True,
        solution="Reset it on the phone.",
        at=at,
    )

    ticket.refresh_from_db()
    assert ticket.created_at == at
    assert ticket.resolved_at == at
    assert set(ticket.events.values_list("at", flat=True)) == {at}
