"""Factories for the health pages' tests (devices, their days, incidents on tickets)."""

import itertools
from datetime import datetime

from ayuda.devices.models import Device, DeviceDay, HealthIncident, ScanRule
from ayuda.tickets.models import Ticket
from ayuda.tickets.tests.factories import category_make, ticket_make

_seq = itertools.count(1)


def device_make(*, site, **kwargs) -> Device:
    n = next(_seq)
    kwargs.setdefault("serial", f"SN-{n:05d}")
    kwargs.setdefault("name", f"Door {n}")
    kwargs.setdefault("model", "PC-200")
    return Device.objects.create(site=site, **kwargs)


def day_make(*, device: Device, day, count_in: int = 0, count_out: int = 0) -> DeviceDay:
    return DeviceDay.objects.create(
        device=device, day=day, count_in=count_in, count_out=count_out, readings=1, heartbeats=1
    )


def rule_make(**kwargs) -> ScanRule:
    kwargs.setdefault("name", "Device silent")
    kwargs.setdefault("kind", "device_silent")
    kwargs.setdefault("threshold", 3)
    kwargs.setdefault("message_en", "{device} at {site} is silent")
    kwargs.setdefault("category", category_make(name="Counters"))
    return ScanRule.objects.create(**kwargs)


def incident_make(
    *,
    device: Device,
    requester,
    opened_at: datetime,
    rule: ScanRule | None = None,
    is_open: bool = True,
    figures: dict | None = None,
    previous: HealthIncident | None = None,
) -> HealthIncident:
    rule = rule or rule_make()
    ticket = ticket_make(requester=requester, site=device.site, subject=f"{device.serial} silent")
    Ticket.objects.filter(pk=ticket.pk).update(device=device)
    return HealthIncident.objects.create(
        rule=rule,
        subject_key=f"device:{device.pk}" if is_open else f"closed:{device.pk}:{next(_seq)}",
        device=device,
        site=device.site,
        ticket=ticket,
        figures=figures if figures is not None else {"days_silent": 4},
        opened_at=opened_at,
        last_failed_at=opened_at,
        last_noted_at=opened_at,
        is_open=is_open,
        closed_at=None if is_open else opened_at,
        previous=previous,
    )
