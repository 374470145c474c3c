"""The reports' own roll-ups: written only by this app, from the tickets' data."""

from django.db import models
from django.db.models import Q

from ayuda.accounts.models import Organisation, Site, Team, Vendor
from ayuda.devices.models import Device
from ayuda.tickets.models import Category, Ticket


def _dimension(model):
    """A copy of a ticket's foreign key: no constraint (the ticket holds that), no reverse."""
    return models.ForeignKey(
        model, on_delete=models.DO_NOTHING, null=True, db_constraint=False, related_name="+"
    )


class TicketFact(models.Model):
    """What the reports ask of one ticket, computed once when it changes (``facts.py``) instead
    of from its events and messages on every page view."""

    ticket = models.OneToOneField(
        Ticket, primary_key=True, on_delete=models.CASCADE, related_name="fact"
    )
    created_at = models.DateTimeField()
    channel = models.CharField(max_length=20)
    type = models.CharField(max_length=20)
    priority = models.PositiveSmallIntegerField(default=2)
    level = models.CharField(max_length=8)  # the level holding it now
    state_category = models.CharField(max_length=20)
    organisation = _dimension(Organisation)
    site = _dimension(Site)
    team = _dimension(Team)
    category = _dimension(Category)
    device = _dimension(Device)
    vendor = _dimension(Vendor)  # the vendor it was (last) escalated to
    first_response_at = models.DateTimeField(null=True)
    resolved_at = models.DateTimeField(null=True)  # the first resolution
    closed_at = models.DateTimeField(null=True)
    # Calendar seconds from creation; business minutes under the ticket's service-level
    # calendar (None without one, or until ``business_stale`` is cleared by the schedule).
    first_response_seconds = models.PositiveIntegerField(null=True)
    resolution_seconds = models.PositiveIntegerField(null=True)
    first_response_business = models.PositiveIntegerField(null=True)
    resolution_business = models.PositiveIntegerField(null=True)
    business_stale = models.BooleanField(default=False)
    escalated_l2 = models.BooleanField(default=False)  # ever escalated to level 2
    escalated_vendor = models.BooleanField(default=False)  # ever escalated to a vendor
    reopens = models.PositiveIntegerField(default=0)
    customer_messages = models.PositiveIntegerField(default=0)
    # Resolved at the first contact: resolved, never escalated, never reopened, and no second
    # message from the customer.
    fcr = models.BooleanField(default=False)
    refreshed_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["created_at"], name="fact_created"),
            models.Index(fields=["resolved_at"], name="fact_resolved"),
            models.Index(
                fields=["state_category", "created_at"],
                name="fact_active",
                condition=Q(
                    state_category__in=["new", "open", "pending_customer", "pending_vendor"]
                ),
            ),
            models.Index(
                fields=["ticket"], name="fact_business_stale", condition=Q(business_stale=True)
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.ticket_id}"


class RefreshMark(models.Model):
    """When a scheduled refresh last finished (shown on the pages it feeds)."""

    name = models.CharField(max_length=50, primary_key=True)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} · {self.at:%Y-%m-%d %H:%M}"


class TicketHour(models.Model):
    """The facts of the tickets created in one UTC hour through one channel, counted: what the
    staffing page and the overview's counts read instead of the facts (``facts.py`` keeps it
    current from TicketFact). Only the channel as a dimension: at a desk's density (tens of
    tickets an hour) every further dimension splits an hour into nearly one row per ticket
    (docs/reports.md), so filtered views read the facts."""

    id = models.BigAutoField(primary_key=True)
    hour = models.DateTimeField()  # the hour's start, UTC
    channel = models.CharField(max_length=20)
    tickets = models.PositiveIntegerField(default=0)  # created
    resolved = models.PositiveIntegerField(default=0)
    fcr = models.PositiveIntegerField(default=0)
    escalated_l2 = models.PositiveIntegerField(default=0)
    escalated_vendor = models.PositiveIntegerField(default=0)
    reopened = models.PositiveIntegerField(default=0)  # reopened at least once

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["hour", "channel"], name="tickethour_key"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} · {self.hour:%Y-%m-%d %H:00}"
