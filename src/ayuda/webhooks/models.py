"""Webhook subscriptions, their deliveries (one per subscription and event) and each attempt."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ayuda.tickets.models import TicketEvent


class EventType(models.TextChoices):
    TICKET_CREATED = "ticket.created", _("Ticket created")
    TICKET_UPDATED = "ticket.updated", _("Ticket updated")
    TICKET_STATE_CHANGED = "ticket.state_changed", _("Ticket state changed")
    TICKET_ESCALATED = "ticket.escalated", _("Ticket escalated")
    TICKET_MESSAGE_ADDED = "ticket.message_added", _("Message added")
    # Declared for the device-health work: nothing sends them yet.
    DEVICE_INCIDENT_RAISED = "device.incident_raised", _("Device incident raised")
    DEVICE_INCIDENT_RESOLVED = "device.incident_resolved", _("Device incident resolved")


class Subscription(models.Model):
    """A URL that hears about ticket events, on behalf of its owner.

    An administrator's subscription hears about every ticket. One owned by a customer user
    (an organisation's integration, through its site admin or requester account) hears only
    about the tickets that user may see (``tickets.permissions.ticket_scope``) and only what
    the customer sees of them: see ``payloads.py``.
    """

    name = models.CharField(_("name"), max_length=100)
    url = models.CharField(_("URL"), max_length=2000)
    event_types = models.JSONField(_("events"), default=list)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="webhook_subscriptions",
        verbose_name=_("owner"),
        help_text=_(
            "Whose tickets it hears about and who is told when it is disabled: an "
            "administrator (every ticket) or an organisation's user (that user's tickets)."
        ),
    )
    secret_encrypted = models.TextField(editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    # Only events after this one are delivered (set at creation and on re-enabling).
    start_event_id = models.BigIntegerField(default=0, editable=False)
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    disabled_at = models.DateTimeField(_("disabled"), null=True, blank=True)
    disabled_reason = models.CharField(_("why disabled"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["is_active"], name="webhook_sub_active")]

    def __str__(self) -> str:
        return self.name

    @property
    def secret(self) -> str:
        from ayuda.core.crypto import decrypt

        return decrypt(self.secret_encrypted)


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    RETRYING = "retrying", _("Failed, will retry")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Not sent (subscription disabled)")


class Delivery(models.Model):
    """One event for one subscription. ``(subscription, event)`` is unique, so planning the
    same event twice (the fast path and the sweep) makes one delivery. The body is built and
    stored once: every attempt and replay sends the same bytes under the same ``message_id``.
    """

    subscription = models.ForeignKey(
        Subscription,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("subscription"),
    )
    event = models.ForeignKey(
        TicketEvent,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ticket event"),
    )
    event_type = models.CharField(_("event"), max_length=40, choices=EventType.choices)
    message_id = models.CharField(_("webhook-id"), max_length=64, unique=True)
    body = models.TextField(_("body"))
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("last HTTP status"), null=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"))
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "event"],
                condition=Q(event__isnull=False),
                name="webhook_delivery_once",
            )
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due"),
            models.Index(fields=["subscription", "created_at"], name="webhook_delivery_sub"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.subscription}"


class DeliveryAttempt(models.Model):
    """One HTTP request of a delivery: when, to which address, what came back."""

    delivery = models.ForeignKey(
        Delivery, on_delete=models.CASCADE, related_name="attempt_log", verbose_name=_("delivery")
    )
    number = models.PositiveSmallIntegerField(_("attempt"))
    at = models.DateTimeField(_("when"))
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    address = models.CharField(_("address"), max_length=45, blank=True)
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    response_body = models.TextField(_("response (start)"), blank=True)
    replay = models.BooleanField(_("replay"), default=False)

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["delivery", "number"]

    def __str__(self) -> str:
        return f"{self.delivery_id}.{self.number}"

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
