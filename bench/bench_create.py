#!/usr/bin/env python
"""Benchmark: portal ticket creation side by side with the Python peer (django-helpdesk).

Run on demand (not part of the test suite), against PostgreSQL, after preparing both systems
as ``/work/shared/peer-bench/README.md`` says (the peer installed with
``setup_django_helpdesk.sh`` and loaded with ``dh_bulkload.py``; Ayuda migrated and loaded
with ``manage.py bulk_load``)::

    .venv/bin/python bench/bench_create.py --rounds 2 --database ayuda_perf \\
        --anchor-dir /tmp/ayuda-anchor-perf --anchor-database dh_perf

It measures with the peer bench's own harness (``workload.py create``, the same neutral
tickets, the same HTTP client and statistics; Ayuda's adapter posts the portal form as a
logged-in requester, the peer's posts its public form), serving each system with gunicorn
(2 sync workers, DEBUG off) on the same PostgreSQL server, the runs interleaved and their order
flipped every round so the neighbours' load on a shared machine hits both alike.

Unlike ``run_side_by_side.sh`` (whose Ayuda puts the after-commit work on an in-memory broker
that nothing consumes), Ayuda runs here as in production: a private Redis on a loopback port is
the Celery broker, and a Celery worker consumes it during the run, so every acknowledgement
mail is planned, rendered and written (to files under the bench's data directory) while the
clients create tickets. ``--cache redis`` also puts Django's cache on that Redis
(``CACHE_URL``); the default keeps the database cache, as a site without Redis would run. After
the last run the benchmark waits for the worker to finish and reports how many
acknowledgements were made for the bench's tickets.

Before the run it counts the queries of one portal creation in-process (Django's
``CaptureQueriesContext``, the same settings). Results: stdout, the harness's JSON lines and
``bench/results/<date>-create-side-by-side.md``.
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CREATE_BASE = 10_000_000  # the Ayuda adapter's requester numbering starts here


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--peer-bench", default=os.environ.get("PEER_BENCH", "/work/shared/peer-bench")
    )
    parser.add_argument(
        "--anchor-dir",
        default=os.environ.get("ANCHOR_DIR", str(Path.home() / ".cache" / "ayuda-anchor")),
    )
    parser.add_argument("--anchor-database", default="dh_perf")
    parser.add_argument("--database", default="ayuda_perf", help="Ayuda's database (loaded).")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--n", type=int, default=500, help="Tickets per run.")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--redis-port", type=int, default=6391)
    parser.add_argument("--cache", choices=("database", "redis"), default="database")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per system.")
    parser.add_argument("--skip-peer", action="store_true")
    parser.add_argument(
        "--worker-after",
        action="store_true",
        help="Hold the Celery worker back during the timed runs and let it drain the queue "
        "after them (default: it works during the runs, on the same cores).",
    )
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    return parser.parse_args()


class Processes:
    """Servers started by the benchmark, stopped (by their own process group) at the end."""

    def __init__(self, logs: Path):
        self.logs = logs
        self.running: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, cmd: list[str], env: dict, cwd: Path) -> subprocess.Popen:
        log = open(self.logs / f"{name}.log", "w")  # noqa: SIM115 (closed with the process)
        proc = subprocess.Popen(
            cmd, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.running.append((name, proc))
        return proc

    def stop_all(self) -> None:
        for name, proc in reversed(self.running):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
            print(f"  stopped {name} ({proc.pid})", flush=True)


def wait_http(url: str, seconds: float = 60) -> None:
    import urllib.request

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"{url} did not answer in {seconds} s")


def ayuda_env(args, data_dir: Path) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if k in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "PYTHONHASHSEED")
    }
    env |= {
        "DJANGO_SETTINGS_MODULE": "ayuda.config.settings.base",
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-ayuda-perf-not-a-secret-0123456789abcdef",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "DATABASE_URL": f"{args.pg}/{args.database}",
        "CELERY_BROKER_URL": f"redis://127.0.0.1:{args.redis_port}/0",
        "AYUDA_ENCRYPTION_KEYS": "bench-only-encryption-key-not-a-secret",
        "AYUDA_DATA_DIR": str(data_dir),
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT / "src"),
    }
    if args.cache == "redis":
        env["CACHE_URL"] = f"redis://127.0.0.1:{args.redis_port}/1"
    return env


def anchor_env(args) -> dict:
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
    return env | {
        "DJANGO_SETTINGS_MODULE": "anchorsite.settings",
        "ANCHOR_DIR": args.anchor_dir,
        "ANCHOR_DB": "postgres",
        "ANCHOR_PG_DB": args.anchor_database,
        "ANCHOR_PG_USER": "postgres",
        "ANCHOR_PG_PASSWORD": "",
        "ANCHOR_PG_PORT": "5432",
    }


def gunicorn(procs, name, binary, app, port, env, cwd, workers):
    cmd = [
        binary, app, "-w", str(workers), "-b", f"127.0.0.1:{port}", "--timeout", "300",
        "--no-control-socket", "--access-logfile", "/dev/null",
    ]  # fmt: skip
    proc = procs.start(name, cmd, env, cwd)
    wait_http(f"http://127.0.0.1:{port}/login/")
    time.sleep(1)
    print(f"  {name} up on :{port} (pid {proc.pid})", flush=True)
    return proc


# In-process measurements (run with Ayuda's settings in a child process) -------------------------

PREPARE = r"""
import django, sys
django.setup()
from django.db import connection
exec(open(sys.argv[1]).read())  # the peer bench's bench users (idempotent)
with connection.cursor() as cursor:  # counters of earlier runs: each run starts from zero
    cursor.execute("DELETE FROM core_ratecounter WHERE key LIKE 'portal:ticket_create:%%'")
"""

COUNT_QUERIES = r"""
import django, json, re
django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from ayuda.accounts.models import User
user = User.objects.get(username="bench.req.2999")
client = Client(HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0 Safari/537.36")
client.force_login(user)
page = client.get("/portal/tickets/new/").content.decode()
category = re.search(r'name="category".*?<option value="(\d+)"', page, re.S).group(1)
answers = {"category": category, "subject": "Bench", "description": "Counting queries.",
           "type": "incident", "site": ""}
client.post("/portal/tickets/new/", answers)  # warm: the lists' cache, the session
with CaptureQueriesContext(connection) as ctx:
    response = client.post("/portal/tickets/new/", answers)
assert response.status_code == 302, response.status_code
statements = [q["sql"] for q in ctx.captured_queries]
with connection.cursor() as cursor:
    cursor.execute("DELETE FROM core_ratecounter WHERE key = %s",
                   [f"portal:ticket_create:{user.pk}"])
print(json.dumps(statements))
"""

ACKNOWLEDGED = r"""
import django, json, sys
django.setup()
from ayuda.notifications.models import OutgoingMessage
from ayuda.tickets.models import Ticket
first = int(sys.argv[1])
tickets = Ticket.objects.filter(pk__gt=first, requester__username__startswith="bench.req.")
messages = OutgoingMessage.objects.filter(ticket__in=tickets)
print(json.dumps({"tickets": tickets.count(), "messages": messages.count(),
                  "by_status": {s: messages.filter(status=s).count()
                                for s in messages.values_list("status", flat=True).distinct()}}))
"""


def ayuda_python(env: dict, code: str, *args: str) -> str:
    out = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "-c", code, *args],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    if out.returncode:
        raise SystemExit(f"child failed:\n{out.stderr[-3000:]}")
    return out.stdout.strip().splitlines()[-1] if out.stdout.strip() else ""


def last_ticket_id(env: dict) -> int:
    code = (
        "import django; django.setup()\n"
        "from ayuda.tickets.models import Ticket\n"
        "print(Ticket.objects.order_by('-pk').values_list('pk', flat=True).first() or 0)"
    )
    return int(ayuda_python(env, code))


def redis_queue_length(port: int) -> int:
    out = subprocess.run(
        ["redis-cli", "-p", str(port), "-n", "0", "llen", "celery"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    return int(out.stdout.strip() or 0)


# The worker's CPU (the web's and PostgreSQL's are read by create_driver.py) ----------------

TICKS = os.sysconf("SC_CLK_TCK")


def worker_cpu_seconds(root: int) -> float:
    total = 0.0
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(name) == root or int(fields[1]) == root:
            total += (int(fields[11]) + int(fields[12])) / TICKS
    return total


# The run ------------------------------------------------------------------------------------------


def harness(
    args, python: str, adapter: str, port: int, out: Path, start: int, pid: int, database: str
) -> dict:
    cmd = [
        python, str(ROOT / "bench" / "create_driver.py"), "--peer-bench", args.peer_bench,
        "--adapter", adapter, "--base-url", f"http://127.0.0.1:{port}",
        "--label", f"create-{adapter}", "--out", str(out), "--server-pid", str(pid),
        "--pg", args.pg, "--database", database, "--n", str(args.n),
        "--concurrency", str(args.concurrency), "--start", str(start),
    ]  # fmt: skip
    env = os.environ | {"ANCHOR_DIR": args.anchor_dir, "AYUDA_DIR": str(ROOT)}
    done = subprocess.run(cmd, env=env, check=True, timeout=1500, capture_output=True, text=True)
    print(done.stdout, flush=True)
    line = next(x for x in reversed(done.stdout.splitlines()) if x.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


def main() -> None:
    args = parse_args()
    if not shutil.which("redis-server"):
        raise SystemExit("redis-server is needed (the Celery broker of the run)")
    work = Path(tempfile.mkdtemp(prefix="ayuda-bench-create-"))
    data_dir = work / "data"
    data_dir.mkdir()
    jsonl = work / "results.jsonl"
    env = ayuda_env(args, data_dir)
    procs = Processes(work)
    started = datetime.now(UTC)
    print(f"bench_create: work dir {work}", flush=True)
    try:
        procs.start(
            "redis",
            ["redis-server", "--port", str(args.redis_port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no"],
            os.environ.copy(), work,
        )  # fmt: skip
        time.sleep(1)
        ayuda_python(env, PREPARE, str(Path(args.peer_bench) / "ayuda_bench_users.py"))
        statements = json.loads(ayuda_python(env, COUNT_QUERIES))
        real = [s for s in statements if s not in ("BEGIN", "COMMIT")]
        print(f"  one portal creation: {len(real)} statements (+ BEGIN/COMMIT)", flush=True)
        for sql in statements:
            print(f"    {sql[:110]}", flush=True)
        first_id = last_ticket_id(env)
        celery = procs.start(
            "celery",
            [str(ROOT / ".venv" / "bin" / "celery"), "-A", "ayuda.config", "worker",
             "--concurrency", "1", "--without-gossip", "--without-mingle",
             "--without-heartbeat", "--loglevel", "WARNING"],
            env, ROOT,
        )  # fmt: skip
        if args.worker_after:  # held back (stopped) until the timed runs are over
            time.sleep(8)  # its start-up
            os.killpg(celery.pid, signal.SIGSTOP)
        ayuda = gunicorn(
            procs, "ayuda", str(ROOT / ".venv" / "bin" / "gunicorn"), "ayuda.config.wsgi",
            8210, env, ROOT, args.workers,
        )  # fmt: skip
        dh = None
        if not args.skip_peer:
            dh = gunicorn(
                procs, "django-helpdesk", str(Path(args.anchor_dir) / "venv" / "bin" / "gunicorn"),
                "anchorsite.wsgi", 8110, anchor_env(args), Path(args.anchor_dir) / "site",
                args.workers,
            )  # fmt: skip
        python = str(Path(args.anchor_dir) / "venv" / "bin" / "python")
        results: list[dict] = []
        for r in range(args.rounds):
            base = CREATE_BASE + 20_000 + r * 10_000  # requesters 1000.. (the bench users' 3000)
            systems = [("ayuda", 8210, ayuda.pid, args.database)]
            if dh is not None:
                systems.append(("django-helpdesk", 8110, dh.pid, args.anchor_database))
            if r % 2:
                systems.reverse()
            for adapter, port, pid, database in systems:
                print(f"== round {r + 1}: {adapter}", flush=True)
                record = harness(args, python, adapter, port, jsonl, base, pid, database)
                record["round"] = r + 1
                results.append(record)
        drain_started = time.monotonic()
        if args.worker_after:
            print("  the worker starts now (it was held back during the runs)", flush=True)
            os.killpg(celery.pid, signal.SIGCONT)
        while redis_queue_length(args.redis_port) and time.monotonic() - drain_started < 900:
            time.sleep(1)
        time.sleep(3)  # the last task in the worker's hands
        drained_s = round(time.monotonic() - drain_started, 1)
        acknowledged = json.loads(ayuda_python(env, ACKNOWLEDGED, str(first_id)))
        worker_cpu = worker_cpu_seconds(celery.pid)
        acknowledged["worker_cpu_ms_per_ticket"] = round(
            worker_cpu * 1000 / max(acknowledged["tickets"], 1), 2
        )
        print(f"  worker drained its queue {drained_s} s after the last run: {acknowledged}")
    finally:
        procs.stop_all()
    report(args, started, statements, results, acknowledged, drained_s, work)


def report(args, started, statements, results, acknowledged, drained_s, work) -> None:
    lines = [
        f"# Portal creation side by side, {started:%Y-%m-%d %H:%M} UTC",
        "",
        f"`bench/bench_create.py --rounds {args.rounds} --n {args.n} --concurrency "
        f"{args.concurrency} --cache {args.cache}"
        f"{' --worker-after' if args.worker_after else ''}`; "
        f"Ayuda database `{args.database}`, peer database `{args.anchor_database}`; "
        f"{args.workers} gunicorn sync workers each; Celery worker (1 process) on a private "
        "Redis broker.",
        "",
        "| round | system | tickets/s | p50 ms | p95 ms | errors | load before | "
        "CPU ms/ticket: web + PostgreSQL |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for rec in results:
        lines.append(
            f"| {rec['round']} | {rec['adapter']} | {rec['tickets_per_s']} | {rec['p50_ms']} | "
            f"{rec['p95_ms']} | {rec.get('error_count', 0)} | {rec['load_before']} | "
            f"{rec['web_cpu_ms_per_ticket']} + {rec['db_cpu_ms_per_ticket']} |"
        )
    rates: dict[str, list[float]] = {}
    for rec in results:
        rates.setdefault(rec["adapter"], []).append(rec["tickets_per_s"])
    if "django-helpdesk" in rates:
        for r in sorted({rec["round"] for rec in results}):
            pair = {rec["adapter"]: rec["tickets_per_s"] for rec in results if rec["round"] == r}
            if len(pair) == 2:
                lines.append(
                    f"\nRound {r}: Ayuda / peer = {pair['ayuda'] / pair['django-helpdesk']:.2f}x"
                )
    lines += [
        "",
        f"Queries of one portal creation ({len(statements)} captured):",
        "",
        *[f"    {sql[:150]}" for sql in statements],
        "",
        f"Acknowledgements made by the worker for the bench's tickets: {acknowledged} "
        f"(queue drained {drained_s} s after the last run).",
        "",
        f"Raw records: {work / 'results.jsonl'}",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    name = f"{started:%Y-%m-%d-%H%M}-create-side-by-side"
    (out / f"{name}.md").write_text(text)
    (out / f"{name}.json").write_text(json.dumps(results, indent=1))
    print(f"written {out / name}.md")


if __name__ == "__main__":
    sys.exit(main())
