"""Helpers for the scan tests: devices, their days and rules, made directly (the readings
service belongs to another part of the app; the scan only reads what it stores)."""

import itertools
from datetime import date
from decimal import Decimal

from ayuda.accounts.tests.factories import organisation_make, site_make
from ayuda.devices.models import Device, DeviceDay, ScanRule
from ayuda.devices.rules import REGISTRY
from ayuda.tickets.tests.factories import category_make

_seq = itertools.count(1)


def device_make(*, site=None, **kwargs) -> Device:
    n = next(_seq)
    kwargs.setdefault("serial", f"SN-{n:06d}")
    kwargs.setdefault("name", f"Door {n}")
    kwargs.setdefault("model", "PC-100")
    return Device.objects.create(site=site or site_make(), **kwargs)


def day_make(device: Device, day: date, *, count_in=0, count_out=0, heartbeats=24) -> DeviceDay:
    return DeviceDay.objects.create(
        device=device,
        day=day,
        count_in=count_in,
        count_out=count_out,
        heartbeats=heartbeats,
        readings=heartbeats,
    )


def rule_make(kind: str, **kwargs) -> ScanRule:
    spec = REGISTRY[kind]
    kwargs.setdefault("name", str(spec.label))
    kwargs.setdefault("threshold", spec.threshold_default)
    kwargs.setdefault("category", category_make(name="Device health"))
    kwargs.setdefault("message_en", spec.default_message)
    kwargs.setdefault("healthy_scans_to_recover", 2)
    kwargs["threshold"] = Decimal(kwargs["threshold"])
    return ScanRule.objects.create(kind=kind, **kwargs)


__all__ = ["day_make", "device_make", "organisation_make", "rule_make", "site_make"]
