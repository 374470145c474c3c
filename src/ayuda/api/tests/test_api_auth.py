"""Tokens and sessions: expiry, revocation, scopes, the log-in limiter, CSRF, last use."""

from datetime import timedelta

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from ayuda.accounts.models import ApiToken, TokenScope
from ayuda.accounts.tokens import token_check, token_revoke
from ayuda.tickets.models import Ticket
from ayuda.tickets.tests.factories import desk_make

from .helpers import Api, assert_problem, token_for

pytestmark = pytest.mark.django_db


def test_no_credentials_is_401_problem_with_a_bearer_challenge():
    response = Api().get("/tickets")
    assert_problem(response, 401, "unauthenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_wrong_secret_with_a_real_prefix_is_refused():
    desk = desk_make()
    secret = token_for(desk.agent_l1)
    forged = secret[:-4] + "AAAA"
    assert_problem(Api(token=forged).get("/tickets"), 401, "unauthenticated")


def test_the_secret_is_not_stored_only_its_hash_and_prefix():
    desk = desk_make()
    secret = token_for(desk.agent_l1)
    token = ApiToken.objects.get()
    assert secret.startswith(f"ayuda_{token.prefix}_")
    assert secret not in (token.secret_hash, token.prefix, token.name)
    assert len(token.secret_hash) == 64


def test_an_expired_token_is_refused():
    desk = desk_make()
    secret = token_for(desk.agent_l1, expires_at=timezone.now() + timedelta(days=1))
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert_problem(Api(token=secret).get("/tickets"), 401, "unauthenticated")


def test_a_revoked_token_is_refused_at_once():
    desk = desk_make()
    api = Api(desk.agent_l1)
    assert api.get("/tickets").status_code == 200
    token_revoke(token=ApiToken.objects.get(), actor=desk.agent_l1)
    assert_problem(api.get("/tickets"), 401, "unauthenticated")


def test_a_deactivated_users_token_is_refused():
    desk = desk_make()
    api = Api(desk.agent_l1)
    desk.agent_l1.is_active = False
    desk.agent_l1.save()
    assert_problem(api.get("/tickets"), 401, "unauthenticated")


def test_a_read_token_reads_but_cannot_write():
    desk = desk_make()
    api = Api(desk.requester, scopes=[TokenScope.READ])
    assert api.get("/tickets").status_code == 200
    response = api.post("/tickets", {"subject": "x", "description": "y"})
    assert_problem(response, 403, "insufficient-scope")
    assert not Ticket.objects.exists()


def test_a_write_only_token_cannot_read():
    desk = desk_make()
    assert_problem(
        Api(desk.requester, scopes=[TokenScope.WRITE]).get("/tickets"), 403, "insufficient-scope"
    )


@override_settings(AYUDA_LOGIN_FAILURES_PER_ACCOUNT=3, AYUDA_LOGIN_WINDOW_SECONDS=600)
def test_guessing_secrets_locks_the_token_with_429_even_for_the_right_secret():
    desk = desk_make()
    secret = token_for(desk.agent_l1)
    for _ in range(3):
        assert Api(token=secret[:-3] + "xyz").get("/tickets").status_code == 401
    response = Api(token=secret).get("/tickets")
    assert_problem(response, 429, "locked")
    assert response["Retry-After"] == "600"


def test_last_use_is_recorded_at_most_once_a_minute():
    desk = desk_make()
    secret = token_for(desk.agent_l1)
    token_check(value=secret)
    first = ApiToken.objects.get().last_used_at
    assert first is not None
    token_check(value=secret)
    assert ApiToken.objects.get().last_used_at == first
    ApiToken.objects.update(last_used_at=first - timedelta(minutes=2))
    token_check(value=secret)
    assert ApiToken.objects.get().last_used_at > first


def test_the_browser_session_works_and_needs_the_csrf_token_to_write():
    desk = desk_make()
    client = Client(enforce_csrf_checks=True)
    client.force_login(desk.requester)
    assert client.get("/api/v1/tickets").status_code == 200
    body = '{"subject": "From the page", "description": "y"}'
    refused = client.post("/api/v1/tickets", body, content_type="application/json")
    assert_problem(refused, 403, "forbidden")
    client.get("/portal/")  # the page sets the CSRF cookie
    csrf = client.cookies["csrftoken"].value
    accepted = client.post(
        "/api/v1/tickets", body, content_type="application/json", headers={"X-CSRFToken": csrf}
    )
    assert accepted.status_code == 201, accepted.content


@override_settings(AYUDA_API_RATE_PER_MINUTE=3)
def test_each_token_has_its_own_rate_limit_with_retry_after():
    desk = desk_make()
    api, other = Api(desk.agent_l1), Api(desk.agent_l1)
    for _ in range(3):
        assert api.get("/tickets").status_code == 200
    response = api.get("/tickets")
    assert_problem(response, 429, "rate-limited")
    assert 1 <= int(response["Retry-After"]) <= 61
    assert other.get("/tickets").status_code == 200
