"""The workspace's API tokens page: create (secret shown once), list, revoke."""

import pytest
from django.test import Client
from django.urls import reverse

from ayuda.accounts.models import ApiToken, Role
from ayuda.accounts.tests.factories import user_make

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_a_user_creates_a_token_and_sees_its_secret_once():
    # given
    user = user_make(role=Role.AGENT_L1)
    client = _client(user)
    # when
    response = client.post("/tokens/", {"name": "Monitoring", "scopes": ["read"], "days": "30"})
    # then
    assert response.status_code == 200
    token = ApiToken.objects.get(user=user)
    html = response.content.decode()
    secret = html.split('<code class="token-secret">')[1].split("</code>")[0]
    assert secret.startswith(f"ayuda_{token.prefix}_")
    assert token.scopes == ["read"]
    again = client.get("/tokens/").content.decode()
    assert secret not in again
    assert token.prefix in again
    api = Client().get("/api/v1/users/me", headers={"Authorization": f"Bearer {secret}"})
    assert api.json()["id"] == user.pk


def test_only_administrators_may_give_the_admin_scope():
    user = user_make(role=Role.MANAGER)
    response = _client(user).post("/tokens/", {"name": "x", "scopes": ["admin"], "days": "30"})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_revoking_from_the_list_swaps_it_in_place():
    user = user_make(role=Role.REQUESTER)
    client = _client(user)
    client.post("/tokens/", {"name": "Script", "scopes": ["read", "write"], "days": "7"})
    token = ApiToken.objects.get()
    response = client.post(f"/tokens/{token.pk}/revoke/", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert 'id="token-list"' in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_nobody_revokes_someone_elses_token():
    owner, other = user_make(role=Role.REQUESTER), user_make(role=Role.REQUESTER)
    _client(owner).post("/tokens/", {"name": "Mine", "scopes": ["read"], "days": "7"})
    token = ApiToken.objects.get()
    assert _client(other).post(f"/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


@pytest.mark.parametrize(("language", "ninety"), [("es", "90 días"), ("it", "90 giorni")])
def test_the_lifetimes_read_in_the_users_language(language, ninety):
    # given
    user = user_make(role=Role.AGENT_L1, language=language)

    # when
    html = _client(user).get(reverse("tokens")).content.decode()

    # then
    assert f'<option value="90" selected>{ninety}</option>' in html
    assert "90 days" not in html


def test_the_page_showing_a_secret_is_never_cached():
    # given
    user = user_make(role=Role.REQUESTER)

    # when
    response = _client(user).post("/tokens/", {"name": "Form", "scopes": ["read"], "days": "7"})

    # then: the browser's cache (back button, disk) keeps no copy of the secret
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
