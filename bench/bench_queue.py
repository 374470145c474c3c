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

Results go to stdout and to ``bench/results/<date>-<sizes>.md`` (and ``.json``).
"""

import argparse
import io
import json
import multiprocessing
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


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


# Measuring -------------------------------------------------------------------------------------


def summary(samples_ms: list[float]) -> dict:
    samples = sorted(samples_ms)
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    return {
        "n": len(samples),
        "p50": round(statistics.median(samples), 2),
        "p95": round(p95, 2),
        "max": round(samples[-1], 2),
    }


def timed(fn, reps: int, warmup: int = 3) -> dict:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(reps):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return summary(samples)


def explain(fn) -> str:
    """EXPLAIN ANALYZE the queue query that ``fn`` runs (the one ordered over tickets)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    queries = [q["sql"] for q in ctx.captured_queries if 'FROM "tickets_ticket"' in q["sql"]]
    if not queries:
        return "(no ticket query captured)"
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + queries[-1])
        return "\n".join(row[0] for row in cursor.fetchall())


def plan_uses(plan: str) -> str:
    """The indexes the plan reads tickets with, a full scan or sort of tickets, and times."""
    import re

    ticket_scans = re.findall(
        r"(Index Only Scan|Index Scan|Bitmap Index Scan|Seq Scan)(?: Backward)?"
        r"(?: using (\w+))? on (\w+)",
        plan,
    )
    indexes = [idx for kind, idx, table in ticket_scans if table == "tickets_ticket" and idx]
    # A bitmap index scan names only its index ("on tk_..."): the ticket indexes.
    indexes += [
        name
        for kind, _i, name in ticket_scans
        if kind == "Bitmap Index Scan" and name.startswith(("tk_", "tickets_ticket_"))
    ]
    parts = [", ".join(dict.fromkeys(indexes)) or "no ticket index"]
    if any(kind == "Seq Scan" and table == "tickets_ticket" for kind, _i, table in ticket_scans):
        parts.append("SEQ SCAN of tickets")
    if re.search(r"Sort Key: tickets_ticket\.created_at", plan):
        parts.append("sorts tickets")
    planning = re.search(r"Planning Time: ([\d.]+) ms", plan)
    execution = re.search(r"Execution Time: ([\d.]+) ms", plan)
    if planning and execution:
        parts.append(f"plan {planning.group(1)} ms + run {execution.group(1)} ms")
    return "; ".join(parts)


# The scenarios ---------------------------------------------------------------------------------


class Bench:
    def __init__(self, args):
        self.args = args
        from django.test import Client
        from django.urls import NoReverseMatch, reverse

        from ayuda.accounts.models import Role, Team, User

        self.agent, _ = User.objects.get_or_create(
            username="bench.agent", defaults={"role": Role.AGENT_L1, "email": "bench@ayuda.example"}
        )
        self.team = Team.objects.get(name="Bulk Service Desk North")
        self.agent.teams.add(self.team)
        self.client = Client()
        self.client.force_login(self.agent)
        try:
            self.queue_url = reverse("agent:queue")
        except NoReverseMatch:
            self.queue_url = None
        try:
            reverse("agent:ticket", args=[1])
            self.has_detail = True
        except NoReverseMatch:
            self.has_detail = False

    # Queue -------------------------------------------------------------------------------

    def deep_cursor(self, from_end: int) -> str | None:
        from ayuda.tickets.models import ACTIVE, Ticket
        from ayuda.tickets.selectors import cursor_encode

        active = Ticket.objects.filter(ACTIVE).count()
        offset = max(0, active - from_end)
        row = (
            Ticket.objects.filter(ACTIVE)
            .order_by("created_at", "id")
            .values_list("pk", "created_at")[offset : offset + 1]
        )
        row = list(row)
        if not row:
            return None
        return cursor_encode(Ticket(pk=row[0][0], created_at=row[0][1]))

    def queue_cases(self) -> dict:
        from ayuda.accounts.models import Site
        from ayuda.tickets.models import Category

        category = Category.objects.filter(name="Printer").first()
        site = Site.objects.filter(organisation__name="Bulk Org 01").order_by("pk").first()
        cases = {
            "first page (active, oldest first)": {},
            "team + level 1": {"team": self.team.pk, "level": "1"},
            "state open": {"status": "open"},
            "category": {"category": category.pk if category else None},
            "site": {"site": site.pk if site else None},
            "owner: unassigned": {"owner": "none"},
            "channel phone": {"channel": "phone"},
            "type improvement": {"type": "improvement"},
            "team + level 1 + unassigned": {"team": self.team.pk, "level": "1", "owner": "none"},
            "rare: channel api + type problem + level vendor": {
                "channel": "api",
                "type": "problem",
                "level": "vendor",
            },
            "newest first": {"order": "newest"},
        }
        deep = self.deep_cursor(60)
        if deep:
            cases["deep page (cursor 60 from the end)"] = {"cursor": deep}
        middle = self.deep_cursor(self.active_count() // 2)
        if middle:
            cases["middle page (cursor halfway)"] = {"cursor": middle}
        return cases

    def active_count(self) -> int:
        from ayuda.tickets.models import ACTIVE, Ticket

        return Ticket.objects.filter(ACTIVE).count()

    def selector_call(self, params: dict):
        from ayuda.tickets.selectors import QueueFilters, ticket_queue

        params = dict(params)
        cursor = params.pop("cursor", None)
        filters = QueueFilters(**{k: v for k, v in params.items() if v is not None})
        return lambda: ticket_queue(user=self.agent, filters=filters, cursor=cursor)

    def view_call(self, params: dict):
        query = urlencode({k: v for k, v in params.items() if v is not None})
        url = f"{self.queue_url}?{query}" if query else self.queue_url

        def get():
            response = self.client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            return response

        return get

    def measure_queue(self, reps: int) -> dict:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        out = {}
        for name, params in self.queue_cases().items():
            selector = self.selector_call(params)
            case = {"selector": timed(selector, reps), "plan": explain(selector)}
            case["plan_uses"] = plan_uses(case["plan"])
            if self.queue_url:
                view = self.view_call(params)
                case["view"] = timed(view, reps)
                with CaptureQueriesContext(connection) as ctx:
                    view()
                case["view_queries"] = len(ctx.captured_queries)
            out[name] = case
            print(
                f"    {name:<38} selector {fmt(case['selector'])}"
                + (
                    f"   view {fmt(case['view'])} ({case['view_queries']} queries)"
                    if "view" in case
                    else ""
                )
                + f"   [{case['plan_uses']}]",
                flush=True,
            )
        return out

    def follow_cursors(self, pages: int) -> dict:
        """Walk the queue page after page by its cursors; time every page."""
        from ayuda.tickets.selectors import QueueFilters, ticket_queue

        filters = QueueFilters()
        cursor, samples = None, []
        for _ in range(pages):
            started = time.perf_counter()
            page = ticket_queue(user=self.agent, filters=filters, cursor=cursor)
            samples.append((time.perf_counter() - started) * 1000)
            cursor = page.next_cursor
            if cursor is None:
                break
        result = summary(samples)
        result["pages"] = len(samples)
        result["first_ms"] = round(samples[0], 2)
        result["last_ms"] = round(samples[-1], 2)
        result["last_cursor"] = cursor
        print(
            f"    followed {len(samples)} pages: {fmt(result)}, first {result['first_ms']} ms, "
            f"last {result['last_ms']} ms",
            flush=True,
        )
        return result

    def measure_search(self, reps: int) -> dict:
        """Keyword search (subject contains): informational, the queue's weak spot."""
        out = {}
        for name, q in (("search, common word", "printer"), ("search, absent word", "zzzqx")):
            selector = self.selector_call({"q": q})
            case = {"selector": timed(selector, reps, warmup=1), "plan": explain(selector)}
            case["plan_uses"] = plan_uses(case["plan"])
            out[name] = case
            print(
                f"    {name:<38} selector {fmt(case['selector'])}   [{case['plan_uses']}]",
                flush=True,
            )
        return out

    # Ticket page ---------------------------------------------------------------------------

    def measure_detail(self, reps: int) -> dict:
        if not self.has_detail:
            return {"skipped": "no agent:ticket view"}
        from django.db import connection
        from django.test.utils import CaptureQueriesContext
        from django.urls import reverse

        from ayuda.tickets.models import Ticket

        small = Ticket.objects.order_by("pk").first()
        big = self.busy_ticket()
        out = {}
        for name, ticket in (("1 message", small), ("busy (12 messages)", big)):
            url = reverse("agent:ticket", args=[ticket.pk])

            def get(url=url):
                response = self.client.get(url)
                assert response.status_code == 200, (url, response.status_code)

            get()  # the select-box lists are cached from the second request on
            with CaptureQueriesContext(connection) as ctx:
                get()
            out[name] = {"queries": len(ctx.captured_queries), "view": timed(get, reps)}
            print(
                f"    ticket page, {name:<24} {out[name]['queries']} queries, "
                f"{fmt(out[name]['view'])}",
                flush=True,
            )
        return out

    def busy_ticket(self):
        from ayuda.accounts.models import User
        from ayuda.tickets import services

        requester = User.objects.filter(username__startswith="bulk.req.").order_by("pk").first()
        ticket = services.ticket_create(
            requester=requester,
            actor=requester,
            subject="Bench: a ticket with many messages",
            description="The card reader rejects every card.",
            channel="portal",
        )
        services.ticket_assign(ticket=ticket, actor=self.agent, team=self.team, owner=self.agent)
        for i in range(5):
            services.article_add_reply(ticket=ticket, actor=self.agent, body=f"Reply {i}")
            services.article_add_customer(ticket=ticket, author=requester, body=f"Answer {i}")
        services.article_add_note(ticket=ticket, actor=self.agent, body="Internal note")
        return ticket

    # Creation ------------------------------------------------------------------------------

    def measure_create(self, count: int, processes: int) -> dict:
        from django.db import connections

        single = create_tickets(0, count, None)
        rate1 = single["count"] / (single["end"] - single["start"])
        print(
            f"    ticket_create, 1 process: {rate1:,.0f} tickets/s "
            f"(p50 {single['p50']} ms, p95 {single['p95']} ms)",
            flush=True,
        )
        out = {
            "1 process": {"tickets_per_s": round(rate1), "p50": single["p50"], "p95": single["p95"]}
        }
        if processes > 1:
            connections.close_all()
            ctx = multiprocessing.get_context("fork")
            go, results = ctx.Event(), ctx.Queue()
            workers = [
                ctx.Process(target=create_worker, args=(i + 1, count // processes, go, results))
                for i in range(processes)
            ]
            for worker in workers:
                worker.start()
            time.sleep(1.0)  # let every child connect and load its requesters
            go.set()
            done = [results.get(timeout=3600) for _ in workers]
            for worker in workers:
                worker.join()
            total = sum(d["count"] for d in done)
            span = max(d["end"] for d in done) - min(d["start"] for d in done)
            rate = total / span
            p50 = round(statistics.median(d["p50"] for d in done), 2)
            p95 = round(max(d["p95"] for d in done), 2)
            print(
                f"    ticket_create, {processes} processes: {rate:,.0f} tickets/s "
                f"(p50 {p50} ms, worst p95 {p95} ms)",
                flush=True,
            )
            out[f"{processes} processes"] = {"tickets_per_s": round(rate), "p50": p50, "p95": p95}
        return out


def create_worker(worker: int, count: int, go, results) -> None:
    results.put(create_tickets(worker, count, go))


def create_tickets(worker: int, count: int, go) -> dict:
    """Create ``count`` portal tickets through the service, one transaction each."""
    from django.db import connections

    from ayuda.accounts.models import User
    from ayuda.tickets import services
    from ayuda.tickets.models import Category

    if go is not None:
        connections.close_all()  # a forked child must not share the parent's connection
    requesters = list(User.objects.filter(username__startswith="bulk.req.").order_by("pk")[:50])
    category = Category.objects.filter(name="Printer").first()
    if go is not None:
        go.wait()
    samples = []
    start = time.perf_counter()
    for i in range(count):
        requester = requesters[(worker * 7 + i) % len(requesters)]
        t0 = time.perf_counter()
        services.ticket_create(
            requester=requester,
            actor=requester,
            subject=f"Bench ticket {worker}-{i}: receipt printer jams",
            description="The receipt printer jams after every second receipt.",
            channel="portal",
            category=category,
        )
        samples.append((time.perf_counter() - t0) * 1000)
    end = time.perf_counter()
    s = summary(samples)
    connections.close_all()
    # perf_counter is system-wide on Linux (CLOCK_MONOTONIC), so processes can be compared.
    return {"count": count, "start": start, "end": end, "p50": s["p50"], "p95": s["p95"]}


def fmt(s: dict) -> str:
    return f"p50 {s['p50']:>7.2f} ms  p95 {s['p95']:>7.2f} ms"


# Reporting -------------------------------------------------------------------------------------


def machine() -> dict:
    from django.db import connection

    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kb / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0].split(" on ")[0]
        settings = {}
        for name in ("shared_buffers", "work_mem", "jit", "random_page_cost"):
            cursor.execute(f"SHOW {name}")
            settings[name] = cursor.fetchone()[0]
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": mem,
        "python": platform.python_version(),
        "postgresql": version,
        "pg_settings": settings,
        "load_average": os.getloadavg(),
    }


def markdown(info: dict, results: list[dict]) -> str:
    lines = [
        f"# Queue and ticket creation benchmark, {info['date']}",
        "",
        f"Machine: {info['cpu']}, {info['cores']} cores, {info['memory']}; "
        f"Python {info['python']}; "
        f"{info['postgresql']} ({', '.join(f'{k}={v}' for k, v in info['pg_settings'].items())}).",
        "",
    ]
    for r in results:
        lines += [
            f"## {r['size']:,} tickets ({r['active']:,} active)",
            "",
            f"Bulk load: {r.get('load', '-')}. Machine load average when measuring: "
            f"{' / '.join(str(x) for x in r['load_average'])} (1 / 5 / 15 min).",
            "",
            "| page | selector p50 / p95 ms | view p50 / p95 ms | view queries | plan |",
            "|---|---|---|---|---|",
        ]
        for name, c in {**r["queue"], **r.get("search", {})}.items():
            view = f"{c['view']['p50']} / {c['view']['p95']}" if "view" in c else "–"
            lines.append(
                f"| {name} | {c['selector']['p50']} / {c['selector']['p95']} | {view} | "
                f"{c.get('view_queries', '–')} | {c['plan_uses']} |"
            )
        f = r["follow"]
        lines += [
            "",
            f"Following cursors: {f['pages']} pages, p50 {f['p50']} ms, p95 {f['p95']} ms, "
            f"first page {f['first_ms']} ms, last page {f['last_ms']} ms.",
            "",
        ]
        if "skipped" not in r["detail"]:
            for name, d in r["detail"].items():
                lines.append(
                    f"- Ticket page, {name}: {d['queries']} queries, "
                    f"p50 {d['view']['p50']} ms, p95 {d['view']['p95']} ms"
                )
        for name, c in r["create"].items():
            lines.append(
                f"- ticket_create, {name}: {c['tickets_per_s']:,} tickets/s "
                f"(per ticket p50 {c['p50']} ms, p95 {c['p95']} ms)"
            )
        lines += ["", "<details><summary>Query plans</summary>", ""]
        for name, c in {**r["queue"], **r.get("search", {})}.items():
            lines += [f"**{name}**", "", "```", c["plan"], "```", ""]
        lines += ["</details>", ""]
    return "\n".join(lines)


def main() -> None:
    args = parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    url = bench_database_url(args.database)
    database_ensure(url, args.fresh)
    setup_django(url)

    from django.core.management import call_command
    from django.db import connection

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
