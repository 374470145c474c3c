"""The demo's phone records (issue 13): a few weeks of an Asterisk queue log with a help desk's
weekly shape, imported through the phone system's own import, as a manager would upload it.

The shape (Europe/Madrid): a Monday-morning peak, a lunch dip from 13 to 15 h, quiet evenings,
almost nothing at weekends. The desk answers with a fixed rota (WAITING_AGENTS per hour), so at
the peaks callers wait longer and more of them hang up or time out. A share of the callers are
the demo's requesters (their ``phone`` set here), and every phone ticket of those weeks gets
its call a few minutes before it was logged: the import links them.
"""

import math
import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ayuda.accounts.models import User
from ayuda.intake.phone.models import CallImport, CallSource, SourceKind
from ayuda.tickets.models import Channel, Ticket

from .data.desk import REQUESTERS

SEED = 20261201
ZONE = ZoneInfo("Europe/Madrid")
WEEKS = 5
SOURCE_NAME = "Centralita"
QUEUES = (("soporte", 0.75), ("tiendas", 0.25))
# Calls expected per hour at a weekday's hour, before the weekday's factor.
HOURLY = {
    8: 2.0, 9: 6.0, 10: 8.0, 11: 7.0, 12: 5.5, 13: 3.0, 14: 2.5, 15: 4.5, 16: 5.0,
    17: 4.0, 18: 2.2, 19: 1.0, 20: 0.4, 21: 0.2,
}  # fmt: skip
WEEKDAY = {0: 1.45, 1: 1.1, 2: 1.0, 3: 1.0, 4: 0.85, 5: 0.05, 6: 0.02}
# Agents on the phones per hour (the rota): the same every weekday.
AGENTS = {8: 1, 9: 2, 10: 2, 11: 2, 12: 2, 13: 1, 14: 1, 15: 2, 16: 2, 17: 2, 18: 1, 19: 1}
HANDLE_SECONDS = 360  # an agent's average call
# The demo requesters' numbers (the import matches a call to a user by the last nine digits).
PHONES = {name: f"+34 91 555 {10 + i:02d} {20 + 3 * i:02d}" for i, name in enumerate(REQUESTERS)}


def _poisson(rng: random.Random, mean: float) -> int:
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _call_lines(rng: random.Random, n: int, at: datetime, queue: str, caller: str,
                load: float, outcome: str | None = None) -> list[str]:  # fmt: skip
    """One call's queue_log lines (``epoch|callid|queue|agent|event|data…``)."""
    start = int(at.timestamp())
    callid = f"demo-{start}.{n}"
    # Waits grow with the load (calls per agent-hour against what an agent can take).
    mean_wait = 8 + 90 * max(0.0, load - 0.6) ** 1.5
    wait = int(rng.expovariate(1 / mean_wait))
    patience = rng.expovariate(1 / 75)
    if outcome is None:
        if wait > 240:
            outcome, wait = "timeout", 240
        elif patience < wait:
            outcome, wait = "abandoned", max(1, int(patience))
        else:
            outcome = "answered"
    lines = [f"{start}|{callid}|{queue}|NONE|ENTERQUEUE||{caller}|1"]
    if outcome == "answered":
        agent = rng.choice(("PJSIP/lucia", "PJSIP/marco", "PJSIP/ana-desk"))
        talk = max(20, int(rng.gauss(HANDLE_SECONDS, 120)))
        end = rng.choice(("COMPLETEAGENT", "COMPLETECALLER"))
        lines.append(f"{start + wait}|{callid}|{queue}|{agent}|CONNECT|{wait}|{callid}.1|3")
        lines.append(f"{start + wait + talk}|{callid}|{queue}|{agent}|{end}|{wait}|{talk}|1")
    elif outcome == "abandoned":
        lines.append(f"{start + wait}|{callid}|{queue}|NONE|ABANDON|1|1|{wait}")
    else:
        lines.append(f"{start + wait}|{callid}|{queue}|NONE|EXITWITHTIMEOUT|1|1|{wait}")
    return lines


def queue_log_text(*, first_day: date, days: int, tickets: list[tuple[datetime, str]]) -> str:
    """The queue log of ``days`` days from ``first_day`` (Madrid), plus an answered call a few
    minutes before each of ``tickets`` ((logged at, caller's number))."""
    rng = random.Random(SEED)
    strangers = [f"+34 6{rng.randrange(10**7, 10**8)}" for _ in range(400)]
    known = list(PHONES.values())
    calls: list[tuple[int, list[str]]] = []
    n = 0
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        for hour, base in HOURLY.items():
            mean = base * WEEKDAY[day.weekday()]
            count = _poisson(rng, mean)
            load = count * HANDLE_SECONDS / 3600 / max(1, AGENTS.get(hour, 0))
            if hour not in AGENTS:
                load = 3.0  # nobody on the phones: callers wait until they give up
            for _ in range(count):
                at = datetime.combine(day, time(hour), tzinfo=ZONE) + timedelta(
                    seconds=rng.randrange(3600)
                )
                caller = rng.choice(known) if rng.random() < 0.2 else rng.choice(strangers)
                queue = rng.choices([q for q, _w in QUEUES], [w for _q, w in QUEUES])[0]
                n += 1
                calls.append((int(at.timestamp()), _call_lines(rng, n, at, queue, caller, load)))
    for logged_at, caller in tickets:
        n += 1
        at = logged_at - timedelta(seconds=rng.randrange(240, 600))
        lines = _call_lines(rng, n, at, "soporte", caller, 0.5, outcome="answered")
        calls.append((int(at.timestamp()), lines))
    lines = [line for _start, call in sorted(calls) for line in call]
    return "\n".join(sorted(lines, key=lambda line: int(line.split("|", 1)[0]))) + "\n"


def calls_load(*, now: datetime) -> CallImport:
    """The phone system "Centralita" and WEEKS whole weeks of its queue log up to yesterday."""
    from ayuda.intake.phone.services import calls_import

    for username, phone in PHONES.items():
        User.objects.filter(username=username, phone="").update(phone=phone)
    today = now.astimezone(ZONE).date()
    first_day = today - timedelta(days=today.weekday() + 7 * WEEKS)  # a Monday
    since = datetime.combine(first_day, time.min, tzinfo=ZONE)
    phone_tickets = [
        (created_at, phone)
        for created_at, username in Ticket.objects.filter(
            channel=Channel.PHONE, created_at__gte=since, created_at__lt=now
        ).values_list("created_at", "requester__username")
        if (phone := PHONES.get(username))
    ]
    text = queue_log_text(first_day=first_day, days=(today - first_day).days, tickets=phone_tickets)
    source, _created = CallSource.objects.get_or_create(
        name=SOURCE_NAME,
        defaults={"kind": SourceKind.ASTERISK_QUEUE_LOG, "timezone": "Europe/Madrid"},
    )
    return calls_import(source=source, data=text.encode(), filename="queue_log")
