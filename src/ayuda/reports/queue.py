"""The figures a queue link can name (``?figure=…``): each narrows the queue to the tickets
behind one number of a report, through the reports' own roll-up. The queue applies its other
filters (dates, organisation, …) and the viewer's permissions as always.

    fcr                   resolved at the first contact
    escalated:l2          ever escalated to level 2
    escalated:vendor[:ID] ever escalated to a vendor (that vendor)
    reopened              reopened at least once
    resolved              resolved (first resolution) at all
    responded             with a first response
    how:D:H               created on weekday D (1 Monday … 7 Sunday) at hour H, viewer's zone
    age:A:B               active and created between A and B days ago (B empty: older than A)
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ayuda.tickets.models import ACTIVE

from .models import TicketFact

MAX_AGE_DAYS = 36500


@dataclass(frozen=True)
class Figure:
    where: Q
    label: str  # what the queue says it shows ("Resolved at the first contact")


def _facts(**lookups) -> Q:
    return Q(pk__in=TicketFact.objects.filter(**lookups).values("ticket_id"))


def _int(text: str, low: int, high: int) -> int | None:
    if not text.isdigit() or len(text) > 6:
        return None
    value = int(text)
    return value if low <= value <= high else None


def figure_filter(name: str) -> Figure | None:
    """The figure ``name`` as a filter on tickets, or None when it is not one (the queue then
    shows its other filters only)."""
    parts = (name or "").strip().split(":")
    head, args = parts[0], parts[1:]
    simple = {
        "fcr": (dict(fcr=True), _("Resolved at the first contact")),
        "reopened": (dict(reopens__gt=0), _("Reopened at least once")),
        "resolved": (dict(resolved_at__isnull=False), _("Resolved")),
        "responded": (dict(first_response_at__isnull=False), _("With a first response")),
    }
    if head in simple and not args:
        lookups, label = simple[head]
        return Figure(_facts(**lookups), label)
    if head == "escalated":
        return _escalated(args)
    if head == "how" and len(args) == 2:
        day, hour = _int(args[0], 1, 7), _int(args[1], 0, 23)
        if day is None or hour is None:
            return None
        # The queue's time zone is the viewer's (timezone.get_current_timezone()), as the
        # report's: Django's lookups on an aware column use the current zone.
        return Figure(
            Q(created_at__iso_week_day=day, created_at__hour=hour),
            _("Created on %(day)s at %(hour)02d:00–%(hour)02d:59 (%(tz)s)")
            % {
                "day": weekday_name(day),
                "hour": hour,
                "tz": timezone.get_current_timezone_name(),
            },
        )
    if head == "age" and len(args) == 2:
        return _age(args)
    return None


def _escalated(args: list[str]) -> Figure | None:
    if args == ["l2"]:
        return Figure(_facts(escalated_l2=True), _("Escalated to level 2"))
    if args == ["vendor"]:
        return Figure(_facts(escalated_vendor=True), _("Escalated to a vendor"))
    if len(args) == 2 and args[0] == "vendor":
        vendor = _int(args[1], 1, 2**62)
        if vendor is None:
            return None
        from ayuda.accounts.models import Vendor

        names = list(Vendor.objects.filter(pk=vendor).values_list("name", flat=True)[:1])
        return Figure(
            _facts(escalated_vendor=True, vendor_id=vendor),
            _("Escalated to the vendor %(name)s") % {"name": names[0] if names else vendor},
        )
    return None


def _age(args: list[str]) -> Figure | None:
    low = _int(args[0], 0, MAX_AGE_DAYS)
    high = _int(args[1], 0, MAX_AGE_DAYS) if args[1] else None
    if low is None or (args[1] and (high is None or high <= low)):
        return None
    now = timezone.now()
    where = ACTIVE & Q(created_at__lte=now - timedelta(days=low))
    if high is None:
        return Figure(where, _("Active, older than %(days)s days") % {"days": low})
    where &= Q(created_at__gt=now - timedelta(days=high))
    return Figure(where, _("Active, %(low)s to %(high)s days old") % {"low": low, "high": high})


def weekday_name(day: int) -> str:
    """1 Monday … 7 Sunday, translated."""
    from django.utils.dates import WEEKDAYS

    return str(WEEKDAYS[day - 1])
