"""The workspace offers "Hand back with an answer" only on an escalated ticket, to the level
holding it (issue 8), and refuses the post otherwise without changing anything."""

import pytest
from django.urls import reverse

from ayuda.accounts.models import Level
from ayuda.tickets.tests.factories import footprint
from ayuda.tickets.tests.test_permissions_hand_back import (
    arrived_at_level_1,
    routed_to_level_2,
    transferred_to_level_2,
    with_the_vendor_from_level_1,
)

HAND_BACK = "Hand back with an answer"


def _offered(client, ticket) -> bool:
    response = client.get(reverse("agent:ticket", args=[ticket.pk]))
    assert response.status_code == 200
    url = reverse("agent:ticket_action", args=[ticket.pk, "hand-back"])
    html = response.content.decode()
    assert (HAND_BACK in html) == (url in html)
    return url in html


@pytest.mark.parametrize(
    ("make", "who", "offered"),
    [
        (arrived_at_level_1, "agent_l1", False),
        (routed_to_level_2, "agent_l1", False),
        (routed_to_level_2, "agent_l2", False),
        (transferred_to_level_2, "agent_l1", False),
        (transferred_to_level_2, "agent_l2", True),
        (transferred_to_level_2, "manager", True),
        (with_the_vendor_from_level_1, "vendor_agent", True),
        (with_the_vendor_from_level_1, "agent_l1", True),
        (with_the_vendor_from_level_1, "agent_l2", False),
    ],
)
def test_hand_back_is_offered_only_to_the_level_holding_an_escalated_ticket(
    client, desk, make, who, offered
):
    # given
    ticket = make(desk)
    client.force_login(getattr(desk, who))

    # when
    shown = _offered(client, ticket)

    # then
    assert shown is offered


@pytest.mark.parametrize(
    ("make", "who"),
    [(routed_to_level_2, "agent_l2"), (arrived_at_level_1, "agent_l1")],
)
def test_hand_back_of_a_ticket_never_escalated_is_refused(client, desk, make, who):
    # given
    ticket = make(desk)
    ticket.refresh_from_db()
    before = footprint(ticket)
    client.force_login(getattr(desk, who))
    url = reverse("agent:ticket_action", args=[ticket.pk, "hand-back"])

    # when
    response = client.post(url, {"version": ticket.version, "answer": "Try this"})

    # then
    assert response.status_code == 403
    assert footprint(ticket) == before


def test_level_2_hands_back_what_level_1_escalated(client, desk):
    # given
    ticket = transferred_to_level_2(desk)
    ticket.refresh_from_db()
    client.force_login(desk.agent_l2)
    url = reverse("agent:ticket_action", args=[ticket.pk, "hand-back"])

    # when
    response = client.post(url, {"version": ticket.version, "answer": "Restart it"})

    # then
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.level == Level.L1
    assert not _offered(client, ticket)
