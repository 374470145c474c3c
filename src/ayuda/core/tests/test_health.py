"""GET /health (R36): 200 when the database and the broker answer, 503 when one of them does not.

The view asks the Celery app (``ayuda.config.celery.app``) for a broker connection. The app reads
Django's settings once, and Celery lets a CELERY_BROKER_URL environment variable win over its
configuration, so the tests set both the app's ``broker_url`` and the environment.
"""

import pytest
from django.db import connection

from ayuda.config.celery import app

CLOSED_PORT_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1


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
def test_health_is_ok_with_a_working_database_and_broker(client, broker):
    # given
    broker("memory://")
    # when
    response = client.get("/health")
    # then
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == {"ok": True, "detail": connection.vendor}
    assert body["broker"]["ok"] is True
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_health_is_503_when_the_broker_is_unreachable(client, broker):
    # given
    broker(CLOSED_PORT_BROKER)
    # when
    response = client.get("/health")
    # then
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["broker"]["ok"] is False
    assert body["broker"]["detail"]  # the exception's class name, never the URL
    assert "127.0.0.1" not in response.content.decode()
    assert body["database"]["ok"] is True


@pytest.mark.django_db
def test_health_is_503_when_the_database_fails(client, broker, monkeypatch):
    # given
    broker("memory://")

    def broken_cursor(*args, **kwargs):
        raise connection.Database.OperationalError("database is down")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    # when
    response = client.get("/health")
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
