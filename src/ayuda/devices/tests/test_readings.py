"""``readings_ingest``: each item judged on its own, idempotent, rolled up by the site's day,
a handful of queries whatever the batch's size."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ayuda.accounts.models import Role
from ayuda.accounts.tests.factories import organisation_make, site_make, user_make
from ayuda.devices.models import Device, DeviceDay, Reading
from ayuda.devices.services import Code, HeartbeatIn, Status, readings_ingest

from .factories_readings import collector_make, device_make, reading, utc

pytestmark = pytest.mark.django_db

NOW = utc(2026, 11, 30, 12, 0)


@pytest.fixture
def fleet():
    org = organisation_make(timezone="Europe/Madrid")
    site = site_make(organisation=org)
    return {
        "org": org,
        "site": site,
        "device": device_make(site=site, serial="A-1"),
        "collector": collector_make(organisation=org),
    }


def _ingest(user, readings=(), heartbeats=(), now=NOW):
    return readings_ingest(user=user, readings=list(readings), heartbeats=list(heartbeats), now=now)


def _codes(items):
    return [item.code for item in items]


def test_a_reading_is_stored_and_rolled_up_on_the_sites_day(fleet):
    # given a Madrid site; 23:30 UTC on 29 Nov is 00:30 on 30 Nov in Madrid
    r = reading("A-1", utc(2026, 11, 29, 23, 30), utc(2026, 11, 29, 23, 45), 7, 5)
    # when
    result = _ingest(fleet["collector"], [r])
    # then
    assert _codes(result.readings) == ["accepted"]
    day = DeviceDay.objects.get()
    assert (day.day, day.count_in, day.count_out, day.readings) == (date(2026, 11, 30), 7, 5, 1)
    device = Device.objects.get()
    assert device.last_reading_at == utc(2026, 11, 29, 23, 45)
    assert device.last_heartbeat_at == utc(2026, 11, 29, 23, 45)  # a reading is a sign of life
    assert day.heartbeats == 0


def test_resending_a_batch_changes_nothing(fleet):
    batch = [
        reading("A-1", utc(2026, 11, 30, 9), utc(2026, 11, 30, 10), 10, 9),
        reading("A-1", utc(2026, 11, 30, 10), utc(2026, 11, 30, 11), 4, 3),
    ]
    beats = [HeartbeatIn(serial="A-1", at=utc(2026, 11, 30, 11, 1))]
    _ingest(fleet["collector"], batch, beats)
    again = _ingest(fleet["collector"], batch, beats)
    assert [i.status for i in again.readings] == [Status.DUPLICATE, Status.DUPLICATE]
    assert [i.status for i in again.heartbeats] == [Status.DUPLICATE]
    assert again.totals() == {"accepted": 0, "duplicate": 3, "refused": 0}
    day = DeviceDay.objects.get()
    assert (day.count_in, day.count_out, day.readings, day.heartbeats) == (14, 12, 2, 1)
    assert Reading.objects.count() == 2


def test_a_duplicate_inside_one_batch_counts_once(fleet):
    r = reading("A-1", utc(2026, 11, 30, 9), utc(2026, 11, 30, 10))
    result = _ingest(fleet["collector"], [r, r])
    assert _codes(result.readings) == ["accepted", "duplicate"]
    assert DeviceDay.objects.get().count_in == 10


def test_late_and_out_of_order_readings_are_accepted(fleet):
    _ingest(fleet["collector"], [reading("A-1", utc(2026, 11, 30, 10), utc(2026, 11, 30, 11))])
    result = _ingest(
        fleet["collector"],
        [
            reading("A-1", utc(2026, 11, 30, 9), utc(2026, 11, 30, 10)),
            reading("A-1", utc(2026, 11, 20, 9), utc(2026, 11, 20, 10)),
        ],
    )
    assert _codes(result.readings) == ["accepted", "accepted"]
    assert Device.objects.get().last_reading_at == utc(2026, 11, 30, 11)  # never moves back
    assert DeviceDay.objects.count() == 2


@pytest.mark.parametrize(
    ("start", "end", "counts", "code"),
    [
        # the same start with another end or other counts
        ((9, 0), (9, 30), (10, 8), Code.OVERLAP),
        ((9, 0), (10, 0), (11, 8), Code.OVERLAP),
        # another start inside the stored period, or a period around it
        ((9, 30), (10, 30), (1, 1), Code.OVERLAP),
        ((8, 30), (9, 30), (1, 1), Code.OVERLAP),
        ((8, 0), (11, 0), (1, 1), Code.OVERLAP),
        # touching is not overlapping
        ((10, 0), (11, 0), (1, 1), Code.ACCEPTED),
        ((8, 0), (9, 0), (1, 1), Code.ACCEPTED),
    ],
)
def test_overlaps_with_a_stored_reading(fleet, start, end, counts, code):
    _ingest(fleet["collector"], [reading("A-1", utc(2026, 11, 30, 9), utc(2026, 11, 30, 10))])
    result = _ingest(
        fleet["collector"],
        [reading("A-1", utc(2026, 11, 30, *start), utc(2026, 11, 30, *end), *counts)],
    )
    assert _codes(result.readings) == [code]
    assert Reading.objects.count() == (2 if code == Code.ACCEPTED else 1)
    assert DeviceDay.objects.get().count_in == (10 + counts[0] if code == Code.ACCEPTED else 10)


def test_overlaps_inside_one_batch_are_refused_and_the_rest_goes_in(fleet):
    other = device_make(site=fleet["site"], serial="B-1")
    result = _ingest(
        fleet["collector"],
        [
            reading("A-1", utc(2026, 11, 30, 9), utc(2026, 11, 30, 10)),
            reading("A-1", utc(2026, 11, 30, 9, 30), utc(2026, 11, 30, 10, 30)),
            reading("A-1", utc(2026, 11, 30, 9), utc(2026, 11, 30, 10), 99, 99),
            reading(other.serial, utc(2026, 11, 30, 9, 30), utc(2026, 11, 30, 10, 30)),
        ],
    )
    assert _codes(result.readings) == ["accepted", "overlap", "overlap", "accepted"]
    assert Reading.objects.count() == 2


def test_a_long_stored_period_is_found_however_far_back_it_starts(fleet):
    _ingest(fleet["collector"], [reading("A-1", utc(2026, 11, 20), utc(2026, 11, 29))])
    result = _ingest(
        fleet["collector"], [reading("A-1", utc(2026, 11, 28, 9), utc(2026, 11, 28, 10))]
    )
    assert _codes(result.readings) == ["overlap"]


def test_clock_skew_boundary(fleet, settings):
    settings.AYUDA_DEVICE_CLOCK_SKEW = 300
    limit = NOW + timedelta(seconds=300)
    result = _ingest(
        fleet["collector"],
        [
            reading("A-1", NOW, limit),
            reading("A-1", limit, limit + timedelta(microseconds=1)),
        ],
        [
            HeartbeatIn(serial="A-1", at=limit),
            HeartbeatIn(serial="A-1", at=limit + timedelta(seconds=1)),
        ],
    )
    assert _codes(result.readings) == ["accepted", "future"]
    assert _codes(result.heartbeats) == ["accepted", "future"]


def test_each_item_is_judged_on_its_own(fleet):
    other_org_device = device_make(serial="X-1")
    device_make(site=fleet["site"], serial="R-1", is_active=False)
    start, end = utc(2026, 11, 30, 9), utc(2026, 11, 30, 10)
    naive = end.replace(tzinfo=None)
    result = _ingest(
        fleet["collector"],
        [
            reading("NOPE", start, end),
            reading(other_org_device.serial, start, end),
            reading("R-1", start, end),
            reading("A-1", start, end, -1, 3),
            reading("A-1", start, end, 2**31, 3),
            reading("A-1", end, start),
            reading("A-1", end, end),
            reading("A-1", start, naive),
            reading("A-1", utc(1999, 12, 31), utc(2000, 1, 1)),
            reading("A-1", start, end),
        ],
    )
    assert _codes(result.readings) == [
        "unknown_serial",
        "other_organisation",
        "retired",
        "negative_count",
        "count_too_large",
        "bad_period",
        "bad_period",
        "no_time_zone",
        "too_old",
        "accepted",
    ]
    assert all(item.detail for item in result.readings[:-1])
    assert [item.index for item in result.readings] == list(range(10))
    assert Reading.objects.count() == 1


def test_the_details_are_translated(fleet):
    from django.utils import translation

    with translation.override("es"):
        result = _ingest(fleet["collector"], [reading("NOPE", NOW, NOW)])
    assert result.readings[0].detail == "No hay ningún dispositivo con este número de serie."


def test_who_may_report_which_devices(fleet):
    start, end = utc(2026, 11, 30, 9), utc(2026, 11, 30, 10)
    elsewhere = device_make(serial="X-1")
    admin = user_make(role=Role.ADMIN)
    agent = user_make(role=Role.AGENT_L1)
    assert _codes(_ingest(admin, [reading("X-1", start, end)]).readings) == ["accepted"]
    assert _codes(_ingest(agent, [reading("A-1", start, end)]).readings) == ["other_organisation"]
    assert _codes(
        _ingest(fleet["collector"], [reading("X-1", end, end + timedelta(hours=1))]).readings
    ) == ["other_organisation"]
    assert Reading.objects.filter(device=elsewhere).count() == 1


def test_heartbeats_move_the_last_heartbeat_forward_and_count_on_their_day(fleet):
    beats = [
        HeartbeatIn(serial="A-1", at=utc(2026, 11, 30, 10)),
        HeartbeatIn(serial="A-1", at=utc(2026, 11, 30, 11)),
        HeartbeatIn(serial="A-1", at=utc(2026, 11, 30, 10, 30)),  # older than the one before
    ]
    result = _ingest(fleet["collector"], heartbeats=beats)
    assert [i.status for i in result.heartbeats] == ["accepted", "accepted", "duplicate"]
    assert Device.objects.get().last_heartbeat_at == utc(2026, 11, 30, 11)
    assert DeviceDay.objects.get().heartbeats == 2


def test_a_dst_day_is_one_day_in_the_sites_time_zone(fleet):
    # 25 Oct 2026: Madrid goes from UTC+2 to UTC+1; the local day is 25 hours long,
    # from 24 Oct 22:00 UTC to 25 Oct 23:00 UTC.
    hours = [utc(2026, 10, 24, 21) + timedelta(hours=h) for h in range(28)]
    batch = [reading("A-1", h, h + timedelta(hours=1), 1, 1) for h in hours]
    result = _ingest(fleet["collector"], batch)
    assert result.totals()["accepted"] == 28
    days = dict(DeviceDay.objects.values_list("day", "count_in"))
    assert days == {date(2026, 10, 24): 1, date(2026, 10, 25): 25, date(2026, 10, 26): 2}


def test_a_big_batch_takes_a_handful_of_queries(fleet):
    # given 50 devices with history, and a batch of 2,000 readings and 50 heartbeats
    devices = [device_make(site=fleet["site"], serial=f"Q-{i}") for i in range(50)]
    first = [reading(d.serial, utc(2026, 11, 29, 8), utc(2026, 11, 29, 9)) for d in devices]
    _ingest(fleet["collector"], first)
    batch = [
        reading(
            d.serial,
            utc(2026, 11, 29, 9) + timedelta(minutes=15 * i),
            utc(2026, 11, 29, 9) + timedelta(minutes=15 * (i + 1)),
        )
        for d in devices
        for i in range(40)
    ]
    beats = [HeartbeatIn(serial=d.serial, at=NOW) for d in devices]
    # when
    with CaptureQueriesContext(connection) as queries:
        result = _ingest(fleet["collector"], batch, beats)
    # then: resolve, near readings, insert, roll-up, devices (+ savepoint/transaction)
    assert result.totals() == {"accepted": 2050, "duplicate": 0, "refused": 0}
    assert len(queries) <= 7, [q["sql"][:80] for q in queries]
    assert Reading.objects.count() == 2050
    assert sum(DeviceDay.objects.values_list("count_in", flat=True)) == 2050 * 10


@pytest.mark.django_db(transaction=True)
def test_two_identical_batches_at_once_count_once():
    import threading

    from django.db import connections, transaction

    # given
    org = organisation_make(timezone="Europe/Madrid")
    device_make(site=site_make(organisation=org), serial="C-1")
    collector = collector_make(organisation=org)
    batch = [reading("C-1", utc(2026, 11, 30, h), utc(2026, 11, 30, h + 1), 5, 5) for h in (9, 10)]
    first_ingested, commit_first = threading.Event(), threading.Event()
    results = {}

    def first():
        try:
            with transaction.atomic():
                results["first"] = _ingest(collector, batch)
                first_ingested.set()
                commit_first.wait(10)
        finally:
            connections.close_all()

    def second():
        try:
            results["second"] = _ingest(collector, batch)  # reads before the first commits
        finally:
            connections.close_all()

    # when the second batch runs while the first is not yet committed (on PostgreSQL; SQLite
    # serialises writers, and its in-memory test database refuses a second one outright, so
    # there the second batch runs once the first has committed)
    a = threading.Thread(target=first)
    a.start()
    assert first_ingested.wait(10)
    if connection.vendor != "postgresql":
        commit_first.set()
        a.join(10)
    b = threading.Thread(target=second)
    b.start()
    if connection.vendor == "postgresql":
        b.join(1)
        assert b.is_alive()  # it waits on the unique index for the first transaction
        commit_first.set()
    a.join(10)
    b.join(10)

    # then the readings are counted once, and the second batch says so
    assert [i.code for i in results["first"].readings] == ["accepted", "accepted"]
    assert [i.code for i in results["second"].readings] == ["duplicate", "duplicate"]
    day = DeviceDay.objects.get()
    assert (day.count_in, day.readings) == (10, 2)


def test_serials_with_awkward_characters_are_found(fleet):
    awkward = "Z,\"{x}\\ y'; NULL"
    device_make(site=fleet["site"], serial=awkward)
    start, end = utc(2026, 11, 30, 9), utc(2026, 11, 30, 10)
    result = _ingest(
        fleet["collector"], [reading(awkward, start, end), reading("NULL", start, end)]
    )
    assert _codes(result.readings) == ["accepted", "unknown_serial"]
    assert Reading.objects.get().device.serial == awkward
