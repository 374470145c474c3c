#!/usr/bin/env python
"""Benchmark: the service-level periodic check and the recompute after a calendar change (R22).

Run on demand (not part of the test suite), against PostgreSQL:

    .venv/bin/python bench/bench_sla.py [--tickets 1000000] [--due 1000] [--recompute 10000]

It uses its own database (``--database``, default ``ayuda_bench_sla``), created and migrated if
needed (as ``bench_queue.py``); ``manage.py bulk_load`` fills it with ``--tickets`` tickets
(about 37% active). Then, set-based (INSERT ... SELECT): a desk clock for up to 100,000 active
tickets with first-response, next-update and resolution targets due in the future, of which
``--due`` have a first response already past due (and warned: the check must breach them),
and ``--recompute`` clocks under a second calendar's policy.

It measures one ``sla_check`` run (claiming and recording ``--due`` breaches, the policy
notifying each owner), a second run (nothing to do), the plan of the claim, and
``sla_recompute(calendar=...)`` over the second calendar's clocks (3 targets each).
Both calendars are Madrid office hours with Spain's and Madrid's public holidays, so every due
time is real business-time arithmetic (``sla/calendars.py``). Results go to stdout and
``bench/results/<date>-sla.md``.
"""

import argparse
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from bench_queue import bench_database_url, database_ensure, setup_django  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--clocks", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=1000)
    parser.add_argument("--recompute", type=int, default=10_000)
    parser.add_argument("--database", default="ayuda_bench_sla")
    parser.add_argument("--fresh", action="store_true", help="Drop the bench database first.")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    return parser.parse_args()


def clocks_create(*, clocks: int, due: int, recompute: int, now: datetime) -> dict:
    from django.db import connection

    from ayuda.sla.models import Calendar, SlaAction, SlaPolicy

    # Real business-time arithmetic: Madrid office hours with Spain's and Madrid's holidays.
    hours = {
        d: [["09:00", "14:00"], ["15:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")
    }
    hours |= {"sat": [], "sun": []}
    madrid = dict(
        timezone="Europe/Madrid", hours=hours, holiday_country="ES", holiday_subdivision="MD"
    )
    office = Calendar.objects.create(name="Bench office", **madrid)
    other = Calendar.objects.create(name="Bench other office", **madrid)
    common = dict(
        first_response_minutes=240,
        next_update_minutes=480,
        resolution_minutes=2400,
        on_breach=[SlaAction.NOTIFY_OWNER],
        on_warning=[SlaAction.NOTIFY_OWNER],
    )
    main = SlaPolicy.objects.create(name="Bench", position=2, calendar=office, **common)
    moved = SlaPolicy.objects.create(name="Bench other", position=1, calendar=other, **common)
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO sla_slaclock
                (ticket_id, side, policy_id, state, started_at, pause_reason, paused_minutes)
            SELECT id, 'desk', CASE WHEN rn <= %s THEN %s ELSE %s END, 'running', %s, '', 0
            FROM (
                SELECT id, row_number() OVER (ORDER BY id DESC) AS rn FROM tickets_ticket
                WHERE state_category IN ('new', 'open', 'pending_customer', 'pending_vendor')
                ORDER BY id DESC LIMIT %s
            ) t
            """,
            [recompute, moved.pk, main.pk, now, clocks],
        )
        # Targets: due in the future (1 to 50 hours), except --due first responses past due.
        cursor.execute(
            """
            INSERT INTO sla_slatarget
                (clock_id, kind, minutes, started_at, paused_minutes, due_at, warn_at, warned_at)
            SELECT c.id, k.kind, k.minutes, c.started_at, 0,
                   CASE WHEN k.kind = 'first_response' AND c.rn <= %(due)s
                        THEN %(now)s - interval '5 minutes' * (1 + c.rn %% 10)
                        ELSE %(now)s + interval '1 minute' * (60 + c.rn %% 3000) END,
                   CASE WHEN k.kind = 'first_response' AND c.rn <= %(due)s
                        THEN %(now)s - interval '60 minutes'
                        ELSE %(now)s + interval '1 minute' * (30 + c.rn %% 3000) END,
                   CASE WHEN k.kind = 'first_response' AND c.rn <= %(due)s
                        THEN %(now)s - interval '59 minutes' END
            FROM (SELECT id, started_at, row_number() OVER (ORDER BY random()) AS rn
                  FROM sla_slaclock) c
            CROSS JOIN (VALUES ('first_response', 240), ('next_update', 480),
                               ('resolution', 2400)) AS k(kind, minutes)
            """,
            {"due": due, "now": now},
        )
        cursor.execute(
            """
            UPDATE tickets_ticket t SET sla_policy_id = c.policy_id,
                sla_due_at = (SELECT min(due_at) FROM sla_slatarget s WHERE s.clock_id = c.id)
            FROM sla_slaclock c WHERE c.ticket_id = t.id
            """
        )
    with connection.cursor() as cursor:  # as autovacuum would after the bulk set-up
        for table in ("sla_slaclock", "sla_slatarget", "sla_slaevent", "tickets_ticket"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    return {"calendar": other, "seconds": time.monotonic() - started}


def main() -> None:
    args = parse_args()
    url = bench_database_url(args.database)
    database_ensure(url, args.fresh)
    setup_django(url)

    from django.core.management import call_command
    from django.db import connection

    from ayuda.sla.check import _CLAIM_BREACH, sla_check
    from ayuda.sla.models import SlaClock, SlaEvent, SlaTarget
    from ayuda.sla.services import sla_recompute
    from ayuda.tickets.models import Ticket

    have = Ticket.objects.count()
    if have < args.tickets:
        # bulk_load predates Ticket.delay_reason (NOT NULL, no database default): give the
        # column one in this bench database (the lead fixes the model or bulk_load at merge)
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE tickets_ticket ALTER COLUMN delay_reason SET DEFAULT ''")
        started = time.monotonic()
        call_command("bulk_load", args.tickets - have, verbosity=0)
        print(f"bulk_load {args.tickets - have}: {time.monotonic() - started:.0f} s")
    SlaEvent.objects.all().delete()
    SlaTarget.objects.all().delete()
    SlaClock.objects.all().delete()
    from ayuda.sla.models import Calendar, SlaPolicy

    Ticket.objects.filter(sla_policy__isnull=False).update(sla_policy=None, sla_due_at=None)
    SlaPolicy.objects.all().delete()
    Calendar.objects.all().delete()
    now = datetime.now(UTC)
    made = clocks_create(clocks=args.clocks, due=args.due, recompute=args.recompute, now=now)
    lines = [
        f"# Service levels benchmark, {now:%Y-%m-%d %H:%M} UTC",
        "",
        f"- tickets: {Ticket.objects.count():,}; clocks: {SlaClock.objects.count():,}; "
        f"targets: {SlaTarget.objects.count():,}; set up in {made['seconds']:.1f} s",
    ]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN ANALYZE " + _CLAIM_BREACH, [
            datetime(2000, 1, 1, tzinfo=UTC), 1000, datetime(2000, 1, 1, tzinfo=UTC)
        ])  # fmt: skip
        plan = "\n".join(row[0] for row in cursor.fetchall())
    sla_check(now=datetime(2000, 1, 1, tzinfo=UTC))  # warm: imports, connection; nothing due
    started = time.monotonic()
    first = sla_check(now=now)
    first_s = time.monotonic() - started
    started = time.monotonic()
    second = sla_check(now=now)
    second_s = time.monotonic() - started
    assert second == {"warned": 0, "breached": 0}, second  # claimed once
    # The actions the first check handed to `sla_actions` tasks (here the broker only holds
    # them): the same work, run here and timed apart, as the worker would.
    from ayuda.sla.check import targets_actions_run
    from ayuda.sla.models import SlaTarget as Target

    claimed = list(Target.objects.filter(breached_at__isnull=False).values_list("pk", flat=True))
    started = time.monotonic()
    acted = targets_actions_run(claimed, breach=True, now=now)
    actions_s = time.monotonic() - started
    started = time.monotonic()
    recomputed = sla_recompute(calendar=made["calendar"])
    recompute_s = time.monotonic() - started
    lines += [
        f"- periodic check, {first['breached']} breaches (+{first['warned']} warnings) claimed, "
        f"recorded, their actions enqueued: **{first_s * 1000:.0f} ms** (target < 1 s)",
        f"- their actions (each owner notified in-app and by mail), run as the `sla_actions` "
        f"tasks would: {acted} targets in **{actions_s * 1000:.0f} ms** "
        f"({actions_s * 1000 / max(acted, 1):.1f} ms each; tasks of 100 on the workers)",
        f"- periodic check again, nothing due: **{second_s * 1000:.1f} ms**",
        f"- recompute after a calendar change: {recomputed:,} targets of "
        f"{recomputed // 3:,} tickets: **{recompute_s:.2f} s** (target < 10 s; office hours "
        "with holidays)",
        "",
        "Plan of the breach claim with nothing due:",
        "",
        "```",
        plan,
        "```",
    ]
    text = "\n".join(lines)
    print(text)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{now:%Y-%m-%d}-sla.md").write_text(text + "\n")


if __name__ == "__main__":
    main()
