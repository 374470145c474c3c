"""Outgoing messages and their delivery log (R23)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ayuda.tickets.models import Article, Ticket


class OutgoingKind(models.TextChoices):
    ACKNOWLEDGEMENT = "acknowledgement", _("Acknowledgement")
    REPLY = "reply", _("Reply")
    STATE_CHANGED = "state_changed", _("State change")
    VENDOR_ESCALATION = "vendor_escalation", _("Escalation to vendor")
    NOTICE = "notice", _("Notice to a user")


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    RETRYING = "retrying", _("Failed, will retry")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    BOUNCED = "bounced", _("Bounced")
    SUPPRESSED = "suppressed", _("Not sent")


class OutgoingMessage(models.Model):
    """One mail to one recipient, rendered when it was queued and kept after it is sent.

    ``dedup_key`` (ticket, event, kind, recipient) is unique, so a handler or task that runs
    twice queues the mail once.
    """

    ticket = models.ForeignKey(
        Ticket,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="outgoing_messages",
        verbose_name=_("ticket"),
    )
    article = models.ForeignKey(
        Article,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("article"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=OutgoingKind.choices)
    dedup_key = models.CharField(max_length=300, unique=True)
    language = models.CharField(_("language"), max_length=8, default="en")
    from_address = models.CharField(_("from"), max_length=500)
    to_address = models.CharField(_("to"), max_length=320, db_index=True)
    subject = models.CharField(_("subject"), max_length=500)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"), blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=998, unique=True)
    in_reply_to = models.CharField(max_length=998, blank=True)
    references = models.TextField(blank=True)
    auto_submitted = models.BooleanField(
        default=True, help_text=_("Machine-made (acknowledgements, notifications).")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outmsg_status_due"),
            models.Index(fields=["ticket", "created_at"], name="outmsg_ticket_time"),
            # The hourly cap on acknowledgements to unknown senders counts the last hour's.
            models.Index(fields=["kind", "created_at"], name="outmsg_kind_time"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.to_address}"


class EventCursor(models.Model):
    """How far the notification sweep has read the ticket history (one row per reader).

    The after-commit handler enqueues notifications at once; if that task is lost (a worker
    killed on a broker that acknowledges on receipt), the sweep finds the events behind the
    cursor and plans them again. Planning is idempotent, so nothing is sent twice.
    """

    name = models.CharField(max_length=50, primary_key=True)
    last_event_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("event cursor")
        verbose_name_plural = _("event cursors")

    def __str__(self) -> str:
        return f"{self.name} @ {self.last_event_id}"


# -- agents' in-app notifications (R23) ----------------------------------------------------------


class NotificationKind(models.TextChoices):
    ASSIGNED = "assigned", _("A ticket was assigned to you")
    TEAM_ESCALATION = "team_escalation", _("A ticket came to your team")
    CUSTOMER_REPLIED = "customer_replied", _("The customer wrote on your ticket")
    SLA_WARNING = "sla_warning", _("A service level target is near")
    SLA_BREACH = "sla_breach", _("A service level target was missed")
    NEXT_UPDATE_DUE = "next_update_due", _("The customer is due an update")


#: Kinds mailed when the user has not chosen: the ones that need someone now. Every kind is
#: shown in the workspace (the bell) unless turned off.
EMAIL_BY_DEFAULT = frozenset(
    {NotificationKind.ASSIGNED, NotificationKind.TEAM_ESCALATION, NotificationKind.SLA_BREACH}
)


class Notification(models.Model):
    """One alert to one agent, shown under the bell. Stores no text: the words are rendered
    when it is read, from ``kind`` and ``data``, in the reader's language."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=NotificationKind.choices)
    ticket = models.ForeignKey(
        Ticket,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ticket"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    data = models.JSONField(default=dict, blank=True)
    dedup_key = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"))
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The list (newest first, keyset on created_at, id) and the unread count.
            models.Index(fields=["user", "-created_at", "-id"], name="notif_user_time"),
            models.Index(
                fields=["user"], name="notif_user_unread", condition=models.Q(read_at__isnull=True)
            ),
        ]
        constraints = [
            # A retried notify() (a task run twice) creates nothing twice.
            models.UniqueConstraint(
                fields=["user", "dedup_key"],
                name="notif_user_dedup",
                condition=~models.Q(dedup_key=""),
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.user_id}"


class NotificationPreference(models.Model):
    """A user's choice for one kind: shown in the workspace, mailed, both or neither. No row
    means the default (in-app on; mail on for ``EMAIL_BY_DEFAULT``)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=NotificationKind.choices)
    in_app = models.BooleanField(_("in the workspace"), default=True)
    email = models.BooleanField(_("by e-mail"), default=False)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notifpref_user_kind")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}"
