#!/usr/bin/env python
"""Benchmark: ticket creation through the services, and the agent queue at 1k .. 1M tickets.

Run on demand (not part of the test suite), against PostgreSQL:

    .venv/bin/python bench/bench_queue.py --sizes 1000,100000,1000000

It uses its own database (``--database``, default ``ayuda_bench``) on the server that
``DATABASE_URL`` points at (default ``postgres://postgres@127.0.0.1:5432``), creating it and
migrating it if needed; it never touches the database in ``DATABASE_URL`` itself. ``--fresh``
drops it first. Sizes are reached in ascending order with ``manage.py bulk_load``.

At each size it measures, as p50/p95 over ``--reps`` runs:
- the selector ``ticket_queue()`` alone (so the numbers mean something without the web app),
- the real queue view, ``GET /agent/``, through Django's test client (server time: URL
  resolution, middleware, session, selector, template), when the view exists,
for the first page, filtered pages, the newest-first page and deep pages (a cursor near the
end of the active tickets, and following ``--deep-pages`` cursors one after the other); the
query plans (``EXPLAIN ANALYZE``) of each selector query; the ticket page's query count for
a ticket with one message and one with many; and ticket creation through
``services.ticket_create`` in one process and in ``--processes`` processes.

Results go to stdout and to ``bench/results/<date>-<sizes>.md`` (and ``.json``). What it
measures is in ``queue_measure.py`` (with the tools in ``measure.py``); how it reports, in
``queue_report.py``.
"""

import argparse
import io
import json
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))  # its measuring and reporting modules


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,100000,1000000")
    parser.add_argument("--database", default="ayuda_bench")
    parser.add_argument("--fresh", action="store_true", help="Drop the bench database first.")
    parser.add_argument("--reps", type=int, default=100, help="Timed runs per measurement.")
    parser.add_argument("--deep-pages", type=int, default=1000)
    parser.add_argument("--create", type=int, default=1000, help="Tickets per creation run.")
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    return parser.parse_args()


def bench_database_url(name: str) -> str:
    base = os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres"
    parts = urlsplit(base)
    if not parts.scheme.startswith("postgres"):
        sys.exit("The benchmark runs on PostgreSQL: set DATABASE_URL to a postgres:// URL.")
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))


def database_ensure(url: str, fresh: bool) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(
        (parts.scheme.replace("postgresql", "postgres"), parts.netloc, "/postgres", "", "")
    )
    with psycopg.connect(admin, autocommit=True) as conn:
        if fresh:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "ayuda.config.settings.base"
    os.environ["DEBUG"] = "0"  # DEBUG keeps every query in memory and slows everything
    os.environ.setdefault("CELERY_BROKER_URL", "memory://")
    os.environ.setdefault("AYUDA_DATA_DIR", tempfile.mkdtemp(prefix="ayuda-bench-"))
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)


def main() -> None:
    args = parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    url = bench_database_url(args.database)
    database_ensure(url, args.fresh)
    setup_django(url)

    from django.core.management import call_command
    from django.db import connection
    from queue_measure import Bench
    from queue_report import machine, markdown

    from ayuda.tickets.models import Ticket

    info = machine()
    print(f"Benchmark on {info['postgresql']}, database {args.database}", flush=True)
    results = []
    bench = None
    for size in sizes:
        have = Ticket.objects.count()
        result = {"size": size}
        if have < size:
            started = time.monotonic()
            call_command(
                "bulk_load",
                str(size - have),
                "--seed",
                str(size),
                verbosity=0,
                stdout=io.StringIO(),
            )
            seconds = time.monotonic() - started
            result["load"] = (
                f"{size - have:,} tickets in {seconds:.0f} s ({(size - have) / seconds:,.0f}/s)"
            )
        elif have > size * 1.1:
            print(f"  {have:,} tickets already: skipping size {size:,} (use --fresh)")
            continue
        with connection.cursor() as cursor:
            for table in ("tickets_ticket", "tickets_article", "tickets_ticketevent"):
                cursor.execute(f"VACUUM ANALYZE {table}")
        bench = bench or Bench(args)
        result["size"] = Ticket.objects.count()
        result["active"] = bench.active_count()
        result["load_average"] = [round(x, 1) for x in os.getloadavg()]
        print(
            f"\n== {result['size']:,} tickets ({result['active']:,} active) == "
            f"{result.get('load', '')}",
            flush=True,
        )
        result["queue"] = bench.measure_queue(args.reps)
        result["follow"] = bench.follow_cursors(args.deep_pages)
        result["search"] = bench.measure_search(max(5, args.reps // 10))
        result["detail"] = bench.measure_detail(max(10, args.reps // 2))
        result["create"] = bench.measure_create(args.create, args.processes)
        results.append(result)

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stem = f"{datetime.now(UTC):%Y-%m-%d}-{'-'.join(str(s) for s in sizes)}"
    text = markdown(info, results)
    (out / f"{stem}.md").write_text(text)
    (out / f"{stem}.json").write_text(
        json.dumps({"machine": info, "results": results}, indent=1, default=str)
    )
    print(f"\nResults written to {out / stem}.md and .json")


if __name__ == "__main__":
    main()
