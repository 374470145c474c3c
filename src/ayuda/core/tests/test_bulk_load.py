"""``manage.py bulk_load``: set-based tickets whose history chains verify."""

from io import StringIO
from itertools import groupby

import pytest
from django.core.management import call_command

from ayuda.tickets.history import chain_verify
from ayuda.tickets.history.keys import key_id
from ayuda.tickets.models import ACTIVE, Article, EventAction, StateCategory, Ticket, TicketEvent
from ayuda.tickets.tests.factories import ticket_make


@pytest.mark.django_db
def test_bulk_load_500_tickets_with_verifying_chains(settings):
    settings.AYUDA_HISTORY_KEYS = ["the-bulk-load-signs-with-the-site-key"]
    out = StringIO()
    call_command("bulk_load", "500", "--batch-size", "200", "--seed", "7", stdout=out)

    assert Ticket.objects.count() == 500
    assert "500 tickets" in out.getvalue() and "tickets/s" in out.getvalue()
    assert Article.objects.count() == 500
    assert set(Article.objects.values_list("ticket_id", flat=True)) == set(
        Ticket.objects.values_list("pk", flat=True)
    )
    events = TicketEvent.objects.order_by("ticket_id", "seq")
    chains = {tid: list(evs) for tid, evs in groupby(events, key=lambda e: e.ticket_id)}
    assert len(chains) == 500
    assert set(events.values_list("key_id", flat=True)) == {key_id(settings.AYUDA_HISTORY_KEYS[0])}
    for ticket_id, chain in chains.items():
        assert chain[0].action == EventAction.CREATED
        assert chain_verify(chain) is None, ticket_id
    # A realistic spread: every state category, roughly a third still active.
    assert set(Ticket.objects.values_list("state_category", flat=True)) == set(StateCategory.values)
    assert 0.25 < Ticket.objects.filter(ACTIVE).count() / 500 < 0.5


@pytest.mark.django_db
def test_bulk_load_continues_ids_and_leaves_the_sequences_usable():
    first = ticket_make()
    call_command("bulk_load", "50", stdout=StringIO())
    call_command("bulk_load", "30", stdout=StringIO())
    after = ticket_make()

    assert Ticket.objects.count() == 82
    assert after.pk > Ticket.objects.exclude(pk=after.pk).latest("pk").pk > first.pk
    for ticket in Ticket.objects.all():
        assert chain_verify(ticket.events.order_by("seq")) is None, ticket.pk
