"""One limiter for every way in: the workspace log-in, the admin log-in and any credential check
(API tokens to come) count failures together and refuse a locked account or address, even with
the right password (issue 7, item 7)."""

import time

import pytest
from asgiref.sync import async_to_sync
from django.contrib.auth import aauthenticate, authenticate
from django.core.cache import cache
from django.core.checks import Error
from django.test import RequestFactory, override_settings

from ayuda.accounts.authentication import (
    AuthenticationLockedError,
    backends_check,
    credentials_check,
)
from ayuda.accounts.models import Role
from ayuda.accounts.tests.factories import user_make

pytestmark = pytest.mark.django_db
LOGIN = "/login/"
ADMIN_LOGIN = "/admin/login/"
LIMITED = "Too many log-in attempts"
PER_ACCOUNT = 10
PER_ADDRESS = 30


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def admin_user():
    return user_make(username="root", role=Role.ADMIN, is_staff=True, is_superuser=True)


def _post(client, url, username, password, **headers):
    return client.post(
        url, {"username": username, "password": password, "next": "/admin/"}, **headers
    )


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_admin_login_is_locked_after_failures_on_the_workspace_login(client, admin_user):
    # given: the account's failures are spent on /login/
    for _ in range(PER_ACCOUNT):
        _post(client, LOGIN, "root", "wrong")

    # when: the right password on the admin's page
    response = _post(client, ADMIN_LOGIN, "root", "pass")

    # then: refused with the clear message, and no session
    assert response.status_code == 200
    assert LIMITED in response.content.decode()
    assert not _logged_in(client)


def test_workspace_login_is_locked_after_failures_on_the_admin_login(client, admin_user):
    # given
    for _ in range(PER_ACCOUNT):
        assert _post(client, ADMIN_LOGIN, "root", "wrong").status_code == 200

    # when
    response = _post(client, LOGIN, "root", "pass")

    # then
    assert response.status_code == 200
    assert LIMITED in response.content.decode()
    assert not _logged_in(client)


def test_failures_on_both_pages_add_up_to_one_limit(client, admin_user):
    # given: half the failures on each page, one short of the limit
    for n in range(PER_ACCOUNT - 1):
        _post(client, LOGIN if n % 2 else ADMIN_LOGIN, "ROOT", "wrong")
    assert LIMITED not in _post(client, ADMIN_LOGIN, "root", "wrong").content.decode()

    # when: the limit is now reached
    on_admin = _post(client, ADMIN_LOGIN, "root", "pass")
    on_workspace = _post(client, LOGIN, "root", "pass")

    # then
    assert LIMITED in on_admin.content.decode()
    assert LIMITED in on_workspace.content.decode()
    assert not _logged_in(client)


def test_one_address_guessing_on_the_admin_is_limited_everywhere(client, admin_user):
    # given: one client guesses many accounts on the admin's page
    for n in range(PER_ADDRESS):
        _post(client, ADMIN_LOGIN, f"guess{n}", "wrong")

    # when
    on_admin = _post(client, ADMIN_LOGIN, "root", "pass")
    on_workspace = _post(client, LOGIN, "root", "pass")

    # then
    assert LIMITED in on_admin.content.decode()
    assert LIMITED in on_workspace.content.decode()
    assert not _logged_in(client)


def test_the_admin_login_message_is_translated(client, admin_user):
    for _ in range(PER_ACCOUNT):
        _post(client, ADMIN_LOGIN, "root", "wrong")
    spanish = _post(client, ADMIN_LOGIN, "root", "pass", HTTP_ACCEPT_LANGUAGE="es")
    italian = _post(client, ADMIN_LOGIN, "root", "pass", HTTP_ACCEPT_LANGUAGE="it")
    assert "Demasiados intentos" in spanish.content.decode()
    assert "Troppi tentativi" in italian.content.decode()


def test_the_admin_login_works_with_the_right_password_below_the_limit(client, admin_user):
    # given
    for _ in range(PER_ACCOUNT - 1):
        _post(client, ADMIN_LOGIN, "root", "wrong")

    # when
    response = _post(client, ADMIN_LOGIN, "root", "pass")

    # then
    assert response.status_code == 302
    assert _logged_in(client)


@override_settings(AYUDA_LOGIN_WINDOW_SECONDS=2)
def test_the_limits_reset_when_the_window_ends(client, admin_user):
    # given: locked on both pages
    for _ in range(PER_ACCOUNT):
        _post(client, LOGIN, "root", "wrong")
    assert LIMITED in _post(client, ADMIN_LOGIN, "root", "pass").content.decode()

    # when: the window passes
    time.sleep(2.2)
    response = _post(client, ADMIN_LOGIN, "root", "pass")

    # then
    assert response.status_code == 302
    assert _logged_in(client)


def test_authenticate_refuses_a_locked_account_whoever_calls_it(admin_user):
    # given: a view we do not know yet calls Django's authenticate() directly
    request = RequestFactory().post("/somewhere/", REMOTE_ADDR="192.0.2.10")
    for _ in range(PER_ACCOUNT):
        assert authenticate(request, username="root", password="wrong") is None

    # when
    sync_user = authenticate(request, username="root", password="pass")
    async_user = async_to_sync(aauthenticate)(request, username="root", password="pass")
    no_request_user = authenticate(username="root", password="pass")

    # then
    assert sync_user is None
    assert async_user is None
    assert no_request_user is None


def test_async_authenticate_failures_count_too(client, admin_user):
    # given
    request = RequestFactory().post("/somewhere/")
    for _ in range(PER_ACCOUNT):
        assert async_to_sync(aauthenticate)(request, username="root", password="x") is None

    # when
    response = _post(client, ADMIN_LOGIN, "root", "pass")

    # then
    assert LIMITED in response.content.decode()


def test_a_token_check_shares_the_address_limit_with_the_log_in_pages(client, admin_user):
    # given: an API token check (as the future django-ninja auth class makes it) fails
    # many times from one address
    request = RequestFactory().get("/api/tickets", REMOTE_ADDR="127.0.0.1")
    for n in range(PER_ADDRESS):
        assert credentials_check(request=request, account=f"token:{n}", check=lambda: None) is None

    # when: the same address tries the log-in page, and another token
    response = _post(client, LOGIN, "root", "pass")
    with pytest.raises(AuthenticationLockedError):
        credentials_check(request=request, account="token:fresh", check=lambda: admin_user)

    # then
    assert LIMITED in response.content.decode()
    assert not _logged_in(client)


def test_a_token_check_that_succeeds_returns_its_user_and_counts_nothing(admin_user):
    request = RequestFactory().get("/api/tickets", REMOTE_ADDR="192.0.2.7")
    for _ in range(PER_ADDRESS + 5):
        user = credentials_check(request=request, account="token:abc", check=lambda: admin_user)
        assert user == admin_user


def test_a_backend_that_bypasses_the_limiter_is_refused_at_start():
    # given
    with override_settings(AUTHENTICATION_BACKENDS=["django.contrib.auth.backends.ModelBackend"]):
        # when
        errors = backends_check(app_configs=None)

    # then
    assert [error.id for error in errors] == ["accounts.E001"]
    assert isinstance(errors[0], Error)
    assert "ModelBackend" in errors[0].msg


def test_the_configured_backends_all_go_through_the_limiter():
    assert backends_check(app_configs=None) == []
