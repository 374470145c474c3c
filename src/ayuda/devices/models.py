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
            # No index on last_heartbeat_at / last_reading_at: every batch of readings updates
            # them, and with no index on them the update is HOT (no index write; fillfactor 80,
            # migration devices/0003). The silent-device scan reads the devices table whole,
            # 100,000 devices in a few milliseconds (docs/performance.md).
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


class OnRecovery(models.TextChoices):
    RESOLVE = "resolve", _("Resolve the incident")
    REVIEW = "review", _("Flag it for review")


class ScanRule(models.Model):
    """A health check (R33): a kind from ``devices.rules``' registry, a threshold and how often
    it runs, where it applies, and what the incident it raises looks like."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=50)  # a key of devices.rules.REGISTRY
    threshold = models.DecimalField(_("threshold"), max_digits=10, decimal_places=2)
    every_minutes = models.PositiveIntegerField(_("runs every (minutes)"), default=60)
    # Where it applies: empty means everywhere.
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        verbose_name=_("organisation"),
    )
    site = models.ForeignKey(
        Site, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("site")
    )
    device_model = models.CharField(_("device model"), max_length=100, blank=True)
    # The incident it raises (R13, scanner part: categorised by the rule).
    category = models.ForeignKey(
        "tickets.Category", on_delete=models.PROTECT, verbose_name=_("category")
    )
    priority = models.PositiveSmallIntegerField(_("priority"), default=2)
    # Message templates per language: data filled with named figures, never code.
    message_es = models.TextField(_("message (Spanish)"), blank=True)
    message_it = models.TextField(_("message (Italian)"), blank=True)
    message_en = models.TextField(_("message (English)"))
    on_recovery = models.CharField(
        _("when it recovers"), max_length=10, choices=OnRecovery.choices, default=OnRecovery.RESOLVE
    )
    healthy_scans_to_recover = models.PositiveSmallIntegerField(
        _("healthy scans before recovery"),
        default=2,
        help_text=_("A device that flaps is not recovered until this many scans in a row pass."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    last_run_at = models.DateTimeField(_("last run"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("scan rule")
        verbose_name_plural = _("scan rules")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class HealthIncident(models.Model):
    """A failing check and the ticket it became (R34): one per rule and device (or site) while
    open. ``subject_key`` ("device:<id>" or "site:<id>") makes "one while open" a database
    constraint, so two scans at once still raise one incident."""

    rule = models.ForeignKey(
        ScanRule, on_delete=models.PROTECT, related_name="incidents", verbose_name=_("rule")
    )
    subject_key = models.CharField(max_length=40)
    device = models.ForeignKey(
        Device,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="health_incidents",
        verbose_name=_("device"),
    )
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="health_incidents", verbose_name=_("site")
    )
    ticket = models.OneToOneField(
        "tickets.Ticket",
        on_delete=models.PROTECT,
        related_name="health_incident",
        verbose_name=_("ticket"),
    )
    # The figures that triggered it (and the latest ones while it keeps failing), by name:
    # e.g. {"days_silent": 4, "last_heartbeat": "...", "in": 1200, "out": 950, "difference": 20.8}
    figures = models.JSONField(_("figures"), default=dict)
    opened_at = models.DateTimeField(_("opened"))
    last_failed_at = models.DateTimeField(_("last failed"))
    last_noted_at = models.DateTimeField(_("last noted"))  # at most one system message a day
    healthy_scans = models.PositiveSmallIntegerField(_("healthy scans in a row"), default=0)
    is_open = models.BooleanField(_("open"), default=True)
    needs_review = models.BooleanField(_("recovered, to review"), default=False)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    previous = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("previous incident"),
    )

    class Meta:
        verbose_name = _("health incident")
        verbose_name_plural = _("health incidents")
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "subject_key"],
                condition=Q(is_open=True),
                name="health_incident_one_open",
            )
        ]
        indexes = [
            models.Index(fields=["site", "is_open"], name="health_incident_site"),
            models.Index(fields=["device", "is_open"], name="health_incident_device"),
        ]

    def __str__(self) -> str:
        return f"{self.rule} · {self.subject_key}"
