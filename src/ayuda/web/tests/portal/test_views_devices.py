"""A site admin's devices in the portal (R32, R34): their sites' devices and nothing else,
filters, the device page, the ticket page's device panel, the ticket list's device filter."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ayuda.accounts.models import Role
from ayuda.accounts.tests.factories import site_make, user_make
from ayuda.devices.tests.health_factories import day_make, device_make, incident_make
from ayuda.tickets.models import Ticket
from ayuda.tickets.tests.factories import desk_make, ticket_make

pytestmark = pytest.mark.django_db
LIST = reverse("portal:devices")


@pytest.fixture
def desk():
    return desk_make()


@pytest.fixture
def fleet(desk):
    now = timezone.now()
    second = site_make(organisation=desk.organisation, name="Second")
    desk.site_admin.sites.add(second)
    mine = device_make(site=desk.site, serial="MINE-1", name="Door A", last_heartbeat_at=now)
    silent = device_make(
        site=second, serial="MINE-2", name="Door B", last_heartbeat_at=now - timedelta(days=3)
    )
    theirs = device_make(site=desk.other_site, serial="THEIRS-1", name="Door Z")
    unadministered = device_make(site=site_make(organisation=desk.organisation), serial="ORG-9")
    day_make(device=mine, day=timezone.localdate(now), count_in=4321, count_out=4300)
    incident = incident_make(
        device=silent,
        requester=desk.site_admin,
        opened_at=now,
        figures={"days_silent": 3, "last_heartbeat": (now - timedelta(days=3)).isoformat()},
    )
    return {
        "mine": mine,
        "silent": silent,
        "theirs": theirs,
        "unadministered": unadministered,
        "incident": incident,
        "second": second,
    }


def serials(response) -> set[str]:
    return {row.device.serial for row in response.context["page"].rows}


def test_a_site_admin_sees_the_devices_of_their_sites_only(client, desk, fleet):
    client.force_login(desk.site_admin)
    response = client.get(LIST)
    assert response.status_code == 200
    assert serials(response) == {"MINE-1", "MINE-2"}
    html = response.content.decode()
    assert "THEIRS-1" not in html and "ORG-9" not in html
    assert "4321" in html  # today's IN
    assert "Silent for" in html
    assert reverse("portal:devices") in html  # the navigation link


def test_another_sites_device_page_is_404(client, desk, fleet):
    client.force_login(desk.site_admin)
    for device in (fleet["theirs"], fleet["unadministered"]):
        assert client.get(reverse("portal:device", args=[device.pk])).status_code == 404
    assert client.get(reverse("portal:device", args=[fleet["mine"].pk])).status_code == 200


def test_another_sites_filter_is_refused_and_shows_nothing_of_it(client, desk, fleet):
    client.force_login(desk.site_admin)
    response = client.get(LIST, {"site": desk.other_site.pk})
    assert serials(response) == {"MINE-1", "MINE-2"}
    assert "Choose one of the sites offered." in response.content.decode()


def test_filters_combine(client, desk, fleet):
    client.force_login(desk.site_admin)
    assert serials(client.get(LIST, {"site": fleet["second"].pk})) == {"MINE-2"}
    assert serials(client.get(LIST, {"status": "silent"})) == {"MINE-2"}
    assert serials(client.get(LIST, {"status": "incidents"})) == {"MINE-2"}
    assert serials(client.get(LIST, {"status": "ok", "q": "door"})) == {"MINE-1"}
    assert serials(client.get(LIST, {"status": "ok", "site": fleet["second"].pk})) == set()
    response = client.get(LIST, {"status": "bogus"})
    assert serials(response) == {"MINE-1", "MINE-2"}
    assert "Choose one of the statuses offered." in response.content.decode()


@pytest.mark.parametrize("who", ["requester", "agent_l1", "vendor_agent"])
def test_the_portal_devices_are_for_site_admins(client, desk, fleet, who):
    user = getattr(desk, who)
    client.force_login(user)
    response = client.get(LIST)
    if who == "requester":
        assert response.status_code == 403
        assert reverse("portal:devices") not in client.get(reverse("portal:home")).content.decode()
    else:
        assert response.status_code == 302  # to the workspace


def test_the_device_page_shows_its_days_and_incidents_with_links(client, desk, fleet):
    client.force_login(desk.site_admin)
    response = client.get(reverse("portal:device", args=[fleet["silent"].pk]))
    html = response.content.decode()
    assert len(response.context["detail"].days) == 14
    ticket = fleet["incident"].ticket
    assert f'href="{reverse("portal:ticket", args=[ticket.pk])}"' in html
    assert "Device silent" in html


def test_list_costs_the_same_for_few_and_many_devices(client, desk):
    client.force_login(desk.site_admin)
    now = timezone.now()

    def cost() -> int:
        client.get(LIST)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(LIST).status_code == 200
        return len(queries)

    device_make(site=desk.site, last_heartbeat_at=now)
    few = cost()
    for i in range(25):
        device = device_make(site=desk.site, last_heartbeat_at=now)
        day_make(device=device, day=timezone.localdate(now), count_in=i)
        if i % 5 == 0:
            incident_make(device=device, requester=desk.site_admin, opened_at=now)
    many = cost()
    # session, user, the sites offered, the page of devices, today's roll-ups
    assert few == many == 5


def test_the_ticket_page_shows_the_device_and_the_incidents_figures(client, desk, fleet):
    client.force_login(desk.site_admin)
    ticket = fleet["incident"].ticket
    html = client.get(reverse("portal:ticket", args=[ticket.pk])).content.decode()
    assert "MINE-2" in html
    assert "Days without a heartbeat" in html  # the figure's readable label
    assert f'href="{reverse("portal:device", args=[fleet["silent"].pk])}"' in html


def test_the_ticket_page_costs_one_query_more_with_a_device(client, desk, fleet):
    client.force_login(desk.site_admin)
    plain = ticket_make(requester=desk.site_admin, site=desk.site)

    def cost(ticket) -> int:
        url = reverse("portal:ticket", args=[ticket.pk])
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    # the site admin's check that the device's site is theirs (for the link)
    assert cost(fleet["incident"].ticket) == cost(plain) + 1


def test_a_requester_sees_no_device_panel(client, desk, fleet):
    ticket = ticket_make(requester=desk.requester, site=desk.site)
    Ticket.objects.filter(pk=ticket.pk).update(device=fleet["mine"])
    client.force_login(desk.requester)
    html = client.get(reverse("portal:ticket", args=[ticket.pk])).content.decode()
    assert "MINE-1" not in html and "device-panel" not in html


def test_the_ticket_list_filters_by_device(client, desk, fleet):
    client.force_login(desk.site_admin)
    with_device = ticket_make(requester=desk.requester, site=desk.site)
    Ticket.objects.filter(pk=with_device.pk).update(device=fleet["mine"])
    ticket_make(requester=desk.requester, site=desk.site)
    home = reverse("portal:home")
    listed = {t.pk for t in client.get(home, {"device": "MINE-1"}).context["page"].tickets}
    assert listed == {with_device.pk}
    # another organisation's device: none of its tickets, whatever they are
    other_ticket = ticket_make(requester=desk.other_requester, site=desk.other_site)
    Ticket.objects.filter(pk=other_ticket.pk).update(device=fleet["theirs"])
    assert client.get(home, {"device": "THEIRS-1"}).context["page"].tickets == []
    # combined with site and category
    response = client.get(home, {"device": "MINE-1", "site": fleet["second"].pk})
    assert response.context["page"].tickets == []


def test_site_admin_with_no_sites_sees_no_devices(client, desk, fleet):
    lonely = user_make(role=Role.SITE_ADMIN, organisation=desk.organisation)
    client.force_login(lonely)
    assert serials(client.get(LIST)) == set()
