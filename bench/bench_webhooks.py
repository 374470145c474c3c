#!/usr/bin/env python
"""Benchmark: webhook fan-out, deliveries per second to a local receiver.

Run on demand (not part of the test suite), against PostgreSQL:

    .venv/bin/python bench/bench_webhooks.py --tickets 500 --subscriptions 10

It uses its own database (``--database``, default ``ayuda_bench_webhooks``) on the server
``DATABASE_URL`` points at, dropping and migrating it first. A receiver runs in its own
process on 127.0.0.1 (``http.server``, HTTP/1.1 keep-alive, a thread per connection,
answering 204), allowed through the SSRF guard by ``AYUDA_WEBHOOK_ALLOW``. The tickets are
made first (not timed, handlers off); then:

- planning: ``deliveries_plan`` over all their events (one delivery per subscription and
  event, bodies built and signed later), timed;
- sending: the planned deliveries in chunks of ``tasks.CHUNK`` (what one ``webhooks_send``
  task gets), each chunk sent concurrently by ``AYUDA_WEBHOOK_CONCURRENCY`` threads, in one
  process and then in ``--processes`` processes at once (a Celery worker with that
  concurrency): claim, resolve and check the URL, sign, POST, log the attempt, update.

Every delivery must arrive exactly once and be marked delivered; a sample is verified with
the ``standardwebhooks`` library. Results go to stdout and
``bench/results/<date>-webhooks.md``.
"""

import argparse
import multiprocessing
import os
import platform
import sys
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=500)
    parser.add_argument("--subscriptions", type=int, default=10)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--database", default="ayuda_bench_webhooks")
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


def receiver_run(port_out, count, sample_out) -> None:
    """The receiver process: count requests, keep a few for the signature check."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with count.get_lock():
                count.value += 1
                n = count.value
            if n % 997 == 1:
                sample_out.put((dict(self.headers.items()), body))
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        request_queue_size = 128  # the listen backlog: every worker thread connects at once

    server = Server(("127.0.0.1", 0), Handler)
    port_out.put(server.server_address[1])
    server.serve_forever()


def django_setup(url: str, concurrency: int) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["CELERY_BROKER_URL"] = "memory://"
    os.environ["AYUDA_WEBHOOK_ALLOW"] = "127.0.0.1"
    os.environ["AYUDA_WEBHOOK_CONCURRENCY"] = str(concurrency)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ayuda.config.settings.base")
    os.environ["DEBUG"] = "false"
    import django

    django.setup()


def send_chunks(url: str, concurrency: int, chunks: list[list[int]]) -> int:
    """One worker process: send its chunks one after the other (as one Celery process)."""
    django_setup(url, concurrency)
    from ayuda.webhooks.delivery import deliveries_send

    return sum(len(deliveries_send(delivery_ids=chunk)) for chunk in chunks)


def main() -> None:
    args = parse_args()
    url = database_url(args.database)
    database_recreate(url)
    django_setup(url, args.concurrency)
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    from standardwebhooks import Webhook

    from ayuda.accounts.models import Role, User
    from ayuda.tickets.models import Channel, TicketEvent
    from ayuda.tickets.services import ticket_create
    from ayuda.webhooks import planning, services, tasks
    from ayuda.webhooks.models import Delivery, DeliveryStatus

    ctx = multiprocessing.get_context("spawn")
    port_q, sample_q = ctx.Queue(), ctx.Queue()
    count = ctx.Value("l", 0)
    receiver = ctx.Process(target=receiver_run, args=(port_q, count, sample_q), daemon=True)
    receiver.start()
    port = port_q.get(timeout=30)

    admin = User.objects.create_user("bench-admin", "admin@bench.test", "x", role=Role.ADMIN)
    requester = User.objects.create_user("bench-req", "req@bench.test", "x")
    secrets = []
    for n in range(args.subscriptions):
        _sub, secret = services.subscription_create(
            actor=admin,
            name=f"receiver {n}",
            url=f"http://127.0.0.1:{port}/hook/{n}",
            event_types=["ticket.created"],
            owner=admin,
        )
        secrets.append(secret)
    settings.TICKET_EVENT_HANDLERS = []  # the planning below is what is measured
    for i in range(args.tickets):
        ticket_create(
            requester=requester,
            actor=requester,
            subject=f"Till {i} is down",
            description="It shows error 42 since the update. " * 4,
            channel=Channel.PORTAL,
        )
    event_ids = list(TicketEvent.objects.order_by("id").values_list("id", flat=True))

    started = time.perf_counter()
    ids = planning.deliveries_plan(event_ids=event_ids)
    plan_s = time.perf_counter() - started
    total = len(ids)
    chunks = [ids[i : i + tasks.CHUNK] for i in range(0, total, tasks.CHUNK)]
    half = len(chunks) // 2
    rounds = {}

    # one process: the first half of the chunks
    from ayuda.webhooks.delivery import deliveries_send

    one = [c for c in chunks[:half]]
    started = time.perf_counter()
    sent_one = sum(len(deliveries_send(delivery_ids=c)) for c in one)
    rounds["1 process"] = (sent_one, time.perf_counter() - started)

    # --processes processes: the second half, split between them
    from django.db import connections

    connections.close_all()
    rest = chunks[half:]
    parts = [rest[i :: args.processes] for i in range(args.processes)]
    started = time.perf_counter()
    with ctx.Pool(args.processes) as pool:
        sent_many = sum(
            pool.starmap(send_chunks, [(url, args.concurrency, part) for part in parts])
        )
    rounds[f"{args.processes} processes"] = (sent_many, time.perf_counter() - started)

    first_try = Delivery.objects.filter(status=DeliveryStatus.DELIVERED).count()
    # What failed (a connection reset...) is retried as beat would, an hour later.
    from datetime import timedelta

    from django.utils import timezone

    from ayuda.webhooks.delivery import due_ids

    later = timezone.now() + timedelta(hours=1)
    deliveries_send(delivery_ids=due_ids(now=later, limit=total), now=later)
    delivered = Delivery.objects.filter(status=DeliveryStatus.DELIVERED).count()
    received = count.value
    samples = []
    while not sample_q.empty():
        samples.append(sample_q.get())
    verified = 0
    for headers, body in samples:
        for secret in secrets:
            try:
                Webhook(secret).verify(body, {k.lower(): v for k, v in headers.items()})
                verified += 1
                break
            except Exception:  # the next subscription's secret
                continue
    receiver.terminate()

    lines = [
        f"# Webhook fan-out, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"- machine: {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"PostgreSQL, load average {os.getloadavg()[0]:.1f}",
        f"- {args.tickets} tickets x {args.subscriptions} subscriptions = {total} deliveries; "
        f"chunks of {tasks.CHUNK}, {args.concurrency} threads per process",
        f"- planning: {plan_s:.2f} s, {total / plan_s:.0f} deliveries/s",
    ]
    for name, (sent, seconds) in rounds.items():
        lines.append(f"- sending, {name}: {sent} in {seconds:.2f} s, {sent / seconds:.0f}/s")
    lines += [
        f"- delivered at the first attempt: {first_try} of {total}; after one retry pass: "
        f"{delivered}; requests the receiver got: {received}",
        f"- signatures verified with standardwebhooks: {verified} of {len(samples)} samples",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{datetime.now(UTC):%Y%m%d-%H%M}-webhooks.md").write_text(text)
    if delivered != total or received != total or verified != len(samples):
        sys.exit("Some deliveries were lost, doubled or badly signed.")


if __name__ == "__main__":
    main()
