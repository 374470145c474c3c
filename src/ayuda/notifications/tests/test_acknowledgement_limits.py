"""Acknowledgements are not backscatter: a global hourly cap for senders nobody knows, and no
automatic answer to a message that must not get one (RFC 3834)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from ayuda.accounts.models import Role, User
from ayuda.notifications.models import DeliveryStatus, OutgoingKind, OutgoingMessage
from ayuda.notifications.services import outgoing_deliver
from ayuda.tickets import services
from ayuda.tickets.models import Channel
from ayuda.tickets.tests.factories import desk_make, ticket_make

pytestmark = pytest.mark.django_db


def _stranger(n: int) -> User:
    """A requester the mail channel made for an address nobody knew (no organisation, no
    password)."""
    user = User(username=f"stranger{n}", email=f"stranger{n}@example.net", role=Role.REQUESTER)
    user.set_unusable_password()
    user.save()
    return user


def _mail_ticket(requester, committed, **email):
    return committed(
        ticket_make,
        requester=requester,
        actor=None,
        channel=Channel.EMAIL,
        email=services.EmailMeta(**email) if email else None,
    )


def _ack(ticket) -> OutgoingMessage:
    return OutgoingMessage.objects.get(ticket=ticket, kind=OutgoingKind.ACKNOWLEDGEMENT)


def test_acknowledgements_to_unknown_senders_stop_at_the_hourly_cap(settings, committed):
    # given
    settings.AYUDA_ACK_UNKNOWN_PER_HOUR = 2
    desk = desk_make()

    # when four strangers write, then a known customer
    tickets = [_mail_ticket(_stranger(n), committed) for n in range(4)]
    known = _mail_ticket(desk.requester, committed)

    # then every ticket exists; the first two strangers are answered, the others are not,
    # and the log says why
    statuses = [_ack(t).status for t in tickets]
    assert statuses == [DeliveryStatus.SENT] * 2 + [DeliveryStatus.SUPPRESSED] * 2
    assert "2" in _ack(tickets[2]).last_error and "hour" in _ack(tickets[2]).last_error
    assert _ack(known).status == DeliveryStatus.SENT
    assert len(mail.outbox) == 3


def test_the_cap_counts_only_the_last_hour(settings, committed):
    # given the cap reached an hour and more ago
    settings.AYUDA_ACK_UNKNOWN_PER_HOUR = 1
    first = _mail_ticket(_stranger(1), committed)
    OutgoingMessage.objects.filter(pk=_ack(first).pk).update(
        created_at=timezone.now() - timedelta(minutes=61)
    )

    # when
    second = _mail_ticket(_stranger(2), committed)

    # then
    assert _ack(second).status == DeliveryStatus.SENT


def test_a_suppressed_acknowledgement_is_never_delivered(settings, committed):
    # given
    settings.AYUDA_ACK_UNKNOWN_PER_HOUR = 0
    ticket = _mail_ticket(_stranger(1), committed)
    ack = _ack(ticket)

    # when a retry sweep or a duplicate task reaches it
    outgoing_deliver(message_pk=ack.pk)

    # then
    ack.refresh_from_db()
    assert ack.status == DeliveryStatus.SUPPRESSED and ack.attempts == 0
    assert mail.outbox == []


def test_a_message_that_must_not_be_answered_gets_no_acknowledgement(committed):
    # given a known customer, whose mail came with a null return path
    desk = desk_make()

    # when
    ticket = _mail_ticket(desk.requester, committed, no_auto_response=True)

    # then
    ack = _ack(ticket)
    assert ack.status == DeliveryStatus.SUPPRESSED
    assert "RFC 3834" in ack.last_error
    assert mail.outbox == []
