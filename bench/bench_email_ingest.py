#!/usr/bin/env python
"""Benchmark: e-mail ingestion end to end, from a real Dovecot mailbox to committed tickets.

Run on demand (not part of the test suite), against PostgreSQL and the private Dovecot:

    scripts/dovecot.sh start
    .venv/bin/python bench/bench_email_ingest.py --mails 2000

It uses its own database (``--database``, default ``ayuda_bench_email``) on the server that
``DATABASE_URL`` points at (default ``postgres://postgres@127.0.0.1:5432``), dropping and
migrating it first; it never touches the database in ``DATABASE_URL`` itself. ``--keep`` uses
the database as it is (migrated), to measure ingestion into a large desk:

    .venv/bin/python bench/bench_email_ingest.py --mails 2000 --database ayuda_bench --keep

The mail mix: 70 % new requests in plain text, 20 % replies to earlier mails (threaded by
References), 10 % HTML mails with a PNG screenshot. Senders vary (the per-sender rate limit is
not what is measured). The mails are APPENDed to fresh folders first (not timed); then the
timer runs from the first IMAP login to the last flag: fetch, parse, filters, sender and
thread look-ups, ticket or article with its history, attachment storage, the InboundMail row,
the commit, the after-commit handler enqueuing the acknowledgement on the Celery broker
(``--broker``, default Redis on 127.0.0.1:6379/15; no worker runs, the queue is purged), and
the IMAP flags.

Two runs: one poller on one mailbox, and ``--processes`` pollers on as many mailboxes at once
(one poller per mailbox is the design: a lease keeps a second one out).
Results go to stdout and ``bench/results/<date>-email-ingest.md``.
"""

import argparse
import base64
import multiprocessing
import os
import platform
import struct
import subprocess
import sys
import tempfile
import time
import uuid
import zlib
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mails", type=int, default=2000, help="Mails per run.")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--database", default="ayuda_bench_email")
    parser.add_argument(
        "--keep",
        action="store_true",
        help="Use the database as it is instead of recreating it (for example the queue "
        "benchmark's million tickets: --database ayuda_bench --keep).",
    )
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/15")
    parser.add_argument(
        "--server-side-binding",
        action="store_true",
        help="psycopg server-side binding with prepared statements (OPTIONS of DATABASES).",
    )
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    return parser.parse_args()


def settings_module(server_side_binding: bool) -> str:
    """The base settings, or the base settings with prepared statements on PostgreSQL."""
    if not server_side_binding:
        return "ayuda.config.settings.base"
    folder = Path(tempfile.mkdtemp(prefix="ayuda-bench-settings-"))
    (folder / "bench_email_settings.py").write_text(
        "from ayuda.config.settings.base import *  # noqa: F403\n"
        "DATABASES['default']['OPTIONS'] = {'server_side_binding': True, 'prepare_threshold': 2}\n"
    )
    sys.path.insert(0, str(folder))
    os.environ["PYTHONPATH"] = os.pathsep.join([str(folder), str(ROOT / "src")])
    return "bench_email_settings"


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


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    raw = b"".join(b"\x00" + b"\x80\x80\x80" * 64 for _ in range(64))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 64, 64, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def mails_make(n: int, run: str) -> list[bytes]:
    """The mail mix, in delivery order; replies answer mails earlier in the list."""
    png = base64.encodebytes(_png()).decode()
    mails, ids = [], []
    for i in range(n):
        sender = f"Customer {i % 500} <customer{i % 500}-{run}@example.com>"
        mid = f"<bench-{run}-{i}@example.com>"
        head = [
            f"From: {sender}",
            "To: support@ayuda.test",
            "Date: Mon, 10 Mar 2025 09:00:00 +0100",
            f"Message-ID: {mid}",
            "MIME-Version: 1.0",
        ]
        kind = i % 10
        if kind in (3, 6) and ids:
            # A reply by the same customer to one of their earlier mails.
            earlier = ids[(i * 7919) % len(ids)]
            head[0] = f"From: {earlier[1]}"
            head += [
                f"Subject: Re: request {earlier[2]}",
                f"In-Reply-To: {earlier[0]}",
                f"References: {earlier[0]}",
                "Content-Type: text/plain; charset=utf-8",
                "",
                "Thanks, that helped.\n\nOn Mon, Ayuda wrote:\n> Please restart the till.",
            ]
        elif kind == 9:
            boundary = f"b-{i}"
            head += [
                f"Subject: Screenshot of error {i}",
                f'Content-Type: multipart/mixed; boundary="{boundary}"',
                "",
                f"--{boundary}",
                "Content-Type: text/html; charset=utf-8",
                "",
                f"<p>The till shows <b>error {i}</b>, screenshot attached.</p>",
                f"--{boundary}",
                "Content-Type: image/png",
                'Content-Disposition: attachment; filename="screen.png"',
                "Content-Transfer-Encoding: base64",
                "",
                png,
                f"--{boundary}--",
            ]
        else:
            head += [
                f"Subject: request {i}: the till in store {i % 97} is down",
                "Content-Type: text/plain; charset=utf-8",
                "",
                f"Hello,\n\nthe till in store {i % 97} shows error {i}. "
                + "It started this morning after the update. " * 5
                + "\n\nThanks,\nA customer\n-- \nStore manager",
            ]
            ids.append((mid, sender, str(i)))
        mails.append("\r\n".join(head).encode() + b"\r\n")
    return mails


def imap_settings() -> dict:
    return {
        "host": os.environ.get("AYUDA_TEST_IMAP_HOST", "127.0.0.1"),
        "port": int(os.environ.get("AYUDA_TEST_IMAP_PORT", "10143")),
        "user": os.environ.get("AYUDA_TEST_IMAP_USER", "ayuda"),
        "password": os.environ.get("AYUDA_TEST_IMAP_PASSWORD", "ayuda-test"),
    }


def deliver(folder: str, mails: list[bytes]) -> float:
    from imapclient import IMAPClient

    imap = imap_settings()
    start = time.perf_counter()
    with IMAPClient(imap["host"], port=imap["port"], ssl=False) as client:
        client.login(imap["user"], imap["password"])
        client.create_folder(folder)
        for raw in mails:
            client.append(folder, raw)
    return time.perf_counter() - start


def folder_delete(folder: str) -> None:
    from imapclient import IMAPClient

    imap = imap_settings()
    with IMAPClient(imap["host"], port=imap["port"], ssl=False) as client:
        client.login(imap["user"], imap["password"])
        if client.folder_exists(folder):
            client.delete_folder(folder)


def _proc_cpu_seconds(pid: int) -> float:
    """User + system CPU of a process, from /proc (Linux)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def poll_worker(mailbox_name: str, barrier, results) -> None:
    import django

    django.setup()
    from django.db import connection

    from ayuda.intake.email.imap import mailbox_poll
    from ayuda.intake.models import Mailbox

    mailbox = Mailbox.objects.get(name=mailbox_name)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    barrier.wait()
    start = time.perf_counter()
    cpu, db_cpu = time.process_time(), _proc_cpu_seconds(backend)
    result = mailbox_poll(mailbox)
    cpu, db_cpu = time.process_time() - cpu, _proc_cpu_seconds(backend) - db_cpu
    end = time.perf_counter()
    results.put((mailbox_name, start, end, result.ingested, result.error, cpu, db_cpu))


def run(label: str, mails_per_box: list[list[bytes]], run_id: str) -> dict:
    import django

    django.setup()
    from ayuda.intake.models import InboundMail, Mailbox
    from ayuda.tickets.models import Article, Ticket

    imap = imap_settings()
    names, folders = [], []
    for k, mails in enumerate(mails_per_box):
        folder = f"bench-{run_id}-{k}"
        deliver(folder, mails)
        mailbox = Mailbox(
            name=f"bench-{run_id}-{k}",
            email_address="support@ayuda.test",
            host=imap["host"],
            port=imap["port"],
            security="none",
            username=imap["user"],
            folder=folder,
        )
        mailbox.set_password(imap["password"])
        mailbox.save()
        names.append(mailbox.name)
        folders.append(folder)
    before = (Ticket.objects.count(), Article.objects.count(), InboundMail.objects.count())
    from django.db import connections

    connections.close_all()

    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(len(names))
    results = ctx.Queue()
    procs = [ctx.Process(target=poll_worker, args=(n, barrier, results)) for n in names]
    for p in procs:
        p.start()
    rows = [results.get() for _ in procs]
    for p in procs:
        p.join()
    errors = [r[4] for r in rows if r[4]]
    start, end = min(r[1] for r in rows), max(r[2] for r in rows)
    ingested = sum(r[3] for r in rows)
    cpu, db_cpu = sum(r[5] for r in rows), sum(r[6] for r in rows)
    after = (Ticket.objects.count(), Article.objects.count(), InboundMail.objects.count())
    for folder in folders:
        folder_delete(folder)
    total = sum(len(m) for m in mails_per_box)
    seconds = end - start
    return {
        "label": label,
        "mails": total,
        "ingested": ingested,
        "seconds": seconds,
        "rate": ingested / seconds if seconds else 0.0,
        "tickets": after[0] - before[0],
        "articles": after[1] - before[1],
        "inbound": after[2] - before[2],
        "errors": errors,
        "cpu_ms": 1000 * cpu / max(ingested, 1),
        "db_cpu_ms": 1000 * db_cpu / max(ingested, 1),
    }


def main() -> None:
    args = parse_args()
    url = database_url(args.database)
    if not args.keep:
        database_recreate(url)
    media = tempfile.mkdtemp(prefix="ayuda-bench-media-")
    os.environ.update(
        {
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": settings_module(args.server_side_binding),
            "CELERY_BROKER_URL": args.broker,
            "MEDIA_ROOT": media,
            "AYUDA_DATA_DIR": tempfile.mkdtemp(prefix="ayuda-bench-data-"),
            "LOG_LEVEL": "WARNING",
            "DEBUG": "false",
            "PYTHONWARNINGS": "ignore",
        }
    )
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput", "-v", "0"], check=True
    )
    load_before = " ".join(f"{x:.1f}" for x in os.getloadavg())
    import django

    django.setup()
    from ayuda.tickets.models import Ticket

    tickets_before = Ticket.objects.count()
    run_id = uuid.uuid4().hex[:6]
    single = run("1 poller, 1 mailbox", [mails_make(args.mails, f"{run_id}a")], f"{run_id}a")
    per_box = args.mails // args.processes
    parallel = run(
        f"{args.processes} pollers, {args.processes} mailboxes",
        [mails_make(per_box, f"{run_id}b{k}") for k in range(args.processes)],
        f"{run_id}b",
    )
    try:
        from ayuda.config.celery import app

        with app.connection_for_write() as conn:
            conn.default_channel.queue_purge("celery")
    except Exception as exc:  # the broker is only there to be enqueued to
        print(f"(could not purge the broker queue: {exc})")

    lines = [
        f"# E-mail ingestion benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()},"
        f" Django {django.get_version()}, PostgreSQL"
        f"{' (server-side binding, prepared statements)' if args.server_side_binding else ''},"
        f" Dovecot on 127.0.0.1, broker {args.broker}.",
        f"Load average before the runs: {load_before}. Tickets in the database before the"
        f" runs: {tickets_before:,}.",
        "",
        "| run | mails | ingested | seconds | mails/s | tickets | articles | errors |"
        " CPU ms/mail: poller + PostgreSQL | mails/s per idle core |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in (single, parallel):
        per_core = 1000 / (r["cpu_ms"] + r["db_cpu_ms"]) if r["cpu_ms"] else 0
        lines.append(
            f"| {r['label']} | {r['mails']} | {r['ingested']} | {r['seconds']:.2f} | "
            f"{r['rate']:.0f} | {r['tickets']} | {r['articles']} | {len(r['errors'])} | "
            f"{r['cpu_ms']:.1f} + {r['db_cpu_ms']:.1f} | {per_core:.0f} |"
        )
    report = "\n".join(lines) + "\n"
    print(report)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{datetime.now(UTC):%Y%m%d-%H%M}-email-ingest.md").write_text(report)


if __name__ == "__main__":
    main()
