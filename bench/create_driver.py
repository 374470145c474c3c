"""One timed creation run of the peer bench's harness, with the CPU it cost (used by
``bench_create.py``; runs with the peer bench's Python, which has httpx).

It imports ``workload.py`` and calls its own ``cmd_create``, after logging the submitting users
in (``prepare_run``, untimed, as the harness does) and reading the CPU of the web server's
processes and of its PostgreSQL backends, so the CPU per ticket covers the timed requests
only, not the log-ins (a password hash each).
"""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None


def process_tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if name.isdigit() and (fields := _stat(int(name))):
            children.setdefault(int(fields[1]), []).append(int(name))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def cpu_of(pids) -> dict[int, float]:
    """CPU seconds (user + system) of each process."""
    out = {}
    for pid in pids:
        fields = _stat(pid)
        if fields:
            out[pid] = (int(fields[11]) + int(fields[12])) / TICKS
    return out


def backends(pg: str, database: str) -> list[int]:
    out = subprocess.run(
        ["psql", f"{pg}/postgres", "-Atc",
         f"SELECT pid FROM pg_stat_activity WHERE datname = '{database}'"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    return [int(x) for x in out.stdout.split()]


def cpu_delta(before: dict[int, float], after: dict[int, float]) -> float:
    return sum(v - before.get(pid, 0.0) for pid, v in after.items())


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--peer-bench", required=True)
    p.add_argument("--adapter", required=True)
    p.add_argument("--base-url", required=True)
    p.add_argument("--label", default="")
    p.add_argument("--out", required=True)
    p.add_argument("--server-pid", type=int, required=True)
    p.add_argument("--pg", required=True)
    p.add_argument("--database", required=True)
    p.add_argument("--n", type=int, default=500)
    p.add_argument("--concurrency", type=int, default=4)
    p.add_argument("--start", type=int, required=True)
    a = p.parse_args()
    sys.path.insert(0, a.peer_bench)
    import workload

    opts = argparse.Namespace(
        timeout=120.0, token=None, user=None, password=None, mode="form", n=a.n,
        concurrency=a.concurrency, start=a.start, budget_s=300.0, seed=42, out=a.out,
        label=a.label, server_pid=None,
    )  # fmt: skip
    adapter = workload.ADAPTERS[a.adapter](a.base_url, opts)
    adapter.prepare_run("form", a.n, a.start, a.concurrency)  # untimed log-ins
    load = os.getloadavg()[0]
    web_before = cpu_of(process_tree(a.server_pid))
    db_before = cpu_of(backends(a.pg, a.database))
    workload.cmd_create(adapter, opts)  # its prepare_run finds everyone logged in already
    web = cpu_delta(web_before, cpu_of(process_tree(a.server_pid)))
    db = cpu_delta(db_before, cpu_of(backends(a.pg, a.database)))
    records = [json.loads(line) for line in Path(a.out).read_text().splitlines() if line]
    record = next(r for r in reversed(records) if r.get("phase") == "create")
    made = max(record.get("n") or 0, 1)
    record |= {
        "load_before": round(load, 2),
        "web_cpu_ms_per_ticket": round(web * 1000 / made, 2),
        "db_cpu_ms_per_ticket": round(db * 1000 / made, 2),
    }
    print("RESULT " + json.dumps(record), flush=True)


if __name__ == "__main__":
    main()
