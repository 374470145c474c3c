"""The webhooks router under /api/v1 with tokens: administrators' writes need the admin scope,
as the API's other administrator writes do (R5)."""

import pytest

from ayuda.accounts.models import Role
from ayuda.accounts.tests.factories import user_make
from ayuda.api.tests.helpers import Api, assert_problem
from ayuda.webhooks.models import Subscription
from ayuda.webhooks.tests.factories import subscription_make

pytestmark = pytest.mark.django_db


def test_an_administrators_token_without_the_admin_scope_cannot_change_webhooks(settings):
    # given
    settings.AYUDA_WEBHOOK_ALLOW = ["127.0.0.1"]
    admin = user_make(role=Role.ADMIN)
    kept, _secret = subscription_make(admin=admin, url="http://127.0.0.1:9/")
    api = Api(admin, scopes=["read", "write"])

    # when
    created = api.post(
        "/webhooks/subscriptions",
        {"name": "Bot", "url": "http://127.0.0.1:9/", "event_types": ["ticket.created"]},
    )
    deleted = api.client.delete(
        f"/api/v1/webhooks/subscriptions/{kept.pk}",
        headers={"Authorization": f"Bearer {api.token}"},
    )
    listed = api.get("/webhooks/subscriptions")

    # then
    assert_problem(created, 403, "insufficient-scope")
    assert_problem(deleted, 403, "insufficient-scope")
    assert listed.status_code == 200
    assert list(Subscription.objects.values_list("pk", flat=True)) == [kept.pk]


def test_an_administrators_token_with_the_admin_scope_manages_webhooks(settings):
    # given
    settings.AYUDA_WEBHOOK_ALLOW = ["127.0.0.1"]
    admin = user_make(role=Role.ADMIN)
    api = Api(admin, scopes=["read", "write", "admin"])

    # when
    created = api.post(
        "/webhooks/subscriptions",
        {"name": "Bot", "url": "http://127.0.0.1:9/", "event_types": ["ticket.created"]},
    )

    # then
    assert created.status_code == 201, created.content
    assert Subscription.objects.get().name == "Bot"
