"""A ticket change reaches a real receiver, signed per Standard Webhooks (R5)."""

import json

import pytest
from standardwebhooks import Webhook

from ayuda.tickets import services as tickets
from ayuda.tickets.models import StateCategory
from ayuda.tickets.tests.factories import desk_make, state_get, ticket_make
from ayuda.webhooks import signing
from ayuda.webhooks.models import Delivery, DeliveryStatus, EventType

from .factories import subscription_make

pytestmark = pytest.mark.django_db


def test_a_new_ticket_is_posted_signed_and_verifies_with_standardwebhooks(receiver, committed):
    # given
    desk = desk_make()
    subscription, secret = subscription_make(admin=desk.admin, url=receiver.url)

    # when
    ticket = committed(ticket_make, requester=desk.requester, subject="Printer on fire")

    # then
    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    payload = Webhook(secret).verify(request.body, request.headers)
    assert payload["type"] == "ticket.created"
    assert payload["data"]["ticket"]["number"] == ticket.number
    assert payload["data"]["ticket"]["subject"] == "Printer on fire"
    assert payload["data"]["ticket"]["state_category"] == StateCategory.NEW
    assert payload["data"]["ticket"]["level"] == "1"
    assert payload["data"]["event"]["message"]["body"] == "It smells of smoke."
    assert request.path == "/hooks/ayuda"
    assert request.headers["host"] == f"127.0.0.1:{receiver.port}"
    assert request.headers["content-type"] == "application/json"
    delivery = Delivery.objects.get(subscription=subscription)
    assert request.headers["webhook-id"] == delivery.message_id
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
        DeliveryStatus.DELIVERED,
        1,
        204,
    )
    attempt = delivery.attempt_log.get()
    assert (attempt.number, attempt.status_code, attempt.address) == (1, 204, "127.0.0.1")


def test_a_wrong_secret_does_not_verify(receiver, committed):
    # given
    desk = desk_make()
    subscription_make(admin=desk.admin, url=receiver.url)
    other_secret = signing.secret_new()

    # when
    committed(ticket_make, requester=desk.requester)

    # then
    from standardwebhooks.webhooks import WebhookVerificationError

    request = receiver.requests[0]
    with pytest.raises(WebhookVerificationError):
        Webhook(other_secret).verify(request.body, request.headers)


def test_only_the_chosen_event_types_are_sent(receiver, committed):
    # given
    desk = desk_make()
    subscription_make(
        admin=desk.admin, url=receiver.url, event_types=[EventType.TICKET_STATE_CHANGED]
    )
    ticket = committed(ticket_make, requester=desk.requester)
    assert receiver.requests == []

    # when
    committed(
        tickets.ticket_change_state,
        ticket=ticket,
        actor=desk.agent_l1,
        state=state_get(StateCategory.OPEN),
    )

    # then
    assert [json.loads(r.body)["type"] for r in receiver.requests] == ["ticket.state_changed"]
    event = json.loads(receiver.requests[0].body)["data"]["event"]
    assert (event["from_category"], event["to_category"]) == ("new", "open")


def test_an_administrators_subscription_hears_internal_notes(receiver, committed):
    # given
    desk = desk_make()
    ticket = ticket_make(requester=desk.requester)
    subscription_make(admin=desk.admin, url=receiver.url)

    # when
    committed(tickets.article_add_note, ticket=ticket, actor=desk.agent_l1, body="Call the vendor")

    # then
    payload = json.loads(receiver.requests[-1].body)
    assert payload["type"] == "ticket.message_added"
    assert payload["data"]["event"]["message"]["internal"] is True
    assert payload["data"]["event"]["message"]["body"] == "Call the vendor"
