#!/usr/bin/env python
"""Benchmark: the queue's service-level views, "due soonest" and "breached" (R22).

Run on demand (not part of the test suite), against PostgreSQL:

    .venv/bin/python bench/bench_sla_queue.py --size 100000
    .venv/bin/python bench/bench_sla_queue.py --size 1000000

It uses its own database (``--database``, default ``ayuda_bench_slaviews``) on the server that
``DATABASE_URL`` points at, created and migrated if needed (``bench_queue.py``'s helpers), and
loads tickets with ``manage.py bulk_load`` up to ``--size``. The sla app is not asked to
compute due times: one UPDATE gives every active ticket a due time (from 2 days in the past
to 12 days ahead, spread by id) and another marks about 5 % of them breached, as the periodic
check would leave them. Then, as p50/p95 over ``--reps`` runs, for the selector
``ticket_queue()`` and the real view ``GET /agent/``: the first page due soonest, a deep page
(a cursor halfway through), a team's due soonest, the breached filter (first page, a team's,
and a deep page), with each selector query's plan. Results go to stdout and
``bench/results/<date>-sla-<size>.md``.
"""

import argparse
import io
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from bench_queue import bench_database_url, database_ensure, setup_django  # noqa: E402
from measure import explain, fmt, plan_uses, timed  # noqa: E402

TARGET_P95_MS = 50.0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--database", default="ayuda_bench_slaviews")
    parser.add_argument("--fresh", action="store_true", help="Drop the bench database first.")
    parser.add_argument("--reps", type=int, default=100)
    parser.add_argument("--no-fill", action="store_true", help="Keep the due times filled.")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    return parser.parse_args()


def fill_due_times() -> dict:
    """Every active ticket due between two days ago and twelve days ahead (spread by id), about
    5 % breached; finished tickets none. Two set-based UPDATEs."""
    from django.db import connection

    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE tickets_ticket SET
              sla_due_at = CASE WHEN state_category IN ('new', 'open', 'pending_customer',
                                                          'pending_vendor')
                           THEN now() - interval '2 days'
                                + (id * 7919 % 20160) * interval '1 minute'
                           END,
              sla_breached_at = CASE WHEN state_category IN ('new', 'open', 'pending_customer',
                                                              'pending_vendor') AND id % 20 = 0
                                THEN created_at + interval '4 hours' END
            """
        )
        updated = cursor.rowcount
        cursor.execute("VACUUM ANALYZE tickets_ticket")
    return {"updated": updated, "seconds": round(time.monotonic() - started, 1)}


def halfway_cursor(order: str) -> str | None:
    from ayuda.tickets.models import ACTIVE, Ticket
    from ayuda.tickets.selectors import cursor_encode

    if order == "due":
        rows = Ticket.objects.filter(ACTIVE, sla_due_at__isnull=False)
        key = ("sla_due_at", "id")
    else:
        rows = Ticket.objects.filter(ACTIVE, sla_breached_at__isnull=False)
        key = ("created_at", "id")
    count = rows.count()
    row = list(rows.order_by(*key).values_list("pk", key[0])[count // 2 : count // 2 + 1])
    if not row:
        return None
    ticket = Ticket(pk=row[0][0], **{key[0]: row[0][1]})
    return cursor_encode(ticket, key[0])


def main() -> None:
    args = parse_args()
    url = bench_database_url(args.database)
    database_ensure(url, args.fresh)
    setup_django(url)

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from ayuda.accounts.models import Role, Team, User
    from ayuda.tickets.models import ACTIVE, Ticket
    from ayuda.tickets.selectors import QueueFilters, ticket_queue

    have = Ticket.objects.count()
    result: dict = {"size": args.size}
    fill = not args.no_fill
    if have < args.size:
        started = time.monotonic()
        call_command(
            "bulk_load",
            str(args.size - have),
            "--seed",
            str(args.size),
            verbosity=0,
            stdout=io.StringIO(),
        )
        result["load_seconds"] = round(time.monotonic() - started)
    result["fill"] = fill_due_times() if fill else {"seconds": 0}
    result["size"] = Ticket.objects.count()
    result["active"] = Ticket.objects.filter(ACTIVE).count()
    result["breached"] = Ticket.objects.filter(ACTIVE, sla_breached_at__isnull=False).count()
    result["postgresql"] = connection.cursor().connection.info.server_version
    print(
        f"== {result['size']:,} tickets, {result['active']:,} active, "
        f"{result['breached']:,} breached; due times filled in {result['fill']['seconds']} s",
        flush=True,
    )

    agent, _ = User.objects.get_or_create(
        username="bench.agent", defaults={"role": Role.AGENT_L1, "email": "bench@ayuda.example"}
    )
    team = Team.objects.get(name="Bulk Service Desk North")
    client = Client()
    client.force_login(agent)
    cases = {
        # The plain queue under the same load, to compare with
        "baseline: active, oldest first": {},
        "due soonest, first page": {"order": "due"},
        "due soonest, halfway (cursor)": {"order": "due", "cursor": halfway_cursor("due")},
        "due soonest, a team": {"order": "due", "team": team.pk},
        "breached, first page": {"breached": True},
        "breached, halfway (cursor)": {"breached": True, "cursor": halfway_cursor("breached")},
        "breached, a team": {"breached": True, "team": team.pk},
        "breached + due soonest": {"breached": True, "order": "due"},
    }
    rows = []
    for name, params in cases.items():
        params = dict(params)
        cursor = params.pop("cursor", None)
        filters = QueueFilters(**params)

        def select(filters=filters, cursor=cursor):
            return ticket_queue(user=agent, filters=filters, cursor=cursor, related=False)

        query = {k: ("1" if v is True else v) for k, v in params.items()}
        if cursor:
            query["cursor"] = cursor
        page_url = "/agent/?" + urlencode(query)

        def view(page_url=page_url):
            response = client.get(page_url)
            assert response.status_code == 200, (page_url, response.status_code)

        selector = timed(select, args.reps)
        web = timed(view, max(10, args.reps // 2))
        plan = plan_uses(explain(select))
        rows.append({"case": name, "selector": selector, "view": web, "plan": plan})
        ok = "ok" if web["p95"] < TARGET_P95_MS else "OVER"
        print(f"{name:34} selector {fmt(selector)} | view {fmt(web)} {ok} | {plan}", flush=True)
    result["cases"] = rows

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stem = f"{datetime.now(UTC):%Y-%m-%d}-sla-{result['size']}"
    (out / f"{stem}.json").write_text(json.dumps(result, indent=2, default=str))
    lines = [
        f"# Service levels in the queue: {result['size']:,} tickets "
        f"({result['active']:,} active, {result['breached']:,} breached)",
        "",
        "| case | selector p50 / p95 ms | view p50 / p95 ms | plan |",
        "|---|---|---|---|",
    ]
    for row in rows:
        s, v = row["selector"], row["view"]
        lines.append(
            f"| {row['case']} | {s['p50']} / {s['p95']} | {v['p50']} / {v['p95']} | {row['plan']} |"
        )
    (out / f"{stem}.md").write_text("\n".join(lines) + "\n")
    print(f"\nWritten to {out / stem}.md")


if __name__ == "__main__":
    main()
