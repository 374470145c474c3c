"""Measuring tools of the benchmarks: timings as p50/p95, query plans and what they use."""

import statistics
import time


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


def fmt(s: dict) -> str:
    return f"p50 {s['p50']:>7.2f} ms  p95 {s['p95']:>7.2f} ms"
