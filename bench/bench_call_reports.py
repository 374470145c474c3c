#!/usr/bin/env python
"""Benchmark: the call reports (issue 13, R30) on a year of a busy phone system.

Run on demand (not part of the test suite), against PostgreSQL::

    .venv/bin/python bench/bench_call_reports.py --database ayuda_bench_calls --reps 50

It loads (once; ``--fresh`` starts over) ``--calls`` calls (5,000,000) over ``--days`` days
(365) into ``intake_call`` with one ``INSERT … SELECT … generate_series`` (four queues, office
hours, about 85 % answered, 10 % abandoned, 5 % timed out, exponential waits), and their hourly
roll-up ``intake_callhour`` with one set-based ``INSERT … SELECT … GROUP BY`` in the same shape
as the phone import's roll-up writes it (the import's ``call_hours_refresh`` is another
branch's: the roll-up here is generated with SQL directly, bucket by bucket with
``width_bucket`` over WAIT_EDGES). Then, through Django's test client with production
settings (server time: middleware, session, the view, the template; no network), p50/p95 over
``--reps`` warm requests, as a manager in Europe/Madrid:

- ``GET /agent/reports/calls/`` for the last 30 days and for 365 days;
- ``GET /agent/reports/calls/list/``: the first page, a deep page (the cursor 20,000 calls in),
  a figure's page (Monday 10 h, missed);
- the calls CSV of about 1,000,000 rows, in a fresh process: the time to stream it and that
  process's peak resident memory (``ru_maxrss``).

Results go to stdout and to ``bench/results/<date>-<time>-call-reports.md``.
"""

import argparse
import os
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from bench_queue import bench_database_url, database_ensure, setup_django  # noqa: E402
from measure import summary  # noqa: E402

SOURCE = "Bench PBX"
MANAGER = "bench-calls-manager"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="ayuda_bench_calls")
    parser.add_argument("--calls", type=int, default=5_000_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--reps", type=int, default=50)
    parser.add_argument("--export-rows", type=int, default=1_000_000)
    parser.add_argument("--fresh", action="store_true")
    parser.add_argument("--export-only", default="", help=argparse.SUPPRESS)  # since:until
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    return parser.parse_args()


def load(args, end: datetime) -> None:
    from django.db import connection, transaction

    from ayuda.intake.phone.models import WAIT_EDGES, Call, CallHour, CallSource

    source, _created = CallSource.objects.get_or_create(
        name=SOURCE, defaults={"kind": "asterisk_queue_log", "timezone": "Europe/Madrid"}
    )
    if Call.objects.filter(source=source).exists():
        print(f"{Call.objects.count():,} calls already loaded", flush=True)
        return
    start = end - timedelta(days=args.days)
    edges = "ARRAY[" + ",".join(str(e) for e in WAIT_EDGES) + "]"
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {Call._meta.db_table} (source_id, key, arrived_at, queue, caller,
                caller_key, agent, outcome, waited_seconds, talk_seconds, ticket_id, imported_id)
            SELECT %(source)s, 'b' || g,
                   %(start)s::timestamptz
                     + (floor(g::float8 * %(days)s / %(n)s)) * interval '1 day'
                     + interval '7 hours' + (random() * random() + random()) / 2
                       * interval '13 hours',
                   'q' || (g %% 4),
                   '+34 6' || lpad((g %% 100000000)::text, 8, '0'),
                   right('6' || lpad((g %% 100000000)::text, 8, '0'), 9),
                   CASE WHEN r < 0.85 THEN 'agent' || (g %% 25) ELSE '' END,
                   CASE WHEN r < 0.85 THEN 'answered' WHEN r < 0.95 THEN 'abandoned'
                        ELSE 'timeout' END,
                   least(1200, floor(-ln(1 - random()) * 35))::int,
                   CASE WHEN r < 0.85 THEN (60 + floor(random() * 600))::int ELSE 0 END,
                   NULL, NULL
            FROM (SELECT g, random() AS r FROM generate_series(1, %(n)s) AS g) AS s
            """,
            {"source": source.pk, "start": start, "days": args.days, "n": args.calls},
        )
        print(f"calls inserted in {time.perf_counter() - started:.0f} s", flush=True)
        started = time.perf_counter()
        cursor.execute(
            f"""
            WITH b AS (
                SELECT source_id, queue, date_trunc('hour', arrived_at) AS hour,
                       outcome = 'answered' AS ans, width_bucket(waited_seconds, {edges}) AS k,
                       count(*) AS n, sum(waited_seconds) AS w, sum(talk_seconds) AS t,
                       count(*) FILTER (WHERE outcome = 'abandoned') AS ab,
                       count(*) FILTER (WHERE outcome = 'timeout') AS tout
                FROM {Call._meta.db_table} GROUP BY 1, 2, 3, 4, 5
            ), h AS (
                SELECT source_id, queue, hour, sum(n) AS offered,
                       coalesce(sum(n) FILTER (WHERE ans), 0) AS answered,
                       sum(ab) AS abandoned, sum(tout) AS timeout, sum(w) AS wait,
                       coalesce(sum(w) FILTER (WHERE ans), 0) AS aw,
                       coalesce(sum(w) FILTER (WHERE NOT ans), 0) AS mw,
                       coalesce(sum(t) FILTER (WHERE ans), 0) AS talk,
                       coalesce(jsonb_object_agg(k, n) FILTER (WHERE ans), '{{}}') AS ah,
                       coalesce(jsonb_object_agg(k, n) FILTER (WHERE NOT ans), '{{}}') AS mh
                FROM b GROUP BY 1, 2, 3
            )
            INSERT INTO {CallHour._meta.db_table} (source_id, queue, hour, offered, answered,
                abandoned, timeout, wait_seconds, answered_wait_seconds, abandoned_wait_seconds,
                talk_seconds, answered_waits, missed_waits)
            SELECT source_id, queue, hour, offered, answered, abandoned, timeout, wait, aw, mw,
                   talk,
                   (SELECT jsonb_agg(coalesce((ah ->> i::text)::int, 0) ORDER BY i)
                    FROM generate_series(0, {len(WAIT_EDGES)}) AS i),
                   (SELECT jsonb_agg(coalesce((mh ->> i::text)::int, 0) ORDER BY i)
                    FROM generate_series(0, {len(WAIT_EDGES)}) AS i)
            FROM h
            """
        )
        print(f"call hours rolled up in {time.perf_counter() - started:.0f} s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Call._meta.db_table}")
        cursor.execute(f"ANALYZE {CallHour._meta.db_table}")


def manager():
    from ayuda.accounts.models import Role, User

    user, _created = User.objects.get_or_create(
        username=MANAGER,
        defaults={"role": Role.MANAGER, "timezone": "Europe/Madrid", "language": "en"},
    )
    return user


def measure(client, url: str, reps: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def get():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response

    get()
    samples = []
    for _ in range(reps):
        started = time.perf_counter()
        get()
        samples.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as ctx:
        get()
    return summary(samples) | {"queries": len(ctx.captured_queries)}


def export_only(span: str) -> None:
    """In a fresh process: stream the calls CSV of ``since:until`` and report rows, seconds
    and this process's peak RSS."""
    from django.test import Client
    from django.urls import reverse

    since, until = span.split(":")
    client = Client()
    client.force_login(manager())
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    response = client.get(
        reverse("agent:reports_calls_export", args=["calls"]), {"since": since, "until": until}
    )
    lines = sum(chunk.count(b"\n") for chunk in response.streaming_content)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"EXPORT {lines - 1} {seconds:.1f} {before / 1024:.0f} {peak / 1024:.0f}", flush=True)


def main() -> None:
    args = parse_args()
    url = bench_database_url(args.database)
    if not args.export_only:
        database_ensure(url, args.fresh)
    setup_django(url)
    if args.export_only:
        export_only(args.export_only)
        return

    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from ayuda.intake.phone.models import Call, CallHour

    today = timezone.localdate()
    load(args, end=datetime.combine(today, datetime.min.time(), tzinfo=UTC))
    calls, hours = Call.objects.count(), CallHour.objects.count()
    print(f"{calls:,} calls, {hours:,} call hours", flush=True)

    client = Client()
    client.force_login(manager())
    page = reverse("agent:reports_calls")
    calls_list = reverse("agent:reports_calls_list")
    last = today - timedelta(days=1)
    month = f"since={last - timedelta(days=29)}&until={last}"
    year = f"since={last - timedelta(days=args.days - 1)}&until={last}"
    in_month = Call.objects.filter(
        arrived_at__gte=datetime.combine(last - timedelta(days=29), datetime.min.time(), UTC)
    ).order_by("arrived_at", "id")
    deep = in_month[min(20_000, in_month.count() // 2)]
    after = f"{deep.arrived_at.isoformat()}_{deep.pk}".replace("+", "%2B")
    results = {
        "calls page, 30 days": measure(client, f"{page}?{month}", args.reps),
        "calls page, 365 days": measure(client, f"{page}?{year}", args.reps),
        "calls list, first page (30 days)": measure(client, f"{calls_list}?{month}", args.reps),
        "calls list, 20,000 calls in": measure(
            client, f"{calls_list}?{month}&after={after}", args.reps
        ),
        "calls list, Monday 10 h missed (365 days)": measure(
            client, f"{calls_list}?{year}&how=1%3A10&outcome=missed", args.reps
        ),
    }

    per_day = max(1, calls // args.days)
    export_days = max(1, round(args.export_rows / per_day))
    span = f"{last - timedelta(days=export_days - 1)}:{last}"
    out = subprocess.run(
        [sys.executable, __file__, "--database", args.database, "--export-only", span],
        capture_output=True,
        text=True,
        check=True,
        env=os.environ | {"DATABASE_URL": url},
    ).stdout
    _tag, rows, seconds, rss_before, rss_peak = next(
        line for line in out.splitlines() if line.startswith("EXPORT")
    ).split()

    lines = [
        f"# Call reports, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"{calls:,} calls over {args.days} days, {hours:,} call hours; load average "
        f"{os.getloadavg()[0]:.1f}",
        "",
        "| request | p50 ms | p95 ms | max ms | queries |",
        "|---|---:|---:|---:|---:|",
        *(
            f"| {name} | {r['p50']} | {r['p95']} | {r['max']} | {r['queries']} |"
            for name, r in results.items()
        ),
        "",
        f"Calls CSV: {int(rows):,} rows ({export_days} days) streamed in {seconds} s; the "
        f"process's peak RSS {rss_peak} MiB (after Django's start-up: {rss_before} MiB).",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    Path(args.out).mkdir(parents=True, exist_ok=True)
    (Path(args.out) / f"{datetime.now(UTC):%Y%m%d-%H%M}-call-reports.md").write_text(text)


if __name__ == "__main__":
    main()
