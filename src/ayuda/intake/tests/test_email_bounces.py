"""Bounces and backscatter (RFC 3834): delivery reports are kept as ignored with their reason,
linked to the ticket of the mail of ours they return, and nothing machine-made is answered."""

import pytest

from ayuda.intake.email.pipeline import inbound_mail_retry
from ayuda.intake.models import InboundMailStatus, UnknownSenderPolicy
from ayuda.notifications.models import DeliveryStatus, OutgoingKind, OutgoingMessage
from ayuda.tickets.models import ArticleKind, SenderRole, Ticket

from .factories import mail_bytes, mailbox_make
from .mail_fixtures import expected, fixture_bytes

pytestmark = pytest.mark.django_db

BOUNCES = sorted(n for n, exp in expected().items() if exp["verdict"] == "bounce")


def _acknowledged_ticket(ingest, mailbox, name="plain_new.eml"):
    row, _ = ingest(fixture_bytes(name), mailbox)
    assert row.status == InboundMailStatus.PROCESSED, row.reason_text()
    ack = OutgoingMessage.objects.get(ticket=row.ticket, kind=OutgoingKind.ACKNOWLEDGEMENT)
    return row.ticket, ack


@pytest.mark.parametrize("name", BOUNCES)
def test_every_bounce_of_the_corpus_is_ignored_with_its_reason_and_never_answered(name, ingest):
    # given
    mailbox = mailbox_make()

    # when
    row, created = ingest(fixture_bytes(name), mailbox)

    # then
    assert created
    assert row.status == InboundMailStatus.IGNORED, row.reason_text()
    assert "deliver" in row.reason_text().lower() or "null" in row.reason_text().lower()
    assert Ticket.objects.count() == 0
    assert OutgoingMessage.objects.count() == 0


def test_a_mail_from_a_null_sender_is_ignored_as_a_bounce_not_kept_as_failed(ingest):
    # given "From: MAILER DAEMON <>", as the issue found it
    mailbox = mailbox_make()

    # when
    row, _ = ingest(fixture_bytes("bounce_null_sender.eml"), mailbox)

    # then
    assert row.status == InboundMailStatus.IGNORED
    assert row.from_address == ""
    assert "null" in row.reason_text().lower()


@pytest.mark.parametrize(
    ("name", "placeholder"),
    [
        ("bounce_gmail.eml", b"<ayuda.gmail-bounced.1@ayuda.test>"),  # message/rfc822 part
        ("bounce_exchange_ndr.eml", b"<ayuda.exchange-bounced.1@ayuda.test>"),  # rfc822-headers
        ("bounce_exim.eml", b"<ayuda.exim-bounced.1@ayuda.test>"),  # a copy in the text
        ("bounce_qmail.eml", b"<ayuda.qmail-bounced.1@ayuda.test>"),
    ],
)
def test_a_bounce_of_our_mail_is_linked_to_its_ticket_with_a_note_for_the_agents(
    name, placeholder, ingest
):
    # given an acknowledgement we sent
    mailbox = mailbox_make()
    ticket, ack = _acknowledged_ticket(ingest, mailbox)
    raw = fixture_bytes(name).replace(placeholder, ack.message_id.encode())
    articles_before = ticket.articles.count()

    # when its delivery report comes back
    row, _ = ingest(raw, mailbox)

    # then
    ack.refresh_from_db()
    assert row.status == InboundMailStatus.IGNORED
    assert row.ticket == ticket
    assert ack.status == DeliveryStatus.BOUNCED
    note = ticket.articles.order_by("-pk").first()
    assert ticket.articles.count() == articles_before + 1
    assert note.internal and note.sender_role == SenderRole.SYSTEM
    assert note.kind == ArticleKind.SYSTEM
    assert ack.to_address in note.body
    # and nobody is mailed about it
    assert OutgoingMessage.objects.count() == 1


def test_a_bounce_answering_our_mail_by_in_reply_to_is_linked(ingest):
    # given
    mailbox = mailbox_make()
    ticket, ack = _acknowledged_ticket(ingest, mailbox)
    raw = mail_bytes(
        sender="Mail Delivery Subsystem <mailer-daemon@relay.example.net>",
        subject="Delivery Status Notification (Failure)",
        body="Your message was not delivered.",
        headers={"In-Reply-To": ack.message_id, "Return-Path": "<>"},
    )

    # when
    row, _ = ingest(raw, mailbox)

    # then
    ack.refresh_from_db()
    assert row.status == InboundMailStatus.IGNORED and row.ticket == ticket
    assert ack.status == DeliveryStatus.BOUNCED


def test_a_second_report_of_the_same_bounce_adds_no_second_note(ingest):
    # given
    mailbox = mailbox_make()
    ticket, ack = _acknowledged_ticket(ingest, mailbox)
    raw = fixture_bytes("bounce_gmail.eml").replace(
        b"<ayuda.gmail-bounced.1@ayuda.test>", ack.message_id.encode()
    )
    ingest(raw, mailbox)
    notes = ticket.articles.filter(sender_role=SenderRole.SYSTEM).count()

    # when the remote server reports it again, under another Message-ID
    again = raw.replace(b"67d9a7c1.abc123.gmail-dsn", b"67d9a7c1.abc124.gmail-dsn")
    row, created = ingest(again, mailbox)

    # then
    assert created and row.ticket == ticket
    assert ticket.articles.filter(sender_role=SenderRole.SYSTEM).count() == notes


def test_a_bounce_naming_a_ticket_only_by_its_tag_is_linked_without_a_note(ingest):
    # given
    mailbox = mailbox_make()
    ticket, ack = _acknowledged_ticket(ingest, mailbox)
    articles = ticket.articles.count()
    raw = fixture_bytes("bounce_outlook_spanish.eml").replace(b"[#14]", f"[#{ticket.pk}]".encode())

    # when
    row, _ = ingest(raw, mailbox)

    # then the row points at the ticket; nothing is changed on a guessable reference
    ack.refresh_from_db()
    assert row.status == InboundMailStatus.IGNORED and row.ticket == ticket
    assert ack.status == DeliveryStatus.SENT
    assert ticket.articles.count() == articles


def test_a_bounce_like_mail_without_a_report_opens_no_ticket_and_gets_no_acknowledgement(ingest):
    # given "Mail Delivery Subsystem" / "Undelivered Mail Returned to Sender", plain text
    mailbox = mailbox_make()

    # when
    row, _ = ingest(fixture_bytes("bounce_subsystem_no_report.eml"), mailbox)

    # then
    assert row.status == InboundMailStatus.IGNORED
    assert Ticket.objects.count() == 0 and OutgoingMessage.objects.count() == 0


def test_a_null_return_path_opens_the_ticket_but_is_never_answered(ingest):
    # given a person's mail that arrived with "Return-Path: <>"
    mailbox = mailbox_make()

    # when
    row, _ = ingest(fixture_bytes("null_return_path_person.eml"), mailbox)

    # then the ticket is made, and the acknowledgement is recorded as not sent, with why
    assert row.status == InboundMailStatus.PROCESSED
    ack = OutgoingMessage.objects.get(ticket=row.ticket)
    assert ack.kind == OutgoingKind.ACKNOWLEDGEMENT
    assert ack.status == DeliveryStatus.SUPPRESSED and ack.sent_at is None
    assert "RFC 3834" in ack.last_error


def test_a_released_automatic_mail_makes_a_ticket_but_no_acknowledgement(ingest, committed):
    # given an auto-reply kept as ignored
    mailbox = mailbox_make()
    row, _ = ingest(fixture_bytes("autoreply_xautoreply.eml"), mailbox)
    assert row.status == InboundMailStatus.IGNORED

    # when an administrator releases it as a new ticket
    row = committed(inbound_mail_retry, mail_id=row.pk, force="new_ticket")

    # then
    assert row.status == InboundMailStatus.PROCESSED
    ack = OutgoingMessage.objects.get(ticket=row.ticket)
    assert ack.status == DeliveryStatus.SUPPRESSED


def test_a_released_mail_from_a_null_sender_stays_failed_with_a_reason(ingest, committed):
    # given
    mailbox = mailbox_make(unknown_senders=UnknownSenderPolicy.ACCEPT)
    row, _ = ingest(fixture_bytes("bounce_null_sender.eml"), mailbox)

    # when
    row = committed(inbound_mail_retry, mail_id=row.pk, force="new_ticket")

    # then no ticket can be made without an address, and the admin is told why
    assert row.status == InboundMailStatus.FAILED
    assert "sender" in row.reason_text()
    assert Ticket.objects.count() == 0


@pytest.mark.needs_server("dovecot")
def test_bounces_and_forged_staff_mail_in_one_batch_with_ordinary_mail(
    imap_server, imap_folder, committed
):
    # given the hostile mails of issue 7 (items 5 and 6) delivered with ordinary ones
    from ayuda.intake.email.imap import PROCESSED_KEYWORD, mailbox_poll
    from ayuda.tickets.models import StateCategory
    from ayuda.tickets.tests.factories import desk_make, ticket_in

    desk = desk_make()
    desk.agent_l1.email = "laura.gomez@ayuda.test"
    desk.agent_l1.save()
    ticket = committed(ticket_in, StateCategory.OPEN, desk=desk)
    mailbox = mailbox_make(
        host=imap_server.host,
        port=imap_server.port,
        username=imap_server.user,
        password=imap_server.password,
        folder=imap_folder,
        authserv_ids="mx.ayuda.test",
    )
    tagged = f"[#{ticket.pk}]".encode()
    imap_server.deliver(
        imap_folder,
        fixture_bytes("plain_new.eml"),
        *[fixture_bytes(name) for name in BOUNCES],
        fixture_bytes("staff_forged_tag.eml").replace(b"[#TICKET]", tagged),
        fixture_bytes("staff_forged_new.eml"),
        fixture_bytes("staff_genuine_dmarc.eml").replace(b"[#TICKET]", tagged),
        fixture_bytes("null_return_path_person.eml"),
    )

    # when
    result = committed(mailbox_poll, mailbox)

    # then every mail ends with its reason, and the mailbox is done with all of them
    assert result.error == ""
    assert result.statuses == {"processed": 4, "ignored": len(BOUNCES), "quarantined": 1}
    articles = ticket.articles.filter(email_from__contains="laura.gomez@ayuda.test")
    assert sorted(a.sender_unverified for a in articles) == [False, True]
    assert not Ticket.objects.filter(requester=desk.agent_l1).exists()
    acks = OutgoingMessage.objects.filter(
        kind=OutgoingKind.ACKNOWLEDGEMENT, ticket__channel="email"
    )
    assert sorted(acks.values_list("status", flat=True)) == ["sent", "suppressed"]
    with imap_server.client() as client:
        client.select_folder(imap_folder, readonly=True)
        flags = client.fetch(client.search(["ALL"]), ["FLAGS"]).values()
    assert all(PROCESSED_KEYWORD.encode() in f[b"FLAGS"] for f in flags)
