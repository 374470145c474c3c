"""Reads for the service-level views: a ticket's clocks for its SLA panel, and the compliance
summary per policy, team and vendor (R22). The clocks and targets are written by
``sla.services``; nothing here writes."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, F, Q

from ayuda.accounts.models import User
from ayuda.tickets.models import Ticket

from .models import Side, SlaClock, SlaEvent, SlaTarget


@dataclass
class ClockPanel:
    clock: SlaClock
    targets: list[SlaTarget] = field(default_factory=list)
    events: list[SlaEvent] = field(default_factory=list)


def ticket_sla_clocks(*, user: User, ticket: Ticket) -> list[ClockPanel]:
    """The ticket's clocks with their targets and timelines, ours first, then the vendors' by
    start. The help desk sees every clock; a vendor agent only its own vendor's clocks;
    anybody else none. Two queries: the targets and the events, each with its clock, its
    policy and its vendor (a clock always has its "started" event, so none is missed)."""
    clocks = SlaClock.objects.filter(ticket_id=ticket.pk)
    if user.is_vendor_agent:
        if not user.vendor_id:
            return []
        clocks = clocks.filter(side=Side.VENDOR, vendor_id=user.vendor_id)
    elif not user.is_helpdesk:
        return []
    related = ("clock__policy", "clock__vendor")
    in_clocks = Q(clock__in=clocks)
    targets = SlaTarget.objects.filter(in_clocks).select_related(*related).order_by("id")
    events = SlaEvent.objects.filter(in_clocks).select_related(*related).order_by("at", "id")
    panels: dict[int, ClockPanel] = {}
    for target in targets:
        panels.setdefault(target.clock_id, ClockPanel(target.clock)).targets.append(target)
    for event in events:
        panels.setdefault(event.clock_id, ClockPanel(event.clock)).events.append(event)
    return sorted(
        panels.values(),
        key=lambda p: (p.clock.side != Side.DESK, p.clock.started_at, p.clock.pk),
    )


# Compliance -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ComplianceFilters:
    """Targets due in [``since``, ``until``) (aware datetimes: the caller turns the user's days
    into instants in their time zone), of a policy, a ticket's team, a vendor."""

    since: datetime | None = None
    until: datetime | None = None
    policy: int | None = None
    team: int | None = None
    vendor: int | None = None


@dataclass(frozen=True)
class ComplianceRow:
    key: int | None
    name: str
    met: int  # met on time
    breached: int  # breached, met late or not at all
    open: int  # neither yet

    @property
    def decided(self) -> int:
        return self.met + self.breached

    @property
    def on_time_percent(self) -> float | None:
        """The share of decided targets met on time; None when none is decided yet."""
        return None if not self.decided else round(100 * self.met / self.decided, 1)


GROUPS = {
    # name: (the id column, the name column, an extra condition)
    "policy": ("clock__policy_id", "clock__policy__name", Q()),
    "team": ("clock__ticket__team_id", "clock__ticket__team__name", Q(clock__side=Side.DESK)),
    "vendor": ("clock__vendor_id", "clock__vendor__name", Q(clock__side=Side.VENDOR)),
}


def _targets(filters: ComplianceFilters):
    targets = SlaTarget.objects.filter(due_at__isnull=False)
    if filters.since is not None:
        targets = targets.filter(due_at__gte=filters.since)
    if filters.until is not None:
        targets = targets.filter(due_at__lt=filters.until)
    if filters.policy is not None:
        targets = targets.filter(clock__policy_id=filters.policy)
    if filters.team is not None:
        targets = targets.filter(clock__ticket__team_id=filters.team)
    if filters.vendor is not None:
        targets = targets.filter(clock__vendor_id=filters.vendor)
    return targets


def sla_compliance(*, group: str, filters: ComplianceFilters) -> list[ComplianceRow]:
    """Targets met on time, breached and still open, per policy, team or vendor: one GROUP BY
    query. A target counts by its due time; met late counts as breached."""
    key, name, condition = GROUPS[group]
    rows = (
        _targets(filters)
        .filter(condition)
        .values(key_id=F(key), key_name=F(name))
        .annotate(
            met=Count("pk", filter=Q(met_at__isnull=False, breached_at__isnull=True)),
            breached=Count("pk", filter=Q(breached_at__isnull=False)),
            open=Count("pk", filter=Q(met_at__isnull=True, breached_at__isnull=True)),
        )
        .order_by("key_name", "key_id")
    )
    return [
        ComplianceRow(
            key=row["key_id"],
            name=row["key_name"] or "",
            met=row["met"],
            breached=row["breached"],
            open=row["open"],
        )
        for row in rows
    ]
