"""The ticket reports page and its CSV exports (R29): who may read them, what an agent sees,
bad filters, the query budget, streamed CSV."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone

from ayuda.reports.facts import ticket_hours_refresh
from ayuda.reports.models import RefreshMark, TicketFact
from ayuda.tickets.models import Channel
from ayuda.tickets.tests.factories import ticket_make

pytestmark = pytest.mark.django_db
PAGE = "/agent/reports/"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def fact_make(*, team=None, channel=Channel.PORTAL, subject="Printer", hours_ago=2, **values):
    created = timezone.now() - timedelta(hours=hours_ago)
    ticket = ticket_make(team=team, channel=channel, subject=subject, at=created)
    fact = TicketFact.objects.create(
        ticket=ticket,
        created_at=created,
        channel=channel,
        type="incident",
        level="1",
        state_category="new",
        team=team,
        refreshed_at=timezone.now(),
        **values,
    )
    ticket_hours_refresh([ticket.pk])
    return fact


def total(response) -> int:
    channels = next(t for t, _u in response.context["figures"] if t.key == "channels")
    return channels.rows[-1][1].value


@pytest.mark.parametrize("role", ["vendor_agent", "requester"])
def test_vendor_agents_and_customers_are_refused(client, desk, role):
    client.force_login(getattr(desk, role))
    for url in (PAGE, reverse("agent:reports_export", args=["channels"])):
        response = client.get(url)
        assert response.status_code in (302, 403)
        if role == "vendor_agent":
            assert response.status_code == 403


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_a_manager_sees_every_team_an_agent_only_theirs(client, desk):
    # given two tickets of each level's team and one without a team
    fact_make(team=desk.l1_team)
    fact_make(team=desk.l1_team)
    fact_make(team=desk.l2_team)
    fact_make(team=None)
    # when / then
    client.force_login(desk.manager)
    response = client.get(PAGE)
    assert response.status_code == 200
    assert total(response) == 4
    assert response.context["can_manage"] is True
    client.force_login(desk.agent_l1)
    response = client.get(PAGE)
    assert total(response) == 2
    assert response.context["can_manage"] is False
    # and an agent may not choose another team
    response = client.get(PAGE, {"team": desk.l2_team.pk})
    assert response.status_code == 422


def test_invalid_filters_show_the_errors_and_no_figures(client, desk):
    client.force_login(desk.manager)
    response = client.get(PAGE, {"since": "2026-03-10", "until": "2026-03-01"})
    assert response.status_code == 422
    assert response.context["figures"] == []
    assert "The range ends before it starts." in response.content.decode()
    response = client.get(PAGE, {"since": "yesterday"})
    assert response.status_code == 422
    export = client.get(reverse("agent:reports_export", args=["channels"]), {"since": "x"})
    assert export.status_code == 422


def test_the_page_shows_every_figure_and_the_business_refresh(client, desk):
    fact_make(team=desk.l1_team)
    RefreshMark.objects.create(name="business", at=timezone.now())
    client.force_login(desk.manager)
    response = client.get(PAGE)
    html = response.content.decode()
    keys = [t.key for t, _u in response.context["figures"]]
    assert keys == [
        "channels",
        "days",
        "heatmap",
        "backlog",
        "backlog_age",
        "fcr",
        "escalations",
        "times",
        "reopens",
        "categories",
        "sites",
        "devices",
        "organisations",
        "sla",
    ]
    for key in keys:
        assert f'id="figure-{key}"' in html
        assert f"/agent/reports/export/{key}.csv?since=" in html
    assert "Business times as of" in html
    assert 'class="heat-9"' in html


def test_the_page_query_count_does_not_grow_with_tickets(
    client, desk, django_assert_max_num_queries
):
    client.force_login(desk.manager)
    fact_make(team=desk.l1_team)
    with django_assert_max_num_queries(40) as few:
        client.get(PAGE)
    for i in range(15):
        fact_make(team=desk.l1_team, subject=f"T{i}", channel=Channel.EMAIL, hours_ago=i + 1)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(PAGE)
    assert total(response) == 16


def test_a_figure_exports_as_csv(client, desk):
    fact_make(team=desk.l1_team)
    fact_make(team=desk.l1_team, channel=Channel.EMAIL)
    client.force_login(desk.manager)
    response = client.get(reverse("agent:reports_export", args=["channels"]))
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows == [
        ["Channel", "Tickets", "Share"],
        ["email", "1", "50.0"],
        ["portal", "1", "50.0"],
        ["Total", "2", "100.0"],
    ]


def test_an_unknown_export_is_404(client, desk):
    client.force_login(desk.manager)
    assert client.get(reverse("agent:reports_export", args=["nope"])).status_code == 404


def test_the_tickets_export_streams_the_rows_of_the_range_injection_safe(client, desk):
    # given a ticket in the range whose category name a spreadsheet would run, one older
    from ayuda.tickets.tests.factories import category_make

    evil = category_make(name='=HYPERLINK("http://x")')
    inside = fact_make(team=desk.l1_team, category=evil)
    fact_make(team=desk.l1_team, hours_ago=24 * 60)
    client.force_login(desk.manager)
    # when
    response = client.get(reverse("agent:reports_export", args=["tickets"]))
    # then
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:4] == ["Ticket", "Created", "Channel", "Type"]
    assert len(rows) == 2
    assert rows[1][0] == str(inside.ticket_id)
    assert rows[1][10] == '\'=HYPERLINK("http://x")'


def test_an_agents_export_is_scoped_to_their_teams(client, desk):
    fact_make(team=desk.l1_team)
    fact_make(team=desk.l2_team)
    client.force_login(desk.agent_l2)
    response = client.get(reverse("agent:reports_export", args=["tickets"]))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 2
