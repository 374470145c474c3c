"""The sweep plans what a lost notification task did not (R36: nothing lost when a process dies).

In these tests the after-commit handler does not run unless ``committed`` is used: that is
exactly a task that was never delivered.
"""

import pytest
from django.core import mail
from django.core.management import call_command

from ayuda.notifications import tasks
from ayuda.notifications.models import EventCursor, OutgoingKind, OutgoingMessage
from ayuda.notifications.sweep import CURSOR, notifications_sweep
from ayuda.tickets import services
from ayuda.tickets.models import StateCategory, TicketEvent
from ayuda.tickets.tests.factories import desk_make, ticket_in, ticket_make

pytestmark = pytest.mark.django_db


def _cursor() -> int:
    row = EventCursor.objects.filter(name=CURSOR).first()
    return row.last_event_id if row else 0


def test_an_acknowledgement_whose_task_was_lost_is_sent_by_the_sweep(settings):
    # given: the ticket committed, its notification task never ran
    desk = desk_make()
    ticket = ticket_make(requester=desk.requester)
    assert not OutgoingMessage.objects.exists()

    # when
    settings.AYUDA_NOTIFICATIONS_SETTLE_SECONDS = 0
    sent = tasks.notifications_sweep()

    # then
    message = OutgoingMessage.objects.get(ticket=ticket)
    assert (sent, message.kind, message.status) == (1, OutgoingKind.ACKNOWLEDGEMENT, "sent")
    assert [m.to for m in mail.outbox] == [[desk.requester.email]]
    assert _cursor() == TicketEvent.objects.order_by("-id").first().id


def test_the_sweep_sends_nothing_twice(committed):
    # given: the fast path did its job
    desk = desk_make()
    ticket = committed(ticket_make, requester=desk.requester)
    assert OutgoingMessage.objects.filter(ticket=ticket).count() == 1

    # when
    first = notifications_sweep(settle_seconds=0)
    again = notifications_sweep(settle_seconds=0)

    # then
    assert (first, again) == ([], [])
    assert OutgoingMessage.objects.filter(ticket=ticket).count() == 1
    assert len(mail.outbox) == 1


def test_young_events_are_left_for_the_next_sweep():
    # given
    desk = desk_make()
    ticket_make(requester=desk.requester)

    # when
    queued = notifications_sweep(settle_seconds=3600)

    # then
    assert queued == []
    assert not OutgoingMessage.objects.exists()
    assert _cursor() == 0


def test_internal_notes_stay_internal_in_the_sweep_too():
    # given
    desk = desk_make()
    ticket = ticket_in(StateCategory.OPEN, desk=desk)
    notifications_sweep(settle_seconds=0)
    before = OutgoingMessage.objects.count()

    # when
    services.article_add_note(ticket=ticket, actor=desk.agent_l1, body="Call the vendor")
    queued = notifications_sweep(settle_seconds=0)

    # then
    assert queued == []
    assert OutgoingMessage.objects.count() == before


def test_the_demo_history_is_not_swept_into_mail():
    # given
    call_command("load_demo", "--allow-production", verbosity=0)  # tests run with DEBUG off

    # when
    queued = notifications_sweep(settle_seconds=0)

    # then
    assert queued == []
    assert not OutgoingMessage.objects.exists()
