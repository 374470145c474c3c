"""The workspace's devices pages (R32, R34), the ticket page's device panel, and the queue's
device filter (R16)."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ayuda.accounts.tests.factories import site_make
from ayuda.devices.tests.health_factories import day_make, device_make, incident_make
from ayuda.tickets.models import Ticket
from ayuda.tickets.tests.factories import ticket_make

pytestmark = pytest.mark.django_db
LIST = reverse("agent:devices")


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def fleet(desk):
    now = timezone.now()
    a = device_make(site=desk.site, serial="A-1", name="Entrance", last_heartbeat_at=now)
    b = device_make(
        site=desk.site, serial="B-2", name="Back", last_heartbeat_at=now - timedelta(days=5)
    )
    z = device_make(site=desk.other_site, serial="Z-9", name="Entrance", last_heartbeat_at=now)
    incident = incident_make(device=b, requester=desk.requester, opened_at=now)
    return {"a": a, "b": b, "z": z, "incident": incident}


def serials(response) -> set[str]:
    return {row.device.serial for row in response.context["page"].rows}


def test_the_help_desk_sees_every_device_and_filters(client, desk, fleet):
    client.force_login(desk.agent_l1)
    assert serials(client.get(LIST)) == {"A-1", "B-2", "Z-9"}
    assert serials(client.get(LIST, {"organisation": desk.organisation.pk})) == {"A-1", "B-2"}
    assert serials(client.get(LIST, {"site": desk.other_site.pk})) == {"Z-9"}
    assert serials(client.get(LIST, {"status": "silent"})) == {"B-2"}
    assert serials(client.get(LIST, {"status": "incidents"})) == {"B-2"}
    assert serials(client.get(LIST, {"q": "entr", "organisation": desk.organisation.pk})) == {"A-1"}
    assert serials(client.get(LIST, {"q": "z-9"})) == {"Z-9"}
    html = client.get(LIST).content.decode()
    assert f'href="{LIST}"' in html  # the navigation link


def test_vendor_agents_have_no_devices_pages(client, desk, fleet):
    client.force_login(desk.vendor_agent)
    assert client.get(LIST).status_code == 403
    assert client.get(reverse("agent:device", args=[fleet["a"].pk])).status_code == 403
    assert f'href="{LIST}"' not in client.get(reverse("agent:queue")).content.decode()


def test_the_device_page(client, desk, fleet):
    client.force_login(desk.agent_l1)
    day_make(device=fleet["b"], day=timezone.localdate(), count_in=77, count_out=76)
    response = client.get(reverse("agent:device", args=[fleet["b"].pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "77" in html and "76" in html
    assert f'href="{reverse("agent:ticket", args=[fleet["incident"].ticket_id])}"' in html
    assert "device=B-2" in html  # the device's tickets in the queue
    assert client.get(reverse("agent:device", args=[999999])).status_code == 404


def test_the_list_costs_the_same_for_few_and_many_devices(client, desk):
    client.force_login(desk.agent_l1)
    now = timezone.now()

    def cost() -> int:
        client.get(LIST)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(LIST).status_code == 200
        return len(queries)

    device_make(site=desk.site, last_heartbeat_at=now)
    few = cost()
    for i in range(25):
        site = (
            site_make(organisation=desk.organisation, timezone="Asia/Tokyo") if i % 7 else desk.site
        )
        device = device_make(site=site, last_heartbeat_at=now)
        day_make(device=device, day=timezone.localdate(now), count_in=i)
        if i % 5 == 0:
            incident_make(device=device, requester=desk.requester, opened_at=now)
    cache.clear()
    many = cost()
    assert few == many


def test_the_ticket_page_panel_costs_no_query_for_an_agent(client, desk, fleet):
    client.force_login(desk.agent_l1)
    plain = ticket_make(requester=desk.requester, site=desk.site)

    def cost(ticket) -> tuple[int, str]:
        url = reverse("agent:ticket", args=[ticket.pk])
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        return len(queries), response.content.decode()

    plain_cost, _ = cost(plain)
    with_cost, html = cost(fleet["incident"].ticket)
    assert with_cost == plain_cost
    assert "B-2" in html and "Days without a heartbeat" in html and "Device silent" in html
    assert f'href="{reverse("agent:device", args=[fleet["b"].pk])}"' in html


def test_a_vendor_sees_the_panel_without_the_device_link(client, desk, fleet):
    ticket = fleet["incident"].ticket
    from ayuda.tickets import services

    services.ticket_escalate_to_vendor(
        ticket=ticket, actor=desk.agent_l1, vendor=desk.vendor, reason="Counter broken"
    )
    client.force_login(desk.vendor_agent)
    html = client.get(reverse("agent:ticket", args=[ticket.pk])).content.decode()
    assert "B-2" in html and "Days without a heartbeat" in html
    assert reverse("agent:device", args=[fleet["b"].pk]) not in html


def test_a_previous_incident_is_linked(client, desk, fleet):
    client.force_login(desk.agent_l1)
    old = incident_make(
        device=fleet["a"],
        requester=desk.requester,
        opened_at=timezone.now() - timedelta(days=3),
        is_open=False,
    )
    new = incident_make(
        device=fleet["a"], requester=desk.requester, opened_at=timezone.now(), previous=old
    )
    html = client.get(reverse("agent:ticket", args=[new.ticket_id])).content.decode()
    assert f'href="{reverse("agent:ticket", args=[old.ticket_id])}"' in html


def test_the_queue_filters_by_device_serial_or_id(client, desk, fleet):
    client.force_login(desk.agent_l1)
    mine = ticket_make(requester=desk.requester, site=desk.site)
    Ticket.objects.filter(pk=mine.pk).update(device=fleet["a"])
    ticket_make(requester=desk.requester, site=desk.site)
    queue = reverse("agent:queue")

    def listed(**params) -> set[int]:
        return {row.ticket.pk for row in client.get(queue, params).context["rows"]}

    assert listed(device="A-1") == {mine.pk}
    assert listed(device=str(fleet["a"].pk)) == {mine.pk}
    assert listed(device="B-2") == {fleet["incident"].ticket_id}
    assert listed(device="NOPE") == set()
    assert listed(device="A-1", site=desk.other_site.pk) == set()
    assert listed(device="A-1", site=desk.site.pk) == {mine.pk}
    # the filter is kept in the address (saved views, next pages)
    response = client.get(queue, {"device": "A-1"})
    assert "device=A-1" in response.context["query"]


def test_with_many_sites_the_site_filter_offers_the_chosen_organisations(
    client, desk, fleet, settings, monkeypatch
):
    from ayuda.web.agent.views import devices as views

    monkeypatch.setattr(views, "SITE_OPTIONS_MAX", 1)
    client.force_login(desk.agent_l1)
    offered = client.get(LIST).context["form"].fields["site"].choices
    assert offered == [("", "All sites")]
    response = client.get(LIST, {"organisation": desk.other_organisation.pk})
    assert [pk for pk, _ in response.context["form"].fields["site"].choices] == [
        "",
        desk.other_site.pk,
    ]
    # a link naming a site still works without the organisation
    assert serials(client.get(LIST, {"site": desk.other_site.pk})) == {"Z-9"}
