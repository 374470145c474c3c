#!/usr/bin/env python
"""Benchmark: business-time arithmetic (R22, ``sla/calendars.py``), no database needed.

    .venv/bin/python bench/bench_calendars.py [--n 10000]

For each calendar (Madrid office hours with Spanish and Madrid holidays, a Rome office with
lunch break and Italian holidays, a New York night shift, 24x7x365) and each target (1, 8
and 40 business hours), it computes ``business_add`` for ``--n`` start instants spread over
2026 and 2027 (DST days included), first with an empty cache (cold: holidays and each day's
open intervals are worked out) and then again (warm), and ``business_minutes`` from each start
to its due time. Prints microseconds per call; ``docs/sla.md`` records the results.
"""

import argparse
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ayuda.config.settings.test")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

settings.AYUDA_CALENDAR_CACHE_SECONDS = 60  # as in production (the test settings say 0)

from ayuda.sla.calendars import (  # noqa: E402
    business_add,
    business_minutes,
    calendar_cache_clear,
    holidays_of_year,
)
from ayuda.sla.models import Calendar  # noqa: E402

WEEK = ("mon", "tue", "wed", "thu", "fri")
# Unsaved calendars: the arithmetic is the same; a saved one also re-reads its closing days
# (one query) once per AYUDA_CALENDAR_CACHE_SECONDS in each process.
CALENDARS = {
    "Madrid 09-18, ES-MD": Calendar(
        name="madrid",
        timezone="Europe/Madrid",
        hours={d: [["09:00", "18:00"]] for d in WEEK},
        holiday_country="ES",
        holiday_subdivision="MD",
    ),
    "Rome 09-13 14-18, IT": Calendar(
        name="rome",
        timezone="Europe/Rome",
        hours={d: [["09:00", "13:00"], ["14:00", "18:00"]] for d in WEEK},
        holiday_country="IT",
    ),
    "New York 22-06, US-NY": Calendar(
        name="ny",
        timezone="America/New_York",
        hours={d: [["22:00", "06:00"]] for d in WEEK},
        holiday_country="US",
        holiday_subdivision="NY",
    ),
    "24x7x365": Calendar(name="24x7", timezone="UTC", always_open=True),
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=10_000)
    args = parser.parse_args()
    rng = random.Random(11)
    origin = datetime(2026, 1, 1, tzinfo=UTC)
    starts = [origin + timedelta(minutes=rng.randrange(2 * 365 * 1440)) for _ in range(args.n)]
    print(f"{args.n} start instants over 2026-2027; microseconds per call")
    print("| calendar | target | add cold | add warm | minutes warm |")
    print("|---|---|---|---|---|")
    for label, calendar in CALENDARS.items():
        for hours in (1, 8, 40):
            calendar_cache_clear()
            holidays_of_year.cache_clear()
            began = time.perf_counter()
            dues = [business_add(calendar, start, hours * 60) for start in starts]
            cold = time.perf_counter() - began
            began = time.perf_counter()
            for start in starts:
                business_add(calendar, start, hours * 60)
            warm = time.perf_counter() - began
            began = time.perf_counter()
            for start, due in zip(starts, dues, strict=True):
                assert business_minutes(calendar, start, due) == hours * 60
            spent = time.perf_counter() - began
            print(
                f"| {label} | {hours} h | {cold / args.n * 1e6:.1f} | "
                f"{warm / args.n * 1e6:.1f} | {spent / args.n * 1e6:.1f} |"
            )


if __name__ == "__main__":
    main()
