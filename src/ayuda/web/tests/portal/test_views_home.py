import zoneinfo
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ayuda.accounts.models import Role
from ayuda.accounts.tests.factories import user_make
from ayuda.tickets import services
from ayuda.tickets.tests.factories import ticket_make

from .helpers import requester_make, site_admin_make, site_make

pytestmark = pytest.mark.django_db
URL = reverse("portal:home")


def numbers(response) -> set[int]:
    return {t.pk for t in response.context["page"].tickets}


def test_requester_sees_only_their_own_tickets(client):
    # given
    me = requester_make()
    colleague = requester_make(organisation=me.organisation)
    mine = ticket_make(requester=me, subject="My printer")
    theirs = ticket_make(requester=colleague, subject="Their printer")
    stranger = ticket_make(subject="Stranger's printer")
    client.force_login(me)

    # when
    response = client.get(URL)

    # then
    assert numbers(response) == {mine.pk}
    html = response.content.decode()
    assert "My printer" in html
    assert theirs.subject not in html
    assert stranger.subject not in html


def test_site_admin_sees_their_sites_tickets_but_not_other_sites_or_organisations(client):
    # given
    site = site_make()
    other_site = site_make(organisation=site.organisation)
    admin = site_admin_make(sites=[site])
    colleague = requester_make(organisation=site.organisation)
    at_my_site = ticket_make(requester=colleague, site=site)
    at_other_site = ticket_make(requester=colleague, site=other_site)
    no_site = ticket_make(requester=colleague)
    own = ticket_make(requester=admin)
    foreign = ticket_make(requester=requester_make(), subject="Foreign")
    client.force_login(admin)

    # when
    response = client.get(URL)

    # then
    assert numbers(response) == {at_my_site.pk, own.pk}
    assert at_other_site.pk not in numbers(response)
    assert no_site.pk not in numbers(response)
    assert foreign.pk not in numbers(response)
    assert colleague.display_name() in response.content.decode()  # requester column


def test_list_shows_state_site_and_times_in_the_users_time_zone(client):
    # given
    me = requester_make(timezone="America/Mexico_City")
    site = site_make(organisation=me.organisation, name="Warehouse 7")
    ticket = ticket_make(requester=me, site=site, at=datetime(2026, 3, 2, 15, 30, tzinfo=UTC))
    client.force_login(me)

    # when
    response = client.get(URL)

    # then
    html = response.content.decode()
    local = ticket.created_at.astimezone(zoneinfo.ZoneInfo("America/Mexico_City"))
    assert local.hour == 9
    assert "9:30" in html and "15:30" not in html and "3:30" not in html
    assert "Warehouse 7" in html
    assert 'class="badge new"' in html
    assert f"#{ticket.number}" in html
    assert "America/Mexico_City" in html


def test_filter_by_state(client):
    # given
    me = requester_make()
    agent = user_make(role=Role.AGENT_L1)
    active = ticket_make(requester=me)
    resolved = services.ticket_resolve(
        ticket=ticket_make(requester=me), actor=agent, solution="Done."
    )
    closed = services.ticket_close(
        ticket=services.ticket_resolve(ticket=ticket_make(requester=me), actor=agent, solution="x"),
        actor=agent,
    )
    client.force_login(me)

    # when
    by_status = {
        s: numbers(client.get(URL, {"status": s})) for s in ("active", "resolved", "closed", "all")
    }

    # then
    assert by_status == {
        "active": {active.pk},
        "resolved": {resolved.pk},
        "closed": {closed.pk},
        "all": {active.pk, resolved.pk, closed.pk},
    }


def test_list_pages_with_a_cursor(client, monkeypatch):
    # given
    monkeypatch.setattr("ayuda.web.portal.views.LIST_PAGE_SIZE", 2)
    me = requester_make()
    tickets = [ticket_make(requester=me) for _ in range(3)]
    client.force_login(me)

    # when
    first = client.get(URL)
    second = client.get(URL, {"after": first.context["page"].next_cursor})

    # then
    assert numbers(first) == {tickets[2].pk, tickets[1].pk}
    assert numbers(second) == {tickets[0].pk}
    assert "Older tickets" in first.content.decode()


def test_empty_list_invites_to_open_a_ticket(client):
    # given
    client.force_login(requester_make())

    # when
    response = client.get(URL)

    # then
    assert "You have no tickets yet." in response.content.decode()


@pytest.mark.parametrize("count", [3, 30])
def test_list_query_count_is_small_and_fixed(client, count):
    # given
    site = site_make()
    admin = site_admin_make(sites=[site])
    for _ in range(count):
        ticket_make(requester=requester_make(organisation=site.organisation), site=site)
    client.force_login(admin)
    client.get(URL)  # warm the session and user loading

    # when
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)

    # then
    assert len(response.context["page"].tickets) == count
    # session, user, the site admin's filter choices (sites, categories, requesters), tickets,
    # then by key: states, requesters, sites, organisations (no category on these tickets);
    # the active bulletins (the banner; cached outside tests)
    assert len(queries) <= 11, [q["sql"] for q in queries]


def test_list_query_count_is_the_same_for_3_and_30_tickets(client):
    # given
    site = site_make()
    admin = site_admin_make(sites=[site])
    client.force_login(admin)
    client.get(URL)  # warm the session: its first request records the activity (once a minute)

    def queries_for_list() -> int:
        with CaptureQueriesContext(connection) as queries:
            client.get(URL)
        return len(queries)

    for _ in range(3):
        ticket_make(requester=requester_make(organisation=site.organisation), site=site)
    few = queries_for_list()
    for _ in range(27):
        ticket_make(requester=requester_make(organisation=site.organisation), site=site)

    # when
    many = queries_for_list()

    # then
    assert few == many
