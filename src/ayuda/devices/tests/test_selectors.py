"""The health list and a device's page: scoping, today per time zone, filters, costs."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.http import Http404

from ayuda.accounts.models import Role
from ayuda.accounts.tests.factories import organisation_make, site_make, user_make
from ayuda.devices import selectors
from ayuda.devices.selectors import DeviceFilters, DeviceStatus
from ayuda.tickets.tests.factories import desk_make

from .health_factories import day_make, device_make, incident_make

pytestmark = pytest.mark.django_db

# 03:30 UTC on 1 Dec: 22:30 on 30 Nov in New York, 04:30 on 1 Dec in Madrid.
NOW = datetime(2026, 12, 1, 3, 30, tzinfo=UTC)


@pytest.fixture
def desk():
    return desk_make()


def test_devices_for_scopes_by_role(desk):
    # given a device at the desk's site and one at the other organisation's site
    mine = device_make(site=desk.site)
    theirs = device_make(site=desk.other_site)
    # when / then
    assert set(selectors.devices_for(user=desk.agent_l1)) == {mine, theirs}
    assert set(selectors.devices_for(user=desk.manager)) == {mine, theirs}
    assert list(selectors.devices_for(user=desk.site_admin)) == [mine]
    assert list(selectors.devices_for(user=desk.other_site_admin)) == [theirs]
    assert list(selectors.devices_for(user=desk.requester)) == []
    assert list(selectors.devices_for(user=desk.vendor_agent)) == []


def test_site_admin_never_sees_a_site_of_another_organisation(desk):
    # given a site admin whose sites list wrongly holds another organisation's site
    desk.site_admin.sites.add(desk.other_site)
    device_make(site=desk.other_site)
    # then it is not theirs
    assert list(selectors.devices_for(user=desk.site_admin)) == []


def test_device_detail_is_404_outside_the_scope(desk):
    theirs = device_make(site=desk.other_site)
    with pytest.raises(Http404):
        selectors.device_detail(user=desk.site_admin, device_id=theirs.pk)
    with pytest.raises(Http404):
        selectors.device_detail(user=desk.site_admin, serial=theirs.serial)
    with pytest.raises(Http404):
        selectors.device_detail(user=desk.requester, device_id=theirs.pk)
    assert selectors.device_detail(user=desk.other_site_admin, device_id=theirs.pk).device == theirs


def test_today_is_each_sites_own_day():
    # given a site in New York and one in Madrid, at 03:30 UTC
    org = organisation_make(timezone="UTC")
    new_york = site_make(organisation=org, timezone="America/New_York")
    madrid = site_make(organisation=org, timezone="Europe/Madrid")
    inherits = site_make(organisation=organisation_make(timezone="Europe/Madrid"))
    ny_device = device_make(site=new_york, last_heartbeat_at=NOW)
    md_device = device_make(site=madrid, last_heartbeat_at=NOW)
    org_device = device_make(site=inherits, last_heartbeat_at=NOW)
    for device in (ny_device, md_device, org_device):
        day_make(device=device, day=date(2026, 11, 30), count_in=30, count_out=29)
        day_make(device=device, day=date(2026, 12, 1), count_in=1, count_out=2)
    agent = user_make(role=Role.AGENT_L1)
    # when
    page = selectors.device_health_list(user=agent, filters=DeviceFilters(), now=NOW)
    # then New York is still on 30 Nov, Madrid (own or organisation's zone) on 1 Dec
    rows = {row.device: row for row in page.rows}
    assert (rows[ny_device].today, rows[ny_device].today_in, rows[ny_device].today_out) == (
        date(2026, 11, 30),
        30,
        29,
    )
    assert (rows[md_device].today, rows[md_device].today_in) == (date(2026, 12, 1), 1)
    assert (rows[org_device].today, rows[org_device].today_out) == (date(2026, 12, 1), 2)


def test_nothing_counted_today_is_none_not_zero(desk):
    device = device_make(site=desk.site, last_heartbeat_at=NOW)
    day_make(device=device, day=date(2026, 11, 20), count_in=5)
    (row,) = selectors.device_health_list(user=desk.agent_l1, filters=DeviceFilters(), now=NOW).rows
    assert row.today_in is None and row.today_out is None


def test_statuses_and_status_filters(desk):
    ok = device_make(site=desk.site, last_heartbeat_at=NOW - timedelta(hours=1))
    silent = device_make(site=desk.site, last_heartbeat_at=NOW - timedelta(days=2))
    never = device_make(site=desk.site)
    retired = device_make(site=desk.site, is_active=False, last_heartbeat_at=NOW)
    with_incident = device_make(site=desk.site, last_heartbeat_at=NOW)
    incident_make(device=with_incident, requester=desk.requester, opened_at=NOW)
    agent = desk.agent_l1

    def listed(status: str):
        page = selectors.device_health_list(
            user=agent, filters=DeviceFilters(status=status), now=NOW
        )
        return {row.device for row in page.rows}

    assert listed("") == {ok, silent, never, with_incident}
    assert listed("ok") == {ok}
    assert listed("silent") == {silent, never}
    assert listed("incidents") == {with_incident}
    assert listed("retired") == {retired}
    rows = {
        r.device: r
        for r in selectors.device_health_list(user=agent, filters=DeviceFilters(), now=NOW).rows
    }
    assert rows[silent].status == DeviceStatus.SILENT
    assert rows[silent].silent_since == silent.last_heartbeat_at
    assert rows[never].status == DeviceStatus.NEVER
    assert rows[ok].status == DeviceStatus.OK and rows[ok].silent_since is None
    assert rows[with_incident].open_incidents == 1
    assert rows[ok].open_incidents == 0


def test_filters_combine(desk):
    second_site = site_make(organisation=desk.organisation)
    a = device_make(site=desk.site, serial="AA-1", name="Entrance", last_heartbeat_at=NOW)
    device_make(site=desk.site, serial="AA-2", name="Back door")
    device_make(site=second_site, serial="AA-3", name="Entrance", last_heartbeat_at=NOW)
    device_make(site=desk.other_site, serial="AA-4", name="Entrance", last_heartbeat_at=NOW)
    agent = desk.agent_l1

    def listed(**kwargs):
        page = selectors.device_health_list(user=agent, filters=DeviceFilters(**kwargs), now=NOW)
        return {row.device.serial for row in page.rows}

    assert listed(q="entrance") == {"AA-1", "AA-3", "AA-4"}
    assert listed(q="entrance", organisation=desk.organisation.pk) == {"AA-1", "AA-3"}
    assert listed(q="entrance", site=desk.site.pk) == {"AA-1"}
    assert listed(q="aa-", site=desk.site.pk, status="silent") == {"AA-2"}
    assert listed(q="AA-1", status="ok") == {a.serial}
    # a site admin filtering by another organisation's site gets nothing
    page = selectors.device_health_list(
        user=desk.site_admin, filters=DeviceFilters(site=desk.other_site.pk), now=NOW
    )
    assert page.rows == []


def test_keyset_pages_walk_every_device_once(desk, django_assert_num_queries):
    second_site = site_make(organisation=desk.organisation)
    made = {
        device_make(site=s, name=f"D{i % 3}").pk for i in range(7) for s in (desk.site, second_site)
    }
    seen, cursor, pages = [], None, 0
    while True:
        page = selectors.device_health_list(
            user=desk.agent_l1, filters=DeviceFilters(), cursor=cursor, limit=4, now=NOW
        )
        seen += [r.device.pk for r in page.rows]
        pages += 1
        cursor = page.next_cursor
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == 14 and set(seen) == made
    assert pages == 4


def test_a_bad_cursor_starts_at_the_beginning(desk):
    device_make(site=desk.site)
    for cursor in ("garbage", "W10", "WzEsMl0"):
        page = selectors.device_health_list(
            user=desk.agent_l1, filters=DeviceFilters(), cursor=cursor, now=NOW
        )
        assert len(page.rows) == 1


@pytest.mark.parametrize("size", [3, 30])
def test_list_costs_two_queries_whatever_the_page_size(desk, size, django_assert_num_queries):
    # given devices over sites in different zones, with days and incidents
    zones = ["America/New_York", "Europe/Madrid", "Asia/Tokyo"]
    sites = [site_make(organisation=desk.organisation, timezone=z) for z in zones]
    desk.site_admin.sites.add(*sites)
    for i in range(size):
        device = device_make(site=sites[i % 3], last_heartbeat_at=NOW)
        day_make(device=device, day=date(2026, 12, 1), count_in=i)
        if i % 5 == 0:
            incident_make(device=device, requester=desk.requester, opened_at=NOW)
    for user in (desk.agent_l1, desk.site_admin):
        # when / then
        with django_assert_num_queries(2):
            page = selectors.device_health_list(user=user, filters=DeviceFilters(), now=NOW)
        assert len(page.rows) == size


def test_detail_has_fourteen_days_newest_first_and_incidents(desk, django_assert_num_queries):
    madrid = site_make(organisation=desk.organisation, timezone="Europe/Madrid")
    desk.site_admin.sites.add(madrid)
    device = device_make(site=madrid, last_heartbeat_at=NOW)
    day_make(device=device, day=date(2026, 12, 1), count_in=7, count_out=6)
    day_make(device=device, day=date(2026, 11, 18), count_in=3, count_out=3)
    day_make(device=device, day=date(2026, 11, 17), count_in=99, count_out=99)  # 15th day back
    old = incident_make(
        device=device, requester=desk.requester, opened_at=NOW - timedelta(days=9), is_open=False
    )
    current = incident_make(device=device, requester=desk.requester, opened_at=NOW, previous=old)
    with django_assert_num_queries(4):  # the device, its days, its incidents, their tickets
        detail = selectors.device_detail(user=desk.site_admin, device_id=device.pk, now=NOW)
    assert [d.day for d in detail.days][:1] == [date(2026, 12, 1)]
    assert len(detail.days) == 14 and detail.days[-1].day == date(2026, 11, 18)
    assert (detail.today_row.count_in, detail.today_row.count_out) == (7, 6)
    assert detail.days[-1].count_in == 3 and detail.days[1].count_in == 0
    assert detail.open_incidents == [current]
    assert detail.recent_incidents == [old]
    assert detail.visible_tickets == {current.ticket_id, old.ticket_id}


def test_detail_links_only_tickets_the_user_may_see(desk):
    device = device_make(site=desk.site, last_heartbeat_at=NOW)
    # an incident whose ticket, oddly, belongs to another organisation's site and requester
    incident = incident_make(device=device, requester=desk.requester, opened_at=NOW)
    incident.ticket.__class__.objects.filter(pk=incident.ticket_id).update(
        site=desk.other_site, requester=desk.other_requester
    )
    detail = selectors.device_detail(user=desk.site_admin, device_id=device.pk, now=NOW)
    assert detail.open_incidents == [incident]
    assert detail.visible_tickets == frozenset()
