"""Reads: who may see which devices, and their health at a glance (R32, R34).

Who sees devices: the help desk (every device) and site admins (the devices of the sites they
look after, in their own organisation). Requesters and vendor agents see none: a requester's
tickets are theirs, not their site's, and a vendor works on the tickets escalated to it, which
show their device on the ticket page (the panel reads the ticket's device, not this scope).

The health list is keyset-paginated on the ``device_site`` index (site, name, serial) and
costs two queries whatever the page size: the page of devices (with their site, organisation
and number of open incidents), then today's roll-ups of those devices. "Today" is each site's
own day (its time zone, else its organisation's): at any instant the sites' local dates are at
most three, so the roll-ups are read with ``device IN (page) AND day IN (those dates)`` and
matched to each device's own date.
"""

import base64
import binascii
import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from ayuda.accounts.models import Role, User
from ayuda.core.timezones import zone_or_utc
from ayuda.tickets.permissions import ticket_visible_to

from .figures import figure_rows
from .models import Device, DeviceDay, HealthIncident

PAGE_SIZE = 50
# A device is shown as silent when its last heartbeat is older than this (or it never sent
# one). The scan's "device silent" rule, with its own threshold, is what raises an incident.
SILENT_AFTER = timedelta(hours=24)
DETAIL_DAYS = 14
RECENT_INCIDENTS = 10
STATUSES = ("ok", "silent", "incidents", "retired")
SEARCH_MAX = 100


class DeviceStatus:
    OK = "ok"
    SILENT = "silent"
    NEVER = "never"
    RETIRED = "retired"


def devices_for(*, user: User) -> QuerySet[Device]:
    """The devices a user may see: all for the help desk, their sites' for a site admin,
    none for anybody else."""
    if not user.is_authenticated or not user.is_active:
        return Device.objects.none()
    if user.is_helpdesk:
        return Device.objects.all()
    if user.role == Role.SITE_ADMIN and user.organisation_id is not None:
        sites = user.sites.filter(organisation_id=user.organisation_id).values("pk")
        return Device.objects.filter(site__in=sites)
    return Device.objects.none()


def may_see_devices(user: User) -> bool:
    """Whether the devices pages are for this user at all (the navigation's link)."""
    return user.is_authenticated and (user.is_helpdesk or user.role == Role.SITE_ADMIN)


def site_zone(site) -> ZoneInfo:
    return zone_or_utc(site.timezone_name())


def site_today(site, now: datetime | None = None) -> date:
    """The site's own date now (its time zone, else its organisation's)."""
    return (now or timezone.now()).astimezone(site_zone(site)).date()


@dataclass(frozen=True)
class DeviceFilters:
    """What the health list shows; empty values mean "any". ``status``: "" (active devices),
    "ok", "silent", "incidents" (with open incidents) or "retired"."""

    organisation: int | None = None
    site: int | None = None
    status: str = ""
    q: str = ""


@dataclass
class DeviceHealth:
    device: Device
    status: str  # DeviceStatus
    today: date
    today_in: int | None  # None: nothing counted today
    today_out: int | None
    open_incidents: int

    @property
    def silent_since(self) -> datetime | None:
        return self.device.last_heartbeat_at if self.status == DeviceStatus.SILENT else None


@dataclass
class DevicePage:
    rows: list[DeviceHealth]
    next_cursor: str | None
    filters: DeviceFilters = field(default_factory=DeviceFilters)


def cursor_encode(device: Device) -> str:
    raw = json.dumps([device.site_id, device.name, device.serial])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def cursor_decode(cursor: str) -> tuple[int, str, str] | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        site, name, serial = json.loads(raw)
    except (ValueError, binascii.Error, UnicodeDecodeError, TypeError):
        return None
    if not (isinstance(site, int) and isinstance(name, str) and isinstance(serial, str)):
        return None
    return site, name, serial


def _open_incidents() -> Subquery:
    counted = (
        HealthIncident.objects.filter(device_id=OuterRef("pk"), is_open=True)
        .order_by()
        .values("device_id")
        .annotate(n=Count("*"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _silent(now: datetime) -> Q:
    return Q(last_heartbeat_at__isnull=True) | Q(last_heartbeat_at__lt=now - SILENT_AFTER)


def device_status(device: Device, now: datetime) -> str:
    if not device.is_active:
        return DeviceStatus.RETIRED
    if device.last_heartbeat_at is None:
        return DeviceStatus.NEVER
    if device.last_heartbeat_at < now - SILENT_AFTER:
        return DeviceStatus.SILENT
    return DeviceStatus.OK


def _filtered(devices: QuerySet[Device], filters: DeviceFilters, now: datetime):
    if filters.organisation:
        devices = devices.filter(site__organisation_id=filters.organisation)
    if filters.site:
        devices = devices.filter(site_id=filters.site)
    query = filters.q.strip()[:SEARCH_MAX]
    if query:
        devices = devices.filter(Q(serial__icontains=query) | Q(name__icontains=query))
    open_incident = HealthIncident.objects.filter(device_id=OuterRef("pk"), is_open=True)
    match filters.status:
        case "retired":
            return devices.filter(is_active=False)
        case "silent":
            devices = devices.filter(_silent(now))
        case "incidents":
            devices = devices.filter(Exists(open_incident))
        case "ok":
            devices = devices.exclude(_silent(now)).exclude(Exists(open_incident))
    return devices.filter(is_active=True)


def _today_counts(rows: list[Device], now: datetime) -> dict[int, tuple[date, DeviceDay | None]]:
    """Each device's own today and its roll-up: one query for the whole page."""
    todays = {d.pk: site_today(d.site, now) for d in rows}
    if not todays:
        return {}
    days = DeviceDay.objects.filter(device_id__in=list(todays), day__in=set(todays.values()))
    found = {
        (d.device_id, d.day): d for d in days.only("device_id", "day", "count_in", "count_out")
    }
    return {pk: (today, found.get((pk, today))) for pk, today in todays.items()}


def device_health_list(
    *,
    user: User,
    filters: DeviceFilters,
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
    now: datetime | None = None,
) -> DevicePage:
    """One page of the user's devices with their health, by site, name and serial. Two queries
    whatever the page size (module docstring)."""
    now = now or timezone.now()
    devices = _filtered(devices_for(user=user), filters, now)
    position = cursor_decode(cursor) if cursor else None
    if position:
        site, name, serial = position
        devices = devices.filter(
            Q(site_id__gt=site)
            | Q(site_id=site, name__gt=name)
            | Q(site_id=site, name=name, serial__gt=serial)
        )
    page = list(
        devices.select_related("site__organisation")
        .annotate(open_incidents=_open_incidents())
        .order_by("site_id", "name", "serial")[: limit + 1]
    )
    next_cursor = cursor_encode(page[limit - 1]) if len(page) > limit else None
    page = page[:limit]
    counts = _today_counts(page, now)
    rows = []
    for device in page:
        today, day = counts[device.pk]
        rows.append(
            DeviceHealth(
                device=device,
                status=device_status(device, now),
                today=today,
                today_in=day.count_in if day else None,
                today_out=day.count_out if day else None,
                open_incidents=device.open_incidents,
            )
        )
    return DevicePage(rows=rows, next_cursor=next_cursor, filters=filters)


@dataclass
class DayRow:
    day: date
    count_in: int
    count_out: int
    readings: int
    heartbeats: int
    reported: bool  # a roll-up exists for the day (something came)


@dataclass
class DeviceDetail:
    device: Device
    status: str
    today: date
    days: list[DayRow]  # newest first, DETAIL_DAYS of them, zeros where nothing came
    open_incidents: list[HealthIncident]
    recent_incidents: list[HealthIncident]  # closed, newest first
    visible_tickets: frozenset[int]  # the incidents' tickets this user may open

    @property
    def today_row(self) -> DayRow:
        return self.days[0]


def device_get(*, user: User, device_id: int | None = None, serial: str | None = None) -> Device:
    """A device the user may see, by id or serial, or 404 (never tell whether another site's
    device exists)."""
    devices = devices_for(user=user).select_related("site__organisation")
    try:
        if serial is not None:
            return devices.get(serial=serial)
        return devices.get(pk=device_id)
    except (Device.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def device_detail(
    *,
    user: User,
    device_id: int | None = None,
    serial: str | None = None,
    now: datetime | None = None,
) -> DeviceDetail:
    """A device, its last 14 days and its incidents with their tickets: four queries (the
    device, its days, its incidents, which of their tickets the user may see)."""
    now = now or timezone.now()
    device = device_get(user=user, device_id=device_id, serial=serial)
    today = site_today(device.site, now)
    first = today - timedelta(days=DETAIL_DAYS - 1)
    found = {
        d.day: d for d in DeviceDay.objects.filter(device_id=device.pk, day__range=(first, today))
    }
    days = []
    for offset in range(DETAIL_DAYS):
        day = today - timedelta(days=offset)
        rollup = found.get(day)
        days.append(
            DayRow(
                day=day,
                count_in=rollup.count_in if rollup else 0,
                count_out=rollup.count_out if rollup else 0,
                readings=rollup.readings if rollup else 0,
                heartbeats=rollup.heartbeats if rollup else 0,
                reported=rollup is not None,
            )
        )
    incidents = list(
        HealthIncident.objects.filter(device_id=device.pk)
        .select_related("rule", "ticket", "ticket__state", "previous")
        .defer(
            "ticket__description", "ticket__steps_to_reproduce", "ticket__solution", "ticket__extra"
        )
        .order_by("-is_open", "-opened_at", "-id")[: RECENT_INCIDENTS + 20]
    )
    open_incidents = [i for i in incidents if i.is_open]
    recent = [i for i in incidents if not i.is_open][:RECENT_INCIDENTS]
    ticket_ids = [i.ticket_id for i in open_incidents + recent]
    visible = (
        frozenset(ticket_visible_to(user).filter(pk__in=ticket_ids).values_list("pk", flat=True))
        if ticket_ids
        else frozenset()
    )
    return DeviceDetail(
        device=device,
        status=device_status(device, now),
        today=today,
        days=days,
        open_incidents=open_incidents,
        recent_incidents=recent,
        visible_tickets=visible,
    )


@dataclass(frozen=True)
class TicketDevicePanel:
    device: Device | None
    incident: HealthIncident | None
    figures: list[tuple[str, object]]
    device_visible: bool  # the device page is open to this user


def ticket_device_panel(*, user: User, ticket) -> TicketDevicePanel | None:
    """What the ticket page shows of its device and health incident. ``ticket_get`` loads both
    (``device__site``, ``health_incident__rule``...), so this costs no query for the help desk
    and vendors, and one for a site admin (whether the device's site is theirs)."""
    try:
        incident = ticket.health_incident
    except HealthIncident.DoesNotExist:
        incident = None
    device = ticket.device if ticket.device_id else None
    if device is None and incident is not None and incident.device_id:
        device = incident.device
    if incident is None and device is None:
        return None
    visible = False
    if device is not None:
        if user.is_helpdesk:
            visible = True
        elif user.role == Role.SITE_ADMIN and user.organisation_id is not None:
            visible = user.sites.filter(
                pk=device.site_id, organisation_id=user.organisation_id
            ).exists()
    return TicketDevicePanel(
        device=device,
        incident=incident,
        figures=figure_rows(incident.figures) if incident else [],
        device_visible=visible,
    )
