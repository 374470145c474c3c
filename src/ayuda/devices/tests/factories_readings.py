"""Factories for the readings tests: a device on a site, a collector of its organisation."""

import itertools
from datetime import UTC, datetime

from ayuda.accounts.models import Role, Site, User
from ayuda.accounts.tests.factories import organisation_make, site_make, user_make
from ayuda.devices.models import Device
from ayuda.devices.services import ReadingIn

_seq = itertools.count(1)


def device_make(*, site: Site | None = None, **kwargs) -> Device:
    kwargs.setdefault("serial", f"SN-{next(_seq):06d}")
    return Device.objects.create(site=site or site_make(), **kwargs)


def collector_make(*, organisation=None) -> User:
    """A user of the organisation whose token reports its devices."""
    return user_make(role=Role.REQUESTER, organisation=organisation or organisation_make())


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def reading(serial: str, start: datetime, end: datetime, count_in=10, count_out=8) -> ReadingIn:
    return ReadingIn(
        serial=serial, period_start=start, period_end=end, count_in=count_in, count_out=count_out
    )
