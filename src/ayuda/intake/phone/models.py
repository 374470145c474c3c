"""Calls from the phone system (R30). Imported, never edited: a re-import of the same file adds
nothing (a call's ``key`` is unique within its source)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ayuda.tickets.models import Ticket


class SourceKind(models.TextChoices):
    ASTERISK_CDR = "asterisk_cdr", _("Asterisk call detail records (Master.csv)")
    ASTERISK_QUEUE_LOG = "asterisk_queue_log", _("Asterisk queue log (queue_log)")
    CSV = "csv", _("CSV with a column mapping")


class CallOutcome(models.TextChoices):
    ANSWERED = "answered", _("Answered")
    ABANDONED = "abandoned", _("Abandoned by the caller")
    TIMEOUT = "timeout", _("Unanswered (timed out or no agent)")


# The outcomes that count as a missed call.
MISSED = (CallOutcome.ABANDONED, CallOutcome.TIMEOUT)

# Upper edges (seconds, exclusive) of the waiting-time histogram kept per hour; the last bucket
# holds everything from the last edge up. Service-level thresholds (answered within N seconds)
# are exact at these edges and interpolated between them.
WAIT_EDGES = (5, 10, 15, 20, 25, 30, 40, 45, 50, 60, 75, 90, 120, 150, 180, 240, 300, 420, 600, 900)


class CallSource(models.Model):
    """A phone system (or one export of it) and how its files are read."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("format"), max_length=20, choices=SourceKind.choices)
    timezone = models.CharField(
        _("time zone of the file's times"),
        max_length=64,
        default=settings.TIME_ZONE,
        help_text=_("Asterisk writes local time; times without an offset are read in this zone."),
    )
    # Generic CSV only: {"columns": {"arrived_at": "Start", "waited": "Wait", ...},
    # "date_format": "%d/%m/%Y %H:%M:%S", "delimiter": ";", "outcome_values": {...}}
    mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("phone system")
        verbose_name_plural = _("phone systems")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CallImport(models.Model):
    """One file taken in: what was added, what was already there, and every refused line."""

    source = models.ForeignKey(
        CallSource, on_delete=models.CASCADE, related_name="imports", verbose_name=_("phone system")
    )
    filename = models.CharField(_("file"), max_length=255)
    sha256 = models.CharField(max_length=64)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("imported by"),
    )
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    lines = models.PositiveIntegerField(_("lines read"), default=0)
    added = models.PositiveIntegerField(_("calls added"), default=0)
    duplicates = models.PositiveIntegerField(_("already imported"), default=0)
    refused = models.PositiveIntegerField(_("lines refused"), default=0)
    linked = models.PositiveIntegerField(_("calls linked to tickets"), default=0)
    # [{"line": 12, "reason": "…", "text": "first 200 characters"}], the first MAX_ERRORS kept.
    errors = models.JSONField(_("refused lines"), default=list, blank=True)
    # A file refused as a whole (wrong columns, not text): nothing from it was stored.
    failure = models.TextField(_("refused because"), blank=True)

    class Meta:
        verbose_name = _("call import")
        verbose_name_plural = _("call imports")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.source} · {self.filename}"


class Call(models.Model):
    """One call that reached the phone system's queue (or an agent)."""

    id = models.BigAutoField(primary_key=True)
    # No index of its own: the unique (source, key) index serves lookups by source; every
    # index costs the million-line imports time (docs/phone-records.md, "Speed").
    source = models.ForeignKey(
        CallSource,
        on_delete=models.CASCADE,
        related_name="calls",
        verbose_name=_("phone system"),
        db_index=False,
    )
    # Unique within the source: Asterisk's uniqueid / the queue log's call id, or for a
    # generic CSV the mapped id column (else a hash of the line).
    key = models.CharField(max_length=150)
    imported = models.ForeignKey(
        CallImport, on_delete=models.SET_NULL, null=True, related_name="calls"
    )
    arrived_at = models.DateTimeField(_("arrived"))
    queue = models.CharField(_("queue"), max_length=100, blank=True)
    caller = models.CharField(_("caller number"), max_length=50, blank=True)
    # The caller's number reduced to its last nine digits (how calls are matched to users).
    caller_key = models.CharField(max_length=12, blank=True, editable=False)
    agent = models.CharField(_("agent"), max_length=100, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=CallOutcome.choices)
    waited_seconds = models.PositiveIntegerField(_("waited (s)"), default=0)
    talk_seconds = models.PositiveIntegerField(_("talk time (s)"), default=0)
    ticket = models.ForeignKey(
        Ticket,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="calls",
        verbose_name=_("ticket"),
        db_constraint=False,
        db_index=False,  # the "call_ticket" index below
    )

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        constraints = [
            models.UniqueConstraint(fields=["source", "key"], name="call_source_key"),
        ]
        indexes = [
            models.Index(fields=["arrived_at", "id"], name="call_arrived"),
            models.Index(fields=["caller_key", "arrived_at"], name="call_caller"),
            models.Index(fields=["ticket"], name="call_ticket"),
        ]

    def __str__(self) -> str:
        return f"{self.caller or '?'} · {self.arrived_at:%Y-%m-%d %H:%M}"


class CallHour(models.Model):
    """The calls of one hour (UTC) of one source and queue: what every report and the staffing
    page read instead of the calls. Recomputed for the hours an import touches."""

    id = models.BigAutoField(primary_key=True)
    source = models.ForeignKey(CallSource, on_delete=models.CASCADE, related_name="+")
    queue = models.CharField(max_length=100, blank=True)
    hour = models.DateTimeField()  # the hour's start, UTC
    offered = models.PositiveIntegerField(default=0)
    answered = models.PositiveIntegerField(default=0)
    abandoned = models.PositiveIntegerField(default=0)
    timeout = models.PositiveIntegerField(default=0)
    wait_seconds = models.BigIntegerField(default=0)  # all calls' waits
    answered_wait_seconds = models.BigIntegerField(default=0)
    abandoned_wait_seconds = models.BigIntegerField(default=0)  # patience (Erlang A)
    talk_seconds = models.BigIntegerField(default=0)
    # Answered calls per waiting-time bucket (WAIT_EDGES + one open bucket), and the same for
    # missed calls (how long callers held on before they gave up).
    answered_waits = models.JSONField(default=list)
    missed_waits = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["hour", "source", "queue"], name="callhour_key"),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} · {self.queue} · {self.hour:%Y-%m-%d %H:00}"
