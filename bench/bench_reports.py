#!/usr/bin/env python
"""Benchmark: the ticket reports (issue 13, R29) at 1,000,000 tickets on PostgreSQL.

    .venv/bin/python bench/bench_reports.py [--size 1000000] [--reps 20]

Own database (``--database``, default ``ayuda_bench_reports``) on the server ``DATABASE_URL``
points at, filled with ``manage.py bulk_load`` like bench_queue.py. Measures:
- ``facts_rebuild()`` of every ticket (and the business-time refresh after it);
- the overview page (``GET /agent/reports/``) through the test client as a manager, p50/p95,
  for a 30-day and a 365-day range, unfiltered and with each filter, and as an agent (team
  scope);
- the row-level CSV export of every ticket (a 732-day range), streamed in a child process
  whose peak RSS (``resource.getrusage``) is reported.
Prints a Markdown summary (for docs/performance.md) and writes it to bench/results/.
"""

import argparse
import io
import json
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


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--database", default="ayuda_bench_reports")
    parser.add_argument("--fresh", action="store_true")
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--skip-rebuild", action="store_true")
    parser.add_argument("--skip-export", action="store_true")
    parser.add_argument("--export-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    return parser.parse_args()


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def manager():
    from ayuda.accounts.models import Role, User

    user, _ = User.objects.get_or_create(
        username="bench-reports-manager",
        defaults={
            "email": "bench-reports-manager@example.com",
            "role": Role.MANAGER,
            "timezone": "Europe/Madrid",
        },
    )
    return user


def agent():
    from ayuda.accounts.models import Role, Team, User

    user, created = User.objects.get_or_create(
        username="bench-reports-agent",
        defaults={
            "email": "bench-reports-agent@example.com",
            "role": Role.AGENT_L1,
            "timezone": "Europe/Madrid",
        },
    )
    if created:
        user.teams.set(Team.objects.filter(level="1").order_by("pk")[:1])
    return user


def export_child() -> None:
    """In a fresh process: stream every ticket of the last 732 days as CSV; report rows, bytes,
    seconds and the peak RSS."""
    from django.test import Client
    from django.utils import timezone

    client = Client()
    client.force_login(manager())
    before = rss_mib()
    today = timezone.localdate()
    started = time.monotonic()
    response = client.get(
        "/agent/reports/export/tickets.csv",
        {"since": (today - timedelta(days=731)).isoformat(), "until": today.isoformat()},
    )
    lines = size = 0
    for chunk in response.streaming_content:
        lines += chunk.count(b"\n")
        size += len(chunk)
    seconds = time.monotonic() - started
    print(
        json.dumps(
            {
                "rows": lines - 1,
                "mib": round(size / 2**20, 1),
                "seconds": round(seconds, 1),
                "rss_before_mib": round(before, 1),
                "rss_peak_mib": round(rss_mib(), 1),
            }
        )
    )


def timed(fn, reps: int) -> dict:
    from measure import timed as measure_timed

    return measure_timed(fn, reps, warmup=2)


def main() -> None:
    args = parse_args()
    url = bench_database_url(args.database)
    if args.export_only:
        # No migrate here (it loads every migration: 100+ MiB before the request starts).
        os.environ.update(
            DATABASE_URL=url,
            DJANGO_SETTINGS_MODULE="ayuda.config.settings.base",
            DEBUG="0",
            CELERY_BROKER_URL="memory://",
            LOG_LEVEL="WARNING",
        )
        import django

        django.setup()
        export_child()
        return
    database_ensure(url, args.fresh)
    setup_django(url)

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from ayuda.accounts.models import Level, Organisation, Site, Team
    from ayuda.reports.facts import facts_rebuild, ticket_hours_rebuild
    from ayuda.reports.models import TicketFact, TicketHour
    from ayuda.tickets.models import Category, Ticket

    have = Ticket.objects.count()
    lines = [f"# Ticket reports benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC", ""]
    if have < args.size:
        started = time.monotonic()
        call_command(
            "bulk_load", str(args.size - have), "--seed", "13", verbosity=0, stdout=io.StringIO()
        )
        lines.append(
            f"- bulk_load: {args.size - have:,} tickets in {time.monotonic() - started:.0f} s"
        )
    with connection.cursor() as cursor:
        for table in ("tickets_ticket", "tickets_article", "tickets_ticketevent"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    size = Ticket.objects.count()
    print(f"{size:,} tickets", flush=True)
    if not args.skip_rebuild or not TicketFact.objects.exists():
        started = time.monotonic()
        written = facts_rebuild(batch=20000)
        seconds = time.monotonic() - started
        lines.append(
            f"- facts_rebuild: {written:,} tickets in {seconds:.0f} s "
            f"({written / seconds:,.0f}/s), business refresh included"
        )
        print(lines[-1], flush=True)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE reports_ticketfact")
    elif not TicketHour.objects.exists():
        # facts_rebuild builds the hourly roll-up too; a database loaded before it existed
        started = time.monotonic()
        written = ticket_hours_rebuild()
        lines.append(
            f"- ticket_hours_rebuild: {written:,} TicketHour rows in "
            f"{time.monotonic() - started:.1f} s"
        )
        print(lines[-1], flush=True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE reports_tickethour")

    client = Client()
    client.force_login(manager())
    today = timezone.localdate()
    org = Organisation.objects.filter(name__startswith="Bulk").order_by("pk").first()
    site = Site.objects.filter(organisation=org).order_by("pk").first()
    team = Team.objects.filter(level=Level.L1).order_by("pk").first()
    category = Category.objects.order_by("pk").first()
    extra = {
        "none": {},
        "organisation": {"organisation": org.pk} if org else {},
        "site": {"site": site.pk} if site else {},
        "team": {"team": team.pk} if team else {},
        "level": {"level": "2"},
        "category": {"category": category.pk} if category else {},
        "channel": {"channel": "email"},
    }
    lines += [
        "",
        "| page | range | filter | p50 ms | p95 ms | max ms |",
        "|---|---|---|---|---|---|",
    ]
    results = []
    for days in (30, 365):
        dates = {
            "since": (today - timedelta(days=days - 1)).isoformat(),
            "until": today.isoformat(),
        }
        for name, params in extra.items():

            def get(params=params, dates=dates):
                response = client.get("/agent/reports/", {**dates, **params})
                assert response.status_code == 200, response.status_code

            s = timed(get, args.reps)
            results.append({"days": days, "filter": name, **s})
            lines.append(f"| overview | {days} d | {name} | {s['p50']} | {s['p95']} | {s['max']} |")
            print(lines[-1], flush=True)
        agent_client = Client()
        agent_client.force_login(agent())

        def get_agent(dates=dates, agent_client=agent_client):
            assert agent_client.get("/agent/reports/", dates).status_code == 200

        s = timed(get_agent, args.reps)
        lines.append(
            f"| overview, agent (own team) | {days} d | none "
            f"| {s['p50']} | {s['p95']} | {s['max']} |"
        )
        print(lines[-1], flush=True)

    if not args.skip_export:
        child = subprocess.run(
            [sys.executable, __file__, "--export-only", "--database", args.database],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ},
        )
        export = json.loads(child.stdout.strip().splitlines()[-1])
        lines += [
            "",
            f"- CSV export of every ticket (732 days): {export['rows']:,} rows, "
            f"{export['mib']} MiB in {export['seconds']} s; peak RSS {export['rss_peak_mib']} MiB "
            f"({export['rss_before_mib']} MiB before the request)",
        ]
        print(lines[-1], flush=True)
    text = "\n".join(lines) + "\n"
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{datetime.now(UTC):%Y-%m-%d}-reports.md").write_text(text)
    print("\n" + text)


if __name__ == "__main__":
    main()
