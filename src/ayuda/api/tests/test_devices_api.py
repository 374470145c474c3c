"""GET /api/v1/devices and /devices/{serial} (R32): scope, today per time zone, filters,
keyset pages, problems, query counts; and the ticket list's device filter (R16)."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ayuda.accounts.tests.factories import organisation_make, site_make, user_make
from ayuda.devices.tests.health_factories import day_make, device_make, incident_make
from ayuda.tickets.models import Ticket
from ayuda.tickets.tests.factories import desk_make, ticket_make

from .helpers import Api, assert_problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk():
    return desk_make()


@pytest.fixture
def fleet(desk):
    now = timezone.now()
    mine = device_make(site=desk.site, serial="M-1", name="Door", last_heartbeat_at=now)
    silent = device_make(site=desk.site, serial="M-2", last_heartbeat_at=now - timedelta(days=4))
    theirs = device_make(site=desk.other_site, serial="T-1", last_heartbeat_at=now)
    incident = incident_make(
        device=silent, requester=desk.requester, opened_at=now, figures={"days_silent": 4}
    )
    return {"mine": mine, "silent": silent, "theirs": theirs, "incident": incident}


def serials(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {item["serial"] for item in response.json()["items"]}


def test_scope_follows_the_pages(desk, fleet):
    assert serials(Api(desk.agent_l1).get("/devices")) == {"M-1", "M-2", "T-1"}
    assert serials(Api(desk.site_admin).get("/devices")) == {"M-1", "M-2"}
    assert serials(Api(desk.other_site_admin).get("/devices")) == {"T-1"}
    assert serials(Api(desk.requester).get("/devices")) == set()
    assert serials(Api(desk.vendor_agent).get("/devices")) == set()


def test_another_sites_device_is_a_404_problem(desk, fleet):
    assert_problem(Api(desk.site_admin).get("/devices/T-1"), 404, "not-found")
    assert_problem(Api(desk.requester).get("/devices/M-1"), 404, "not-found")
    assert_problem(Api(desk.agent_l1).get("/devices/NOPE"), 404, "not-found")
    assert Api(desk.other_site_admin).get("/devices/T-1").status_code == 200


def test_filters_combine_and_a_bad_status_is_a_422(desk, fleet):
    api = Api(desk.agent_l1)
    assert serials(api.get("/devices", {"organisation": desk.organisation.pk})) == {"M-1", "M-2"}
    assert serials(api.get("/devices", {"site": desk.other_site.pk})) == {"T-1"}
    assert serials(
        api.get("/devices", {"organisation": desk.organisation.pk, "status": "silent"})
    ) == {"M-2"}
    assert serials(api.get("/devices", {"status": "incidents"})) == {"M-2"}
    assert serials(api.get("/devices", {"q": "m-"})) == {"M-1", "M-2"}
    assert_problem(api.get("/devices", {"status": "asleep"}), 422, "validation")
    assert_problem(api.get("/devices", {"site": "x"}), 422, "validation")


def test_detail_has_days_incidents_and_readable_figures(desk, fleet):
    day_make(device=fleet["silent"], day=timezone.localdate(), count_in=9, count_out=8)
    body = Api(desk.site_admin).get("/devices/M-2").json()
    assert body["serial"] == "M-2" and body["status"] == "silent"
    assert len(body["days"]) == 14
    assert body["open_incidents"] == 1
    (incident,) = body["incidents"]
    assert incident["ticket_id"] == fleet["incident"].ticket_id
    assert incident["figures"] == [
        {"name": "days_silent", "label": "Days without a heartbeat", "value": 4}
    ]


def test_today_is_each_sites_own_day():
    # given sites 25 hours apart (UTC+14 and UTC-11): their dates always differ
    org = organisation_make()
    east = site_make(organisation=org, timezone="Pacific/Kiritimati")
    west = site_make(organisation=org, timezone="Pacific/Pago_Pago")
    now = timezone.now()
    todays = {}
    for site, serial in ((east, "EAST"), (west, "WEST")):
        device = device_make(site=site, serial=serial, last_heartbeat_at=now)
        today = now.astimezone(ZoneInfo(site.timezone)).date()
        todays[serial] = today
        for back in range(-2, 3):
            day = today + timedelta(days=back)
            day_make(device=device, day=day, count_in=100 + back, count_out=200 + back)
    assert todays["EAST"] != todays["WEST"]
    agent = user_make(role="agent_l1")
    # when
    items = {i["serial"]: i for i in Api(agent).get("/devices").json()["items"]}
    detail = Api(agent).get("/devices/WEST").json()
    # then each shows its own site's today
    for serial in ("EAST", "WEST"):
        assert items[serial]["today"] == todays[serial].isoformat()
        assert (items[serial]["today_in"], items[serial]["today_out"]) == (100, 200)
    assert items["WEST"]["site"]["timezone"] == "Pacific/Pago_Pago"
    assert detail["today"] == todays["WEST"].isoformat() and detail["today_in"] == 100
    assert detail["days"][1]["count_in"] == 99


def test_pages_follow_next_and_cost_the_same(desk):
    now = timezone.now()
    for _ in range(7):
        device = device_make(site=desk.site, last_heartbeat_at=now)
        day_make(device=device, day=timezone.localdate(now), count_in=1)
    api = Api(desk.site_admin)
    api.get("/devices?limit=1")  # the token's first use is recorded once
    seen, url, costs = [], "/devices?limit=3", []
    while url:
        with CaptureQueriesContext(connection) as queries:
            response = api.get(url)
        costs.append(len(queries))
        body = response.json()
        seen += [i["serial"] for i in body["items"]]
        url = body["next"].removeprefix("/api/v1") if body["next"] else None
    assert len(seen) == len(set(seen)) == 7
    assert len(set(costs)) == 1


def test_the_ticket_list_filters_by_device_serial_or_id(desk, fleet):
    ticket = ticket_make(requester=desk.requester, site=desk.site)
    Ticket.objects.filter(pk=ticket.pk).update(device=fleet["mine"])
    ticket_make(requester=desk.requester, site=desk.site)
    api = Api(desk.agent_l1)

    def numbers(**params) -> set[int]:
        response = api.get("/tickets", {"status": "all", **params})
        assert response.status_code == 200, response.content
        return {item["id"] for item in response.json()["items"]}

    assert numbers(device="M-1") == {ticket.pk}
    assert numbers(device=str(fleet["mine"].pk)) == {ticket.pk}
    assert numbers(device="M-2") == {fleet["incident"].ticket_id}
    assert numbers(device="NOPE") == set()
    assert numbers(device="M-1", site=desk.other_site.pk) == set()
    # a site admin of another organisation: nothing, even with the serial
    other = Api(desk.other_site_admin).get("/tickets", {"status": "all", "device": "M-1"})
    assert other.json()["items"] == []
