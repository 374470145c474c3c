"""How the workspace shows service levels: the queue's "due" badge, the ticket's SLA panel
(each clock, its targets and its timeline in readable words) in the reader's time zone.

Display only: the clocks, targets and due times are the sla app's (``sla.services``).
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ayuda.sla.models import ClockState, Side, SlaEventKind, TargetKind
from ayuda.sla.selectors import ClockPanel
from ayuda.tickets.models import DelayReason, Priority, StateCategory, Ticket

from .presenters import age_text, value_label

PAUSED_STATES = frozenset({StateCategory.PENDING_CUSTOMER, StateCategory.PENDING_VENDOR})


@dataclass(frozen=True)
class DueBadge:
    text: str
    css: str  # "due", "soon", "overdue", "breached", "paused"
    title: str = ""


def _when(moment: datetime, zone: tzinfo) -> str:
    return timezone.localtime(moment, zone).strftime("%Y-%m-%d %H:%M")


def _minutes(a: datetime, b: datetime) -> int:
    return max(int((b - a).total_seconds() // 60), 0)


def due_badge(ticket: Ticket, now: datetime, zone: tzinfo | None = None) -> DueBadge | None:
    """From the ticket row alone (no query): "due in 2 h 10 min", "overdue 35 min",
    "breached" or "paused"; None for a finished ticket or one without a service level."""
    if not ticket.is_active:
        return None
    zone = zone or timezone.get_current_timezone()
    due, breached = ticket.sla_due_at, ticket.sla_breached_at
    zone_name = getattr(zone, "key", str(zone))
    title = ""
    if due is not None:
        title = _("Due %(when)s (%(tz)s)") % {"when": _when(due, zone), "tz": zone_name}
    if breached is not None:
        text = _("breached")
        if due is not None and due <= now:
            text = _("breached · overdue %(time)s") % {"time": age_text(now - due)}
        elif due is not None:
            text = _("breached · next due in %(time)s") % {"time": age_text(due - now)}
        breached_title = _("Breached %(when)s (%(tz)s)") % {
            "when": _when(breached, zone),
            "tz": zone_name,
        }
        return DueBadge(text, "breached", f"{breached_title}. {title}".strip(". "))
    if due is not None:
        if due <= now:
            return DueBadge(_("overdue %(time)s") % {"time": age_text(now - due)}, "overdue", title)
        css = "soon" if _minutes(now, due) < 60 else "due"
        return DueBadge(_("due in %(time)s") % {"time": age_text(due - now)}, css, title)
    if ticket.sla_policy_id is not None and (
        ticket.delay_reason or ticket.state_category in PAUSED_STATES
    ):
        return DueBadge(_("paused"), "paused", _("The service-level clock is paused."))
    return None


# The SLA panel ----------------------------------------------------------------------------------

# Why a clock paused (``SlaClock.pause_reason``, an event's ``data["reason"]``).
PAUSE_REASONS = {
    "pending_customer": gettext_lazy("waiting on the customer"),
    "customer": gettext_lazy("waiting on the customer"),
    "pending_vendor": gettext_lazy("waiting on the vendor"),
    "vendor": gettext_lazy("waiting on the vendor"),
    "resolved": gettext_lazy("resolved"),
    "closed": gettext_lazy("closed"),
    "no_policy": gettext_lazy("no policy applies any more"),
    "escalated_again": gettext_lazy("escalated to another vendor"),
    "handed_back": gettext_lazy("handed back by the vendor"),
}
TARGET_FIELDS = {
    "priority": gettext_lazy("priority"),
    "category": gettext_lazy("category"),
    "state": gettext_lazy("state"),
    "organisation": gettext_lazy("organisation"),
    "policy": gettext_lazy("policy"),
    "calendar": gettext_lazy("calendar"),
    "site": gettext_lazy("site"),
    "type": gettext_lazy("type"),
}


def pause_reason_label(reason: str) -> str:
    """A pause reason code as words: a state, a delay reason (R28, bare or as
    ``delay_reason:<code>``), or the code itself when unknown."""
    if not reason:
        return ""
    if "," in reason:  # a clock paused for several reasons at once (sla.services)
        return ", ".join(pause_reason_label(r) for r in reason.split(",") if r)
    code = reason.removeprefix("delay_reason:").removeprefix("delay:")
    if code in DelayReason.values:
        return str(DelayReason(code).label)
    if code == "delay_reason":
        return str(_("a delay reason"))
    return str(PAUSE_REASONS.get(reason, reason))


def _target_label(kind: str) -> str:
    try:
        return str(TargetKind(kind).label)
    except ValueError:
        return kind


def _change_value(field_name: str, value) -> str:
    if value in (None, ""):
        return "—"
    if field_name == "priority":
        try:
            return str(Priority(int(value)).label)
        except (ValueError, TypeError):
            return str(value)
    return value_label(field_name, str(value)) or str(value)


def event_text(kind: str, target: str, data: dict, zone: tzinfo) -> str:
    """One line of a clock's timeline: "Paused: waiting on the customer", "Target changed:
    priority High → Urgent", "Breached: Resolution, 35 min late"."""
    data = data or {}
    label = _choice(SlaEventKind, kind)
    parts = []
    if target:
        parts.append(_target_label(target))
    reason = data.get("reason") or ""
    if reason == "delay_reason" and data.get("detail") in DelayReason.values:
        reason = data["detail"]  # sla.services: the delay reason's own code in "detail"
    if kind == SlaEventKind.STARTED and data.get("policy"):
        parts.append(str(data["policy"]))
    elif kind == SlaEventKind.PAUSED and reason:
        parts.append(pause_reason_label(reason))
    elif kind == SlaEventKind.TARGET_CHANGED and data.get("removed"):
        parts.append(str(_("no longer a target")))
    elif kind == SlaEventKind.TARGET_CHANGED and "to_minutes" in data:
        # sla.services: the policy (and the fields whose change re-matched it), the minutes
        if data.get("from_policy") and data.get("from_policy") != data.get("policy"):
            parts.append(
                _("policy %(old)s → %(new)s")
                % {"old": data["from_policy"], "new": data.get("policy", "")}
            )
        names = [str(TARGET_FIELDS.get(n, n)) for n in data.get("fields") or []]
        if names:
            parts.append(_("after a change of %(fields)s") % {"fields": ", ".join(names)})
        if data.get("from_minutes") != data.get("to_minutes"):
            parts.append(
                _("%(old)s → %(new)s business minutes")
                % {"old": data.get("from_minutes"), "new": data.get("to_minutes")}
            )
        due = data.get("to_due")
        if due:
            moment = datetime.fromisoformat(due) if isinstance(due, str) else due
            parts.append(_("now due %(when)s") % {"when": _when(moment, zone)})
    elif kind == SlaEventKind.TARGET_CHANGED:
        name = data.get("field") or ""
        if name:
            old = data.get("old", data.get("from"))
            new = data.get("new", data.get("to"))
            parts.append(
                _("%(field)s %(old)s → %(new)s")
                % {
                    "field": TARGET_FIELDS.get(name, name),
                    "old": _change_value(name, old),
                    "new": _change_value(name, new),
                }
            )
        elif reason:
            parts.append(str(reason))
        due = data.get("due_at")
        if due:
            moment = datetime.fromisoformat(due) if isinstance(due, str) else due
            parts.append(_("now due %(when)s") % {"when": _when(moment, zone)})
    elif reason:
        parts.append(pause_reason_label(reason))
    late = data.get("late_minutes", data.get("late"))
    if kind == SlaEventKind.BREACHED and late:
        parts.append(_("%(time)s late") % {"time": _late(int(late))})
    return f"{label}: {', '.join(parts)}" if parts else str(label)


def _choice(choices, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _late(minutes: int) -> str:
    return age_text(timedelta(minutes=minutes))


@dataclass
class TargetLine:
    kind: str
    due: str
    status: str
    css: str


@dataclass
class ClockView:
    title: str
    policy: str
    state: str
    state_css: str
    paused_reason: str
    targets: list[TargetLine] = field(default_factory=list)
    events: list[tuple[str, str]] = field(default_factory=list)  # (when, text)


def clock_views(panels: list[ClockPanel], now: datetime, zone: tzinfo) -> list[ClockView]:
    views = []
    for panel in panels:
        clock = panel.clock
        if clock.side == Side.DESK:
            title = _("Our clock")
        else:
            title = _("Vendor's clock: %(vendor)s") % {
                "vendor": clock.vendor.name if clock.vendor else "—"
            }
        targets = []
        for target in panel.targets:
            due = _when(target.due_at, zone) if target.due_at else "—"
            if target.breached_at is not None:
                late = target.late_minutes
                if late is None and target.due_at:
                    late = _minutes(target.due_at, target.met_at or target.breached_at)
                status = (
                    _("breached, %(time)s late") % {"time": _late(late)} if late else _("breached")
                )
                if target.met_at:
                    status += " · " + _("met %(when)s") % {"when": _when(target.met_at, zone)}
                css = "breached"
            elif target.met_at is not None:
                status, css = _("met %(when)s") % {"when": _when(target.met_at, zone)}, "met"
            elif target.due_at is None:
                status, css = _("paused"), "paused"
            elif target.due_at <= now:
                status = _("overdue %(time)s") % {"time": age_text(now - target.due_at)}
                css = "overdue"
            else:
                status = _("due in %(time)s") % {"time": age_text(target.due_at - now)}
                css = "due"
            targets.append(TargetLine(_target_label(target.kind), due, status, css))
        views.append(
            ClockView(
                title=title,
                policy=clock.policy.name if clock.policy else _("no policy"),
                state=_choice(ClockState, clock.state),
                state_css=clock.state,
                paused_reason=pause_reason_label(clock.pause_reason)
                if clock.state == ClockState.PAUSED
                else "",
                targets=targets,
                events=[
                    (_when(e.at, zone), event_text(e.kind, e.target, e.data, zone))
                    for e in panel.events
                ],
            )
        )
    return views
