"""Service-level clocks (R22, R10, R28): start, pause, resume, targets met, re-matching, the
ticket's due times, and recomputing after a policy or calendar change. See docs/sla.md.

Driven by the ticket's history events (``sla/handlers.py``), never by the views: every change
the ticket services record reaches the clocks the same way, after the change commits.
"""

from collections.abc import Iterable
from datetime import datetime

from django.db import connection, transaction
from django.db.models import Q

from ayuda.tickets.history import Step, events_record
from ayuda.tickets.models import EventAction, StateCategory, Ticket, TicketEvent

from .calendars import business_add, business_minutes
from .models import ClockState, Side, SlaClock, SlaEvent, SlaEventKind, SlaPolicy, SlaTarget
from .models import TargetKind as K
from .policies import policy_match

PAUSE_CUSTOMER = "pending_customer"
PAUSE_DELAY = "delay_reason"
PAUSE_VENDOR = "vendor"
# Changes of these fields re-match the desk policy (and the vendor's) and recompute the dues.
MATCH_FIELDS = frozenset({"priority", "category", "organisation", "site", "type", "channel"})


def policy_targets(policy: SlaPolicy) -> dict[str, int]:
    """The policy's targets, kind -> business minutes (only those it sets)."""
    targets = {
        K.FIRST_RESPONSE: policy.first_response_minutes,
        K.NEXT_UPDATE: policy.next_update_minutes,
        K.RESOLUTION: policy.resolution_minutes,
    }
    return {kind: minutes for kind, minutes in targets.items() if minutes}


def target_times(policy: SlaPolicy, target: SlaTarget) -> tuple[datetime, datetime | None]:
    """A running target's due time and warning time: start + minutes + paused business
    minutes; the warning at ``warn_percent`` of the time or ``warn_minutes_before`` the due
    time, whichever comes first."""
    calendar = policy.calendar
    start, paused = target.started_at, target.paused_minutes
    due = business_add(calendar, start, target.minutes + paused)
    warns = []
    if policy.warn_percent:
        warns.append(target.minutes * policy.warn_percent // 100)
    if policy.warn_minutes_before and policy.warn_minutes_before < target.minutes:
        warns.append(target.minutes - policy.warn_minutes_before)
    warn = business_add(calendar, start, min(warns) + paused) if warns else None
    return due, warn


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


class ClockWork:
    """The live clocks of one locked ticket while a batch of its events is applied; collects
    the rows to write and writes them at the end (a few queries per batch)."""

    def __init__(self, ticket: Ticket):
        self.ticket = ticket
        self.clocks: dict[str, SlaClock] = {}
        self.targets: dict[int, list[SlaTarget]] = {}
        clocks = list(
            SlaClock.objects.filter(ticket=ticket)
            .exclude(state=ClockState.STOPPED)
            .select_related("policy__calendar")
        )
        for clock in clocks:
            self.clocks[clock.side] = clock
            self.targets[clock.pk] = []
        if clocks:
            for target in SlaTarget.objects.filter(clock__in=clocks, met_at__isnull=True).order_by(
                "pk"
            ):
                self.targets[target.clock_id].append(target)
        self.dirty_clocks: set[int] = set()
        self.new_targets: list[SlaTarget] = []
        self.dirty_targets: dict[int, SlaTarget] = {}
        self.sla_events: list[SlaEvent] = []
        self.history: list[tuple[datetime, Step]] = []
        self.stopped: list[SlaClock] = []
        self.removed: list[SlaTarget] = []

    # -- recording ------------------------------------------------------------------------
    def event(self, clock, at, kind, target="", **data) -> None:
        self.sla_events.append(SlaEvent(clock=clock, at=at, kind=kind, target=target, data=data))

    def touch(self, target: SlaTarget) -> None:
        if target.pk is not None:
            self.dirty_targets[target.pk] = target

    def live_targets(self, clock: SlaClock) -> list[SlaTarget]:
        return [t for t in self.targets.get(clock.pk, []) if t.met_at is None]

    def target(self, clock: SlaClock, kind: str) -> SlaTarget | None:
        return next((t for t in self.live_targets(clock) if t.kind == kind), None)

    # -- clocks ---------------------------------------------------------------------------
    def start(self, *, side: str, at: datetime, vendor_id=None, first_response=True) -> None:
        if side in self.clocks:
            return
        policy = policy_match(ticket=self.ticket, side=side, vendor_id=vendor_id)
        if policy is None:
            return
        clock = SlaClock.objects.create(
            ticket=self.ticket,
            side=side,
            vendor_id=vendor_id,
            policy=policy,
            state=ClockState.RUNNING,
            started_at=at,
        )
        self.clocks[side] = clock
        self.targets[clock.pk] = []
        for kind, minutes in policy_targets(policy).items():
            if kind == K.FIRST_RESPONSE and not first_response:
                continue
            self.add_target(clock, kind, minutes, at)
        self.event(clock, at, SlaEventKind.STARTED, policy=policy.name, policy_id=policy.pk)

    def add_target(self, clock: SlaClock, kind: str, minutes: int, at: datetime) -> SlaTarget:
        target = SlaTarget(clock=clock, kind=kind, minutes=minutes, started_at=at)
        if clock.state == ClockState.RUNNING:
            target.due_at, target.warn_at = target_times(clock.policy, target)
        self.targets[clock.pk].append(target)
        self.new_targets.append(target)
        return target

    def met(self, clock: SlaClock | None, kind: str, at: datetime, restart=False) -> None:
        if clock is None:
            return
        target = self.target(clock, kind)
        if target is None:
            return
        target.met_at = at
        if target.breached_at is not None and target.due_at is not None:
            target.late_minutes = business_minutes(clock.policy.calendar, target.due_at, at)
        self.touch(target)
        self.event(clock, at, SlaEventKind.MET, target=kind, late=target.late_minutes)
        if restart:
            self.add_target(clock, kind, target.minutes, at)

    def stop(self, side: str, at: datetime, reason: str) -> None:
        clock = self.clocks.pop(side, None)
        if clock is None:
            return
        if clock.state == ClockState.PAUSED:
            self._resume_minutes(clock, at)
        clock.state, clock.stopped_at, clock.paused_at = ClockState.STOPPED, at, None
        self.dirty_clocks.add(clock.pk)
        self.stopped.append(clock)
        # Targets left unmet (a next update, a first response never given) end with the clock.
        for target in self.live_targets(clock):
            target.due_at = target.warn_at = None
            self.touch(target)
        self.event(clock, at, SlaEventKind.STOPPED, reason=reason)

    def reasons(self, side: str, *, add: str = "", remove: str = "", at: datetime, why=""):
        """Add or remove a pause reason; pause when the first comes, resume when none is left."""
        clock = self.clocks.get(side)
        if clock is None:
            return
        reasons = [r for r in clock.pause_reason.split(",") if r]
        before = bool(reasons)
        if add and add not in reasons:
            reasons.append(add)
        if remove and remove in reasons:
            reasons.remove(remove)
        clock.pause_reason = ",".join(reasons)
        self.dirty_clocks.add(clock.pk)
        if reasons and not before:
            clock.state, clock.paused_at = ClockState.PAUSED, at
            for target in self.live_targets(clock):
                target.due_at = target.warn_at = None
                self.touch(target)
            self.event(clock, at, SlaEventKind.PAUSED, reason=add, detail=why)
            if side == Side.DESK:
                self.history.append(
                    (at, Step(EventAction.CLOCK_PAUSED, new=add, data={"detail": why}))
                )
        elif before and not reasons:
            minutes = self._resume_minutes(clock, at)
            clock.state, clock.paused_at = ClockState.RUNNING, None
            for target in self.live_targets(clock):
                target.due_at, target.warn_at = target_times(clock.policy, target)
                self.touch(target)
            self.event(clock, at, SlaEventKind.RESUMED, reason=remove, paused_minutes=minutes)
            if side == Side.DESK:
                self.history.append(
                    (at, Step(EventAction.CLOCK_RESUMED, old=remove, data={"minutes": minutes}))
                )

    def _resume_minutes(self, clock: SlaClock, at: datetime) -> int:
        calendar = clock.policy.calendar
        total = business_minutes(calendar, clock.paused_at, at)
        clock.paused_minutes += total
        for target in self.live_targets(clock):
            target.paused_minutes += business_minutes(
                calendar, max(clock.paused_at, target.started_at), at
            )
            self.touch(target)
        return total

    def rematch(self, at: datetime, fields: list[str]) -> None:
        """Re-match the policies after a relevant change; unmet targets take the new minutes
        and due times (met and breached targets keep theirs: history). An active ticket
        without a desk clock (no policy matched before) starts one now if a policy matches."""
        if Side.DESK not in self.clocks and self.ticket.is_active:
            self.start(side=Side.DESK, at=at, first_response=self.ticket.first_response_at is None)
        for side, clock in list(self.clocks.items()):
            policy = policy_match(ticket=self.ticket, side=side, vendor_id=clock.vendor_id)
            if policy is None:
                self.stop(side, at, reason="no_policy")
                continue
            old_policy, clock.policy = clock.policy, policy
            self.dirty_clocks.add(clock.pk)
            wanted = policy_targets(policy)
            for target in self.live_targets(clock):
                if target.breached_at is not None:
                    continue
                old_minutes, old_due = target.minutes, target.due_at
                if target.kind not in wanted:
                    target.due_at = target.warn_at = None
                    target.met_at = None
                    self.targets[clock.pk].remove(target)
                    self.removed.append(target)
                    self.event(
                        clock, at, SlaEventKind.TARGET_CHANGED, target=target.kind,
                        removed=True, policy=policy.name, fields=fields,
                    )  # fmt: skip
                    continue
                target.minutes = wanted[target.kind]
                if clock.state == ClockState.RUNNING:
                    target.due_at, target.warn_at = target_times(policy, target)
                if (target.minutes, target.due_at) != (old_minutes, old_due) or (
                    old_policy != policy
                ):
                    self.touch(target)
                    self.event(
                        clock, at, SlaEventKind.TARGET_CHANGED, target=target.kind,
                        fields=fields, policy=policy.name,
                        from_policy=getattr(old_policy, "name", ""),
                        from_minutes=old_minutes, to_minutes=target.minutes,
                        from_due=_iso(old_due), to_due=_iso(target.due_at),
                    )  # fmt: skip

    # -- writing --------------------------------------------------------------------------
    def save(self) -> None:
        clocks = [c for c in self.clocks.values() if c.pk in self.dirty_clocks]
        clocks += self.stopped
        if clocks:
            SlaClock.objects.bulk_update(
                clocks,
                ["policy", "state", "paused_at", "pause_reason", "paused_minutes", "stopped_at"],
            )
        removed = self.removed
        if removed:
            SlaTarget.objects.filter(pk__in=[t.pk for t in removed if t.pk]).delete()
        if self.dirty_targets:
            SlaTarget.objects.bulk_update(
                list(self.dirty_targets.values()),
                [
                    "minutes", "due_at", "warn_at", "met_at", "late_minutes",
                    "paused_minutes",
                ],
            )  # fmt: skip
        new = [t for t in self.new_targets if t.pk is None and t not in removed]
        if new:
            SlaTarget.objects.bulk_create(new)
        if self.sla_events:
            SlaEvent.objects.bulk_create(self.sla_events)
        if self.history:
            for at, step in self.history:
                events_record(ticket=self.ticket, actor_id=None, at=at, steps=[step])
        updates = ticket_due_fields(self)
        if self.history:
            updates |= {
                "history_seq": self.ticket.history_seq,
                "history_head": self.ticket.history_head,
            }
        Ticket.objects.filter(pk=self.ticket.pk).update(**updates)


def ticket_due_fields(work: "ClockWork") -> dict:
    """The ticket's nearest due times from its live clocks (NULL while paused)."""
    desk, vendor = work.clocks.get(Side.DESK), work.clocks.get(Side.VENDOR)
    dues = {}
    if desk is not None:
        for target in work.live_targets(desk):
            dues.setdefault(target.kind, target.due_at)
    fields = {
        "sla_policy": desk.policy if desk else None,
        "first_response_due_at": dues.get(K.FIRST_RESPONSE),
        "next_update_due_at": dues.get(K.NEXT_UPDATE),
        "resolution_due_at": dues.get(K.RESOLUTION),
    }
    present = [d for d in dues.values() if d is not None]
    fields["sla_due_at"] = min(present) if present else None
    vendor_dues = [t.due_at for t in work.live_targets(vendor) if t.due_at] if vendor else []
    fields["vendor_due_at"] = min(vendor_dues) if vendor_dues else None
    return fields


RELEVANT = frozenset(
    {
        EventAction.CREATED,
        EventAction.CHANGED,
        EventAction.ARTICLE_ADDED,
        EventAction.ESCALATED,
        EventAction.HANDED_BACK,
        EventAction.REOPENED,
    }
)


def sla_events_apply(*, ticket_id: int, events: Iterable[TicketEvent]) -> None:
    """Apply one batch of a ticket's history events to its clocks, in one transaction."""
    events = sorted(events, key=lambda e: e.seq)
    if not any(_relevant(e) for e in events):
        return
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update(of=("self",)).get(pk=ticket_id)
        work = ClockWork(ticket)
        match_fields: list[str] = []
        at = events[-1].at
        for event in events:
            _apply(work, event, match_fields)
        if match_fields:
            work.rematch(at, match_fields)
        work.save()


def _relevant(event: TicketEvent) -> bool:
    if event.action not in RELEVANT:
        return False
    if event.action == EventAction.CHANGED:
        return event.field in MATCH_FIELDS or event.field in ("state", "delay_reason")
    return True


def _apply(work: ClockWork, event: TicketEvent, match_fields: list[str]) -> None:
    at, data, action = event.at, event.data or {}, event.action
    desk = lambda: work.clocks.get(Side.DESK)  # noqa: E731
    vendor = lambda: work.clocks.get(Side.VENDOR)  # noqa: E731
    if action == EventAction.CREATED:
        work.start(side=Side.DESK, at=at)
    elif action == EventAction.CHANGED and event.field == "state":
        to, came = data.get("to_category"), data.get("from_category")
        if to in (StateCategory.RESOLVED, StateCategory.CLOSED):
            work.met(desk(), K.RESOLUTION, at)
            work.met(vendor(), K.RESOLUTION, at)
            work.stop(Side.VENDOR, at, reason=to)
            work.stop(Side.DESK, at, reason=to)
        elif came in (StateCategory.RESOLVED, StateCategory.CLOSED):
            # Reopened: a new desk clock from now, without a first-response target (the
            # customer had one); the old clock's met resolution stays as it was.
            work.start(side=Side.DESK, at=at, first_response=False)
        if to == StateCategory.PENDING_CUSTOMER:
            work.reasons(Side.DESK, add=PAUSE_CUSTOMER, at=at)
        else:
            work.reasons(Side.DESK, remove=PAUSE_CUSTOMER, at=at)
    elif action == EventAction.CHANGED and event.field == "delay_reason":
        if event.new_value:
            work.reasons(Side.DESK, add=PAUSE_DELAY, at=at, why=event.new_value)
        else:
            work.reasons(Side.DESK, remove=PAUSE_DELAY, at=at, why=event.old_value)
    elif action == EventAction.CHANGED and event.field in MATCH_FIELDS:
        match_fields.append(event.field)
    elif action == EventAction.ARTICLE_ADDED:
        role, internal = data.get("sender_role"), data.get("internal")
        if role == "agent" and not internal:
            work.met(desk(), K.FIRST_RESPONSE, at)
            work.met(desk(), K.NEXT_UPDATE, at, restart=True)
        elif role == "system" and not internal:
            # a public message from Ayuda (a courtesy status update) keeps the customer informed
            work.met(desk(), K.NEXT_UPDATE, at, restart=True)
        elif role == "vendor":
            work.met(vendor(), K.FIRST_RESPONSE, at)
            work.met(vendor(), K.NEXT_UPDATE, at, restart=True)
    elif action == EventAction.ESCALATED and data.get("to_level") == "vendor":
        work.stop(Side.VENDOR, at, reason="escalated_again")
        work.start(side=Side.VENDOR, at=at, vendor_id=data.get("vendor_id"))
        clock = desk()
        if clock is not None and clock.policy.pause_while_vendor:
            work.reasons(Side.DESK, add=PAUSE_VENDOR, at=at)
    elif action == EventAction.HANDED_BACK and event.old_value == "vendor":
        work.met(vendor(), K.RESOLUTION, at)
        work.stop(Side.VENDOR, at, reason="handed_back")
        work.reasons(Side.DESK, remove=PAUSE_VENDOR, at=at)


def sla_recompute(*, calendar=None, policy=None, batch: int = 2000) -> int:
    """Recompute the due and warning times of the live, unmet targets of the clocks under
    ``policy`` or under any policy on ``calendar`` (after the admin changed it), in bulk; then
    the tickets' due times. Met and breached targets are never rewritten. Returns the number
    of targets recomputed."""
    policies = SlaPolicy.objects.select_related("calendar")
    if policy is not None:
        policies = policies.filter(pk=policy.pk)
    if calendar is not None:
        policies = policies.filter(calendar=calendar)
    policies = {p.pk: p for p in policies}
    if not policies:
        return 0
    done, last = 0, 0
    live = Q(
        clock__policy__in=list(policies),
        clock__state=ClockState.RUNNING,
        met_at__isnull=True,
        breached_at__isnull=True,
    )
    while True:
        targets = list(
            SlaTarget.objects.filter(live, pk__gt=last)
            .select_related("clock")
            .order_by("pk")[:batch]
        )
        if not targets:
            break
        last = targets[-1].pk
        tickets: set[int] = set()
        for target in targets:
            policy = policies[target.clock.policy_id]
            target.minutes = policy_targets(policy).get(target.kind, target.minutes)
            target.due_at, target.warn_at = target_times(policy, target)
            tickets.add(target.clock.ticket_id)
        with transaction.atomic():
            rows_update(
                SlaTarget,
                ["minutes", "due_at", "warn_at"],
                [(t.pk, t.minutes, t.due_at, t.warn_at) for t in targets],
            )
            tickets_due_refresh(ticket_ids=tickets)
        done += len(targets)
    return done


def tickets_due_refresh(*, ticket_ids: Iterable[int]) -> None:
    """Rewrite the tickets' due columns from their live targets (two queries and one
    bulk update)."""
    ticket_ids = list(ticket_ids)
    rows = SlaTarget.objects.filter(
        clock__ticket_id__in=ticket_ids,
        met_at__isnull=True,
        clock__state__in=[ClockState.RUNNING, ClockState.PAUSED],
    ).values_list("clock__ticket_id", "clock__side", "kind", "due_at")
    fields = {
        pk: {
            "first_response_due_at": None,
            "next_update_due_at": None,
            "resolution_due_at": None,
            "vendor_due_at": None,
        }
        for pk in ticket_ids
    }
    for ticket_id, side, kind, due in rows:
        if due is None:
            continue
        row = fields[ticket_id]
        if side == Side.VENDOR:
            row["vendor_due_at"] = min(d for d in (row["vendor_due_at"], due) if d)
        else:
            row[f"{kind}_due_at"] = due
    columns = ["first_response_due_at", "next_update_due_at", "resolution_due_at"]
    rows = []
    for pk, row in fields.items():
        dues = [row[c] for c in columns if row[c]]
        rows.append(
            (pk, *(row[c] for c in columns), row["vendor_due_at"], min(dues) if dues else None)
        )
    rows_update(Ticket, [*columns, "vendor_due_at", "sla_due_at"], rows)


def rows_update(model, fields: list[str], rows: list[tuple]) -> None:
    """``UPDATE`` many rows by primary key, each with its own values, in one statement on
    PostgreSQL (``UPDATE ... FROM (VALUES ...)``; Django's ``bulk_update`` builds a CASE per
    column and row, ten times slower at 2,000 rows), ``executemany`` elsewhere. ``rows`` are
    ``(pk, value, ...)`` in ``fields`` order."""
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    meta = {f: model._meta.get_field(f) for f in fields}
    columns = [quote(meta[f].column) for f in fields]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            casts = [meta[f].db_type(connection) for f in fields]
            first = "(%s::bigint, " + ", ".join(f"%s::{c}" for c in casts) + ")"
            rest = "(" + ", ".join(["%s"] * (len(fields) + 1)) + ")"
            values = ", ".join([first] + [rest] * (len(rows) - 1))
            sets = ", ".join(f"{c} = v.{c}" for c in columns)
            cursor.execute(
                f"UPDATE {table} SET {sets} FROM (VALUES {values}) "  # noqa: S608
                f"AS v(pk, {', '.join(columns)}) WHERE {table}.id = v.pk",
                [value for row in rows for value in row],
            )
        else:
            sets = ", ".join(f"{c} = %s" for c in columns)
            cursor.executemany(
                f"UPDATE {table} SET {sets} WHERE id = %s",  # noqa: S608
                [(*row[1:], row[0]) for row in rows],
            )
