#!/usr/bin/env python
"""Benchmark: device readings ingested through the API (R32) on PostgreSQL.

Run on demand (not part of the test suite):

    .venv/bin/python bench/bench_readings.py --devices 100000 --hours 4

It uses its own database (``--database``, default ``ayuda_readings_bench``) on the server that
``DATABASE_URL`` points at (default ``postgres://postgres@127.0.0.1:5432``), creating and
migrating it; it never touches the database in ``DATABASE_URL`` itself. Set-based, in SQL:

1. ``--devices`` devices on 100 sites (in five time zones), and ``--history-days`` days of
   hourly readings for all of them, with their daily roll-up (so the readings' index is not
   empty when the clients start);
2. one batch in-process (``readings_ingest`` alone, then the whole request through Django's
   test client), to see where a batch's time goes;
3. ``--clients`` client processes POST ``--hours`` hours of readings for every device to
   gunicorn (``--workers`` sync workers) in batches of ``--batch`` readings, each client its
   own quarter of the devices (as collectors in front of different shops would): readings/s;
4. the same batches again (every reading a duplicate): readings/s of a re-sent batch.

Results go to stdout and to ``bench/results/<date>-readings-<devices>.md`` (and ``.json``).
"""

import argparse
import http.client
import json
import multiprocessing
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from bench_api import (  # noqa: E402
    database_ensure,
    database_url,
    environment,
    server_start,
    server_stop,
)
from measure import timed  # noqa: E402

SERIAL = "BR-{:07d}"
ZONES = ["Europe/Madrid", "Europe/Rome", "Europe/London", "America/New_York", "Asia/Tokyo"]
START = datetime(2026, 9, 1, tzinfo=UTC)  # the history starts here; the clients go on from it


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--devices", type=int, default=100_000)
    parser.add_argument("--history-days", type=int, default=1)
    parser.add_argument(
        "--history-period-hours",
        type=int,
        default=1,
        help="Length of each history reading (24: one reading a day, so 90 days of history "
        "for 100,000 devices is 9M readings instead of 216M).",
    )
    parser.add_argument("--hours", type=int, default=4, help="Hours sent by the clients.")
    parser.add_argument("--batch", type=int, default=5000, help="Readings per request.")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers.")
    parser.add_argument("--database", default="ayuda_readings_bench")
    parser.add_argument("--port", type=int, default=8393)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    return parser.parse_args()


def fill(devices: int, history_days: int, period_hours: int = 1) -> dict:
    """Sites, devices, their history and its roll-up, set-based; returns what was made."""
    from django.db import connection

    from ayuda.accounts.models import Organisation, Role, Site, User
    from ayuda.devices.models import Device, DeviceDay, Reading

    org, _ = Organisation.objects.get_or_create(name="Bench Counters", defaults={"timezone": "UTC"})
    if not Site.objects.filter(organisation=org).exists():
        Site.objects.bulk_create(
            Site(organisation=org, name=f"Shop {i:03d}", code=f"S{i:03d}", timezone=ZONES[i % 5])
            for i in range(100)
        )
    site_ids = list(
        Site.objects.filter(organisation=org).order_by("id").values_list("id", flat=True)
    )
    started = time.perf_counter()
    made = {}
    if Device.objects.count() < devices:
        with connection.cursor() as cursor:
            cursor.execute(
                f"""INSERT INTO {Device._meta.db_table}
                    (site_id, serial, model, name, location, counts_entrance, is_active,
                     created_at)
                SELECT (%s::bigint[])[1 + (n %% 100)], 'BR-' || lpad(n::text, 7, '0'),
                       'CountCo 3D', 'Door ' || n, '', true, true, now()
                FROM generate_series(1, %s) AS n
                ON CONFLICT (serial) DO NOTHING""",
                [site_ids, devices],
            )
        made["devices_seconds"] = round(time.perf_counter() - started, 1)
    if history_days and not Reading.objects.exists():
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(
                f"""INSERT INTO {Reading._meta.db_table}
                    (device_id, period_start, period_end, count_in, count_out, received_at)
                SELECT d.id, %s::timestamptz + h * %s * interval '1 hour',
                       %s::timestamptz + (h + 1) * %s * interval '1 hour',
                       (d.id + h) %% 40, (d.id + h) %% 39, now()
                FROM {Device._meta.db_table} d, generate_series(0, %s - 1) AS h""",
                [START, period_hours, START, period_hours, history_days * 24 // period_hours],
            )
            # The roll-up of that history, as the service would have kept it (UTC days here).
            cursor.execute(
                f"""INSERT INTO {DeviceDay._meta.db_table}
                    (device_id, day, count_in, count_out, readings, heartbeats)
                SELECT device_id, (period_start AT TIME ZONE 'UTC')::date, sum(count_in),
                       sum(count_out), count(*), 0
                FROM {Reading._meta.db_table} GROUP BY 1, 2"""
            )
            cursor.execute("VACUUM ANALYZE")
        made["history_seconds"] = round(time.perf_counter() - started, 1)
    admin, _ = User.objects.get_or_create(
        username="bench.collector", defaults={"role": Role.ADMIN, "email": "c@bench.example"}
    )
    made["devices"] = Device.objects.count()
    made["readings_before"] = Reading.objects.count()
    made["admin_id"] = admin.pk
    return made


def token(user_id: int) -> str:
    from ayuda.accounts.models import User
    from ayuda.accounts.tokens import token_create

    user = User.objects.get(pk=user_id)
    return token_create(user=user, name="bench", scopes=["devices"], expires_at=None).secret


def batches(first: int, last: int, hours: list[int], size: int):
    """JSON bodies of ``size`` readings: devices ``first..last`` for each hour in turn."""
    body: list[dict] = []
    for hour in hours:
        start = START + timedelta(hours=hour)
        s, e = (
            start.strftime("%Y-%m-%dT%H:%M:%SZ"),
            (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        )
        for n in range(first, last + 1):
            body.append(
                {
                    "serial": SERIAL.format(n),
                    "period_start": s,
                    "period_end": e,
                    "in": n % 37,
                    "out": n % 35,
                }
            )
            if len(body) == size:
                yield json.dumps({"readings": body}).encode()
                body = []
    if body:
        yield json.dumps({"readings": body}).encode()


def client(port, secret, first, last, hours, size, go, results):
    headers = {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}
    bodies = list(batches(first, last, hours, size))  # built before the clock starts
    go.wait()
    started, sent, failures, totals = time.perf_counter(), 0, 0, {}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    for body in bodies:
        conn.request("POST", "/api/v1/devices/readings", body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        if response.status != 200:
            failures += 1
            print(response.status, data[:300], flush=True)
            continue
        for name, count in json.loads(data)["totals"].items():
            totals[name] = totals.get(name, 0) + count
        sent += body.count(b'"serial"')
    conn.close()
    results.put((time.perf_counter() - started, sent, failures, totals))


def measure_clients(args, secret: str, hours: list[int]) -> dict:
    go, results = multiprocessing.Event(), multiprocessing.Queue()
    share = args.devices // args.clients
    procs = [
        multiprocessing.Process(
            target=client,
            args=(
                args.port,
                secret,
                1 + i * share,
                (i + 1) * share if i < args.clients - 1 else args.devices,
                hours,
                args.batch,
                go,
                results,
            ),
        )
        for i in range(args.clients)
    ]
    for p in procs:
        p.start()
    time.sleep(max(3.0, args.devices * len(hours) / 200_000))  # let them build their bodies
    started = time.perf_counter()
    go.set()
    outcomes = [results.get() for _ in procs]
    elapsed = time.perf_counter() - started
    for p in procs:
        p.join()
    totals: dict[str, int] = {}
    for *_x, t in outcomes:
        for name, count in t.items():
            totals[name] = totals.get(name, 0) + count
    readings = sum(s for _e, s, _f, _t in outcomes)
    return {
        "clients": args.clients,
        "workers": args.workers,
        "batch": args.batch,
        "readings": readings,
        "failures": sum(f for _e, _s, f, _t in outcomes),
        "totals": totals,
        "seconds": round(elapsed, 2),
        "readings_per_second": round(readings / elapsed, 1),
    }


def measure_one_batch(secret: str, size: int, hour: int) -> dict:
    """Where one batch's time goes, in-process: the service alone, then the whole request."""
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from ayuda.accounts.models import User
    from ayuda.devices.services import ReadingIn, readings_ingest

    body = next(batches(1, size, [hour], size))
    items = json.loads(body)["readings"]
    readings = [
        ReadingIn(
            serial=r["serial"],
            period_start=datetime.fromisoformat(r["period_start"]),
            period_end=datetime.fromisoformat(r["period_end"]),
            count_in=r["in"],
            count_out=r["out"],
        )
        for r in items
    ]
    user = User.objects.get(username="bench.collector")

    class Rollback(Exception):
        pass

    def service():
        try:
            with transaction.atomic():
                readings_ingest(user=user, heartbeats=[], readings=readings)
                raise Rollback
        except Rollback:
            pass

    with CaptureQueriesContext(connection) as ctx:
        service()
    queries = [
        {"ms": round(float(q["time"]) * 1000, 1), "sql": q["sql"][:70]}
        for q in ctx.captured_queries
    ]
    client = Client()
    headers = {"Authorization": f"Bearer {secret}"}

    def request():
        try:
            with transaction.atomic():
                response = client.post(
                    "/api/v1/devices/readings", body, content_type="application/json",
                    headers=headers,
                )  # fmt: skip
                assert response.status_code == 200, response.content[:300]
                raise Rollback
        except Rollback:
            pass

    return {
        "size": size,
        "service_ms": timed(service, 5, warmup=1),
        "request_ms": timed(request, 5, warmup=1),
        "queries": queries,
    }


def markdown(info: dict) -> str:
    one, fresh, again = info["one_batch"], info["fresh"], info["resent"]
    lines = [
        f"# Device readings benchmark, {info['fill']['devices']:,} devices ({info['date']})",
        "",
        f"Machine: {info['machine']}. PostgreSQL database `{info['database']}`; "
        f"{info['fill']['readings_before']:,} readings stored before the clients started.",
        "",
        f"One batch of {one['size']:,} readings in-process: the service "
        f"p50 {one['service_ms']['p50']} ms, the whole request (JSON, schema, auth, service, "
        f"answer) p50 {one['request_ms']['p50']} ms. Its queries:",
        "",
        "| ms | query |",
        "|---|---|",
        *[f"| {q['ms']} | `{q['sql']}…` |" for q in one["queries"]],
        "",
        "| run | readings | seconds | readings/s | accepted / duplicate / refused | failures |",
        "|---|---|---|---|---|---|",
    ]
    for name, r in (("new readings", fresh), ("the same batches again", again)):
        t = r["totals"]
        lines.append(
            f"| {name} | {r['readings']:,} | {r['seconds']} | **{r['readings_per_second']:,}** "
            f"| {t.get('accepted', 0):,} / {t.get('duplicate', 0):,} / {t.get('refused', 0):,} "
            f"| {r['failures']} |"
        )
    lines += [
        "",
        f"{fresh['clients']} client processes, {fresh['workers']} gunicorn sync workers, "
        f"batches of {fresh['batch']:,} readings.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    args = parse_args()
    url = database_url(args.database)
    database_ensure(url)
    env = environment(url)
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    print("filling …", flush=True)
    made = fill(args.devices, args.history_days, args.history_period_hours)
    print(made, flush=True)
    secret = token(made["admin_id"])
    info = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "database": args.database,
        "machine": f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}",
        "fill": made,
    }
    first_hour = args.history_days * 24
    from ayuda.devices.models import Reading

    if args.history_period_hours == 1:  # a database kept from an earlier, longer run
        first_hour = max(first_hour, Reading.objects.count() // max(1, args.devices) + 1)
    hours = list(range(first_hour, first_hour + args.hours))
    from django.db import connection

    with connection.cursor() as cursor:  # as autovacuum would have, after the last run
        cursor.execute("VACUUM ANALYZE devices_device, devices_deviceday, devices_reading")
    print("one batch in-process …", flush=True)
    info["one_batch"] = measure_one_batch(secret, min(args.batch, args.devices), first_hour)
    print(json.dumps(info["one_batch"], indent=1), flush=True)
    from django.db import connections

    connections.close_all()
    server = server_start(env, args.port, args.workers)
    try:
        print(f"{args.clients} clients, hours {hours[0]}..{hours[-1]} …", flush=True)
        info["fresh"] = measure_clients(args, secret, hours)
        print(json.dumps(info["fresh"], indent=1), flush=True)
        print("the same again …", flush=True)
        info["resent"] = measure_clients(args, secret, hours)
        print(json.dumps(info["resent"], indent=1), flush=True)
    finally:
        server_stop(server)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stem = out / f"{datetime.now(UTC):%Y-%m-%d}-readings-{args.devices}"
    stem.with_suffix(".json").write_text(json.dumps(info, indent=1, default=str))
    stem.with_suffix(".md").write_text(markdown(info))
    print(markdown(info))


if __name__ == "__main__":
    main()
