#!/usr/bin/env python
"""Benchmark: resolving a problem with 10,000 linked tickets (R21, R31).

Run on demand (not part of the test suite), against PostgreSQL:

    .venv/bin/python bench/bench_problems.py --linked 10000

It uses its own database (``--database``, default ``ayuda_bench_problems``) on the server
``DATABASE_URL`` points at, dropping and migrating it first. ``manage.py bulk_load`` makes the
tickets (each with its first article and a keyed history); the first ``--linked`` active ones
are linked to one problem (set-based, not timed). Then, timed:

- the request: ``problem_resolve`` in its transaction (the record, the bulletin closed, one
  ``ProblemUpdate``), with its query count;
- the delivery: ``problem_update_deliver`` batch after batch (``AYUDA_PROBLEM_BATCH``), as
  the ``problem_update_batch`` tasks run them one after the other in one worker; each ticket
  resolved through ``ticket_resolve`` in its own transaction, its history and the
  notification handler's enqueueing included (the mails themselves are the notification
  worker's: with ``--mail`` they are rendered and recorded inline too);
- the retry: every batch run again (a redelivered task): nothing may be sent twice.

Results go to stdout and ``bench/results/<date>-problems.md``.
"""

import argparse
import os
import platform
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--linked", type=int, default=10_000)
    parser.add_argument("--load", type=int, default=0, help="Tickets to bulk-load (default 3x).")
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--mail", action="store_true", help="Render and record the mails inline.")
    parser.add_argument("--database", default="ayuda_bench_problems")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    return parser.parse_args()


def database_url(name: str) -> str:
    base = os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres"
    parts = urlsplit(base)
    if not parts.scheme.startswith("postgres"):
        sys.exit("The benchmark runs on PostgreSQL: set DATABASE_URL to a postgres:// URL.")
    return urlunsplit(parts._replace(path=f"/{name}"))


def database_recreate(url: str) -> None:
    import psycopg

    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def django_setup(url: str, args) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["CELERY_BROKER_URL"] = "memory://"
    os.environ["AYUDA_PROBLEM_BATCH"] = str(args.batch)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ayuda.config.settings.base")
    os.environ["DEBUG"] = "false"
    import django

    django.setup()
    from django.conf import settings

    # The notification handler enqueues one task per ticket write. Without --mail the broker
    # is memory:// (enqueued, never run: that is the notification worker's share); with it,
    # tasks run inline like a worker would run them.
    settings.CELERY_TASK_ALWAYS_EAGER = bool(args.mail)
    from ayuda.config.celery import app

    app.conf.task_always_eager = bool(args.mail)
    import logging

    logging.getLogger("celery").setLevel(logging.WARNING)  # one line per inline task otherwise


def main() -> None:
    args = parse_args()
    url = database_url(args.database)
    database_recreate(url)
    django_setup(url, args)
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    load = args.load or args.linked * 3
    started = time.monotonic()
    call_command("bulk_load", load, "--seed", "7", stdout=open(os.devnull, "w"))  # noqa: SIM115
    load_seconds = time.monotonic() - started

    from ayuda.accounts.models import Role, User
    from ayuda.knowledge.models import ProblemLink, ProblemUpdate
    from ayuda.knowledge.problem_delivery import problem_update_deliver
    from ayuda.knowledge.problems import bulletin_create
    from ayuda.knowledge.problems import problem_resolve as resolve
    from ayuda.notifications.models import OutgoingMessage
    from ayuda.tickets.models import StateCategory, Ticket, TicketEvent

    manager = User.objects.create_user("bench-manager", "m@bench.test", "x", role=Role.MANAGER)
    bulletin = bulletin_create(actor=manager, title="Bench outage", agreed_answer="We know.")
    problem = bulletin.problem
    ids = list(
        Ticket.objects.exclude(state_category__in=[StateCategory.RESOLVED, StateCategory.CLOSED])
        .order_by("pk")
        .values_list("pk", flat=True)[: args.linked]
    )
    if len(ids) < args.linked:
        sys.exit(f"Only {len(ids)} active tickets: load more (--load).")
    from django.utils import timezone

    linked_at = timezone.now()
    ProblemLink.objects.bulk_create(
        [
            ProblemLink(problem=problem, ticket_id=pk, via="agent", linked_at=linked_at)
            for pk in ids
        ],
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    events_before = TicketEvent.objects.count()

    # the request; its first batch is queued after commit, and run below (not queued here:
    # with --mail tasks run inline, and the chain would run inside the request's timing)
    import ayuda.knowledge.problems as problems_module

    enqueue = problems_module.problem_update_enqueue
    problems_module.problem_update_enqueue = lambda **kwargs: None
    with CaptureQueriesContext(connection) as queries:
        t0 = time.perf_counter()
        with transaction.atomic():
            update = resolve(problem=problem, actor=manager, message="The concentrator is back.")
        request_ms = (time.perf_counter() - t0) * 1000
    request_queries = len(queries)
    problems_module.problem_update_enqueue = enqueue

    # the delivery, batch after batch
    batch_ms = []
    t0 = time.perf_counter()
    after = 0
    while after is not None:
        b0 = time.perf_counter()
        after = problem_update_deliver(update_id=update.pk, after=after)
        batch_ms.append((time.perf_counter() - b0) * 1000)
    deliver_s = time.perf_counter() - t0
    update.refresh_from_db()
    events_after = TicketEvent.objects.count()
    mails = OutgoingMessage.objects.filter(ticket_id__in=ids).count()

    # the retry: every batch again
    ProblemUpdate.objects.filter(pk=update.pk).update(finished_at=None)
    t0 = time.perf_counter()
    after = 0
    while after is not None:
        after = problem_update_deliver(update_id=update.pk, after=after)
    retry_s = time.perf_counter() - t0
    assert TicketEvent.objects.count() == events_after, "the retry wrote history"
    assert OutgoingMessage.objects.filter(ticket_id__in=ids).count() == mails

    resolved = Ticket.objects.filter(pk__in=ids, state_category=StateCategory.RESOLVED).count()
    ordered = sorted(batch_ms)
    p95 = ordered[max(int(len(ordered) * 0.95) - 1, 0)]
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
    lines = [
        f"# Problem resolution, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"- machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}, PostgreSQL {server}",
        f"- tickets bulk-loaded: {load:,} in {load_seconds:.1f} s; linked: {len(ids):,}",
        f"- batch size: {args.batch}; mails rendered inline: {'yes' if args.mail else 'no'}",
        "",
        "| step | result |",
        "|---|---|",
        f"| request (`problem_resolve`) | {request_ms:.1f} ms, {request_queries} queries |",
        f"| delivery, all batches | {deliver_s:.1f} s ({deliver_s / len(ids) * 1000:.2f} ms "
        f"a ticket, {len(ids) / deliver_s:.0f} tickets/s) |",
        f"| one batch | p50 {statistics.median(batch_ms):.0f} ms, p95 {p95:.0f} ms, "
        f"max {max(batch_ms):.0f} ms ({len(batch_ms)} batches) |",
        f"| done / skipped / total | {update.done:,} / {update.skipped:,} / {update.total:,} |",
        f"| tickets resolved | {resolved:,} |",
        f"| history events written | {events_after - events_before:,} |",
        f"| mails recorded | {mails:,} |",
        f"| retry of every batch | {retry_s:.1f} s, nothing written or sent again |",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{datetime.now(UTC):%Y%m%d-%H%M}-problems{'-mail' if args.mail else ''}.md").write_text(
        text
    )


if __name__ == "__main__":
    main()
