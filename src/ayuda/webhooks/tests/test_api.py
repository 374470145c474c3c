"""The webhooks router over the API: administrators only, the same services as the admin."""

import pytest
from standardwebhooks import Webhook

from ayuda.accounts.models import Role
from ayuda.accounts.tests.factories import user_make
from ayuda.tickets.tests.factories import desk_make, ticket_make
from ayuda.webhooks.models import Delivery, Subscription

pytestmark = pytest.mark.django_db

BASE = "/test-api/webhooks"


@pytest.fixture(autouse=True)
def api_urls(settings):
    settings.ROOT_URLCONF = "ayuda.webhooks.tests.api_urls"


def test_an_administrator_subscribes_lists_replays_and_deletes(client, receiver, committed):
    # given
    desk = desk_make()
    client.force_login(desk.admin)

    # when
    created = client.post(
        f"{BASE}/subscriptions",
        {"name": "Chat bot", "url": receiver.url, "event_types": ["ticket.created"]},
        content_type="application/json",
    )
    committed(ticket_make, requester=desk.requester)
    listed = client.get(f"{BASE}/subscriptions").json()
    subscription_id = created.json()["id"]
    deliveries = client.get(f"{BASE}/subscriptions/{subscription_id}/deliveries").json()
    replayed = client.post(f"{BASE}/deliveries/{deliveries[0]['id']}/replay")
    deleted = client.delete(f"{BASE}/subscriptions/{subscription_id}")

    # then
    assert created.status_code == 201
    secret = created.json()["secret"]
    assert [s["name"] for s in listed] == ["Chat bot"]
    assert "secret" not in listed[0]
    assert [d["status"] for d in deliveries] == ["delivered"]
    assert replayed.status_code == 202
    assert len(receiver.requests) == 2
    for request in receiver.requests:
        Webhook(secret).verify(request.body, request.headers)
    assert deleted.status_code == 204
    assert not Subscription.objects.exists()
    assert not Delivery.objects.exists()


def test_an_internal_url_is_refused_over_the_api(client, settings):
    # given
    settings.AYUDA_WEBHOOK_ALLOW = []
    client.force_login(user_make(role=Role.ADMIN))

    # when
    response = client.post(
        f"{BASE}/subscriptions",
        {"name": "x", "url": "http://169.254.169.254/", "event_types": ["ticket.created"]},
        content_type="application/json",
    )

    # then
    assert response.status_code == 422
    assert "internal address" in response.json()["detail"]
    assert not Subscription.objects.exists()


@pytest.mark.parametrize("role", [Role.MANAGER, Role.AGENT_L1, Role.REQUESTER, Role.SITE_ADMIN])
def test_nobody_else_reaches_webhooks_over_the_api(client, role):
    # given
    client.force_login(user_make(role=role))

    # when
    listed = client.get(f"{BASE}/subscriptions")
    created = client.post(
        f"{BASE}/subscriptions",
        {"name": "x", "url": "https://93.184.215.14/", "event_types": ["ticket.created"]},
        content_type="application/json",
    )

    # then
    assert (listed.status_code, created.status_code) == (403, 403)
    assert not Subscription.objects.exists()
