"""Devices' health (R32): the list with each device's health, and one device with its last
14 days and incidents. The same selectors and scope as the pages (``devices.selectors``): the
help desk reads every device, a site admin the devices of their sites; anybody else gets an
empty list and 404s. Readings are sent to ``POST /devices/readings`` (another router)."""

from datetime import date, datetime
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema

from ayuda.core.errors import ValidationError
from ayuda.devices import selectors
from ayuda.devices.figures import figure_label

from . import schemas as s
from .problems import ERRORS

router = Router(tags=["devices"])
MAX_PAGE = 100
STATUSES = ("", *selectors.STATUSES)


class DeviceQuery(Schema):
    site: s.Id | None = Field(None, description="Only this site's devices.")
    organisation: s.Id | None = Field(None, description="Only this organisation's devices.")
    status: str = Field(
        "",
        description="Empty: active devices; `ok`, `silent` (no heartbeat for a day or never), "
        "`incidents` (with open health incidents) or `retired`.",
        examples=["silent"],
    )
    q: str = Field("", max_length=100, description="Part of the serial number or name.")
    cursor: str = Field("", max_length=400)
    limit: int = Field(50, ge=1, le=MAX_PAGE)


class SiteRef(Schema):
    id: int
    name: str
    organisation_id: int
    timezone: str = Field(description="The site's time zone: its days end at its midnight.")


class DeviceLine(Schema):
    id: int
    serial: str
    name: str
    model: str
    location: str
    site: SiteRef
    is_active: bool
    status: str = Field(description="`ok`, `silent`, `never` (never reported) or `retired`.")
    last_heartbeat_at: datetime | None
    last_reading_at: datetime | None
    today: date = Field(description="The site's own date now.")
    today_in: int | None = Field(description="IN counted on the site's today; null: nothing.")
    today_out: int | None
    open_incidents: int

    model_config = {
        "json_schema_extra": {
            "example": {
                "id": 12,
                "serial": "PC2-004512",
                "name": "Main entrance",
                "model": "PC-200",
                "location": "Ground floor",
                "site": {
                    "id": 3,
                    "name": "Madrid Centro",
                    "organisation_id": 1,
                    "timezone": "Europe/Madrid",
                },
                "is_active": True,
                "status": "silent",
                "last_heartbeat_at": "2026-11-27T08:00:00Z",
                "last_reading_at": "2026-11-27T07:45:00Z",
                "today": "2026-12-01",
                "today_in": None,
                "today_out": None,
                "open_incidents": 1,
            }
        }
    }


class DevicePage(Schema):
    items: list[DeviceLine]
    next: str | None = Field(None, description="The next page's URL; null on the last page.")


class DayOut(Schema):
    day: date
    count_in: int
    count_out: int
    readings: int
    heartbeats: int


class FigureOut(Schema):
    name: str = Field(examples=["days_silent"])
    label: str = Field(description="Readable, in the caller's language.", examples=["Days"])
    value: object = None


class IncidentOut(Schema):
    id: int
    rule: str
    is_open: bool
    needs_review: bool
    opened_at: datetime
    last_failed_at: datetime
    closed_at: datetime | None
    figures: list[FigureOut]
    ticket_id: int | None = Field(description="Null when the caller may not see the ticket.")
    previous_ticket_id: int | None


class DeviceDetailOut(DeviceLine):
    installed_on: date | None
    counts_entrance: bool
    days: list[DayOut] = Field(
        description="The last 14 days in the site's time zone, newest first."
    )
    incidents: list[IncidentOut] = Field(description="Open ones, then the latest closed ones.")


def _site(device) -> dict:
    site = device.site
    return {
        "id": site.pk,
        "name": site.name,
        "organisation_id": site.organisation_id,
        "timezone": selectors.site_zone(site).key,
    }


def _line(row: selectors.DeviceHealth) -> dict:
    d = row.device
    return {
        "id": d.pk,
        "serial": d.serial,
        "name": d.name,
        "model": d.model,
        "location": d.location,
        "site": _site(d),
        "is_active": d.is_active,
        "status": row.status,
        "last_heartbeat_at": d.last_heartbeat_at,
        "last_reading_at": d.last_reading_at,
        "today": row.today,
        "today_in": row.today_in,
        "today_out": row.today_out,
        "open_incidents": row.open_incidents,
    }


@router.get(
    "",
    response={200: DevicePage, **ERRORS},
    url_name="device_list",
    summary="List devices with their health",
    description="The devices the caller may see (the help desk: all; a site admin: their "
    "sites'), by site, name and serial, each with its last heartbeat and reading, the IN and "
    "OUT of its site's today and its open health incidents. Follow `next`.",
)
def device_list(request, query: Query[DeviceQuery]):
    if query.status not in STATUSES:
        raise ValidationError(
            _("Choose one of the statuses offered: %(statuses)s.")
            % {"statuses": ", ".join(STATUSES[1:])},
            field="status",
        )
    filters = selectors.DeviceFilters(
        organisation=query.organisation, site=query.site, status=query.status, q=query.q
    )
    page = selectors.device_health_list(
        user=request.auth, filters=filters, cursor=query.cursor or None, limit=query.limit
    )
    following = None
    if page.next_cursor:
        params = {k: v for k, v in request.GET.items() if k != "cursor"}
        following = (
            reverse("api-v1:device_list") + "?" + urlencode(params | {"cursor": page.next_cursor})
        )
    return {"items": [_line(row) for row in page.rows], "next": following}


@router.get(
    "/{serial}",
    response={200: DeviceDetailOut, **ERRORS},
    url_name="device_get",
    summary="Read a device's health",
    description="A device by its serial number: its health, its last 14 days (in its site's "
    "time zone) and its health incidents with their figures. 404 for a device the caller may "
    "not see.",
)
def device_get(request, serial: str = Path(..., max_length=100)):
    detail = selectors.device_detail(user=request.auth, serial=serial)
    device = detail.device
    row = selectors.DeviceHealth(
        device=device,
        status=detail.status,
        today=detail.today,
        today_in=detail.today_row.count_in if detail.today_row.reported else None,
        today_out=detail.today_row.count_out if detail.today_row.reported else None,
        open_incidents=len(detail.open_incidents),
    )
    incidents = [
        {
            "id": i.pk,
            "rule": i.rule.name,
            "is_open": i.is_open,
            "needs_review": i.needs_review,
            "opened_at": i.opened_at,
            "last_failed_at": i.last_failed_at,
            "closed_at": i.closed_at,
            "figures": [
                {"name": str(name), "label": str(figure_label(str(name))), "value": value}
                for name, value in (i.figures or {}).items()
            ]
            if isinstance(i.figures, dict)
            else [],
            "ticket_id": i.ticket_id if i.ticket_id in detail.visible_tickets else None,
            "previous_ticket_id": i.previous.ticket_id if i.previous_id else None,
        }
        for i in detail.open_incidents + detail.recent_incidents
    ]
    return {
        **_line(row),
        "installed_on": device.installed_on,
        "counts_entrance": device.counts_entrance,
        "days": [vars(d) for d in detail.days],
        "incidents": incidents,
    }
