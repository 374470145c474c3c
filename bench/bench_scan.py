#!/usr/bin/env python
"""Benchmark: the device health scan (R33, R34) over 100,000 devices and 90 days of roll-ups.

Run on demand (not part of the test suite), against PostgreSQL:

    .venv/bin/python bench/bench_scan.py [--devices 100000] [--days 90] [--fresh]

It uses its own database (``--database``, default ``ayuda_bench_scan``) on the server that
``DATABASE_URL`` points at, creating and migrating it if needed (as ``bench_queue.py``).

The fleet is generated set-based with ``generate_series`` (raw readings are not needed: the
scan reads the daily roll-up ``DeviceDay``): ``--devices`` devices, 10 per site, sites in four
time zones (Madrid, Rome, New York, UTC) of 10 organisations, ``--days`` days of roll-ups per
device. 1% of the devices fail: half of them silent for five days, half with heartbeats but
no counts (zero traffic); and 1% of the sites count 30% fewer OUT than IN (discrepancy).

It measures:
- each rule kind's findings query alone (p50 / p95 over ``--reps`` runs, and its plan);
- the first scan of every rule (``scan_now``): findings, and an incident (a ticket through
  ``ticket_create``) for each;
- a second scan a minute later: every incident updated (figures, last failed), no message;
- a third scan a day later (``--day-later``): every incident updated with its daily message.
Results go to stdout and ``bench/results/<date>-scan.md``.
"""

import argparse
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from bench_queue import bench_database_url, database_ensure, setup_django  # noqa: E402

ZONES = ["Europe/Madrid", "Europe/Rome", "America/New_York", "UTC"]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--devices", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--database", default="ayuda_bench_scan")
    parser.add_argument("--fresh", action="store_true", help="Drop the bench database first.")
    parser.add_argument("--reps", type=int, default=10, help="Timed runs per findings query.")
    parser.add_argument("--day-later", action="store_true", help="Also scan a day later.")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    return parser.parse_args()


def fleet_create(devices: int, days: int) -> dict:
    """Organisations, sites, devices and their days; set-based. Returns timings."""
    from django.db import connection

    from ayuda.accounts.models import Organisation, Site

    timings = {}
    started = time.monotonic()
    orgs = Organisation.objects.bulk_create(
        [
            Organisation(name=f"Fleet {n}", language=("es", "it", "en")[n % 3], timezone="UTC")
            for n in range(10)
        ]
    )
    site_count = (devices + 9) // 10
    sites = Site.objects.bulk_create(
        [
            Site(
                organisation=orgs[n % len(orgs)],
                name=f"Shop {n:06d}",
                code=f"S{n:06d}",
                timezone=ZONES[n % len(ZONES)],
                # a third open Monday to Saturday, the rest every day
                opening_hours=(
                    {d: [["09:00", "21:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat")}
                    if n % 3 == 0
                    else {}
                ),
            )
            for n in range(site_count)
        ],
        batch_size=5000,
    )
    first_site = min(s.pk for s in sites)
    with connection.cursor() as cursor:
        # Device g (1..N) at site (g-1)/10; g % 200 = 0 is silent for five days.
        cursor.execute(
            """
            INSERT INTO devices_device (site_id, serial, model, name, location, installed_on,
                counts_entrance, is_active, last_heartbeat_at, last_reading_at, created_at)
            SELECT %s + (g - 1) / 10, 'BS-' || lpad(g::text, 7, '0'),
                CASE WHEN g %% 2 = 0 THEN 'CC-200' ELSE 'CC-300 3D' END,
                'Door ' || ((g - 1) %% 10 + 1), '', current_date - 400, true, true,
                CASE WHEN g %% 200 = 0 THEN now() - interval '5 days'
                     ELSE now() - interval '10 minutes' END,
                now() - interval '10 minutes', now() - interval '400 days'
            FROM generate_series(1, %s) g
            """,
            [first_site, devices],
        )
        timings["devices"] = time.monotonic() - started
        started = time.monotonic()
        cursor.execute("SELECT min(id) FROM devices_device")
        first_device = cursor.fetchone()[0]
        # Days: normal devices count IN = OUT; g % 200 = 100 counts nothing (zero traffic);
        # the devices of 1% of the sites (site index % 100 = 0) count 30% fewer OUT.
        step = 10_000
        for start in range(0, devices, step):
            cursor.execute(
                """
                INSERT INTO devices_deviceday (device_id, day, count_in, count_out, readings,
                    heartbeats)
                SELECT d.id, day::date, c.n_in,
                    CASE WHEN ((d.id - %(first)s) / 10) %% 100 = 0 THEN c.n_in * 7 / 10
                         ELSE c.n_in END,
                    96, 288
                FROM devices_device d
                CROSS JOIN generate_series(current_date - %(days)s + 1, current_date,
                    interval '1 day') day
                CROSS JOIN LATERAL (
                    SELECT CASE WHEN (d.id - %(first)s + 1) %% 200 = 100 THEN 0
                                ELSE 100 + (d.id * 7 + extract(doy FROM day)::int) %% 50
                           END AS n_in
                ) c
                WHERE d.id >= %(lo)s AND d.id < %(hi)s
                """,
                {
                    "first": first_device,
                    "days": days,
                    "lo": first_device + start,
                    "hi": first_device + start + step,
                },
            )
            print(f"  days: {start + step:,} devices", end="\r", flush=True)
        print()
        timings["days"] = time.monotonic() - started
        for table in ("devices_device", "devices_deviceday", "accounts_site"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    return timings


def rules_create():
    from ayuda.devices.models import ScanRule
    from ayuda.devices.rules import REGISTRY
    from ayuda.tickets.models import Category

    category = Category.objects.get_or_create(name="Device health (bench)")[0]
    return [
        ScanRule.objects.create(
            name=str(kind.label),
            kind=key,
            threshold=kind.threshold_default,
            category=category,
            message_en=kind.default_message,
            message_es=kind.default_message,
            message_it=kind.default_message,
            healthy_scans_to_recover=2,
        )
        for key, kind in REGISTRY.items()
    ]


def main() -> None:
    args = parse_args()
    url = bench_database_url(args.database)
    database_ensure(url, args.fresh)
    setup_django(url)

    from django.db import connection
    from measure import timed
    from queue_report import machine

    from ayuda.devices.models import Device, DeviceDay, HealthIncident, ScanRule
    from ayuda.devices.rules import kind_of
    from ayuda.devices.scan import scan_now

    info = machine()
    lines = [
        "# Device health scan benchmark",
        "",
        f"{info['date']}, {info.get('cpu', '')}, PostgreSQL {info['postgresql']}, "
        f"load average before: {', '.join(f'{x:.1f}' for x in os.getloadavg())}",
        "",
    ]

    def say(text: str = "") -> None:
        print(text, flush=True)
        lines.append(text)

    if not Device.objects.exists():
        timings = fleet_create(args.devices, args.days)
        say(
            f"Fleet: {Device.objects.count():,} devices, {DeviceDay.objects.count():,} device "
            f"days, made in {timings['devices']:.1f} s + {timings['days']:.1f} s"
        )
    else:
        say(f"Fleet already there: {Device.objects.count():,} devices (use --fresh)")
    if HealthIncident.objects.exists() or ScanRule.objects.exists():
        sys.exit("Incidents or rules from an earlier run: use --fresh.")
    rules = rules_create()
    now = datetime.now(UTC)

    say("")
    say("| findings query | findings | p50 ms | p95 ms |")
    say("|---|---:|---:|---:|")
    for rule in rules:
        kind = kind_of(rule)
        count = len(kind.findings(rule, now=now))
        stats = timed(lambda rule=rule, kind=kind: kind.findings(rule, now=now), args.reps, 1)
        say(f"| {rule.kind} | {count:,} | {stats['p50']} | {stats['p95']} |")

    def scan(label: str, at: datetime) -> None:
        started = time.monotonic()
        results = scan_now(now=at)
        seconds = time.monotonic() - started
        total = {
            k: sum(getattr(r, k) for r in results)
            for k in ("findings", "opened", "updated", "noted", "recovered", "skipped")
        }
        say(
            f"| {label} | {seconds:.2f} | {total['findings']:,} | {total['opened']:,} | "
            f"{total['updated']:,} | {total['noted']:,} |"
        )

    say("")
    say("| scan of every rule | seconds | failing | opened | updated | daily messages |")
    say("|---|---:|---:|---:|---:|---:|")
    scan("first: raises the incidents", now)
    scan("second, a minute later: updates them", now + timedelta(minutes=1))
    if args.day_later:
        scan("a day later: updates with a message", now + timedelta(days=1, minutes=2))
    say("")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('devices_deviceday'))")
        say(f"devices_deviceday: {cursor.fetchone()[0]} with its indexes")

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{datetime.now(UTC):%Y-%m-%d-%H%M}-scan.md"
    path.write_text("\n".join(lines) + "\n")
    print(f"\nResults written to {path}")


if __name__ == "__main__":
    main()
