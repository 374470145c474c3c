"""The demo's devices and the simulator that feeds them through the real API (R32).

``devices_create`` puts ``data/devices.py``'s counters on the demo sites.
``readings_simulate`` makes some days of hourly readings and heartbeats for every demo device
(seeded: the same figures every time, dated back from ``now``) and POSTs them to
``/api/v1/devices/readings`` in batches, exactly as a collector in front of the devices
would: in-process through Django's test client (``load_demo``, ``manage.py
simulate_devices``) or over HTTP to a running server (``--url``/``--token``). Two devices go
silent days before ``now``, one site's IN and OUT drift apart on the last closed day, and one
device counts nothing on that day, so the scan has real findings.
"""

import json
import random
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.test import Client
from django.utils import timezone

from ayuda.accounts.models import Organisation, Role, Site, TokenScope, User
from ayuda.accounts.tokens import token_create, token_revoke
from ayuda.devices.models import Device

from .data import devices as spec

PATH = "/api/v1/devices/readings"
BATCH = 2000
Send = Callable[[dict], dict]


def devices_create() -> list[Device]:
    """The demo's counters on the demo sites (sites found by code; missing ones skipped);
    returns those it created (none if they exist)."""
    sites = {s.code: s for s in Site.objects.filter(code__in=spec.DEVICES)}
    serials = [serial for rows in spec.DEVICES.values() for serial, *_rest in rows]
    existing = set(Device.objects.filter(serial__in=serials).values_list("serial", flat=True))
    devices = [
        Device(
            site=sites[code],
            serial=serial,
            model=model,
            name=name,
            location=location,
            counts_entrance=entrance,
            installed_on=date.fromisoformat(spec.INSTALLED),
        )
        for code, rows in spec.DEVICES.items()
        if code in sites
        for serial, model, name, location, entrance in rows
        if serial not in existing
    ]
    return Device.objects.bulk_create(devices)


@dataclass
class Simulation:
    batches: int = 0
    totals: dict[str, int] = field(
        default_factory=lambda: {"accepted": 0, "duplicate": 0, "refused": 0}
    )
    refusals: dict[str, int] = field(default_factory=dict)


def _hourly(device: Device, *, zone: ZoneInfo, start: datetime, end: datetime, rng, today):
    """The device's hourly readings and heartbeats between ``start`` and ``end`` (UTC)."""
    readings, heartbeats = [], []
    silent_days = spec.SILENT.get(device.serial)
    if silent_days is not None:
        end = min(end, (end - timedelta(days=silent_days)).replace(minute=0))
    last_closed = today - timedelta(days=1)
    hour = start
    while hour < end:
        local = hour.astimezone(zone)
        busy = spec.OPEN_HOURS[0] <= local.hour < spec.OPEN_HOURS[1]
        count_in = rng.randint(8, 60) if busy else rng.randint(0, 1) if local.hour == 8 else 0
        count_out = max(0, count_in + rng.randint(-2, 2)) if count_in else 0
        if local.date() == last_closed:
            if device.site.code == spec.DRIFT_SITE:
                count_out = round(count_in * spec.DRIFT_OUT_RATIO)
            if device.serial == spec.ZERO_TRAFFIC:
                count_in = count_out = 0
        if not device.counts_entrance:
            count_out = count_in  # the fitting rooms: in and out alike
        period_end = hour + timedelta(hours=1)
        readings.append(
            {
                "serial": device.serial,
                "period_start": hour.isoformat().replace("+00:00", "Z"),
                "period_end": period_end.isoformat().replace("+00:00", "Z"),
                "in": count_in,
                "out": count_out,
            }
        )
        beat = period_end + timedelta(seconds=rng.randint(5, 50))
        if beat <= end:
            heartbeats.append({"serial": device.serial, "at": beat.isoformat()})
        hour = period_end
    return readings, heartbeats


def readings_simulate(
    *, send: Send, now: datetime | None = None, days: int = spec.SIMULATED_DAYS
) -> Simulation:
    """Send ``days`` days of readings, up to ``now``'s hour, for every demo device."""
    now = now or timezone.now()
    end = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    rng = random.Random(spec.SEED)
    devices = list(
        Device.objects.filter(serial__in=[s for rows in spec.DEVICES.values() for s, *_ in rows])
        .select_related("site__organisation")
        .order_by("serial")
    )
    items: list[tuple[datetime, str, dict]] = []
    for device in devices:
        zone = ZoneInfo(device.site.timezone_name())
        today = now.astimezone(zone).date()
        local_start = datetime.combine(today - timedelta(days=days), time(0), tzinfo=zone)
        readings, heartbeats = _hourly(
            device, zone=zone, start=local_start.astimezone(UTC), end=end, rng=rng, today=today
        )
        items += [(datetime.fromisoformat(r["period_end"]), "readings", r) for r in readings]
        items += [(datetime.fromisoformat(h["at"]), "heartbeats", h) for h in heartbeats]
    # In time order, as a collector sends them: each batch the next stretch of time.
    items.sort(key=lambda item: (item[0], item[1], item[2]["serial"]))
    result = Simulation()
    for i in range(0, len(items), BATCH):
        body: dict[str, list] = {"readings": [], "heartbeats": []}
        for _at, kind, item in items[i : i + BATCH]:
            body[kind].append(item)
        answer = send(body)
        result.batches += 1
        for name, count in answer["totals"].items():
            result.totals[name] = result.totals.get(name, 0) + count
        for item in (*answer["readings"], *answer["heartbeats"]):
            if item["status"] == "refused":
                result.refusals[item["code"]] = result.refusals.get(item["code"], 0) + 1
    return result


class ApiError(Exception):
    pass


def _host() -> str:
    for host in settings.ALLOWED_HOSTS:
        if host and "*" not in host:
            return host.lstrip(".") or "localhost"
    return "localhost"


def collector_for(organisation: Organisation) -> User:
    """The organisation's collector: the account whose token reports its devices."""
    slug = "".join(c for c in organisation.name.lower() if c.isalnum())[:20]
    user, _created = User.objects.get_or_create(
        username=f"collector-{slug}",
        defaults={
            "role": Role.REQUESTER,
            "organisation": organisation,
            "first_name": "Device collector",
            "last_name": organisation.name,
            "email": f"collector-{slug}@devices.invalid",
            "password": make_password(None),  # no log-in: it only has API tokens
        },
    )
    return user


def in_process_send() -> tuple[Send, Callable[[], None]]:
    """A sender through Django's test client, with a short-lived ``devices`` token per
    organisation (each collector reports its own organisation's devices); and what revokes
    them afterwards."""
    client = Client()
    host = _host()
    tokens = {}
    for organisation in Organisation.objects.filter(sites__devices__isnull=False).distinct():
        collector = collector_for(organisation)
        issued = token_create(
            user=collector,
            name="Simulator",
            scopes=[TokenScope.DEVICES],
            expires_at=timezone.now() + timedelta(hours=1),
        )
        tokens[organisation.pk] = issued
    organisation_of = dict(Device.objects.values_list("serial", "site__organisation_id"))

    def send(body: dict) -> dict:
        merged = {"readings": [], "heartbeats": [], "totals": {}}
        by_org: dict[int, dict] = {}
        for kind in ("readings", "heartbeats"):
            for item in body[kind]:
                org = organisation_of.get(item["serial"])
                by_org.setdefault(org, {"readings": [], "heartbeats": []})[kind].append(item)
        for org, part in by_org.items():
            issued = tokens.get(org)
            response = client.post(
                PATH,
                json.dumps(part),
                content_type="application/json",
                headers={"Authorization": f"Bearer {issued.secret if issued else '-'}"},
                HTTP_HOST=host,
                secure=True,
            )
            if response.status_code != 200:
                raise ApiError(f"{response.status_code}: {response.content[:300]!r}")
            answer = response.json()
            for kind in ("readings", "heartbeats"):
                merged[kind] += answer[kind]
            for name, count in answer["totals"].items():
                merged["totals"][name] = merged["totals"].get(name, 0) + count
        return merged

    def done() -> None:
        for issued in tokens.values():
            token_revoke(token=issued.token, actor=issued.token.user)

    return send, done


def http_send(*, url: str, token: str, timeout: float = 60) -> Send:
    """A sender over HTTP to a running Ayuda (``url`` its base, e.g. http://127.0.0.1:8000)."""
    endpoint = url.rstrip("/") + PATH

    def send(body: dict) -> dict:
        request = urllib.request.Request(  # noqa: S310 (the operator's own URL)
            endpoint,
            data=json.dumps(body).encode(),
            method="POST",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:
            raise ApiError(f"{exc.code}: {exc.read()[:300]!r}") from exc
        except urllib.error.URLError as exc:
            raise ApiError(str(exc.reason)) from exc

    return send


def readings_simulate_in_process(*, now: datetime | None = None, days: int = spec.SIMULATED_DAYS):
    send, done = in_process_send()
    try:
        return readings_simulate(send=send, now=now, days=days)
    finally:
        done()
