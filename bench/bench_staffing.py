#!/usr/bin/env python
"""Benchmark: the staffing page (R30, issue 13) over a year of history, on PostgreSQL.

Run on demand (not part of the test suite)::

    .venv/bin/python bench/bench_staffing.py --reps 30

It uses its own database (``--database``, default ``ayuda_bench_staffing``) on the server that
``DATABASE_URL`` points at, migrated on first use; ``--fresh`` starts over. It loads, set-based
with ``generate_series`` (no Python loop over rows):

- ``CallHour`` rows for every hour of the last ``--days`` days (366) and ``--queues`` queues
  (4), shaped by hour of the day and weekday (a Monday-morning peak, a lunch dip, quiet nights
  and weekends), scaled so that they hold ``--calls`` calls (5,000,000) in all: about 35,000
  rows, what a year of 5 million calls rolls up to;
- ``--tickets`` bare tickets (1,000,000; one requester, the default "new" state, no articles or
  history: only the staffing page reads them, through their facts) and one ``TicketFact`` each,
  spread evenly over the same year, with channels drawn by weight (e-mail, portal, phone, chat,
  walk-in, API, monitoring);
- two calendars (24x7 and office hours).

Then, through Django's test client with production settings (server time: middleware, session,
the two aggregate queries, the Erlang computations for 168 hours, the template; no network),
p50/p95 over ``--reps`` requests and the queries of one request, for the page with a year
(52 weeks) and with the default 8 weeks of history: first with the hourly sums read from the
database on every request (``AYUDA_STAFFING_CACHE_SECONDS=0``), then from the cache (the
database cache table unless ``CACHE_URL`` names Redis), and one CSV export.

Results go to stdout and to ``bench/results/<date>-staffing.md``.
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
MARK = "Bench staffing"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="ayuda_bench_staffing")
    parser.add_argument("--calls", type=int, default=5_000_000)
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=366)
    parser.add_argument("--queues", type=int, default=4)
    parser.add_argument("--reps", type=int, default=30)
    parser.add_argument("--fresh", action="store_true")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    return parser.parse_args()


# The weekly shape: the share of an hour relative to the mean (SQL over local hour h, isodow d).
SHAPE = """
    (CASE WHEN d >= 6 THEN 0.15 ELSE 1.0 END)
    * (CASE WHEN d = 1 THEN 1.35 ELSE 1.0 END)
    * (CASE WHEN h < 7 THEN 0.05 WHEN h < 8 THEN 0.4 WHEN h < 9 THEN 1.6 WHEN h < 11 THEN 2.2
            WHEN h < 13 THEN 1.8 WHEN h < 15 THEN 1.0 WHEN h < 18 THEN 1.7 WHEN h < 20 THEN 0.8
            ELSE 0.15 END)
"""


def load(args) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from ayuda.accounts.models import Role, User
    from ayuda.intake.phone.models import CallSource
    from ayuda.sla.models import Calendar
    from ayuda.tickets.models import TicketState

    if CallSource.objects.filter(name=MARK).exists():
        print("history already loaded", flush=True)
        return
    started = time.perf_counter()
    source = CallSource.objects.create(name=MARK, kind="asterisk_queue_log")
    requester = User.objects.create(
        username="bench.staffing.requester", role=Role.REQUESTER, email="r@staffing.example"
    )
    state = TicketState.objects.get(category="new", is_default=True)
    Calendar.objects.get_or_create(name="24x7 bench", defaults={"always_open": True})
    Calendar.objects.get_or_create(
        name="Office bench",
        defaults={
            "timezone": "Europe/Madrid",
            "hours": {
                d: [["08:00", "14:00"], ["15:00", "19:00"]]
                for d in ("mon", "tue", "wed", "thu", "fri")
            },
        },
    )
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    first = now - timedelta(days=args.days)
    hours = args.days * 24
    with transaction.atomic(), connection.cursor() as cursor:
        # The shape's mean over a week, to scale the rows to --calls in all.
        cursor.execute(
            f"SELECT avg({SHAPE}) FROM generate_series(1, 7) d, generate_series(0, 23) h"
        )
        mean_shape = float(cursor.fetchone()[0])
        per_row = args.calls / (hours * args.queues) / mean_shape
        cursor.execute(
            f"""
            INSERT INTO intake_callhour (source_id, queue, hour, offered, answered, abandoned,
                timeout, wait_seconds, answered_wait_seconds, abandoned_wait_seconds,
                talk_seconds, answered_waits, missed_waits)
            SELECT %(source)s, 'queue-' || q, t,
                   o, o - (o * 7 / 100) - (o / 50), o * 7 / 100, o / 50,
                   o * 25, (o - (o * 7 / 100) - (o / 50)) * 20, ((o * 7 / 100) + (o / 50)) * 70,
                   (o - (o * 7 / 100) - (o / 50)) * (200 + q * 20), '[]'::jsonb, '[]'::jsonb
            FROM (
                SELECT q, t, round(%(per_row)s * {SHAPE} * (0.9 + (n %% 7) * 0.03))::int AS o
                FROM (
                    SELECT q, n, t,
                           extract(isodow FROM t AT TIME ZONE 'Europe/Madrid')::int AS d,
                           extract(hour FROM t AT TIME ZONE 'Europe/Madrid')::int AS h
                    FROM generate_series(0, %(hours)s - 1) AS n,
                         generate_series(1, %(queues)s) AS q,
                         LATERAL (SELECT %(first)s::timestamptz + n * interval '1 hour' AS t) x
                ) s
            ) r
            """,
            {
                "source": source.pk,
                "per_row": per_row,
                "hours": hours,
                "queues": args.queues,
                "first": first,
            },
        )
        print(f"call hours in {time.perf_counter() - started:.0f} s", flush=True)
        cursor.execute("SELECT coalesce(max(id), 0) FROM tickets_ticket")
        base = cursor.fetchone()[0]
        cursor.execute(
            """
            INSERT INTO tickets_ticket (id, subject, description, type, channel, state_category,
                priority, level, vendor_reference, url, software_version, software_edition,
                steps_to_reproduce, browser, operating_system, extra, solution, created_at,
                updated_at, version, requester_id, state_id, history_head, history_seq,
                delay_reason)
            OVERRIDING SYSTEM VALUE
            SELECT %(base)s + n, 'Bench ' || n, '', 'incident',
                   (ARRAY['email','email','email','portal','portal','phone','phone','chat',
                          'walk_in','api','monitoring'])[1 + n %% 11],
                   'new', 2, 'l1', '', '', '', '', '', '', '', '{}'::jsonb, '',
                   %(first)s::timestamptz + (n * %(step)s) * interval '1 second',
                   %(first)s::timestamptz + (n * %(step)s) * interval '1 second',
                   1, %(requester)s, %(state)s, '', 0, ''
            FROM generate_series(1, %(tickets)s) AS n
            """,
            {
                "base": base,
                "first": first,
                "step": args.days * 86400 / args.tickets,
                "requester": requester.pk,
                "state": state.pk,
                "tickets": args.tickets,
            },
        )
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('tickets_ticket', 'id'), "
            "(SELECT max(id) FROM tickets_ticket))"
        )
        print(f"tickets in {time.perf_counter() - started:.0f} s", flush=True)
        cursor.execute(
            """
            INSERT INTO reports_ticketfact (ticket_id, created_at, channel, type, priority,
                level, state_category, business_stale, escalated_l2, escalated_vendor, reopens,
                customer_messages, fcr, refreshed_at)
            SELECT id, created_at, channel, type, priority, level, state_category, false,
                   false, false, 0, 1, false, now()
            FROM tickets_ticket WHERE id > %(base)s
            """,
            {"base": base},
        )
    with connection.cursor() as cursor:
        for table in ("intake_callhour", "tickets_ticket", "reports_ticketfact"):
            cursor.execute(f"ANALYZE {table}")
    print(f"loaded in {time.perf_counter() - started:.0f} s", flush=True)


def hours_rebuild() -> None:
    """The hourly roll-up of the facts (what the page reads), once: also on a database loaded
    before TicketHour existed."""
    from django.db import connection

    from ayuda.reports.facts import ticket_hours_rebuild
    from ayuda.reports.models import TicketHour

    if TicketHour.objects.exists():
        return
    started = time.perf_counter()
    written = ticket_hours_rebuild()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE reports_tickethour")
    print(f"{written:,} ticket hours in {time.perf_counter() - started:.1f} s", flush=True)


def measure(client, url: str, reps: int, *, stream: bool = False) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def get():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        if stream:
            b"".join(response.streaming_content)
        return response

    get()  # warm: session, templates, calendars
    samples, cpu = [], []
    for _ in range(reps):
        started, cpu_started = time.perf_counter(), time.process_time()
        get()
        samples.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
    with CaptureQueriesContext(connection) as ctx:
        get()
    return summary(samples) | {"queries": len(ctx.captured_queries), "cpu": summary(cpu)}


def main() -> None:
    args = parse_args()
    url = bench_database_url(args.database)
    database_ensure(url, args.fresh)
    setup_django(url)
    load(args)
    hours_rebuild()

    from django.db.models import Sum
    from django.test import Client
    from django.urls import reverse

    from ayuda.accounts.models import Role, User
    from ayuda.intake.phone.models import CallHour
    from ayuda.reports.models import TicketFact

    calls = CallHour.objects.aggregate(n=Sum("offered"))["n"]
    rows = CallHour.objects.count()
    facts = TicketFact.objects.count()
    print(f"{calls:,} calls in {rows:,} call hours; {facts:,} ticket facts", flush=True)
    manager, _ = User.objects.get_or_create(
        username="bench.staffing.manager",
        defaults={"role": Role.MANAGER, "email": "m@staffing.example", "timezone": "Europe/Madrid"},
    )
    client = Client()
    client.force_login(manager)
    page = reverse("agent:reports_staffing")
    from django.test import override_settings

    year = f"{page}?weeks=52"
    results = {}
    with override_settings(AYUDA_STAFFING_CACHE_SECONDS=0):
        results["a year (52 weeks), sums read every time"] = measure(client, year, args.reps)
        results["8 weeks (default), sums read every time"] = measure(client, page, args.reps)
    results["a year (52 weeks), sums from the cache"] = measure(client, year, args.reps)
    results["8 weeks (default), sums from the cache"] = measure(client, page, args.reps)
    results["a year, 90 % in 15 s, one queue, from the cache"] = measure(
        client, f"{year}&target=90&seconds=15&queue=queue-1", args.reps
    )
    results["CSV of the hour table, a year, from the cache"] = measure(
        client,
        reverse("agent:reports_staffing_export", args=["hours"]) + "?weeks=52",
        args.reps,
        stream=True,
    )
    load_avg = os.getloadavg()
    lines = [
        f"# Staffing page, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"`bench/bench_staffing.py --database {args.database} --reps {args.reps}`: "
        f"{calls:,} calls in {rows:,} CallHour rows ({args.days} days x {args.queues} queues), "
        f"{facts:,} TicketFact rows. Load average after the run {load_avg[0]:.2f} / "
        f"{load_avg[1]:.2f} / {load_avg[2]:.2f} on {os.cpu_count()} shared cores.",
        "",
        "| request | p50 ms | p95 ms | max ms | CPU p50 / p95 ms | queries |",
        "|---|---|---|---|---|---|",
        *[
            f"| {name} | {r['p50']} | {r['p95']} | {r['max']} | "
            f"{r['cpu']['p50']} / {r['cpu']['p95']} | {r['queries']} |"
            for name, r in results.items()
        ],
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    name = f"{datetime.now(UTC):%Y%m%d-%H%M}-staffing.md"
    (out / name).write_text(text)
    print(f"written {out / name}")


if __name__ == "__main__":
    sys.exit(main())
