"""Service levels (R22, R10 vendor SLA, R28): calendars, policies, and each ticket's clocks.

A calendar says when the desk (or a vendor) works: a time zone, weekly opening hours, public
holidays from the ``holidays`` library and its own closing days. A policy is a condition, a
calendar and targets in business minutes. A ticket has one clock per side (ours, and the
vendor's while a vendor holds it); each clock has its targets, with the due time, when it was
warned, met or breached. The ticket keeps the nearest due times (indexed) for the queue.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Calendar(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    timezone = models.CharField(_("time zone"), max_length=64, default="UTC")
    always_open = models.BooleanField(
        _("24x7x365"),
        default=False,
        help_text=_("Open every minute of every day: no hours, no holidays."),
    )
    # {"mon": [["09:00", "14:00"], ["15:00", "18:00"]], ..., "sun": []}; a range whose end is
    # not after its start crosses midnight ("22:00"-"06:00" ends the next morning).
    hours = models.JSONField(_("opening hours"), default=dict, blank=True)
    holiday_country = models.CharField(
        _("public holidays of"), max_length=3, blank=True, help_text=_("Country code, e.g. ES, IT.")
    )
    holiday_subdivision = models.CharField(
        _("region"), max_length=10, blank=True, help_text=_("e.g. MD (Madrid), CT (Catalonia).")
    )

    class Meta:
        verbose_name = _("calendar")
        verbose_name_plural = _("calendars")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ClosingDay(models.Model):
    """A day the calendar is closed beyond its public holidays (a company holiday)."""

    calendar = models.ForeignKey(
        Calendar, on_delete=models.CASCADE, related_name="closing_days", verbose_name=_("calendar")
    )
    day = models.DateField(_("day"))
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("closing day")
        verbose_name_plural = _("closing days")
        ordering = ["day"]
        constraints = [models.UniqueConstraint(fields=["calendar", "day"], name="closing_day_once")]

    def __str__(self) -> str:
        return f"{self.day} {self.name}"


class Side(models.TextChoices):
    DESK = "desk", _("Our service desk")
    VENDOR = "vendor", _("A vendor")


class SlaAction(models.TextChoices):
    """What a policy does on a warning or a breach."""

    NOTIFY_OWNER = "notify_owner", _("Notify the owner")
    NOTIFY_TEAM_LEAD = "notify_team_lead", _("Notify the team's leads")
    NOTIFY_MANAGER = "notify_manager", _("Notify the managers")
    RAISE_PRIORITY = "raise_priority", _("Raise the priority")
    ESCALATE = "escalate", _("Escalate to the next level")


class SlaPolicy(models.Model):
    """A condition plus a calendar plus targets. The first matching active policy in ``position``
    order applies (``side`` desk for our clock; side vendor, with its vendor, for a vendor's)."""

    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    side = models.CharField(
        _("whose clock"), max_length=10, choices=Side.choices, default=Side.DESK
    )
    # Conditions: empty means any.
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        verbose_name=_("organisation"),
    )
    site = models.ForeignKey(
        "accounts.Site", on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("site")
    )
    priority = models.PositiveSmallIntegerField(_("priority"), null=True, blank=True)
    category = models.ForeignKey(
        "tickets.Category",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        verbose_name=_("category"),
    )
    ticket_type = models.CharField(_("ticket type"), max_length=20, blank=True)
    channel = models.CharField(_("channel"), max_length=20, blank=True)
    vendor = models.ForeignKey(
        "accounts.Vendor",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        verbose_name=_("vendor"),
    )
    calendar = models.ForeignKey(Calendar, on_delete=models.PROTECT, verbose_name=_("calendar"))
    # Targets in business minutes of the calendar; empty: no such target.
    first_response_minutes = models.PositiveIntegerField(
        _("first response (minutes)"), null=True, blank=True
    )
    next_update_minutes = models.PositiveIntegerField(
        _("next update (minutes)"), null=True, blank=True
    )
    resolution_minutes = models.PositiveIntegerField(
        _("resolution (minutes)"), null=True, blank=True
    )
    # Warnings: at this share of the target used, or this many minutes before it (the earlier).
    warn_percent = models.PositiveSmallIntegerField(
        _("warn at % of the time used"), null=True, blank=True, default=80
    )
    warn_minutes_before = models.PositiveIntegerField(
        _("warn minutes before"), null=True, blank=True
    )
    on_warning = models.JSONField(_("on a warning"), default=list, blank=True)  # SlaAction values
    on_breach = models.JSONField(_("on a breach"), default=list, blank=True)  # SlaAction values
    pause_while_vendor = models.BooleanField(
        _("our clock stops while a vendor holds the ticket"), default=False
    )
    courtesy_updates = models.BooleanField(
        _("send the customer a status update when the next update is due"), default=False
    )

    class Meta:
        verbose_name = _("service level policy")
        verbose_name_plural = _("service level policies")
        ordering = ["side", "position", "id"]

    def __str__(self) -> str:
        return self.name


class ClockState(models.TextChoices):
    RUNNING = "running", _("Running")
    PAUSED = "paused", _("Paused")
    STOPPED = "stopped", _("Stopped")


class SlaClock(models.Model):
    """One side's clock on one ticket: ours from creation, a vendor's from its escalation."""

    ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.CASCADE,
        related_name="sla_clocks",
        verbose_name=_("ticket"),
    )
    side = models.CharField(_("side"), max_length=10, choices=Side.choices)
    vendor = models.ForeignKey(
        "accounts.Vendor", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("vendor")
    )
    policy = models.ForeignKey(
        SlaPolicy, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("policy")
    )
    state = models.CharField(_("state"), max_length=10, choices=ClockState.choices)
    started_at = models.DateTimeField(_("started"))
    paused_at = models.DateTimeField(_("paused since"), null=True, blank=True)
    pause_reason = models.CharField(_("pause reason"), max_length=50, blank=True)
    paused_minutes = models.PositiveIntegerField(_("business minutes paused"), default=0)
    stopped_at = models.DateTimeField(_("stopped"), null=True, blank=True)

    class Meta:
        verbose_name = _("service level clock")
        verbose_name_plural = _("service level clocks")
        constraints = [
            # One running (or paused) clock per side; a vendor's new escalation starts a new one.
            models.UniqueConstraint(
                fields=["ticket", "side"], condition=~Q(state="stopped"), name="sla_clock_one_live"
            )
        ]

    def __str__(self) -> str:
        return f"#{self.ticket_id} {self.side}"


class TargetKind(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("First response")
    NEXT_UPDATE = "next_update", _("Next update")
    RESOLUTION = "resolution", _("Resolution")


class SlaTarget(models.Model):
    """A target of a clock: when it is due, and when it was warned, met or breached. Met and
    breached targets are history: a later policy or calendar change never rewrites them."""

    clock = models.ForeignKey(SlaClock, on_delete=models.CASCADE, related_name="targets")
    kind = models.CharField(_("target"), max_length=20, choices=TargetKind.choices)
    minutes = models.PositiveIntegerField(_("business minutes"))
    # When this target's time started (the clock's start; a next-update target: the last
    # public update) and the business minutes it has been paused since: due = start + minutes
    # + paused, in business time of the policy's calendar (see docs/sla.md).
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    paused_minutes = models.PositiveIntegerField(_("business minutes paused"), default=0)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)  # None while paused
    warn_at = models.DateTimeField(_("warn at"), null=True, blank=True)
    warned_at = models.DateTimeField(_("warned"), null=True, blank=True)
    met_at = models.DateTimeField(_("met"), null=True, blank=True)
    breached_at = models.DateTimeField(_("breached"), null=True, blank=True)
    late_minutes = models.PositiveIntegerField(_("minutes late"), null=True, blank=True)

    class Meta:
        verbose_name = _("service level target")
        verbose_name_plural = _("service level targets")
        indexes = [
            # The periodic check: open targets whose warning or due time has come.
            models.Index(
                fields=["warn_at"],
                condition=Q(met_at__isnull=True, warned_at__isnull=True),
                name="sla_target_warn",
            ),
            models.Index(
                fields=["due_at"],
                condition=Q(met_at__isnull=True, breached_at__isnull=True),
                name="sla_target_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.clock} {self.kind}"


class SlaEventKind(models.TextChoices):
    STARTED = "started", _("Started")
    PAUSED = "paused", _("Paused")
    RESUMED = "resumed", _("Resumed")
    TARGET_CHANGED = "target_changed", _("Target changed")
    WARNED = "warned", _("Warning")
    BREACHED = "breached", _("Breached")
    MET = "met", _("Met")
    STOPPED = "stopped", _("Stopped")


class SlaEvent(models.Model):
    """The SLA panel's timeline: every start, pause, resume, target change, warning, breach,
    with its reason (``data``)."""

    id = models.BigAutoField(primary_key=True)
    clock = models.ForeignKey(SlaClock, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("when"))
    kind = models.CharField(_("what"), max_length=20, choices=SlaEventKind.choices)
    target = models.CharField(_("target"), max_length=20, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("service level event")
        verbose_name_plural = _("service level events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.clock} {self.kind}"
