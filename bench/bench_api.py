#!/usr/bin/env python
"""Benchmark: the REST API (R5) on PostgreSQL.

Run on demand (not part of the test suite):

    .venv/bin/python bench/bench_api.py --size 100000

It uses its own database (``--database``, default ``ayuda_api_bench``) on the server that
``DATABASE_URL`` points at (default ``postgres://postgres@127.0.0.1:5432``), creating and
migrating it and filling it with ``manage.py bulk_load`` up to ``--size`` tickets; it never
touches the database in ``DATABASE_URL`` itself.

It measures:
1. server time, in-process through Django's test client with a bearer token (middleware,
   token check, selector, serialisation), p50/p95 over ``--reps`` calls: the first page of the
   active queue, a filtered page (one team, active), a deep page (a cursor near the end), and
   one ticket with its articles (``GET /tickets/{id}`` + ``GET /tickets/{id}/articles``);
2. the same pages over HTTP against gunicorn (``--workers`` sync workers);
3. ticket creation over HTTP by ``--clients`` client processes (``POST /tickets``, each with
   an Idempotency-Key), tickets/s;
4. one gunicorn worker's resident memory (VmRSS) before and after ``--calls`` API calls.

Results go to stdout and to ``bench/results/<date>-api-<size>.md`` (and ``.json``).
"""

import argparse
import http.client
import json
import multiprocessing
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--database", default="ayuda_api_bench")
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers for 2 and 3.")
    parser.add_argument("--create", type=int, default=500, help="Tickets per client.")
    parser.add_argument("--calls", type=int, default=10_000, help="Calls for the memory test.")
    parser.add_argument("--port", type=int, default=8391)
    parser.add_argument("--reads-only", action="store_true", help="Only 1 and 2.")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    return parser.parse_args()


def database_url(name: str) -> str:
    base = os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres"
    parts = urlsplit(base)
    if not parts.scheme.startswith("postgres"):
        sys.exit("The benchmark runs on PostgreSQL: set DATABASE_URL to a postgres:// URL.")
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))


def database_ensure(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit((parts.scheme, parts.netloc, "/postgres", "", ""))
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def environment(url: str) -> dict:
    return {
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "ayuda.config.settings.base",
        "DEBUG": "0",
        "CELERY_BROKER_URL": "memory://",
        "AYUDA_DATA_DIR": os.environ.get("AYUDA_DATA_DIR")
        or tempfile.mkdtemp(prefix="ayuda-api-bench-"),
        "LOG_LEVEL": "WARNING",
        "AYUDA_API_RATE_PER_MINUTE": "0",  # the benchmark measures the API, not the limiter
        "PYTHONPATH": str(ROOT / "src"),
    }


def setup_django(env: dict, size: int) -> None:
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    from ayuda.tickets.models import Ticket

    missing = size - Ticket.objects.count()
    if missing > 0:
        print(f"bulk_load {missing} tickets …", flush=True)
        call_command("bulk_load", missing, seed=9)


def summary(samples_ms: list[float]) -> dict:
    samples = sorted(samples_ms)
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    return {
        "n": len(samples),
        "p50": round(statistics.median(samples), 2),
        "p95": round(p95, 2),
        "max": round(samples[-1], 2),
    }


def timed(fn, reps: int, warmup: int = 5) -> dict:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(reps):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return summary(samples)


def bench_token() -> tuple[str, dict]:
    from ayuda.accounts.models import Role, Team, User
    from ayuda.accounts.tokens import token_create
    from ayuda.tickets.models import Ticket

    agent, _ = User.objects.get_or_create(
        username="bench.api", defaults={"role": Role.AGENT_L1, "email": "api@bench.example"}
    )
    team = Team.objects.get(name="Bulk Service Desk North")
    requester = Ticket.objects.order_by("-id").values_list("requester_id", flat=True).first()
    busy = Ticket.objects.filter(team=team).order_by("-id").values_list("id", flat=True).first()
    secret = token_create(
        user=agent, name="bench", scopes=["read", "write"], expires_at=None
    ).secret
    return secret, {"team": team.pk, "requester": requester, "ticket": busy}


def deep_cursor() -> str:
    from ayuda.tickets.models import ACTIVE, Ticket
    from ayuda.tickets.selectors import cursor_encode

    active = Ticket.objects.filter(ACTIVE).count()
    ticket = Ticket.objects.filter(ACTIVE).order_by("created_at", "id")[max(0, active - 60)]
    return cursor_encode(ticket)


def paths(refs: dict, cursor: str) -> dict:
    return {
        "list, first page": ["/api/v1/tickets"],
        "list, filtered (team, active)": [f"/api/v1/tickets?team={refs['team']}"],
        "list, deep page (cursor)": [f"/api/v1/tickets?cursor={cursor}"],
        "one ticket with its articles": [
            f"/api/v1/tickets/{refs['ticket']}",
            f"/api/v1/tickets/{refs['ticket']}/articles",
        ],
    }


def measure_in_process(secret: str, cases: dict, reps: int) -> dict:
    from django.test import Client

    client = Client()
    headers = {"Authorization": f"Bearer {secret}"}

    def call(urls):
        for url in urls:
            response = client.get(url, headers=headers)
            assert response.status_code == 200, (url, response.content[:300])

    return {name: timed(lambda u=urls: call(u), reps) for name, urls in cases.items()}


# Over HTTP ----------------------------------------------------------------------------------


def server_start(env: dict, port: int, workers: int) -> subprocess.Popen:
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "ayuda.config.wsgi:application",
        f"--bind=127.0.0.1:{port}",
        f"--workers={workers}",
        "--worker-class=sync",
        "--log-level=warning",
    ]
    process = subprocess.Popen(command, env=os.environ | env, cwd=ROOT)
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("gunicorn did not start")


def server_stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def http_call(port: int, method: str, url: str, headers: dict, body: bytes | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request(method, url, body=body, headers=headers)
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, data


def measure_http(secret: str, cases: dict, reps: int, port: int) -> dict:
    headers = {"Authorization": f"Bearer {secret}"}

    def call(urls):
        for url in urls:
            status, data = http_call(port, "GET", url, headers)
            assert status == 200, (url, data[:300])

    return {name: timed(lambda u=urls: call(u), reps) for name, urls in cases.items()}


def create_client(port, secret, requester, count, go, results):
    headers = {
        "Authorization": f"Bearer {secret}",
        "Content-Type": "application/json",
    }
    go.wait()
    started, failures = time.perf_counter(), 0
    for i in range(count):
        body = json.dumps(
            {
                "subject": f"API bench {i}",
                "description": "Created over the API by the benchmark.",
                "requester_id": requester,
            }
        ).encode()
        status, _data = http_call(
            port, "POST", "/api/v1/tickets", headers | {"Idempotency-Key": str(uuid.uuid4())}, body
        )
        failures += status != 201
    results.put((time.perf_counter() - started, count, failures))


def measure_create(secret: str, requester: int, clients: int, count: int, port: int) -> dict:
    go, results = multiprocessing.Event(), multiprocessing.Queue()
    workers = [
        multiprocessing.Process(
            target=create_client, args=(port, secret, requester, count, go, results)
        )
        for _ in range(clients)
    ]
    for w in workers:
        w.start()
    started = time.perf_counter()
    go.set()
    outcomes = [results.get() for _ in workers]
    elapsed = time.perf_counter() - started
    for w in workers:
        w.join()
    created = sum(c for _e, c, _f in outcomes)
    return {
        "clients": clients,
        "tickets": created,
        "failures": sum(f for _e, _c, f in outcomes),
        "seconds": round(elapsed, 2),
        "tickets_per_second": round(created / elapsed, 1),
    }


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def worker_pid(master: int) -> int:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return int(children[0])


def measure_memory(env: dict, secret: str, cases: dict, calls: int, port: int) -> dict:
    server = server_start(env, port, 1)
    try:
        worker = worker_pid(server.pid)
        headers = {"Authorization": f"Bearer {secret}"}
        urls = [u for group in cases.values() for u in group] + ["/api/v1/categories"]
        http_call(port, "GET", urls[0], headers)
        before = rss_mib(worker)
        for i in range(calls):
            status, _ = http_call(port, "GET", urls[i % len(urls)], headers)
            assert status == 200
        after = rss_mib(worker)
    finally:
        server_stop(server)
    return {"calls": calls, "rss_before_mib": before, "rss_after_mib": after}


def markdown(info: dict) -> str:
    lines = [
        f"# API benchmark, {info['size']:,} tickets ({info['date']})",
        "",
        f"Machine: {info['machine']}. PostgreSQL database `{info['database']}`.",
        "",
        "| measurement | in-process p50 / p95 ms | over HTTP p50 / p95 ms |",
        "|---|---|---|",
    ]
    for name, local in info["in_process"].items():
        remote = info["http"][name]
        lines.append(
            f"| {name} | {local['p50']} / {local['p95']} | {remote['p50']} / {remote['p95']} |"
        )
    if "create" not in info:
        return "\n".join(lines)
    c = info["create"]
    m = info["memory"]
    lines += [
        "",
        f"Creation over HTTP: {c['tickets']} tickets by {c['clients']} clients in "
        f"{c['seconds']} s = **{c['tickets_per_second']} tickets/s** ({c['failures']} failures; "
        f"{info['workers']} gunicorn sync workers).",
        "",
        f"Worker memory: {m['rss_before_mib']} MiB after the first call, "
        f"**{m['rss_after_mib']} MiB after {m['calls']:,} calls** (one sync worker, VmRSS).",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    args = parse_args()
    url = database_url(args.database)
    database_ensure(url)
    env = environment(url)
    setup_django(env, args.size)
    from ayuda.tickets.models import Ticket

    secret, refs = bench_token()
    cases = paths(refs, deep_cursor())
    info = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "size": Ticket.objects.count(),
        "database": args.database,
        "machine": f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}",
        "workers": args.workers,
    }
    print("in-process …", flush=True)
    info["in_process"] = measure_in_process(secret, cases, args.reps)
    print(json.dumps(info["in_process"], indent=1), flush=True)
    server = server_start(env, args.port, args.workers)
    try:
        print("over HTTP …", flush=True)
        info["http"] = measure_http(secret, cases, args.reps, args.port)
        print(json.dumps(info["http"], indent=1), flush=True)
        if not args.reads_only:
            print("creation …", flush=True)
            info["create"] = measure_create(
                secret, refs["requester"], args.clients, args.create, args.port
            )
            print(json.dumps(info["create"], indent=1), flush=True)
    finally:
        server_stop(server)
    if not args.reads_only:
        print("memory …", flush=True)
        info["memory"] = measure_memory(env, secret, cases, args.calls, args.port + 1)
        print(json.dumps(info["memory"], indent=1), flush=True)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    suffix = "-reads" if args.reads_only else ""
    stem = out / f"{datetime.now(UTC):%Y-%m-%d}-api-{info['size']}{suffix}"
    stem.with_suffix(".json").write_text(json.dumps(info, indent=1, default=str))
    stem.with_suffix(".md").write_text(markdown(info))
    print(markdown(info))


if __name__ == "__main__":
    main()
