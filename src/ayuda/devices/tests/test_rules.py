"""Each scan rule kind at its boundaries (R33): set-based findings, one query each."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from ayuda.devices.models import Device
from ayuda.devices.rules import REGISTRY, last_closed_day

from .scanning import day_make, device_make, organisation_make, rule_make, site_make

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)


def keys(rule, now=NOW):
    return {f.subject_key for f in REGISTRY[rule.kind].findings(rule, now=now)}


# Device silent ----------------------------------------------------------------------------


def test_silent_exactly_three_days_is_not_silent_just_over_is():
    exact = device_make(last_heartbeat_at=NOW - timedelta(days=3))
    over = device_make(last_heartbeat_at=NOW - timedelta(days=3, seconds=1))
    fresh = device_make(last_heartbeat_at=NOW - timedelta(hours=1))
    rule = rule_make("device_silent")
    assert keys(rule) == {f"device:{over.pk}"}
    assert exact.pk and fresh.pk


def test_silent_figures_and_one_query(django_assert_num_queries):
    device = device_make(last_heartbeat_at=NOW - timedelta(days=4, hours=2))
    rule = rule_make("device_silent")
    with django_assert_num_queries(1):
        (finding,) = REGISTRY["device_silent"].findings(rule, now=NOW)
    assert finding.device_id == device.pk and finding.site_id == device.site_id
    assert finding.figures["days_silent"] == 4
    assert finding.figures["serial"] == device.serial
    assert finding.figures["site"] == device.site.name
    assert finding.figures["last_heartbeat"] == "2026-06-06 10:00 UTC"


def test_the_last_heartbeat_reads_in_the_sites_own_time():

    madrid = site_make(organisation=organisation_make(timezone="Europe/Madrid"))
    rome = site_make(organisation=madrid.organisation, timezone="Europe/Rome")
    device_make(site=madrid, last_heartbeat_at=NOW - timedelta(days=4, hours=2))
    device_make(site=rome, last_heartbeat_at=datetime(2026, 1, 5, 9, tzinfo=UTC))
    rule = rule_make("device_silent")
    shown = {
        f.site_id: f.figures["last_heartbeat"]
        for f in REGISTRY["device_silent"].findings(rule, now=NOW)
    }
    assert shown == {madrid.pk: "2026-06-06 12:00 CEST", rome.pk: "2026-01-05 10:00 CET"}


def test_silent_never_heard_counts_from_installed_date_or_registration():
    registered_long_ago = device_make()
    installed_recently = device_make(installed_on=date(2026, 6, 8))
    installed_long_ago = device_make(installed_on=date(2026, 5, 1))
    registered_recently = device_make(installed_on=date(2026, 1, 1))
    Device.objects.exclude(pk=registered_recently.pk).update(created_at=NOW - timedelta(days=30))
    Device.objects.filter(pk=registered_recently.pk).update(created_at=NOW - timedelta(days=1))
    rule = rule_make("device_silent")
    assert keys(rule) == {f"device:{registered_long_ago.pk}", f"device:{installed_long_ago.pk}"}
    assert installed_recently.pk


def test_silent_ignores_retired_devices():
    device_make(last_heartbeat_at=NOW - timedelta(days=9), is_active=False)
    assert keys(rule_make("device_silent")) == set()


def test_scope_by_organisation_site_and_model():
    org = organisation_make()
    site = site_make(organisation=org)
    other_site = site_make(organisation=org)
    old = NOW - timedelta(days=9)
    a = device_make(site=site, last_heartbeat_at=old, model="PC-100")
    b = device_make(site=site, last_heartbeat_at=old, model="PC-200")
    c = device_make(site=other_site, last_heartbeat_at=old, model="PC-100")
    d = device_make(last_heartbeat_at=old)  # another organisation
    everywhere = {f"device:{x.pk}" for x in (a, b, c, d)}
    assert keys(rule_make("device_silent")) == everywhere
    assert keys(rule_make("device_silent", organisation=org)) == everywhere - {f"device:{d.pk}"}
    assert keys(rule_make("device_silent", site=site)) == {f"device:{a.pk}", f"device:{b.pk}"}
    assert keys(rule_make("device_silent", organisation=org, device_model="PC-100")) == {
        f"device:{a.pk}",
        f"device:{c.pk}",
    }


# IN/OUT discrepancy ------------------------------------------------------------------------


def site_with_counts(count_in, count_out, *, day=date(2026, 6, 9), **site_kwargs):
    site = site_make(**site_kwargs)
    day_make(device_make(site=site), day, count_in=count_in, count_out=0)
    day_make(device_make(site=site), day, count_in=0, count_out=count_out)
    return site


def test_discrepancy_exactly_ten_percent_is_not_a_failure_ten_point_01_is():
    exact = site_with_counts(1000, 900)  # 100 / 1000 = 10 %
    over = site_with_counts(10000, 8999)  # 1001 / 10000 = 10.01 %
    under = site_with_counts(900, 1000)
    both_zero = site_with_counts(0, 0)
    rule = rule_make("in_out_discrepancy")
    assert keys(rule) == {f"site:{over.pk}"}
    assert exact.pk and under.pk and both_zero.pk
    (finding,) = REGISTRY["in_out_discrepancy"].findings(rule, now=NOW)
    assert (finding.figures["in"], finding.figures["out"]) == (10000, 8999)
    assert finding.figures["difference"] == 10.01
    assert finding.figures["day"] == "2026-06-09"
    assert finding.device_id is None


def test_discrepancy_one_side_zero_is_a_hundred_percent():
    site = site_with_counts(50, 0)
    (finding,) = REGISTRY["in_out_discrepancy"].findings(rule_make("in_out_discrepancy"), now=NOW)
    assert finding.subject_key == f"site:{site.pk}" and finding.figures["difference"] == 100


def test_discrepancy_counts_only_active_entrance_devices():
    site = site_make()
    day = date(2026, 6, 9)
    day_make(device_make(site=site), day, count_in=100, count_out=100)
    day_make(device_make(site=site, counts_entrance=False), day, count_in=500)
    day_make(device_make(site=site, is_active=False), day, count_in=500)
    assert keys(rule_make("in_out_discrepancy")) == set()


def test_discrepancy_judges_only_the_last_closed_day_of_the_sites_time_zone():
    # 2026-06-10 12:00 UTC: in Madrid (UTC+2) today is the 10th, in Honolulu (UTC-10) it is
    # 02:00 on the 10th, in Auckland (UTC+12) it is 00:00 on the 11th.
    madrid = site_with_counts(100, 10, day=date(2026, 6, 9), timezone="Europe/Madrid")
    today_madrid = site_with_counts(100, 10, day=date(2026, 6, 10), timezone="Europe/Madrid")
    auckland = site_with_counts(100, 10, day=date(2026, 6, 10), timezone="Pacific/Auckland")
    honolulu_old = site_with_counts(100, 10, day=date(2026, 6, 8), timezone="Pacific/Honolulu")
    org_tz = organisation_make(timezone="Pacific/Honolulu")
    by_org = site_with_counts(100, 10, day=date(2026, 6, 9), organisation=org_tz)
    rule = rule_make("in_out_discrepancy")
    assert keys(rule) == {f"site:{madrid.pk}", f"site:{auckland.pk}", f"site:{by_org.pk}"}
    assert today_madrid.pk and honolulu_old.pk


@pytest.mark.parametrize(
    ("now", "closed"),
    [
        # 29 March 2026: Madrid springs forward, a 23-hour day (00:00 CET = 23:00Z on the 28th,
        # 24:00 CEST = 22:00Z on the 29th).
        (datetime(2026, 3, 29, 21, 59, tzinfo=UTC), date(2026, 3, 28)),
        (datetime(2026, 3, 29, 22, 0, tzinfo=UTC), date(2026, 3, 29)),
        # 25 October 2026: back to CET, a 25-hour day ending at 23:00Z.
        (datetime(2026, 10, 25, 22, 59, tzinfo=UTC), date(2026, 10, 24)),
        (datetime(2026, 10, 25, 23, 0, tzinfo=UTC), date(2026, 10, 25)),
    ],
)
def test_a_daylight_saving_day_is_judged_after_its_own_midnight(now, closed):
    assert last_closed_day("Europe/Madrid", now) == closed
    day = date(2026, 3, 29) if now.month == 3 else date(2026, 10, 25)
    site = site_with_counts(100, 10, day=day, timezone="Europe/Rome")
    found = keys(rule_make("in_out_discrepancy"), now=now)
    assert found == ({f"site:{site.pk}"} if closed == day else set())


# Zero traffic ------------------------------------------------------------------------------


def test_zero_traffic_heartbeats_without_counts_on_an_open_day():
    day = date(2026, 6, 9)  # a Tuesday
    silent_counter = device_make()
    day_make(silent_counter, day, heartbeats=20)
    counting = device_make()
    day_make(counting, day, count_in=1, heartbeats=20)
    dead = device_make()
    day_make(dead, day, heartbeats=0)
    rule = rule_make("zero_traffic")
    assert keys(rule) == {f"device:{silent_counter.pk}"}
    (finding,) = REGISTRY["zero_traffic"].findings(rule, now=NOW)
    assert finding.figures["heartbeats"] == 20 and finding.figures["in"] == 0


def test_zero_traffic_threshold_is_the_most_passages_that_count_as_nothing():
    day = date(2026, 6, 9)
    two = device_make()
    day_make(two, day, count_in=1, count_out=1)
    three = device_make()
    day_make(three, day, count_in=2, count_out=1)
    assert keys(rule_make("zero_traffic", threshold=2)) == {f"device:{two.pk}"}


def test_zero_traffic_not_on_a_day_the_site_was_closed():
    day = date(2026, 6, 9)  # Tuesday
    hours = [["09:00", "21:00"]]
    closed_tuesdays = site_make(opening_hours={"mon": hours, "wed": hours})
    closed_empty = site_make(opening_hours={"mon": hours, "tue": []})
    open_tuesdays = site_make(opening_hours={"tue": hours})
    always_open = site_make(opening_hours={})
    devices = {}
    for name, site in [
        ("closed", closed_tuesdays),
        ("empty", closed_empty),
        ("open", open_tuesdays),
        ("always", always_open),
    ]:
        devices[name] = device_make(site=site)
        day_make(devices[name], day)
    assert keys(rule_make("zero_traffic")) == {
        f"device:{devices['open'].pk}",
        f"device:{devices['always'].pk}",
    }


def test_zero_traffic_weekday_is_the_sites_own():
    # 2026-06-10 12:00 UTC is already Thursday the 11th, 00:00, in Kiritimati (UTC+14): its
    # last closed day is Wednesday the 10th.
    site = site_make(timezone="Pacific/Kiritimati", opening_hours={"wed": [["09:00", "18:00"]]})
    device = device_make(site=site)
    day_make(device, date(2026, 6, 10))
    assert keys(rule_make("zero_traffic")) == {f"device:{device.pk}"}


# Thresholds --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "good", "bad"),
    [
        ("device_silent", ["0.01", "3", "365"], ["0", "-1", "366"]),
        ("in_out_discrepancy", ["0.01", "10", "100"], ["0", "100.01"]),
        ("zero_traffic", ["0", "1000"], ["-1", "1001"]),
    ],
)
def test_threshold_ranges(kind, good, bad):
    spec = REGISTRY[kind]
    assert all(spec.threshold_error(Decimal(v)) is None for v in good)
    assert all(spec.threshold_error(Decimal(v)) for v in bad)
    assert spec.threshold_error(spec.threshold_default) is None
