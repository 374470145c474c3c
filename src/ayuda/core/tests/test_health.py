"""GET /health (R36): 200 when the database and the broker answer, 503 when one of them does not.

Anyone gets that status; the details (database vendor, broker transport, exception class names)
go only to signed-in help-desk staff and to the addresses in AYUDA_HEALTH_DETAIL_ALLOW.

The view asks the Celery app (``ayuda.config.celery.app``) for a broker connection. The app reads
Django's settings once, and Celery lets a CELERY_BROKER_URL environment variable win over its
configuration, so the tests set both the app's ``broker_url`` and the environment.
"""

import pytest
from django.db import connection
from django.test import override_settings

from ayuda.accounts.models import Role
from ayuda.accounts.tests.factories import user_make
from ayuda.config.celery import app
from ayuda.core.checks import health_allow_check

CLOSED_PORT_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1
MONITOR = {"REMOTE_ADDR": "192.0.2.5"}  # inside the allow-list the detail tests set
ALLOW_MONITOR = override_settings(AYUDA_HEALTH_DETAIL_ALLOW=["192.0.2.0/28", "2001:db8::/32"])


@pytest.fixture
def broker(monkeypatch):
    """Point the Celery app at ``url`` for one test (and restore it afterwards)."""

    def _use(url: str) -> None:
        monkeypatch.setenv("CELERY_BROKER_URL", url)
        monkeypatch.delenv("CELERY_BROKER_WRITE_URL", raising=False)
        monkeypatch.setitem(app.conf, "broker_url", url)
        monkeypatch.setitem(app.conf, "broker_write_url", None)
        monkeypatch.setitem(app.conf, "broker_transport_options", {})
        assert app.connection_for_write().as_uri().startswith(url.split(":", 1)[0])

    return _use


@pytest.mark.django_db
@ALLOW_MONITOR
def test_health_is_ok_with_a_working_database_and_broker(client, broker):
    # given
    broker("memory://")
    # when
    response = client.get("/health", **MONITOR)
    # then
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == {"ok": True, "detail": connection.vendor}
    assert body["broker"]["ok"] is True
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
@ALLOW_MONITOR
def test_health_is_503_when_the_broker_is_unreachable(client, broker):
    # given
    broker(CLOSED_PORT_BROKER)
    # when
    response = client.get("/health", **MONITOR)
    # then
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["broker"]["ok"] is False
    assert body["broker"]["detail"]  # the exception's class name, never the URL
    assert "127.0.0.1" not in response.content.decode()
    assert body["database"]["ok"] is True


@pytest.mark.django_db
@ALLOW_MONITOR
def test_health_is_503_when_the_database_fails(client, broker, monkeypatch):
    # given
    broker("memory://")

    def broken_cursor(*args, **kwargs):
        raise connection.Database.OperationalError("database is down")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    # when
    response = client.get("/health", **MONITOR)
    # then
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["database"] == {"ok": False, "detail": "OperationalError"}
    assert body["broker"]["ok"] is True


def test_health_accepts_only_get(client):
    # when
    response = client.post("/health")
    # then
    assert response.status_code == 405


@pytest.mark.django_db
@ALLOW_MONITOR
def test_anonymous_callers_get_the_status_only(client, broker):
    # given
    broker("memory://")
    # when: from an address outside the allow-list
    response = client.get("/health", REMOTE_ADDR="198.51.100.4")
    # then
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert connection.vendor not in response.content.decode()


@pytest.mark.django_db
def test_anonymous_callers_still_see_a_broken_broker_as_503_without_names(client, broker):
    # given
    broker(CLOSED_PORT_BROKER)
    # when
    response = client.get("/health")
    # then: the load balancer still takes the node out, and learns nothing else
    assert response.status_code == 503
    assert response.json() == {"status": "error"}


@pytest.mark.django_db
def test_anonymous_callers_still_see_a_broken_database_as_503(client, broker, monkeypatch):
    # given
    broker("memory://")

    def broken_cursor(*args, **kwargs):
        raise connection.Database.OperationalError("database is down")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    # when
    response = client.get("/health")
    # then
    assert response.status_code == 503
    assert response.json() == {"status": "error"}
    assert "OperationalError" not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.AGENT_L1, Role.MANAGER, Role.ADMIN])
def test_help_desk_staff_get_the_details(client, broker, role):
    # given
    broker("memory://")
    client.force_login(user_make(role=role))
    # when
    response = client.get("/health")
    # then
    body = response.json()
    assert body["database"] == {"ok": True, "detail": connection.vendor}
    assert body["broker"]["detail"]
    assert body["version"]


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.REQUESTER, Role.SITE_ADMIN, Role.VENDOR_AGENT])
def test_customers_and_vendor_agents_get_the_status_only(client, broker, role):
    # given
    broker("memory://")
    client.force_login(user_make(role=role))
    # when
    response = client.get("/health")
    # then
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
@ALLOW_MONITOR
def test_an_allowed_ipv6_address_gets_the_details(client, broker):
    broker("memory://")
    response = client.get("/health", REMOTE_ADDR="2001:db8::7")
    assert response.json()["database"]["detail"] == connection.vendor


@pytest.mark.django_db
@ALLOW_MONITOR
@override_settings(AYUDA_TRUSTED_PROXIES=1)
def test_behind_a_proxy_the_allow_list_reads_the_client_address(client, broker):
    # given: everything arrives from the load balancer; the monitor is in the allow-list
    broker("memory://")
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    # when
    monitor = client.get("/health", HTTP_X_FORWARDED_FOR="192.0.2.3", **proxy)
    spoofed = client.get("/health", HTTP_X_FORWARDED_FOR="192.0.2.3, 203.0.113.9", **proxy)
    # then
    assert "database" in monitor.json()
    assert spoofed.json() == {"status": "ok"}


@pytest.mark.django_db
@ALLOW_MONITOR
def test_without_a_trusted_proxy_the_forwarded_header_is_ignored(client, broker):
    broker("memory://")
    response = client.get("/health", HTTP_X_FORWARDED_FOR="192.0.2.3", REMOTE_ADDR="203.0.113.9")
    assert response.json() == {"status": "ok"}


def test_a_malformed_allow_list_entry_is_reported_at_start():
    # given
    with override_settings(AYUDA_HEALTH_DETAIL_ALLOW=["10.0.0.0/8", "10.0.0.300/32", "intranet"]):
        # when
        errors = health_allow_check(app_configs=None)
    # then
    assert [error.id for error in errors] == ["core.E001"]
    assert "10.0.0.300/32" in errors[0].msg
    assert "intranet" in errors[0].msg


def test_the_default_allow_list_is_valid():
    assert health_allow_check(app_configs=None) == []
