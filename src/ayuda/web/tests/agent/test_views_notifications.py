"""The bell, the notifications page and the notification choices on the preferences page (R23)."""

import time

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from ayuda.accounts.middleware import LAST_SEEN_KEY
from ayuda.notifications.inapp import notify
from ayuda.notifications.models import Notification, NotificationPreference
from ayuda.tickets.tests.factories import ticket_make

from .conftest import HX

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(desk):
    return ticket_make(requester=desk.requester, site=desk.site, subject="Printer on fire")


def alert(desk, ticket, n=1, user=None):
    for i in range(n):
        notify(
            recipients=[user or desk.agent_l1],
            kind="customer_replied",
            ticket=ticket,
            data={"seq": i},
        )


def test_the_queue_page_carries_the_bell_and_loads_its_count_lazily(client, desk, ticket):
    # given
    alert(desk, ticket, 3)
    client.force_login(desk.agent_l1)

    # when
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/agent/")

    # then: the page names the count's URL and never counts itself
    html = response.content.decode()
    assert 'hx-get="/agent/notifications/bell/"' in html
    assert 'hx-trigger="load, every 60s"' in html
    assert not any("notifications_notification" in q["sql"] for q in captured.captured_queries)


def test_the_bell_shows_the_unread_count_in_one_query(
    client, desk, ticket, django_assert_max_num_queries
):
    # given
    alert(desk, ticket, 3)
    alert(desk, ticket, 2, user=desk.agent_l2)
    client.force_login(desk.agent_l1)
    client.get("/agent/notifications/bell/", **HX)  # the session and user, warmed

    # when: session, user, count
    with django_assert_max_num_queries(3):
        response = client.get("/agent/notifications/bell/", **HX)

    # then
    assert response.status_code == 200
    assert '<span class="bell-count">3</span>' in response.content.decode()


def test_the_bell_is_empty_without_unread(client, desk):
    client.force_login(desk.agent_l1)

    response = client.get("/agent/notifications/bell/", **HX)

    assert "bell-count" not in response.content.decode()


def test_customers_may_not_use_the_bell(client, desk):
    client.force_login(desk.requester)

    assert client.post("/agent/notifications/read/").status_code == 403
    assert client.get("/agent/notifications/bell/").status_code == 302


def test_the_page_lists_my_notifications_in_my_language(
    client, desk, ticket, django_assert_max_num_queries
):
    # given
    desk.agent_l1.language = "es"
    desk.agent_l1.save()
    alert(desk, ticket, 40)
    alert(desk, ticket, 1, user=desk.agent_l2)
    client.force_login(desk.agent_l1)

    # when
    with django_assert_max_num_queries(8):
        response = client.get("/agent/notifications/")

    # then: one page of 30, newest first, in Spanish, and a link to the older ones
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("El cliente escribió en el ticket") == 30
    assert "?after=" in html
    mine = set(Notification.objects.filter(user=desk.agent_l1).values_list("pk", flat=True))
    assert all(note.pk in mine for note, _text in response.context["items"])
    older = client.get("/agent/notifications/", {"after": response.context["next_cursor"]})
    assert len(older.context["items"]) == 10


def test_opening_a_notification_marks_it_read_and_goes_to_the_ticket(client, desk, ticket):
    # given
    alert(desk, ticket)
    note = Notification.objects.get()
    client.force_login(desk.agent_l1)

    # when
    response = client.post(f"/agent/notifications/{note.pk}/open/")

    # then
    assert response.status_code == 302 and response["Location"] == f"/agent/tickets/{ticket.pk}/"
    note.refresh_from_db()
    assert note.read_at is not None


def test_another_users_notification_is_not_found(client, desk, ticket):
    # given
    alert(desk, ticket, user=desk.agent_l2)
    theirs = Notification.objects.get()
    client.force_login(desk.agent_l1)

    # when
    response = client.post(f"/agent/notifications/{theirs.pk}/open/")

    # then
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_opening_needs_a_post_with_the_csrf_token(desk, ticket):
    # given
    alert(desk, ticket)
    note = Notification.objects.get()
    client = Client(enforce_csrf_checks=True)
    client.force_login(desk.agent_l1)

    # when
    by_get = client.get(f"/agent/notifications/{note.pk}/open/")
    without_token = client.post(f"/agent/notifications/{note.pk}/open/")
    read_all = client.post("/agent/notifications/read/")

    # then
    assert by_get.status_code == 405
    assert without_token.status_code == 403 and read_all.status_code == 403
    note.refresh_from_db()
    assert note.read_at is None


def test_mark_all_read_marks_only_mine(client, desk, ticket):
    # given
    alert(desk, ticket, 3)
    alert(desk, ticket, 2, user=desk.agent_l2)
    client.force_login(desk.agent_l1)

    # when
    response = client.post("/agent/notifications/read/")

    # then
    assert response.status_code == 302
    assert Notification.objects.filter(user=desk.agent_l1, read_at__isnull=True).count() == 0
    assert Notification.objects.filter(user=desk.agent_l2, read_at__isnull=True).count() == 2


def test_the_preferences_page_shows_and_saves_each_kinds_choice(client, desk):
    # given
    client.force_login(desk.agent_l1)
    page = client.get("/preferences/").content.decode()
    assert 'name="assigned-email"' in page and 'id="notification-choices"' in page

    # when: everything in the workspace, mail only for breaches
    data = {f"{k}-in_app": "on" for k in ("assigned", "team_escalation", "customer_replied")}
    data |= {"sla_breach-email": "on"}
    response = client.post("/agent/notifications/preferences/", data)

    # then
    assert response.status_code == 302 and response["Location"] == "/preferences/"
    saved = {
        p.kind: (p.in_app, p.email)
        for p in NotificationPreference.objects.filter(user=desk.agent_l1)
    }
    assert saved["assigned"] == (True, False)
    assert saved["sla_breach"] == (False, True)
    assert saved["sla_warning"] == (False, False)
    assert len(saved) == 6


def test_customers_see_no_notification_choices(client, desk):
    client.force_login(desk.requester)

    page = client.get("/preferences/").content.decode()

    assert "notification-choices" not in page
    assert client.post("/agent/notifications/preferences/", {}).status_code == 403


@override_settings(AYUDA_STAFF_SESSION_IDLE_SECONDS=1800)
def test_the_bells_poll_does_not_keep_an_idle_session_alive(client, desk):
    # given: an agent whose last real request was 20 minutes ago
    client.force_login(desk.agent_l1)
    session = client.session
    last_seen = int(time.time()) - 20 * 60
    session[LAST_SEEN_KEY] = last_seen
    session.save()

    # when: the bell polls
    polled = client.get("/agent/notifications/bell/", **HX)

    # then: the poll answers but is not activity; a real page is
    assert polled.status_code == 200
    assert client.session[LAST_SEEN_KEY] == last_seen
    client.get("/agent/notifications/")
    assert client.session[LAST_SEEN_KEY] > last_seen


@override_settings(AYUDA_STAFF_SESSION_IDLE_SECONDS=1800)
def test_the_bells_poll_after_the_idle_limit_sends_the_page_to_the_login(client, desk):
    client.force_login(desk.agent_l1)
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - 31 * 60
    session.save()

    response = client.get("/agent/notifications/bell/", **HX)

    assert response.status_code == 200 and response["HX-Redirect"].startswith("/login/")
    assert "_auth_user_id" not in client.session
