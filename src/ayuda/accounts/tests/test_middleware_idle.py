"""Sessions end after a while without activity, sooner for staff than for requesters
(issue 7, item 10c)."""

import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import override_settings

from ayuda.accounts.middleware import LAST_SEEN_KEY
from ayuda.accounts.models import Role
from ayuda.accounts.tests.factories import user_make

pytestmark = pytest.mark.django_db
PAGE = "/preferences/"
LOGGED_OUT = "You were logged out after a period without activity"
IDLE = override_settings(AYUDA_SESSION_IDLE_SECONDS=8 * 3600, AYUDA_STAFF_SESSION_IDLE_SECONDS=1800)


def _signed_in(client, *, role: str, idle_seconds: int | None, **user_fields):
    client.force_login(user_make(role=role, **user_fields))
    if idle_seconds is not None:
        session = client.session
        session[LAST_SEEN_KEY] = int(time.time()) - idle_seconds
        session.save()


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


@IDLE
def test_an_idle_requester_is_logged_out_and_sent_to_the_login_page(client):
    # given
    _signed_in(client, role=Role.REQUESTER, idle_seconds=8 * 3600 + 60)

    # when
    response = client.get(PAGE)

    # then
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    assert target.path == "/login/"
    assert parse_qs(target.query)["next"] == [PAGE]
    assert not _logged_in(client)
    login_page = client.get(response["Location"])
    assert LOGGED_OUT in login_page.content.decode()


@IDLE
def test_a_requester_keeps_the_session_for_longer_than_staff(client):
    # given: idle longer than the staff limit, shorter than the requesters'
    _signed_in(client, role=Role.REQUESTER, idle_seconds=3 * 3600)

    # when
    response = client.get(PAGE)

    # then
    assert response.status_code == 200
    assert _logged_in(client)


@IDLE
@pytest.mark.parametrize(
    ("role", "fields"),
    [
        (Role.AGENT_L1, {}),
        (Role.AGENT_L2, {}),
        (Role.VENDOR_AGENT, {}),
        (Role.MANAGER, {}),
        (Role.ADMIN, {"is_staff": True, "is_superuser": True}),
        (Role.REQUESTER, {"is_staff": True}),  # may use the Django admin: staff
    ],
)
def test_staff_are_logged_out_after_the_shorter_limit(client, role, fields):
    # given
    _signed_in(client, role=role, idle_seconds=1800 + 60, **fields)

    # when
    response = client.get(PAGE)

    # then
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == "/login/"
    assert not _logged_in(client)


@IDLE
def test_staff_within_the_limit_stay(client):
    _signed_in(client, role=Role.AGENT_L1, idle_seconds=1800 - 120)
    assert client.get(PAGE).status_code == 200
    assert _logged_in(client)


@IDLE
def test_the_admin_is_covered_too(client):
    # given
    _signed_in(client, role=Role.ADMIN, idle_seconds=3600, is_staff=True, is_superuser=True)

    # when
    response = client.get("/admin/")

    # then
    assert response.status_code == 302
    assert not _logged_in(client)


@IDLE
def test_an_htmx_request_gets_a_client_redirect_instead_of_a_login_fragment(client):
    # given
    _signed_in(client, role=Role.AGENT_L1, idle_seconds=7200)

    # when: a fragment is asked for from the queue page
    response = client.get(
        "/agent/?status=open",
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="http://testserver/agent/?status=open",
    )

    # then: htmx is told to load the log-in page as a whole page
    assert response.status_code == 200
    target = urlsplit(response["HX-Redirect"])
    assert target.path == "/login/"
    assert parse_qs(target.query)["next"] == ["/agent/?status=open"]
    assert b"<form" not in response.content
    assert not _logged_in(client)


@IDLE
def test_an_idle_post_changes_nothing(client):
    # given: a requester idle too long posts a change of preferences
    client.force_login(user := user_make(role=Role.REQUESTER, language="en"))
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - 9 * 3600
    session.save()

    # when
    response = client.post(PAGE, {"language": "it", "timezone": "Europe/Rome"})

    # then
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == "/login/"
    user.refresh_from_db()
    assert user.language == "en"


@IDLE
def test_the_message_is_in_the_users_language(client):
    # given
    _signed_in(client, role=Role.AGENT_L1, idle_seconds=7200, language="es")

    # when
    response = client.get(PAGE, follow=True)

    # then: the message, and the log-in page around it, in Spanish
    page = response.content.decode()
    assert "Se ha cerrado su sesión tras un periodo sin actividad" in page
    assert '<html lang="es">' in page


@IDLE
def test_activity_is_written_to_the_session_at_most_once_a_minute(client):
    # given: seen 30 seconds ago
    _signed_in(client, role=Role.AGENT_L1, idle_seconds=30)
    recent = client.session[LAST_SEEN_KEY]

    # when
    client.get(PAGE)

    # then: not rewritten
    assert client.session[LAST_SEEN_KEY] == recent

    # given: seen 90 seconds ago
    _signed_in(client, role=Role.AGENT_L1, idle_seconds=90)
    before = int(time.time())

    # when
    client.get(PAGE)

    # then: the activity is recorded
    assert client.session[LAST_SEEN_KEY] >= before


@IDLE
def test_activity_keeps_a_working_agent_signed_in(client):
    # given: an agent who clicked two minutes ago, after a 25-minute pause before that
    _signed_in(client, role=Role.AGENT_L1, idle_seconds=25 * 60)
    client.get(PAGE)
    session = client.session
    session[LAST_SEEN_KEY] -= 20 * 60  # twenty more minutes pass
    session.save()

    # when: 45 minutes after the first pause began, but 20 after the last click
    response = client.get(PAGE)

    # then
    assert response.status_code == 200
    assert _logged_in(client)


@IDLE
def test_a_session_without_a_record_starts_counting_now(client):
    # given: a session from before this feature (no activity recorded)
    _signed_in(client, role=Role.AGENT_L1, idle_seconds=None)

    # when
    response = client.get(PAGE)

    # then
    assert response.status_code == 200
    assert client.session[LAST_SEEN_KEY] >= int(time.time()) - 5


def test_logging_in_through_the_form_starts_the_clock(client):
    # given
    user_make(username="carla", role=Role.AGENT_L1)

    # when
    client.post("/login/", {"username": "carla", "password": "pass"})

    # then
    assert client.session[LAST_SEEN_KEY] >= int(time.time()) - 5


def test_anonymous_requests_write_no_session(client):
    client.get("/login/")
    assert LAST_SEEN_KEY not in client.session
