#!/usr/bin/env python
"""Benchmark: importing 1,000,000 lines of phone records (issue 13) on PostgreSQL.

    .venv/bin/python bench/bench_calls_import.py [--lines 1000000] [--fresh]

It uses its own database (``--database``, default ``ayuda_bench_calls``) on the server that
``DATABASE_URL`` points at (default ``postgres://postgres@127.0.0.1:5432``), creating and
migrating it when needed; it never touches the database in ``DATABASE_URL`` itself.

It writes a queue_log of ``--lines`` lines (about 200,000 calls: answered calls are ENTERQUEUE,
RINGNOANSWER, CONNECT, COMPLETEAGENT/COMPLETECALLER, missed ones ENTERQUEUE and ABANDON or
EXITWITHTIMEOUT, with agents pausing between) and a Master.csv of ``--lines`` calls, spread
over a year; then imports each through ``services.calls_import`` in a fresh process (so the
peak RSS is the import's own), and imports each again (every call a duplicate). It reports
seconds, lines a second and peak RSS, on stdout and in ``bench/results/<date>-calls-import.md``.
"""

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

START = datetime(2025, 1, 6, 7, tzinfo=UTC)  # a Monday
MADRID = ZoneInfo("Europe/Madrid")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--database", default="ayuda_bench_calls")
    parser.add_argument("--fresh", action="store_true", help="Drop the bench database first.")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    parser.add_argument(
        "--one", nargs=3, metavar=("KIND", "FILE", "SOURCE"), help=argparse.SUPPRESS
    )
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


def setup_django(url: str, migrate: bool = False) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "ayuda.config.settings.base"
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("CELERY_BROKER_URL", "memory://")
    os.environ.setdefault("AYUDA_DATA_DIR", tempfile.mkdtemp(prefix="ayuda-bench-"))
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)


OFFICE_SECONDS_A_YEAR = 261 * 11 * 3600  # weekdays, 08:00-19:00


def _moments(rng: random.Random, count: int):
    """``count`` arrival instants spread over about a year of office hours (weekdays, 08:00 to
    19:00 in Madrid)."""
    mean = OFFICE_SECONDS_A_YEAR / count
    at = START
    for _ in range(count):
        at += timedelta(seconds=rng.expovariate(1 / mean))
        local = at.astimezone(MADRID)
        if local.weekday() >= 5 or not 8 <= local.hour < 19:
            at = (local.replace(hour=8, minute=0, second=0) + timedelta(days=1)).astimezone(UTC)
            while at.astimezone(MADRID).weekday() >= 5:
                at += timedelta(days=1)
        yield at


def queue_log_write(path: Path, lines: int) -> int:
    rng = random.Random(13)
    written = calls = 0
    with path.open("w") as out:
        for n, at in enumerate(_moments(rng, lines // 4)):
            if written >= lines:
                break
            t = int(at.timestamp())
            callid = f"{t}.{n}"
            queue = rng.choice(("soporte", "soporte", "ventas"))
            agent = f"Agent/{rng.randint(201, 230)}"
            caller = f"6{rng.randint(0, 99_999_999):08d}"
            hold = int(rng.expovariate(1 / 25))
            rows = [f"{t}|{callid}|{queue}|NONE|ENTERQUEUE||{caller}|1"]
            if rng.random() < 0.85:
                talk = int(rng.expovariate(1 / 240)) + 10
                end = rng.choice(("COMPLETEAGENT", "COMPLETECALLER"))
                rows += [
                    f"{t + 2}|{callid}|{queue}|Agent/240|RINGNOANSWER|2000",
                    f"{t + hold}|{callid}|{queue}|{agent}|CONNECT|{hold}|{t}.{n}9|3",
                    f"{t + hold + talk}|{callid}|{queue}|{agent}|{end}|{hold}|{talk}|1",
                    f"{t + hold + talk + 1}|NONE|{queue}|{agent}|PAUSE|",
                ]
            else:
                end = rng.choice(("ABANDON", "ABANDON", "EXITWITHTIMEOUT"))
                rows.append(f"{t + hold}|{callid}|{queue}|NONE|{end}|1|1|{hold}")
                rows.append(f"{t + hold + 1}|NONE|{queue}|{agent}|UNPAUSE|")
            rows = rows[: lines - written]
            out.write("\n".join(rows) + "\n")
            written += len(rows)
            calls += 1
    return calls


def master_csv_write(path: Path, lines: int) -> int:
    rng = random.Random(30)
    with path.open("w") as out:
        for n, at in enumerate(_moments(rng, lines)):
            local = at.astimezone(MADRID).replace(tzinfo=None)
            caller = f"6{rng.randint(0, 99_999_999):08d}"
            hold = int(rng.expovariate(1 / 25))
            if rng.random() < 0.85:
                talk = int(rng.expovariate(1 / 240)) + 10
                answer = f'"{local + timedelta(seconds=hold)}"'
                disposition, dstchannel = "ANSWERED", f"SIP/{rng.randint(201, 230)}-{n:08x}"
            else:
                talk, answer, disposition, dstchannel = 0, '""', "NO ANSWER", ""
            end = local + timedelta(seconds=hold + talk)
            out.write(
                f'"","{caller}","600","from-pstn","""Cliente"" <{caller}>",'
                f'"SIP/trunk-{n:08x}","{dstchannel}","Queue","soporte,t,,,300",'
                f'"{local}",{answer},"{end}",{hold + talk},{talk},"{disposition}",'
                f'"DOCUMENTATION","{int(at.timestamp())}.{n}",""\n'
            )
    return lines


def run_one(kind: str, file: str, source_name: str) -> None:
    """In a child process: one import, its time and the process's peak RSS as JSON."""
    from ayuda.intake.phone.models import CallSource
    from ayuda.intake.phone.services import calls_import

    source, _ = CallSource.objects.get_or_create(
        name=source_name, defaults={"kind": kind, "timezone": "Europe/Madrid"}
    )
    from ayuda.intake.phone import services

    phases: dict[str, float] = {}
    for name in ("_duplicates", "_stage_move", "calls_link", "call_hours_refresh"):
        original = getattr(services, name)

        def timed(*args, _original=original, _name=name, **kwargs):
            began = time.perf_counter()
            try:
                return _original(*args, **kwargs)
            finally:
                phases[_name] = time.perf_counter() - began

        setattr(services, name, timed)
    data = Path(file).read_bytes()
    started = time.perf_counter()
    record = calls_import(source=source, data=data, filename=Path(file).name)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({
        "seconds": seconds, "lines": record.lines, "added": record.added,
        "duplicates": record.duplicates, "refused": record.refused, "peak_mib": peak,
        "bytes": len(data), "phases": phases,
    }))  # fmt: skip


def child(url: str, kind: str, file: Path, source: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--database", urlsplit(url).path.lstrip("/"),
         "--one", kind, str(file), source],
        capture_output=True, text=True, check=True, env={**os.environ, "DATABASE_URL": url},
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    args = parse_args()
    url = bench_database_url(args.database)
    if args.one:
        setup_django(url)
        run_one(*args.one)
        return
    database_ensure(url, args.fresh)
    setup_django(url, migrate=True)
    from django.db import connection

    from ayuda.intake.phone.models import Call, CallHour, CallSource

    with connection.cursor() as cursor:  # the bench's own database: start from nothing
        tables = [m._meta.db_table for m in (Call, CallHour, CallSource)]
        cursor.execute(f"TRUNCATE {', '.join(tables)}, intake_callimport CASCADE")
    work = Path(tempfile.mkdtemp(prefix="ayuda-calls-"))
    results = []
    for kind, name, write in (
        ("asterisk_queue_log", "queue_log", queue_log_write),
        ("asterisk_cdr", "Master.csv", master_csv_write),
    ):
        path = work / name
        started = time.perf_counter()
        calls = write(path, args.lines)
        print(f"{name}: {args.lines:,} lines ({calls:,} calls), "
              f"{path.stat().st_size / 2**20:.0f} MiB, written in "
              f"{time.perf_counter() - started:.0f} s", flush=True)  # fmt: skip
        for run in ("first import", "again (all duplicates)"):
            result = child(url, kind, path, f"bench {kind}")
            result.update(file=name, run=run, rate=result["lines"] / result["seconds"])
            results.append(result)
            print(f"    phases: {', '.join(f'{k} {v:.1f} s' for k, v in result['phases'].items())}",
                  flush=True)  # fmt: skip
            print(f"  {run}: {result['seconds']:.1f} s, {result['rate']:,.0f} lines/s, "
                  f"added {result['added']:,}, duplicates {result['duplicates']:,}, "
                  f"refused {result['refused']:,}, peak RSS {result['peak_mib']:.0f} MiB",
                  flush=True)  # fmt: skip
        path.unlink()
    hours = CallHour.objects.filter(source__name__startswith="bench ").count()
    stored = Call.objects.filter(source__name__startswith="bench ").count()
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
    lines = [
        f"# Call imports, {args.lines:,} lines ({stamp} UTC)", "",
        "| file | run | seconds | lines/s | added | duplicates | refused | peak RSS | phases |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]  # fmt: skip
    for r in results:
        lines.append(
            f"| {r['file']} | {r['run']} | {r['seconds']:.1f} | {r['rate']:,.0f} | "
            f"{r['added']:,} | {r['duplicates']:,} | {r['refused']:,} | {r['peak_mib']:.0f} MiB | "
            + ", ".join(f"{k.strip('_')} {v:.1f} s" for k, v in r["phases"].items())
            + " |"
        )
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    lines += ["", f"Calls stored: {stored:,}; roll-up rows: {hours:,}. Load average at the end: "
              f"{load} ({os.cpu_count()} CPUs)."]  # fmt: skip
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{stamp}-calls-import.md").write_text("\n".join(lines) + "\n")
    (out / f"{stamp}-calls-import.json").write_text(json.dumps(results, indent=2))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
