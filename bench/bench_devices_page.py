#!/usr/bin/env python
"""Benchmark: the site admin's devices page (R32) on a large fleet.

Run on demand (not part of the test suite), against PostgreSQL::

    .venv/bin/python bench/bench_devices_page.py --database ayuda_bench_devices --reps 200

It loads (once; ``--fresh`` starts over) ``--devices`` devices (100,000) over ``--sites``
sites (10,000, in five time zones), each with ``--days`` days (90) of daily roll-ups
(``devices_deviceday``), generated set-based with ``generate_series``; a site admin who looks
after ``--admin-sites`` sites (200, so 2,000 devices), and a few health incidents on their
devices (through the ticket services). Then, through Django's test client with production
settings (server time: middleware, session, selectors, template; no network), p50/p95 over
``--reps`` warm requests and the queries of one request, for:

- ``GET /portal/devices/`` as the site admin: the first page, a deep page (the cursor of the
  page before), filtered by one site, by status "silent" and by status "incidents";
- ``GET /portal/devices/<id>/``: a device's page (14 days, incidents);
- ``GET /agent/devices/`` as a level 1 agent (every device), for comparison.

Results go to stdout and to ``bench/results/<date>-devices-page.md``.
"""

import argparse
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench_queue import bench_database_url, database_ensure, setup_django
from measure import summary

ROOT = Path(__file__).resolve().parents[1]
ZONES = ["Europe/Madrid", "Europe/Rome", "America/New_York", "America/Mexico_City", "UTC"]
ORG_NAME = "Bench Retail"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="ayuda_bench_devices")
    parser.add_argument("--devices", type=int, default=100_000)
    parser.add_argument("--sites", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--admin-sites", type=int, default=200)
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--fresh", action="store_true")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    return parser.parse_args()


def load(args) -> None:
    """Organisation, sites (ORM, bulk), devices and their days (SQL, generate_series)."""
    from django.db import connection, transaction

    from ayuda.accounts.models import Organisation, Site

    if Organisation.objects.filter(name=ORG_NAME).exists():
        print("fleet already loaded", flush=True)
        return
    started = time.perf_counter()
    org = Organisation.objects.create(name=ORG_NAME, email_domains="bench-retail.example")
    Site.objects.bulk_create(
        [
            Site(organisation=org, name=f"Shop {i:05d}", code=f"S{i:05d}", timezone=ZONES[i % 5])
            for i in range(args.sites)
        ],
        batch_size=2_000,
    )
    first_site = (
        Site.objects.filter(organisation=org).order_by("pk").values_list("pk", flat=True)[0]
    )
    now = datetime.now(UTC)
    with transaction.atomic(), connection.cursor() as cursor:
        # Device n sits at site n % sites; one in 50 silent for 2-5 days, one in 500 never.
        cursor.execute(
            """
            INSERT INTO devices_device (site_id, serial, model, name, location, installed_on,
                counts_entrance, is_active, last_heartbeat_at, last_reading_at, created_at)
            SELECT %(first)s + (n %% %(sites)s), 'BENCH-' || lpad(n::text, 7, '0'), 'PC-200',
                   'Door ' || (n / %(sites)s + 1), 'Entrance', %(today)s::date - 400, true, true,
                   CASE WHEN n %% 500 = 0 THEN NULL
                        WHEN n %% 50 = 0 THEN %(now)s - ((2 + n %% 4) || ' days')::interval
                        ELSE %(now)s - ((n %% 600) || ' seconds')::interval END,
                   CASE WHEN n %% 500 = 0 THEN NULL
                        WHEN n %% 50 = 0 THEN %(now)s - ((2 + n %% 4) || ' days')::interval
                        ELSE %(now)s - ((n %% 900) || ' seconds')::interval END,
                   %(now)s
            FROM generate_series(0, %(devices)s - 1) AS n
            """,
            {
                "first": first_site,
                "sites": args.sites,
                "devices": args.devices,
                "today": now.date(),
                "now": now,
            },
        )
        cursor.execute(
            """
            INSERT INTO devices_deviceday (device_id, day, count_in, count_out, readings,
                heartbeats)
            SELECT d.id, %(today)s::date - g.back,
                   100 + (d.id * 7 + g.back * 13) %% 900, 95 + (d.id * 5 + g.back * 11) %% 900,
                   96, 288
            FROM devices_device d
            CROSS JOIN generate_series(0, %(days)s - 1) AS g(back)
            WHERE d.serial LIKE 'BENCH-%%'
            """,
            {"today": (now + timedelta(hours=14)).date(), "days": args.days},
        )
    with connection.cursor() as cursor:
        for table in ("accounts_site", "devices_device", "devices_deviceday"):
            cursor.execute(f"ANALYZE {table}")
    print(f"loaded the fleet in {time.perf_counter() - started:.0f} s", flush=True)


def people(args):
    """The site admin (``--admin-sites`` sites) with incidents on a few of their devices, and
    a level 1 agent."""
    from django.utils import timezone

    from ayuda.accounts.models import Organisation, Role, Site, User
    from ayuda.devices.models import Device, HealthIncident, ScanRule
    from ayuda.tickets import services
    from ayuda.tickets.models import Category, Channel

    org = Organisation.objects.get(name=ORG_NAME)
    admin, created = User.objects.get_or_create(
        username="bench.siteadmin",
        defaults={"role": Role.SITE_ADMIN, "organisation": org, "email": "sa@bench.example"},
    )
    agent, _ = User.objects.get_or_create(
        username="bench.devices.agent",
        defaults={"role": Role.AGENT_L1, "email": "agent.devices@bench.example"},
    )
    if created:
        sites = list(Site.objects.filter(organisation=org).order_by("pk")[: args.admin_sites])
        admin.sites.set(sites)
        category, _ = Category.objects.get_or_create(name="Counters")
        rule = ScanRule.objects.create(
            name="Device silent",
            kind="device_silent",
            threshold=3,
            category=category,
            message_en="{device} is silent",
        )
        silent = Device.objects.filter(
            site__in=sites, last_heartbeat_at__lt=timezone.now() - timedelta(days=1)
        ).order_by("pk")[:20]
        for device in silent:
            ticket = services.ticket_create(
                requester=admin,
                actor=admin,
                subject=f"{device.serial} is silent",
                description="No heartbeat.",
                channel=Channel.PORTAL,
                site=device.site,
            )
            now = timezone.now()
            HealthIncident.objects.create(
                rule=rule,
                subject_key=f"device:{device.pk}",
                device=device,
                site=device.site,
                ticket=ticket,
                figures={"days_silent": 3},
                opened_at=now,
                last_failed_at=now,
                last_noted_at=now,
            )
    if created:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE accounts_user_sites")
            cursor.execute("ANALYZE devices_healthincident")
    return admin, agent


def measure(client, urls: list[str], reps: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def get(url):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response

    for url in urls:
        get(url)  # warm: session, templates, the sites' list
    samples, cpu = [], []
    for i in range(reps):
        started, cpu_started = time.perf_counter(), time.process_time()
        get(urls[i % len(urls)])
        samples.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
    with CaptureQueriesContext(connection) as ctx:
        response = get(urls[0])
    rows = (
        len(response.context["page"].rows)
        if response.context and "page" in response.context
        else "-"
    )
    return summary(samples) | {
        "queries": len(ctx.captured_queries),
        "cpu": summary(cpu),
        "rows": rows,
    }


def main() -> None:
    args = parse_args()
    url = bench_database_url(args.database)
    database_ensure(url, args.fresh)
    setup_django(url)
    load(args)
    admin, agent = people(args)

    from django.test import Client
    from django.urls import reverse

    from ayuda.devices.models import Device, DeviceDay
    from ayuda.devices.selectors import DeviceFilters, device_health_list, devices_for

    devices = Device.objects.count()
    days = DeviceDay.objects.count()
    theirs = devices_for(user=admin).count()
    print(f"{devices:,} devices, {days:,} device days; the site admin sees {theirs:,}", flush=True)

    portal = Client()
    portal.force_login(admin)
    base = reverse("portal:devices")
    # a deep page: the cursor of the page before the 30th
    cursor = None
    for _ in range(29):
        page = device_health_list(user=admin, filters=DeviceFilters(), cursor=cursor)
        cursor = page.next_cursor
    site = admin.sites.order_by("pk")[100]
    device = devices_for(user=admin).filter(health_incidents__isnull=False).first()
    results = {
        "portal, first page": measure(portal, [base], args.reps),
        "portal, 30th page": measure(portal, [f"{base}?after={cursor}"], args.reps),
        "portal, one site": measure(portal, [f"{base}?site={site.pk}"], args.reps),
        "portal, silent": measure(portal, [f"{base}?status=silent"], args.reps),
        "portal, with incidents": measure(portal, [f"{base}?status=incidents"], args.reps),
        "portal, search serial": measure(portal, [f"{base}?q=BENCH-00012"], args.reps),
        "portal, a device's page": measure(
            portal, [reverse("portal:device", args=[device.pk])], args.reps
        ),
    }
    workspace = Client()
    workspace.force_login(agent)
    results["workspace, every device, first page"] = measure(
        workspace, [reverse("agent:devices")], args.reps
    )

    load_avg = os.getloadavg()
    lines = [
        f"# Site admin's devices page, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"`bench/bench_devices_page.py --database {args.database} --reps {args.reps}`: "
        f"{devices:,} devices over {args.sites:,} sites, {days:,} device days; the site admin "
        f"looks after {args.admin_sites} sites ({theirs:,} devices). Load average after the "
        f"run {load_avg[0]:.2f} / {load_avg[1]:.2f} / {load_avg[2]:.2f} on 2 shared cores.",
        "",
        "| page | p50 ms | p95 ms | max ms | web process CPU p50 / p95 ms | queries | rows |",
        "|---|---|---|---|---|---|---|",
        *[
            f"| {name} | {r['p50']} | {r['p95']} | {r['max']} | "
            f"{r['cpu']['p50']} / {r['cpu']['p95']} | {r['queries']} | {r['rows']} |"
            for name, r in results.items()
        ],
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    name = f"{datetime.now(UTC):%Y-%m-%d-%H%M}-devices-page.md"
    (out / name).write_text(text)
    print(f"written {out / name}")


if __name__ == "__main__":
    sys.exit(main())
