"""The staffing page (R30): managers and administrators only; the recommendation with its
numbers, the CSV of every table, refused input with status 422."""

import csv
import io
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ayuda.intake.phone.models import CallHour, CallSource, SourceKind
from ayuda.reports.facts import ticket_hours_refresh
from ayuda.reports.models import TicketFact
from ayuda.sla.models import Calendar
from ayuda.tickets.tests.factories import ticket_make

MADRID = ZoneInfo("Europe/Madrid")
URL = "/agent/reports/staffing/"


@pytest.fixture(autouse=True)
def _no_cached_sums():
    cache.clear()  # the page keeps its hourly sums in the cache; tests reuse primary keys


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def monday_rush(desk):
    """The most recent complete week's Monday 09:00 in Madrid: 200 calls, all answered, 150 s
    of talk each (150 + 30 s wrap-up = 180 s handling time): 10 Erlangs, the Call Centre
    Helper example (14 agents for 80 % in 20 s at 85 % occupancy)."""
    desk.manager.timezone = "Europe/Madrid"
    desk.manager.save(update_fields=["timezone"])
    today = timezone.now().astimezone(MADRID).date()
    monday = today - timedelta(days=today.weekday() + 7)
    hour = datetime.combine(monday, time(9), tzinfo=MADRID)
    source = CallSource.objects.create(name="PBX", kind=SourceKind.ASTERISK_QUEUE_LOG)
    CallHour.objects.create(
        source=source, queue="support", hour=hour, offered=200, answered=200, talk_seconds=30000
    )
    Calendar.objects.create(
        name="Office",
        timezone="Europe/Madrid",
        hours={"mon": [["10:00", "18:00"]]},
    )
    return monday


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


def test_a_manager_reads_the_agents_needed_per_hour(desk, monday_rush, settings):
    # given
    settings.AYUDA_STAFFING_WRAP_SECONDS = 30
    client = _client(desk.manager)
    # when
    response = client.get(URL, {"weeks": "1"})
    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert "Agents needed per hour" in html
    # the Monday 09:00 cell links to that hour's calls
    since = monday_rush.isoformat()
    until = (monday_rush + timedelta(days=6)).isoformat()
    assert f"since={since}&amp;until={until}&amp;how=1%3A9" in html
    assert 'class="heat-9"><a href="/agent/reports/calls/list/' in html
    rows = _csv(
        client.get(
            reverse("agent:reports_staffing_export", args=["recommendation"]), {"weeks": "1"}
        )
    )
    assert rows[0][:3] == ["Day", "00", "01"]
    assert rows[1][0] == "Monday"
    assert rows[1][1 + 9] == "14"
    assert rows[1][1 + 8] == "0"
    detail = _csv(
        client.get(reverse("agent:reports_staffing_export", args=["hours"]), {"weeks": "1"})
    )
    monday_nine = next(r for r in detail if r[0] == "Mon 09:00")
    # calls, last week, chat, deferred, tickets, AHT, C, A, deferred agents, recommended,
    # SL, wait, abandon (at 14), SL, wait, abandon (at 13)
    assert monday_nine[1:8] == ["200.0", "200", "0.0", "0.0", "0", "180", "14"]
    assert monday_nine[10] == "14"
    assert monday_nine[11] == "0.8884"  # SL at 14 agents
    assert float(monday_nine[12]) == pytest.approx(7.8, abs=0.05)  # ASA at 14 agents (s)
    assert monday_nine[14] == "0.7956"  # SL at 13


def test_the_opening_hours_table_counts_the_hour_before_opening(desk, monday_rush):
    # when the Office calendar opens Mondays at 10:00
    response = _client(desk.manager).get(
        reverse("agent:reports_staffing_export", args=["opening"]), {"weeks": "1"}
    )
    # then opening at 09:00 would serve the 200 calls of that hour with 14 agents
    monday = _csv(response)[1]
    assert monday[:4] == ["Monday", "10:00–18:00", "200.0", "14"]
    outside = _csv(
        _client(desk.manager).get(
            reverse("agent:reports_staffing_export", args=["outside"]), {"weeks": "1"}
        )
    )
    nine = next(r for r in outside if r[0] == "09:00")
    assert nine[1:4] == ["200.0", "200.0", "1.0"]


@pytest.mark.parametrize("role", ["agent_l1", "agent_l2", "vendor_agent", "requester"])
def test_only_managers_and_administrators_see_staffing(desk, role):
    client = _client(desk.user(role))
    assert client.get(URL).status_code == 403
    assert client.get(reverse("agent:reports_staffing_export", args=["hours"])).status_code == 403


def test_an_administrator_sees_staffing(desk):
    assert _client(desk.admin).get(URL).status_code == 200


@pytest.mark.parametrize(
    ("field", "value"),
    [("weeks", "0"), ("weeks", "60"), ("target", "100"), ("seconds", "-1"), ("occupancy", "x")],
)
def test_bad_input_is_refused_with_the_errors(desk, field, value):
    # when
    response = _client(desk.manager).get(URL, {field: value})
    # then
    assert response.status_code == 422
    html = response.content.decode()
    assert 'class="errors"' in html
    assert "Agents needed per hour" not in html


def test_an_unknown_table_is_not_found(desk):
    response = _client(desk.manager).get(reverse("agent:reports_staffing_export", args=["nothing"]))
    assert response.status_code == 404


def test_the_page_reads_a_bounded_number_of_queries(
    desk, monday_rush, django_assert_max_num_queries
):
    client = _client(desk.manager)
    client.get(URL)  # warm the per-process caches
    with django_assert_max_num_queries(14):
        response = client.get(URL, {"weeks": "8", "target": "90", "seconds": "30"})
    assert response.status_code == 200


def test_the_sums_come_from_the_cache_until_new_rows_arrive(desk, monday_rush):
    # given the page seen once
    client = _client(desk.manager)
    export = reverse("agent:reports_staffing_export", args=["hours"])
    first = _csv(client.get(export, {"weeks": "1"}))
    # when a row changes in place (the cache keeps the old sums) and then a new row arrives
    CallHour.objects.update(offered=400)
    cached = _csv(client.get(export, {"weeks": "1"}))
    hour = CallHour.objects.get()
    CallHour.objects.create(
        source=hour.source, queue="other", hour=hour.hour + timedelta(hours=1), offered=10
    )
    fresh = _csv(client.get(export, {"weeks": "1"}))
    # then
    row = next(r for r in first if r[0] == "Mon 09:00")
    assert row[1] == "200.0"
    assert next(r for r in cached if r[0] == "Mon 09:00")[1] == "200.0"
    assert next(r for r in fresh if r[0] == "Mon 09:00")[1] == "400.0"
    assert next(r for r in fresh if r[0] == "Mon 10:00")[1] == "10.0"


def test_a_new_ticket_this_week_keeps_the_cached_sums(desk, monday_rush):
    # given the page seen once
    client = _client(desk.manager)
    client.get(URL, {"weeks": "1"})
    # when a ticket arrives this week (outside the period: it cannot change the figures)
    ticket = ticket_make(channel="chat")
    TicketFact.objects.create(
        ticket=ticket,
        created_at=timezone.now(),
        channel="chat",
        type="incident",
        level="l1",
        state_category="new",
        refreshed_at=timezone.now(),
    )
    ticket_hours_refresh([ticket.pk])
    # then the sums come from the cache: no aggregate query
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(URL, {"weeks": "1"}).status_code == 200
    assert not any("reports_tickethour" in q["sql"] for q in ctx.captured_queries)
