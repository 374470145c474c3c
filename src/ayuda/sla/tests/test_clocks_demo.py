"""The demo desk's tickets run against its service levels."""

from io import StringIO

import pytest
from django.core.management import call_command

from ayuda.sla.models import ClockState, Side, SlaClock, SlaPolicy
from ayuda.tickets.history import chain_verify
from ayuda.tickets.models import ACTIVE, EventAction, StateCategory, Ticket, TicketEvent


@pytest.mark.django_db
def test_demo_tickets_have_clocks_and_due_times(
    settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.DATA_DIR = tmp_path
    settings.DEBUG = True
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", stdout=StringIO())
    assert SlaPolicy.objects.filter(side=Side.VENDOR).count() == 1
    active = Ticket.objects.filter(ACTIVE)
    with_policy = active.filter(sla_policy__isnull=False)
    assert with_policy.exists()
    # running clocks have a due time on the ticket; paused ones (waiting on the customer) none
    for ticket in with_policy.exclude(state_category=StateCategory.PENDING_CUSTOMER):
        clock = SlaClock.objects.get(ticket=ticket, side=Side.DESK, state=ClockState.RUNNING)
        assert ticket.sla_due_at is not None, (ticket.pk, clock.pause_reason)
    for ticket in with_policy.filter(state_category=StateCategory.PENDING_CUSTOMER):
        assert ticket.sla_due_at is None
        assert TicketEvent.objects.filter(ticket=ticket, action=EventAction.CLOCK_PAUSED).exists()
        assert chain_verify(ticket.events.order_by("seq")) is None  # history still whole
    closed = Ticket.objects.filter(state_category=StateCategory.CLOSED)
    assert not SlaClock.objects.filter(ticket__in=closed).exclude(state="stopped").exists()
