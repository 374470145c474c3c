"""Which ticket events become which mails (R23), with the locmem mail backend."""

import pytest
from django.core import mail

from ayuda.notifications.handlers import ticket_events_notify
from ayuda.notifications.models import DeliveryStatus, OutgoingKind, OutgoingMessage
from ayuda.notifications.services import notify_for_events, outgoing_deliver
from ayuda.tickets import services
from ayuda.tickets.models import Channel, StateCategory, TicketEvent
from ayuda.tickets.tests.factories import desk_make, ticket_in, ticket_make

pytestmark = pytest.mark.django_db


def kinds(ticket) -> list[str]:
    return list(
        OutgoingMessage.objects.filter(ticket=ticket).order_by("pk").values_list("kind", flat=True)
    )


def test_portal_submission_is_acknowledged_in_the_requesters_language(committed):
    # given
    desk = desk_make()
    desk.requester.language = "es"
    desk.requester.save()

    # when
    ticket = committed(ticket_make, requester=desk.requester, subject="Impresora")

    # then
    message = OutgoingMessage.objects.get(ticket=ticket)
    assert message.kind == OutgoingKind.ACKNOWLEDGEMENT and message.language == "es"
    assert message.to_address == desk.requester.email
    assert message.subject.startswith(f"[#{ticket.pk}] ")
    assert message.status == DeliveryStatus.SENT
    sent = mail.outbox[0]
    assert sent.extra_headers["Message-ID"] == message.message_id
    assert sent.extra_headers["Auto-Submitted"] == "auto-generated"
    assert f"#{ticket.pk}" in sent.body
    assert sent.alternatives and "<html" in sent.alternatives[0][0]


def test_internal_note_is_never_sent(committed):
    # given
    desk = desk_make()
    ticket = committed(ticket_in, StateCategory.OPEN, desk=desk)
    before = OutgoingMessage.objects.count()

    # when
    committed(services.article_add_note, ticket=ticket, actor=desk.agent_l1, body="Secret")

    # then
    assert OutgoingMessage.objects.count() == before
    assert all("Secret" not in m.body for m in mail.outbox)


def test_public_reply_is_mailed_with_its_text_and_threading(committed):
    # given a ticket that came in by mail
    desk = desk_make()
    ticket = committed(
        ticket_make,
        requester=desk.requester,
        channel=Channel.EMAIL,
        actor=None,
        article_kind="email",
        email=services.EmailMeta(message_id="<first@example.com>"),
    )

    # when
    committed(
        services.article_add_reply,
        ticket=ticket,
        actor=desk.agent_l1,
        body="Restart it, please.",
        ask_customer=True,
    )

    # then the reply alone goes out (it already says the ticket waits on the customer)
    assert kinds(ticket) == [OutgoingKind.ACKNOWLEDGEMENT, OutgoingKind.REPLY]
    reply = OutgoingMessage.objects.get(ticket=ticket, kind=OutgoingKind.REPLY)
    assert "Restart it, please." in reply.body_text
    assert reply.in_reply_to == "<first@example.com>"
    assert "<first@example.com>" in reply.references
    assert not reply.auto_submitted


def test_resolving_tells_the_requester_with_the_solution(committed):
    # given
    desk = desk_make()
    ticket = committed(ticket_in, StateCategory.OPEN, desk=desk)
    before = kinds(ticket)

    # when
    committed(
        services.ticket_resolve, ticket=ticket, actor=desk.agent_l1, solution="Replaced the cable."
    )

    # then one mail, not a reply and a state mail
    assert kinds(ticket)[len(before) :] == [OutgoingKind.STATE_CHANGED]
    message = OutgoingMessage.objects.filter(ticket=ticket).order_by("-pk").first()
    assert "Replaced the cable." in message.body_text


def test_customer_message_is_acknowledged_and_its_reopening_is_not_mailed_again(committed):
    # given
    desk = desk_make()
    ticket = committed(ticket_in, StateCategory.RESOLVED, desk=desk)
    before = kinds(ticket)

    # when
    committed(
        services.article_add_customer, ticket=ticket, author=desk.requester, body="Still broken"
    )

    # then
    assert kinds(ticket)[len(before) :] == [OutgoingKind.ACKNOWLEDGEMENT]


def test_escalation_to_a_vendor_mails_the_vendor(committed):
    # given
    desk = desk_make()
    ticket = committed(ticket_in, StateCategory.OPEN, desk=desk)

    # when
    committed(
        services.ticket_escalate_to_vendor,
        ticket=ticket,
        actor=desk.agent_l1,
        vendor=desk.vendor,
        reason="Firmware bug",
    )

    # then
    message = OutgoingMessage.objects.get(ticket=ticket, kind=OutgoingKind.VENDOR_ESCALATION)
    assert message.to_address == desk.vendor.email
    assert "Firmware bug" in message.body_text and ticket.description in message.body_text
    assert message.subject.startswith(f"[#{ticket.pk}] ")


def test_the_vendor_is_mailed_in_its_own_language(committed):
    # given
    desk = desk_make()
    desk.vendor.language = "it"
    desk.vendor.save()
    ticket = committed(ticket_in, StateCategory.OPEN, desk=desk)

    # when
    committed(
        services.ticket_escalate_to_vendor,
        ticket=ticket,
        actor=desk.agent_l1,
        vendor=desk.vendor,
        reason="Firmware bug",
    )

    # then
    message = OutgoingMessage.objects.get(ticket=ticket, kind=OutgoingKind.VENDOR_ESCALATION)
    assert message.language == "it"


def test_notifying_twice_records_each_mail_once(committed):
    # given
    desk = desk_make()
    ticket = committed(ticket_make, requester=desk.requester)
    seqs = list(TicketEvent.objects.filter(ticket=ticket).values_list("seq", flat=True))

    # when
    again = notify_for_events(ticket_id=ticket.pk, seqs=seqs)
    outgoing_deliver(message_pk=again[0].pk)

    # then
    assert OutgoingMessage.objects.filter(ticket=ticket).count() == 1
    assert len(mail.outbox) == 1


def test_a_broker_outage_does_not_break_the_ticket_change(monkeypatch):
    # given
    from ayuda.notifications import tasks

    def down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.notify_ticket_events, "delay", down)
    event = TicketEvent(ticket_id=1, seq=1, action="created", data={"internal": False})

    # when / then: no exception
    ticket_events_notify([event])


def test_requester_without_address_gets_nothing(committed):
    # given
    desk = desk_make()
    desk.requester.email = ""
    desk.requester.save()

    # when
    ticket = committed(ticket_make, requester=desk.requester)

    # then
    assert kinds(ticket) == []


def test_a_reply_carries_its_attachments(committed):
    # given
    from ayuda.tickets.attachments import IncomingFile

    desk = desk_make()
    ticket = committed(ticket_in, StateCategory.OPEN, desk=desk)
    log = IncomingFile(name="steps.txt", content=b"1. restart\n2. log in\n")

    # when
    committed(
        services.article_add_reply,
        ticket=ticket,
        actor=desk.agent_l1,
        body="See the steps attached.",
        attachments=[log],
    )

    # then
    sent = mail.outbox[-1]
    assert "See the steps attached." in sent.body
    assert [(a.filename, a.content) for a in sent.attachments] == [
        ("steps.txt", "1. restart\n2. log in\n")
    ]
