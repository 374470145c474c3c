"""Writes of the devices app: ingesting what devices report (R32).

``readings_ingest`` takes a batch of heartbeats and counter readings and is set-based: a
handful of queries whatever the batch's size (resolve the serials, read the readings the batch
could overlap, insert, roll up, move the devices' last times forward). Each item is judged on
its own and gets a stable reason code; a refused item never blocks the others.
"""

import bisect
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ayuda.accounts.models import Role, User
from ayuda.core.timezones import zone_or_utc

from . import sql

MAX_COUNT = 2_147_483_647  # the counts' column is a 32-bit integer
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)  # before it, a device's clock is simply wrong


class Status:
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    REFUSED = "refused"


class Code:
    """Stable reason codes (docs/api.md): clients branch on these, never on the text."""

    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    NO_TIME_ZONE = "no_time_zone"
    UNKNOWN_SERIAL = "unknown_serial"
    OTHER_ORGANISATION = "other_organisation"
    RETIRED = "retired"
    NEGATIVE_COUNT = "negative_count"
    COUNT_TOO_LARGE = "count_too_large"
    BAD_PERIOD = "bad_period"
    FUTURE = "future"
    TOO_OLD = "too_old"
    OVERLAP = "overlap"


def _reason(code: str) -> str:
    """The translated detail of a refusal (in the caller's language)."""
    return {
        Code.NO_TIME_ZONE: _("The time has no time zone: send it in UTC (…Z) or with an offset."),
        Code.UNKNOWN_SERIAL: _("There is no device with this serial number."),
        Code.OTHER_ORGANISATION: _("This device belongs to another organisation."),
        Code.RETIRED: _("This device is retired: it no longer reports."),
        Code.NEGATIVE_COUNT: _("IN and OUT cannot be negative."),
        Code.COUNT_TOO_LARGE: _("IN or OUT is too large."),
        Code.BAD_PERIOD: _("The period must end after it starts."),
        Code.FUTURE: _("This is in the future: check the device's clock."),
        Code.TOO_OLD: _("This is too long ago to be a reading (before 2000)."),
        Code.OVERLAP: _(
            "This period overlaps another reading of the device with other figures or bounds."
        ),
        Code.DUPLICATE: _("Already received: nothing changed."),
    }.get(code, "")


@dataclass(frozen=True)
class HeartbeatIn:
    serial: str
    at: datetime


@dataclass(frozen=True)
class ReadingIn:
    serial: str
    period_start: datetime
    period_end: datetime
    count_in: int
    count_out: int


@dataclass(frozen=True)
class ItemResult:
    index: int
    serial: str
    status: str
    code: str
    detail: str = ""


def _accepted(index: int, serial: str) -> ItemResult:
    return ItemResult(index, serial, Status.ACCEPTED, Code.ACCEPTED)


def _duplicate(index: int, serial: str) -> ItemResult:
    return ItemResult(index, serial, Status.DUPLICATE, Code.DUPLICATE, _reason(Code.DUPLICATE))


@dataclass
class IngestResult:
    heartbeats: list[ItemResult] = field(default_factory=list)
    readings: list[ItemResult] = field(default_factory=list)

    def totals(self) -> dict[str, int]:
        totals = {Status.ACCEPTED: 0, Status.DUPLICATE: 0, Status.REFUSED: 0}
        for item in (*self.heartbeats, *self.readings):
            totals[item.status] += 1
        return totals


@dataclass(frozen=True)
class _Known:
    """What the batch needs of a device, read once for all its items."""

    id: int
    organisation_id: int
    is_active: bool
    zone: ZoneInfo
    last_heartbeat_at: datetime | None


_zone = zone_or_utc  # an unknown name in the data: days in UTC


def _devices_known(serials: set[str]) -> dict[str, _Known]:
    """The batch's devices by serial: ONE query, whatever the number of serials."""
    return {
        serial: _Known(pk, org, bool(active), _zone(site_tz or org_tz), last_hb)
        for serial, pk, org, active, site_tz, org_tz, last_hb in sql.devices_resolve(
            serials=sorted(serials)
        )
    }


def may_report_for(user: User):
    """Whose devices ``user`` may report: a help-desk administrator any; a user of an
    organisation (its collector) only that organisation's; anyone else none."""
    if user.role == Role.ADMIN:
        return lambda organisation_id: True
    own = user.organisation_id
    return lambda organisation_id: own is not None and organisation_id == own


def _aware(value: datetime) -> bool:
    return value.tzinfo is not None and value.utcoffset() is not None


class _Periods:
    """A device's periods (stored and accepted in this batch), sorted by start, to find in
    O(log n) whether a new period repeats one, or overlaps one differently."""

    def __init__(self) -> None:
        self.starts: list[datetime] = []
        self.items: list[tuple[datetime, datetime, int, int]] = []

    def add(self, start: datetime, end: datetime, count_in: int, count_out: int) -> None:
        i = bisect.bisect_left(self.starts, start)
        self.starts.insert(i, start)
        self.items.insert(i, (start, end, count_in, count_out))

    def judge(self, start: datetime, end: datetime, count_in: int, count_out: int) -> str | None:
        """None (new, no overlap), ``Code.DUPLICATE`` or ``Code.OVERLAP``."""
        i = bisect.bisect_left(self.starts, start)
        if i < len(self.items) and self.items[i][0] == start:
            same = self.items[i] == (start, end, count_in, count_out)
            return Code.DUPLICATE if same else Code.OVERLAP
        if i > 0 and self.items[i - 1][1] > start:  # the one before ends after this starts
            return Code.OVERLAP
        if i < len(self.items) and self.items[i][0] < end:  # the next starts before this ends
            return Code.OVERLAP
        return None


def _stored_periods(readings: list[tuple[int, ReadingIn]]) -> dict[int, _Periods]:
    """The stored readings the batch's readings could overlap, by device: ONE query
    (``sql.readings_near``)."""
    bounds: dict[int, list[datetime]] = {}
    for device_id, reading in readings:
        lo_hi = bounds.setdefault(device_id, [reading.period_start, reading.period_end])
        lo_hi[0] = min(lo_hi[0], reading.period_start)
        lo_hi[1] = max(lo_hi[1], reading.period_end)
    periods: dict[int, _Periods] = defaultdict(_Periods)
    near = sql.readings_near(rows=[(d, lo, hi) for d, (lo, hi) in sorted(bounds.items())])
    for device_id, start, end, count_in, count_out in near:
        periods[device_id].add(start, end, count_in, count_out)
    return periods


def _refused(index: int, serial: str, code: str) -> ItemResult:
    return ItemResult(index, serial, Status.REFUSED, code, _reason(code))


class _Judge:
    """The checks every item goes through, with what the batch read once."""

    def __init__(self, *, user: User, known: dict[str, _Known], now: datetime) -> None:
        self.known = known
        self.may_report = may_report_for(user)
        self.future_limit = now + timedelta(seconds=settings.AYUDA_DEVICE_CLOCK_SKEW)

    def device(self, serial: str, times: tuple[datetime, ...]) -> tuple[_Known | None, str]:
        """The device an item is about, or the code refusing it."""
        if not all(_aware(t) for t in times):
            return None, Code.NO_TIME_ZONE
        device = self.known.get(serial)
        if device is None:
            return None, Code.UNKNOWN_SERIAL
        if not self.may_report(device.organisation_id):
            return None, Code.OTHER_ORGANISATION
        if not device.is_active:
            return None, Code.RETIRED
        if max(times) > self.future_limit:
            return None, Code.FUTURE
        if min(times) < EARLIEST:
            return None, Code.TOO_OLD
        return device, ""

    @staticmethod
    def figures(reading: ReadingIn) -> str:
        if reading.count_in < 0 or reading.count_out < 0:
            return Code.NEGATIVE_COUNT
        if reading.count_in > MAX_COUNT or reading.count_out > MAX_COUNT:
            return Code.COUNT_TOO_LARGE
        if reading.period_end <= reading.period_start:
            return Code.BAD_PERIOD
        return ""


_New = list[tuple[int, ReadingIn, _Known]]


def _readings_judge(judge: _Judge, readings: list[ReadingIn]) -> tuple[dict[int, ItemResult], _New]:
    """Each reading's verdict, but for the new ones (to insert): those come second."""
    verdicts: dict[int, ItemResult] = {}
    candidates: _New = []
    for index, reading in enumerate(readings):
        device, code = judge.device(reading.serial, (reading.period_start, reading.period_end))
        code = code or judge.figures(reading)
        if code:
            verdicts[index] = _refused(index, reading.serial, code)
        else:
            candidates.append((index, reading, device))
    # Against the stored readings and the batch's earlier ones (step 3, docs/devices.md).
    periods = _stored_periods([(device.id, reading) for _i, reading, device in candidates])
    new: _New = []
    for index, reading, device in candidates:
        figures = (reading.period_start, reading.period_end, reading.count_in, reading.count_out)
        verdict = periods[device.id].judge(*figures)
        if verdict == Code.OVERLAP:
            verdicts[index] = _refused(index, reading.serial, verdict)
        elif verdict == Code.DUPLICATE:
            verdicts[index] = _duplicate(index, reading.serial)
        else:
            periods[device.id].add(*figures)
            new.append((index, reading, device))
    return verdicts, new


def _heartbeats_judge(
    judge: _Judge, heartbeats: list[HeartbeatIn]
) -> tuple[list[ItemResult], list[tuple[_Known, datetime]]]:
    """Each heartbeat's verdict, and those that count: later than the device's last sign of
    life (as stored, and than its earlier heartbeats in the batch)."""
    verdicts: list[ItemResult] = []
    counted: list[tuple[_Known, datetime]] = []
    newest: dict[int, datetime | None] = {}
    for index, heartbeat in enumerate(heartbeats):
        device, code = judge.device(heartbeat.serial, (heartbeat.at,))
        if code:
            verdicts.append(_refused(index, heartbeat.serial, code))
            continue
        last = newest.get(device.id, device.last_heartbeat_at)
        if last is not None and heartbeat.at <= last:
            verdicts.append(_duplicate(index, heartbeat.serial))
            continue
        newest[device.id] = heartbeat.at
        counted.append((device, heartbeat.at))
        verdicts.append(_accepted(index, heartbeat.serial))
    return verdicts, counted


def _later(a: datetime | None, b: datetime) -> datetime:
    return b if a is None or b > a else a


def _roll_up(
    *,
    new: _New,
    inserted: set[tuple],
    heartbeats: list[tuple[_Known, datetime]],
    verdicts: dict[int, ItemResult],
) -> None:
    """Add what was inserted (and the counted heartbeats) to the devices' days in their
    sites' time zones, and move the devices' last times forward (steps 5 and 6)."""
    days: dict[tuple[int, date], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    touch: dict[int, list[datetime | None]] = defaultdict(lambda: [None, None])
    for index, reading, device in new:
        if (device.id, reading.period_start) not in inserted:
            # Stored by another batch between our read and our insert (the same batch sent
            # twice at once): theirs counted it. (Had theirs other figures for this start,
            # this would rather be an overlap: a broken collector, answered "duplicate".)
            verdicts[index] = _duplicate(index, reading.serial)
            continue
        verdicts[index] = _accepted(index, reading.serial)
        day = days[(device.id, reading.period_start.astimezone(device.zone).date())]
        day[0] += reading.count_in
        day[1] += reading.count_out
        day[2] += 1
        times = touch[device.id]
        times[0] = _later(times[0], reading.period_end)  # a reading is a sign of life
        times[1] = _later(times[1], reading.period_end)
    for device, at in heartbeats:
        days[(device.id, at.astimezone(device.zone).date())][3] += 1
        touch[device.id][0] = _later(touch[device.id][0], at)
    # Sorted, so concurrent batches take the rows' locks in the same order.
    sql.days_add(rows=sorted((*key, *figures) for key, figures in days.items()))
    sql.devices_touch(
        rows=[
            (device_id, *(t.astimezone(UTC) if t else None for t in times))
            for device_id, times in sorted(touch.items())
        ]
    )


@transaction.atomic
def readings_ingest(
    *,
    user: User,
    heartbeats: list[HeartbeatIn],
    readings: list[ReadingIn],
    now: datetime | None = None,
) -> IngestResult:
    """Judge and store a batch from ``user`` (a device token's user); returns each item's
    result, in the order sent (docs/devices.md walks through the steps).

    - A reading is stored once per device and period start: a re-sent identical reading is a
      ``duplicate`` (accepted, changes nothing); one that overlaps another reading of the
      device differently (same start with other end or counts, or an overlapping range with
      another start), stored or earlier in the same batch, is refused (``overlap``).
    - Late and out-of-order readings are accepted; a period ending more than
      ``AYUDA_DEVICE_CLOCK_SKEW`` seconds after ``now`` is refused (``future``); exactly at
      the limit is accepted.
    - The readings this batch actually inserted (and only those) are added to their devices'
      days (``DeviceDay``), the day being the period start's date in the site's time zone.
    - A heartbeat moves ``Device.last_heartbeat_at`` forward and counts on its day; one not
      later than the device's last heartbeat (a re-sent batch, a late one) changes nothing
      and is a ``duplicate``.
    - A reading is a sign of life too: its period end moves ``last_heartbeat_at`` forward (not
      ``DeviceDay.heartbeats``), and ``last_reading_at``.
    """
    now = now or timezone.now()
    known = _devices_known({h.serial for h in heartbeats} | {r.serial for r in readings})
    judge = _Judge(user=user, known=known, now=now)
    verdicts, new = _readings_judge(judge, readings)
    inserted = sql.readings_insert(
        rows=[(d.id, r.period_start, r.period_end, r.count_in, r.count_out) for _i, r, d in new],
        received_at=now,
    )
    heartbeat_verdicts, counted = _heartbeats_judge(judge, heartbeats)
    _roll_up(new=new, inserted=inserted, heartbeats=counted, verdicts=verdicts)
    return IngestResult(
        heartbeats=heartbeat_verdicts, readings=[verdicts[i] for i in range(len(readings))]
    )
