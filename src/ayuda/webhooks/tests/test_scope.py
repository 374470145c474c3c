"""An organisation's integration hears only about its own tickets, and only what the
customer reads in the portal (tickets.permissions decides)."""

import json

import pytest

from ayuda.tickets import services as tickets
from ayuda.tickets.tests.factories import desk_make, ticket_make
from ayuda.webhooks.models import Delivery

from .factories import subscription_make

pytestmark = pytest.mark.django_db


def _types(receiver) -> list[str]:
    return [json.loads(r.body)["type"] for r in receiver.requests]


def test_a_site_admins_integration_hears_only_its_organisations_tickets(receiver, committed):
    # given
    desk = desk_make()
    subscription, _secret = subscription_make(
        admin=desk.admin, url=receiver.url, owner=desk.site_admin
    )

    # when
    own = committed(ticket_make, requester=desk.requester, site=desk.site)
    committed(ticket_make, requester=desk.other_requester, site=desk.other_site)

    # then
    bodies = [json.loads(r.body) for r in receiver.requests]
    assert [b["data"]["ticket"]["id"] for b in bodies] == [own.pk]
    assert "level" not in bodies[0]["data"]["ticket"]
    assert "actor_id" not in bodies[0]["data"]["event"]
    assert Delivery.objects.filter(subscription=subscription).count() == 1


def test_a_customers_integration_never_hears_internal_notes_or_escalations(receiver, committed):
    # given
    desk = desk_make()
    ticket = ticket_make(requester=desk.requester, site=desk.site)
    subscription_make(admin=desk.admin, url=receiver.url, owner=desk.requester)

    # when
    committed(tickets.article_add_note, ticket=ticket, actor=desk.agent_l1, body="Secret plan")
    committed(
        tickets.ticket_escalate,
        ticket=ticket,
        actor=desk.agent_l1,
        team=desk.l2_team,
        mode="transfer",
        reason="Needs the network team",
    )
    committed(tickets.article_add_reply, ticket=ticket, actor=desk.agent_l2, body="We are on it")

    # then: the reply (and the state change it made), nothing else
    assert sorted(_types(receiver)) == ["ticket.message_added", "ticket.state_changed"]
    bodies = b"".join(r.body for r in receiver.requests).decode()
    assert "We are on it" in bodies
    assert "Secret plan" not in bodies
    assert "network team" not in bodies
    assert '"level"' not in bodies
