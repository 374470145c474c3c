#!/usr/bin/env python
"""Benchmark: the agent's and the customer's ticket page on a large database.

Run on demand (not part of the test suite), against PostgreSQL, on a database loaded with
``manage.py bulk_load`` (for example the queue benchmark's million)::

    .venv/bin/python bench/bench_ticket_page.py --database ayuda_perf_1m --reps 200

It uses the database named by ``--database`` on the server ``DATABASE_URL`` points at (it
migrates it, never drops it) and measures, through Django's test client (server time: URL
resolution, middleware, session, selectors, template; no network), p50/p95 over ``--reps``
requests, the CPU time the Django process spent on each (``time.process_time``: what the
page costs whatever else runs on the machine, PostgreSQL's share apart), and the queries of
one request, for:

- ``GET /agent/tickets/<n>/`` as a level 1 agent, and ``GET /portal/tickets/<n>/`` as the
  ticket's requester, on tickets drawn at random from the whole table (each request another
  ticket, as the peer bench samples them);
- the same pages for two tickets it creates through the services: one with 3 and one with 30
  public messages, internal notes, history events and attached files each.

The settings are production's (``ayuda.config.settings.base``, DEBUG off, the database cache).
Results go to stdout and to ``bench/results/<date>-ticket-page.md``.
"""

import argparse
import random
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from bench_queue import bench_database_url, database_ensure, setup_django, summary

ROOT = Path(__file__).resolve().parents[1]
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
    b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="ayuda_perf_1m")
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    return parser.parse_args()


def busy_ticket(entries: int, agent, team, requester):
    from ayuda.tickets import services
    from ayuda.tickets.attachments import IncomingFile

    ticket = services.ticket_create(
        requester=requester,
        actor=requester,
        subject=f"Bench: a ticket with {entries} of everything",
        description="The card reader rejects every card.",
        channel="portal",
    )
    services.ticket_assign(ticket=ticket, actor=agent, team=team, owner=agent)
    for i in range(entries):
        services.article_add_reply(
            ticket=ticket,
            actor=agent,
            body=f"Reply {i}: please restart the reader and tell me what the display says.",
            attachments=[IncomingFile(f"screen{i}.png", PNG)],
        )
        services.article_add_customer(ticket=ticket, author=requester, body=f"Answer {i}")
        services.article_add_note(ticket=ticket, actor=agent, body=f"Note {i}")
    return ticket


def measure(client, urls, reps: int) -> dict:
    """p50/p95 over ``reps`` requests cycling through ``urls``, and one request's queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def get(url):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    for url in urls[:3]:
        get(url)  # warm: the session, the select-box lists, the templates
    samples, cpu = [], []
    for i in range(reps):
        started, cpu_started = time.perf_counter(), time.process_time()
        get(urls[i % len(urls)])
        samples.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
    with CaptureQueriesContext(connection) as ctx:
        get(urls[0])
    return summary(samples) | {"queries": len(ctx.captured_queries), "cpu": summary(cpu)}


def main() -> None:
    args = parse_args()
    url = bench_database_url(args.database)
    database_ensure(url, fresh=False)
    setup_django(url)
    from django.test import Client
    from django.urls import reverse

    from ayuda.accounts.models import Role, Team, User
    from ayuda.tickets.models import Ticket

    agent, _ = User.objects.get_or_create(
        username="bench.agent", defaults={"role": Role.AGENT_L1, "email": "bench@ayuda.example"}
    )
    team = Team.objects.get(name="Bulk Service Desk North")
    agent.teams.add(team)
    total = Ticket.objects.count()
    last = Ticket.objects.order_by("-pk").values_list("pk", flat=True).first()
    rng = random.Random(args.seed)
    drawn = list(
        Ticket.objects.filter(pk__in=[rng.randint(1, last) for _ in range(args.reps * 2)])
        .select_related("requester")
        .only("pk", "requester")[: args.reps]
    )
    requester = drawn[0].requester
    few = busy_ticket(3, agent, team, requester)
    many = busy_ticket(30, agent, team, requester)
    print(f"{total:,} tickets; busy tickets #{few.pk} (3) and #{many.pk} (30)", flush=True)

    staff = Client()
    staff.force_login(agent)
    results = {}
    agent_urls = [reverse("agent:ticket", args=[t.pk]) for t in drawn]
    results["agent, random tickets"] = measure(staff, agent_urls, args.reps)
    for name, ticket in (("3", few), ("30", many)):
        url = reverse("agent:ticket", args=[ticket.pk])
        results[f"agent, {name} of everything"] = measure(staff, [url], args.reps)
    # The customer side: each drawn ticket seen by its own requester (one client each, logged
    # in before timing), then the two busy tickets by theirs.
    clients = {}
    portal_pairs = []
    for ticket in drawn[: min(len(drawn), 40)]:
        if ticket.requester_id not in clients:
            clients[ticket.requester_id] = Client()
            clients[ticket.requester_id].force_login(ticket.requester)
        portal_pairs.append(
            (clients[ticket.requester_id], reverse("portal:ticket", args=[ticket.pk]))
        )
    samples, cpu = [], []
    for client, page in portal_pairs:
        client.get(page)
    for i in range(args.reps):
        client, page = portal_pairs[i % len(portal_pairs)]
        started, cpu_started = time.perf_counter(), time.process_time()
        assert client.get(page).status_code == 200
        samples.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        portal_pairs[0][0].get(portal_pairs[0][1])
    results["portal, random tickets"] = summary(samples) | {
        "queries": len(ctx.captured_queries),
        "cpu": summary(cpu),
    }
    customer = Client()
    customer.force_login(requester)
    for name, ticket in (("3", few), ("30", many)):
        page = reverse("portal:ticket", args=[ticket.pk])
        results[f"portal, {name} of everything"] = measure(customer, [page], args.reps)

    import os

    load = os.getloadavg()
    lines = [
        f"# Ticket pages at {total:,} tickets, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"`bench/bench_ticket_page.py --database {args.database} --reps {args.reps}`; "
        f"load average after the run {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f} "
        "(1 / 5 / 15 min) on 2 cores.",
        "",
        "| page | p50 ms | p95 ms | max ms | web process CPU p50 / p95 ms | queries |",
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
    name = f"{datetime.now(UTC):%Y-%m-%d-%H%M}-ticket-page.md"
    (out / name).write_text(text)
    print(f"written {out / name}")


if __name__ == "__main__":
    sys.exit(main())
