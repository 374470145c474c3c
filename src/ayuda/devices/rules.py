"""Scan rule kinds (R33): each a small class in ``REGISTRY`` that finds what fails, set-based.

A kind declares its subject (a device or a site), its threshold (what it means, its range and
default), and the named figures its message template may use. ``findings`` answers with ONE
query over every device (or site) the rule applies to: never a Python loop over devices.

Days are the sites' own days (``DeviceDay.day``, in the site's time zone). The kinds that judge
a day judge the *last closed day*: the day before today in the site's time zone, so a day is
only judged after its midnight there, whatever its length (23 or 25 hours across a
daylight-saving change). Sites are grouped by time zone (there are few distinct zones), each
group with its own day, in the same query.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import (
    BigIntegerField,
    CharField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Abs, Coalesce, Greatest, NullIf
from django.utils.translation import gettext_lazy as _

from ayuda.core.timezones import zone_or_utc

from .models import Device, DeviceDay, ScanRule

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# Figures every kind offers its template.
COMMON_FIGURES = ("device", "serial", "site", "rule", "threshold")


@dataclass(frozen=True)
class Finding:
    """One failing subject: ``subject_key`` is "device:<id>" or "site:<id>"."""

    subject_key: str
    site_id: int
    device_id: int | None
    figures: dict = field(default_factory=dict)
    language: str = "en"  # the site's organisation's
    organisation_id: int | None = None

    @property
    def day(self) -> str | None:
        """The closed day a day-based finding is about (ISO), else None."""
        return self.figures.get("day")


def site_timezone_expression(prefix: str = "site__"):
    """A site's time zone: its own, else its organisation's (as ``Site.timezone_name``)."""
    return Coalesce(
        NullIf(F(f"{prefix}timezone"), Value("")),
        F(f"{prefix}organisation__timezone"),
        output_field=CharField(),
    )


_zone = zone_or_utc


def local_time(moment: datetime, tz_name: str) -> str:
    """``moment`` as a site reads it: "2026-11-26 02:00 CET"."""
    return moment.astimezone(_zone(tz_name)).strftime("%Y-%m-%d %H:%M %Z")


def last_closed_day(tz_name: str, now: datetime) -> date:
    """The newest day that has ended at ``now`` in ``tz_name``: yesterday there."""
    return now.astimezone(_zone(tz_name)).date() - timedelta(days=1)


def _number(value) -> int | float:
    """A figure as a plain number (Decimal is not JSON)."""
    value = float(value)
    return int(value) if value == int(value) else round(value, 2)


class RuleKind:
    key: str = ""
    label = ""
    subject: str = "device"  # or "site"
    threshold_label = ""
    threshold_min = Decimal("0")
    threshold_max = Decimal("100")
    threshold_default = Decimal("0")
    figures: tuple[str, ...] = ()
    default_message = ""  # English; the demo and the admin's initial value

    @classmethod
    def figure_names(cls) -> tuple[str, ...]:
        return COMMON_FIGURES + cls.figures

    @classmethod
    def threshold_error(cls, threshold) -> str | None:
        """Why ``threshold`` is refused, or None."""
        if threshold is None or not (cls.threshold_min <= Decimal(threshold) <= cls.threshold_max):
            return str(
                _("The threshold must be between %(min)s and %(max)s (%(what)s).")
                % {
                    "min": _number(cls.threshold_min),
                    "max": _number(cls.threshold_max),
                    "what": cls.threshold_label,
                }
            )
        return None

    @staticmethod
    def scope(rule: ScanRule, prefix: str = "") -> Q:
        """Active devices where ``rule`` applies, as a filter (``prefix`` "device__" from a
        device's days: the same join, no subquery)."""
        q = Q(**{f"{prefix}is_active": True})
        if rule.organisation_id:
            q &= Q(**{f"{prefix}site__organisation_id": rule.organisation_id})
        if rule.site_id:
            q &= Q(**{f"{prefix}site_id": rule.site_id})
        if rule.device_model:
            q &= Q(**{f"{prefix}model": rule.device_model})
        return q

    def devices(self, rule: ScanRule) -> QuerySet[Device]:
        """The active devices ``rule`` applies to."""
        return Device.objects.filter(self.scope(rule))

    @staticmethod
    def on_closed_days(days: dict, extra=None) -> Q:
        """Each time zone's sites on its own last closed day (and ``extra(day)``, if given)."""
        which = Q()
        for tz, day in days.items():
            which |= Q(tz=tz, day=day) & (extra(day) if extra else Q())
        return Q(day__in=sorted(set(days.values()))) & which

    def closed_days(self, rule: ScanRule, now: datetime) -> dict[str, date]:
        """Each time zone of the sites in scope and its last closed day (one small query)."""
        zones = (
            self.devices(rule)
            .annotate(tz=site_timezone_expression())
            .order_by()
            .values_list("tz", flat=True)
            .distinct()
        )
        return {tz: last_closed_day(tz, now) for tz in zones}

    def findings(self, rule: ScanRule, *, now: datetime) -> list[Finding]:
        raise NotImplementedError

    @staticmethod
    def _base_figures(rule: ScanRule, row: dict) -> dict:
        return {
            "device": row.get("device_name") or row.get("serial") or "",
            "serial": row.get("serial") or "",
            "site": row["site_name"],
            "rule": rule.name,
            "threshold": _number(rule.threshold),
        }


class DeviceSilent(RuleKind):
    """Active devices with no heartbeat for more than ``threshold`` days. A device never heard
    from counts from the later of its installed date (its midnight, UTC) and its registration
    in Ayuda (``created_at``)."""

    key = "device_silent"
    label = _("Device silent")
    subject = "device"
    threshold_label = _("days without a heartbeat")
    threshold_min = Decimal("0.01")
    threshold_max = Decimal("365")
    threshold_default = Decimal("3")
    figures = ("days_silent", "last_heartbeat")
    default_message = (
        "Device {device} (serial {serial}) at {site} has sent no heartbeat for {days_silent} "
        "days (last heartbeat: {last_heartbeat})."
    )

    def findings(self, rule: ScanRule, *, now: datetime) -> list[Finding]:
        cutoff = now - timedelta(days=float(rule.threshold))
        installed_before = (
            Q(installed_on__lt=cutoff.date())
            if cutoff.time() == datetime.min.time()
            else Q(installed_on__lte=cutoff.date())
        )
        never_heard = Q(last_heartbeat_at__isnull=True, created_at__lt=cutoff) & (
            Q(installed_on__isnull=True) | installed_before
        )
        rows = (
            self.devices(rule)
            .filter(Q(last_heartbeat_at__lt=cutoff) | never_heard)
            .order_by("pk")
            .values(
                "pk",
                "serial",
                "site_id",
                "last_heartbeat_at",
                "created_at",
                "installed_on",
                device_name=F("name"),
                site_name=F("site__name"),
                language=F("site__organisation__language"),
                organisation_id=F("site__organisation_id"),
                site_tz=site_timezone_expression(),
            )
        )
        found = []
        for row in rows:
            since = row["last_heartbeat_at"]
            if since is None:
                since = row["created_at"]
                if row["installed_on"] is not None:
                    installed = datetime.combine(row["installed_on"], datetime.min.time())
                    since = max(since, installed.replace(tzinfo=now.tzinfo))
            figures = self._base_figures(rule, row) | {
                "days_silent": math.floor((now - since).total_seconds() / 86400),
                # In the site's own time: what the shop's people read on their clocks.
                "last_heartbeat": (
                    local_time(row["last_heartbeat_at"], row["site_tz"])
                    if row["last_heartbeat_at"]
                    else "-"
                ),
            }
            found.append(
                Finding(
                    subject_key=f"device:{row['pk']}",
                    site_id=row["site_id"],
                    device_id=row["pk"],
                    figures=figures,
                    language=row["language"],
                    organisation_id=row["organisation_id"],
                )
            )
        return found


class InOutDiscrepancy(RuleKind):
    """Per site, the IN and OUT totals of its active entrance-counting devices for its last
    closed day differ by more than ``threshold`` percent, where

        difference = |IN - OUT| / max(IN, OUT) × 100

    (0 when both are 0). Exactly the threshold is not a failure. Compared in integers in SQL:
    |IN - OUT| × 10000 > threshold × 100 × max(IN, OUT)."""

    key = "in_out_discrepancy"
    label = _("IN/OUT discrepancy")
    subject = "site"
    threshold_label = _("percent of difference between IN and OUT")
    threshold_min = Decimal("0.01")
    threshold_max = Decimal("100")
    threshold_default = Decimal("10")
    figures = ("day", "in", "out", "difference")
    default_message = (
        "At {site}, on {day} the entrances counted IN {in} and OUT {out}: they differ by "
        "{difference}% (more than {threshold}%)."
    )

    def findings(self, rule: ScanRule, *, now: datetime) -> list[Finding]:
        days = self.closed_days(rule, now)
        if not days:
            return []
        scaled = int(Decimal(rule.threshold) * 100)
        rows = (
            DeviceDay.objects.filter(self.scope(rule, "device__"), device__counts_entrance=True)
            .annotate(tz=site_timezone_expression("device__site__"))
            .filter(self.on_closed_days(days))
            .values(
                "device__site_id",
                "day",
                site_name=F("device__site__name"),
                language=F("device__site__organisation__language"),
                organisation_id=F("device__site__organisation_id"),
            )
            .annotate(total_in=Sum("count_in"), total_out=Sum("count_out"))
            .annotate(
                gap=ExpressionWrapper(
                    Abs(F("total_in") - F("total_out")) * 10000, output_field=BigIntegerField()
                ),
                limit=ExpressionWrapper(
                    Greatest(F("total_in"), F("total_out")) * scaled,
                    output_field=BigIntegerField(),
                ),
            )
            .filter(gap__gt=F("limit"))
            .order_by("device__site_id")
        )
        found = []
        for row in rows:
            total_in, total_out = int(row["total_in"]), int(row["total_out"])
            difference = abs(total_in - total_out) * 100 / max(total_in, total_out)
            figures = self._base_figures(rule, row) | {
                "day": row["day"].isoformat(),
                "in": total_in,
                "out": total_out,
                "difference": round(difference, 2),
            }
            found.append(
                Finding(
                    subject_key=f"site:{row['device__site_id']}",
                    site_id=row["device__site_id"],
                    device_id=None,
                    figures=figures,
                    language=row["language"],
                    organisation_id=row["organisation_id"],
                )
            )
        return found


def site_open_on(weekday: str, prefix: str = "device__site__") -> Q:
    """The site was open on ``weekday`` ("mon"...): no opening hours (open every day), or at
    least one range that day."""
    hours = f"{prefix}opening_hours"
    return Q(**{hours: {}}) | Q(
        Q(**{f"{hours}__has_key": weekday}) & ~Q(**{f"{hours}__{weekday}": []})
    )


class ZeroTraffic(RuleKind):
    """A device that sent heartbeats on its site's last closed day (``heartbeats`` > 0) but
    counted at most ``threshold`` passages (IN + OUT; 0 by default), on a day its site was
    open (``Site.opening_hours``; none means open every day)."""

    key = "zero_traffic"
    label = _("Zero traffic")
    subject = "device"
    threshold_label = _("passages counted (IN + OUT) at most")
    threshold_min = Decimal("0")
    threshold_max = Decimal("1000")
    threshold_default = Decimal("0")
    figures = ("day", "in", "out", "heartbeats")
    default_message = (
        "Device {device} (serial {serial}) at {site} sent {heartbeats} heartbeats on {day} but "
        "counted IN {in} and OUT {out} while the site was open."
    )

    def findings(self, rule: ScanRule, *, now: datetime) -> list[Finding]:
        days = self.closed_days(rule, now)
        if not days:
            return []
        rows = (
            DeviceDay.objects.filter(self.scope(rule, "device__"))
            .annotate(tz=site_timezone_expression("device__site__"))
            .filter(self.on_closed_days(days, lambda day: site_open_on(WEEKDAYS[day.weekday()])))
            .annotate(passages=F("count_in") + F("count_out"))
            .filter(heartbeats__gt=0, passages__lte=int(rule.threshold))
            .order_by("device_id")
            .values(
                "device_id",
                "day",
                "count_in",
                "count_out",
                "heartbeats",
                serial=F("device__serial"),
                device_name=F("device__name"),
                site_id=F("device__site_id"),
                site_name=F("device__site__name"),
                language=F("device__site__organisation__language"),
                organisation_id=F("device__site__organisation_id"),
            )
        )
        found = []
        for row in rows:
            figures = self._base_figures(rule, row) | {
                "day": row["day"].isoformat(),
                "in": row["count_in"],
                "out": row["count_out"],
                "heartbeats": row["heartbeats"],
            }
            found.append(
                Finding(
                    subject_key=f"device:{row['device_id']}",
                    site_id=row["site_id"],
                    device_id=row["device_id"],
                    figures=figures,
                    language=row["language"],
                    organisation_id=row["organisation_id"],
                )
            )
        return found


REGISTRY: dict[str, RuleKind] = {
    kind.key: kind() for kind in (DeviceSilent, InOutDiscrepancy, ZeroTraffic)
}


def kind_choices() -> list[tuple[str, str]]:
    return [(key, kind.label) for key, kind in REGISTRY.items()]


def kind_of(rule: ScanRule) -> RuleKind:
    try:
        return REGISTRY[rule.kind]
    except KeyError:
        raise ValueError(f"Unknown scan rule kind {rule.kind!r}") from None


__all__ = ["REGISTRY", "Finding", "RuleKind", "kind_choices", "kind_of"]
