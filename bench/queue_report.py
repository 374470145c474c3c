"""How ``bench_queue.py`` reports: the machine it ran on and the results as Markdown."""

import os
import platform
from datetime import UTC, datetime
from pathlib import Path


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
