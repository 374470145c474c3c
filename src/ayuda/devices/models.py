"""Sites' devices and what they report (R32): heartbeats and IN/OUT counter readings.

Raw readings are kept once per device and period (re-sending a batch changes nothing);
``DeviceDay`` is the daily roll-up in the site's own time zone, maintained as readings
arrive, so a day's counts per device or site are read without scanning raw readings.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ayuda.accounts.models import Site


class Device(models.Model):
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="devices", verbose_name=_("site")
    )
    serial = models.CharField(_("serial number"), max_length=100, unique=True)
    model = models.CharField(_("model"), max_length=100, blank=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    location = models.CharField(
        _("location"), max_length=200, blank=True, help_text=_("Where in the site it is.")
    )
    installed_on = models.DateField(_("installed"), null=True, blank=True)
    counts_entrance = models.BooleanField(
        _("counts an entrance"),
        default=True,
        help_text=_("Its IN and OUT counts belong to the site's totals (IN/OUT pairs)."),
    )
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Retired devices are neither scanned nor counted.")
    )
    # Kept current by the readings service (greatest value seen), for the health page and scans.
    last_heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)
    last_reading_at = models.DateTimeField(_("last reading"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        ordering = ["site", "name", "serial"]
        indexes = [
            models.Index(fields=["site", "name", "serial"], name="device_site"),
            # The silent-device scan: active devices by their last heartbeat.
            models.Index(
                fields=["last_heartbeat_at"], condition=Q(is_active=True), name="device_active_hb"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name or self.serial} ({self.serial})"


class Reading(models.Model):
    """One counter reading: what a device counted between two instants."""

    id = models.BigAutoField(primary_key=True)
    device = models.ForeignKey(
        Device, on_delete=models.CASCADE, related_name="readings", verbose_name=_("device")
    )
    period_start = models.DateTimeField(_("period start"))
    period_end = models.DateTimeField(_("period end"))
    count_in = models.PositiveIntegerField(_("IN"))
    count_out = models.PositiveIntegerField(_("OUT"))
    received_at = models.DateTimeField(_("received"))

    class Meta:
        verbose_name = _("reading")
        verbose_name_plural = _("readings")
        constraints = [
            models.UniqueConstraint(fields=["device", "period_start"], name="reading_once"),
            models.CheckConstraint(
                condition=Q(period_end__gt=models.F("period_start")), name="reading_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.device_id} {self.period_start:%Y-%m-%d %H:%M}"


class DeviceDay(models.Model):
    """A device's day, in its site's time zone: counts and heartbeats, summed as they arrive."""

    id = models.BigAutoField(primary_key=True)
    device = models.ForeignKey(
        Device, on_delete=models.CASCADE, related_name="days", verbose_name=_("device")
    )
    day = models.DateField(_("day"))
    count_in = models.BigIntegerField(_("IN"), default=0)
    count_out = models.BigIntegerField(_("OUT"), default=0)
    readings = models.PositiveIntegerField(_("readings"), default=0)
    heartbeats = models.PositiveIntegerField(_("heartbeats"), default=0)

    class Meta:
        verbose_name = _("device day")
        verbose_name_plural = _("device days")
        constraints = [models.UniqueConstraint(fields=["device", "day"], name="device_day_once")]
        indexes = [models.Index(fields=["day", "device"], name="device_day_by_day")]

    def __str__(self) -> str:
        return f"{self.device_id} {self.day}"
