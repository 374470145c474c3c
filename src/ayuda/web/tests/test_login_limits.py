"""The log-in form limits failed attempts per account and per client address."""

import pytest
from django.core.cache import cache
from django.test import override_settings

from ayuda.accounts.tests.factories import user_make

pytestmark = pytest.mark.django_db
LOGIN = "/login/"
LIMITED = "Too many log-in attempts"
LOGIN_ATTEMPTS = 10  # AYUDA_LOGIN_FAILURES_PER_ACCOUNT


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


def _login(client, username, password, **headers):
    return client.post(LOGIN, {"username": username, "password": password}, **headers)


def test_after_the_limit_even_the_right_password_waits(client):
    # given
    user_make(username="alice")
    for _ in range(LOGIN_ATTEMPTS):
        assert _login(client, "alice", "wrong").status_code == 200

    # when
    response = _login(client, "alice", "pass")

    # then
    assert response.status_code == 200
    assert LIMITED in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_spellings_of_the_same_user_name_share_one_counter(client):
    # given: Django logs " alice " and a full-width "ａｌｉｃｅ" in as alice
    user_make(username="alice")
    for spelling in ["alice", " alice ", "ＡＬＩＣＥ", "ａｌｉｃｅ", "Alice"] * 2:
        _login(client, spelling, "wrong")

    # when
    response = _login(client, " ａｌｉｃｅ ", "pass")

    # then
    assert LIMITED in response.content.decode()


def test_only_failures_count(client):
    user_make(username="alice")
    for _ in range(LOGIN_ATTEMPTS + 5):
        response = _login(client, "alice", "pass")
        assert response.status_code == 302
        client.post("/logout/")


def test_one_address_is_limited_across_accounts(client):
    # given: one client tries many accounts
    user_make(username="bob")
    for n in range(LOGIN_ATTEMPTS * 3):
        _login(client, f"guess{n}", "wrong")

    # when
    response = _login(client, "bob", "pass")

    # then
    assert LIMITED in response.content.decode()


def test_the_message_is_translated(client):
    user_make(username="alice")
    for _ in range(LOGIN_ATTEMPTS):
        _login(client, "alice", "wrong", HTTP_ACCEPT_LANGUAGE="es")
    response = _login(client, "alice", "pass", HTTP_ACCEPT_LANGUAGE="es")
    assert "Demasiados intentos" in response.content.decode()


@override_settings(AYUDA_TRUSTED_PROXIES=1)
def test_behind_a_proxy_each_client_has_its_own_counter(client):
    # given: everyone arrives from the load balancer's address; one client guesses a lot
    user_make(username="bob")
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    for n in range(LOGIN_ATTEMPTS * 3):
        _login(client, f"guess{n}", "wrong", HTTP_X_FORWARDED_FOR="203.0.113.9", **proxy)

    # when: another client logs in, and the guesser pretends to be someone else
    other = _login(client, "bob", "pass", HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy)
    client.post("/logout/")
    spoofed = _login(
        client, "bob", "pass", HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.9", **proxy
    )

    # then
    assert other.status_code == 302
    assert LIMITED in spoofed.content.decode()


def test_without_a_trusted_proxy_the_forwarded_header_is_ignored(client):
    user_make(username="bob")
    for n in range(LOGIN_ATTEMPTS * 3):
        _login(client, f"guess{n}", "wrong", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    response = _login(client, "bob", "pass", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert LIMITED in response.content.decode()
