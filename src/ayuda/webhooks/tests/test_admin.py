"""Administrators subscribe in the admin: the URL is checked, the secret shown once; the
delivery log replays; nobody else sees any of it."""

import re

import pytest
from django.urls import reverse
from standardwebhooks import Webhook

from ayuda.accounts.models import Role
from ayuda.accounts.tests.factories import user_make
from ayuda.tickets.tests.factories import desk_make, ticket_make
from ayuda.webhooks.models import Delivery, Subscription

from .factories import subscription_make

pytestmark = pytest.mark.django_db

ADD = "admin:webhooks_subscription_add"


def _form(url: str, owner) -> dict:
    return {
        "name": "Monitoring",
        "url": url,
        "event_types": ["ticket.created", "ticket.state_changed"],
        "owner": owner.pk,
    }


def test_an_administrator_subscribes_and_sees_the_secret_once(client, receiver, committed):
    # given
    desk = desk_make()
    admin = user_make(role=Role.ADMIN, is_staff=True)
    client.force_login(admin)

    # when
    response = client.post(reverse(ADD), _form(receiver.url, admin))

    # then
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    secret = re.search(r'id="webhook-secret">(whsec_[A-Za-z0-9+/=]+)<', response.text).group(1)
    subscription = Subscription.objects.get()
    assert subscription.event_types == ["ticket.created", "ticket.state_changed"]
    assert (
        secret
        not in client.get(
            reverse("admin:webhooks_subscription_change", args=[subscription.pk])
        ).text
    )
    committed(ticket_make, requester=desk.requester)
    Webhook(secret).verify(receiver.requests[0].body, receiver.requests[0].headers)


@pytest.mark.parametrize(
    "url", ["http://169.254.169.254/latest/", "http://10.0.0.1/", "http://localhost/"]
)
def test_an_internal_url_is_refused_by_the_form_in_the_users_language(client, url, settings):
    # given
    settings.AYUDA_WEBHOOK_ALLOW = []
    admin = user_make(role=Role.ADMIN, is_staff=True, language="es")
    client.force_login(admin)

    # when
    response = client.post(reverse(ADD), _form(url, admin))

    # then
    assert response.status_code == 200
    assert "dirección interna" in response.text
    assert not Subscription.objects.exists()


def test_only_administrators_see_webhooks(client):
    # given: a manager with the admin site's staff flag
    manager = user_make(role=Role.MANAGER, is_staff=True, is_superuser=False)
    client.force_login(manager)

    # when
    response = client.get(reverse(ADD))
    listing = client.get(reverse("admin:webhooks_delivery_changelist"))

    # then
    assert (response.status_code, listing.status_code) == (403, 403)


def test_replay_from_the_admins_delivery_log(client, receiver, committed):
    # given
    desk = desk_make()
    subscription, _secret = subscription_make(admin=desk.admin, url=receiver.url)
    committed(ticket_make, requester=desk.requester)
    delivery = Delivery.objects.get(subscription=subscription)
    client.force_login(user_make(role=Role.ADMIN, is_staff=True))

    # when
    response = client.post(
        reverse("admin:webhooks_delivery_changelist"),
        {"action": "replay", "_selected_action": [delivery.pk]},
    )

    # then
    assert response.status_code == 302
    assert len(receiver.requests) == 2
    page = client.get(reverse("admin:webhooks_delivery_change", args=[delivery.pk])).text
    assert page.count("127.0.0.1") >= 2  # both attempts, with the address they went to


def test_an_administrator_changes_a_subscription_and_reads_the_lists(client, receiver):
    # given
    desk = desk_make()
    subscription, _secret = subscription_make(admin=desk.admin, url=receiver.url)
    admin = user_make(role=Role.ADMIN, is_staff=True)
    client.force_login(admin)
    change = reverse("admin:webhooks_subscription_change", args=[subscription.pk])

    # when
    form = client.get(change)
    response = client.post(change, _form(receiver.url + "/v2", desk.site_admin) | {"name": "New"})

    # then
    assert form.status_code == 200
    assert response.status_code == 302
    subscription.refresh_from_db()
    assert (subscription.name, subscription.url, subscription.owner) == (
        "New",
        receiver.url + "/v2",
        desk.site_admin,
    )
    assert subscription.event_types == ["ticket.created", "ticket.state_changed"]
    assert client.get(reverse("admin:webhooks_subscription_changelist")).status_code == 200
    assert client.get(reverse("admin:webhooks_delivery_changelist")).status_code == 200


def test_a_vendor_agent_cannot_own_a_subscription(client, receiver):
    # given
    desk = desk_make()
    client.force_login(user_make(role=Role.ADMIN, is_staff=True))

    # when
    response = client.post(reverse(ADD), _form(receiver.url, desk.vendor_agent))

    # then
    assert response.status_code == 200
    assert "errorlist" in response.text
    assert not Subscription.objects.exists()
