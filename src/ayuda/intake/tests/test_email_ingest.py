"""Ingestion through the real ticket services, on the database (no IMAP server here)."""

import pytest

from ayuda.accounts.models import Role, User
from ayuda.accounts.tests.factories import organisation_make, user_make
from ayuda.intake.email.pipeline import inbound_mail_retry
from ayuda.intake.models import (
    InboundMail,
    InboundMailStatus,
    UnknownSenderPolicy,
)
from ayuda.notifications.models import DeliveryStatus, OutgoingMessage
from ayuda.tickets.models import (
    Article,
    Attachment,
    Channel,
    SenderRole,
    Ticket,
)

from .factories import mail_bytes, mailbox_make
from .mail_fixtures import expected, fixture_bytes, fixture_names, ticket_from

pytestmark = pytest.mark.django_db

NEW_MAIL_FIXTURES = [n for n in fixture_names() if "outcome" in expected()[n]]


@pytest.mark.parametrize("name", NEW_MAIL_FIXTURES)
def test_fixture_ingests_as_expected(name, ingest, settings):
    # given
    exp = expected()[name]
    for setting, value in exp.get("settings", {}).items():
        setattr(settings, setting, value)
    mailbox = mailbox_make()

    # when
    row, created = ingest(fixture_bytes(name), mailbox, uid=1)

    # then
    assert created
    outcome = exp["outcome"]
    if outcome == "new_ticket":
        assert row.status == InboundMailStatus.PROCESSED, row.reason
        ticket = row.ticket
        assert ticket.channel == Channel.EMAIL
        assert ticket.requester.email == exp["from"]
        first = ticket.articles.order_by("pk").first()
        assert first.kind == "email" and first.sender_role == SenderRole.CUSTOMER
        assert first.message_id == exp.get("message_id", first.message_id)
        for needle in exp.get("text_contains", []):
            assert needle in ticket.description
        for needle in exp.get("html_not_contains", []):
            assert needle.lower() not in first.body_html.lower()
        stored = sorted(Attachment.objects.filter(ticket=ticket).values_list("filename", flat=True))
        if "accepted" in exp:
            assert stored == sorted(exp["accepted"])
        if exp.get("refused"):
            note = ticket.articles.get(sender_role=SenderRole.SYSTEM)
            assert note.internal
            for refused in exp["refused"]:
                assert refused in note.body
    elif outcome == "ignored":
        assert row.status == InboundMailStatus.IGNORED
        assert Ticket.objects.count() == 0
    elif outcome == "failed":
        assert row.status == InboundMailStatus.FAILED
        assert row.reason
        assert bytes(row.raw) == fixture_bytes(name)
        assert Ticket.objects.count() == 0


def test_same_mail_twice_makes_one_ticket(ingest):
    # given
    mailbox = mailbox_make()
    raw = fixture_bytes("plain_new.eml")
    ingest(raw, mailbox, uid=1)

    # when the same mail arrives again (another UID, another mailbox)
    _row, created = ingest(raw, mailbox_make(), uid=99)

    # then
    assert not created
    assert Ticket.objects.count() == 1
    assert InboundMail.objects.count() == 1


def test_two_different_mails_sharing_a_message_id_are_both_kept(ingest):
    # given
    mailbox = mailbox_make()
    ingest(fixture_bytes("duplicate_message_id_a.eml"), mailbox, uid=1)

    # when
    row, created = ingest(fixture_bytes("duplicate_message_id_b.eml"), mailbox, uid=2)

    # then
    assert created and row.status == InboundMailStatus.PROCESSED
    assert Ticket.objects.count() == 2
    # and a third delivery of the second one is still a duplicate
    assert not ingest(fixture_bytes("duplicate_message_id_b.eml"), mailbox, uid=3)[1]


def test_mail_without_message_id_is_deduplicated_by_uid(ingest):
    # given
    mailbox = mailbox_make()
    raw = fixture_bytes("missing_message_id.eml")
    ingest(raw, mailbox, uid=7)

    # when
    _row, created = ingest(raw, mailbox, uid=7)

    # then
    assert not created
    assert Ticket.objects.count() == 1


def test_known_user_is_the_requester_and_domain_gives_the_organisation(ingest):
    # given
    org = organisation_make(email_domains="tiendas-sol.es", language="es")
    known = user_make(email="maria.lopez@tiendas-sol.es", organisation=org)
    mailbox = mailbox_make()

    # when
    row, _ = ingest(fixture_bytes("plain_new.eml"), mailbox)
    row2, _ = ingest(fixture_bytes("latin1_encoded_subject.eml"), mailbox)

    # then
    assert row.ticket.requester == known
    newcomer = row2.ticket.requester
    assert newcomer.email == "jose.munoz@tiendas-sol.es"
    assert newcomer.organisation == org and newcomer.language == "es"
    assert newcomer.role == Role.REQUESTER and not newcomer.has_usable_password()
    assert newcomer.first_name == "José" and newcomer.last_name == "Muñoz"


def test_unknown_sender_is_quarantined_when_the_mailbox_rejects_strangers(ingest):
    # given
    mailbox = mailbox_make(unknown_senders=UnknownSenderPolicy.REJECT)

    # when
    row, _ = ingest(fixture_bytes("gmail_new_alternative.eml"), mailbox)

    # then
    assert row.status == InboundMailStatus.QUARANTINED
    assert Ticket.objects.count() == 0
    assert not User.objects.filter(email="john.carter@example.com").exists()


def test_bounce_marks_our_outgoing_message_bounced(ingest):
    # given an acknowledgement we sent
    mailbox = mailbox_make()
    ticket = ticket_from(ingest, "plain_new.eml", mailbox)
    ack = OutgoingMessage.objects.get(ticket=ticket)
    raw = fixture_bytes("bounce_dsn.eml").replace(
        b"<ayuda.bounced-outgoing@ayuda.test>", ack.message_id.encode()
    )

    # when
    row, _ = ingest(raw, mailbox)

    # then
    ack.refresh_from_db()
    assert row.status == InboundMailStatus.IGNORED
    assert ack.status == DeliveryStatus.BOUNCED
    assert "User unknown" in ack.last_error


def test_a_sender_in_a_loop_is_stopped_by_the_rate_limit(settings, ingest):
    # given
    settings.AYUDA_EMAIL_SENDER_LIMIT = (3, 3600)
    mailbox = mailbox_make()

    # when a machine without auto-reply headers keeps writing
    rows = [
        ingest(mail_bytes(sender="robot@example.com", subject=f"n{i}"), mailbox)[0]
        for i in range(5)
    ]

    # then
    assert [r.status for r in rows] == ["processed"] * 3 + ["quarantined"] * 2
    assert Ticket.objects.count() == 3


def test_quarantined_mail_can_be_released_as_a_new_ticket(ingest, committed):
    # given
    mailbox = mailbox_make(unknown_senders=UnknownSenderPolicy.REJECT)
    row, _ = ingest(fixture_bytes("gmail_new_alternative.eml"), mailbox)

    # when
    row = committed(inbound_mail_retry, mail_id=row.pk, force="new_ticket")

    # then
    assert row.status == InboundMailStatus.PROCESSED and row.ticket is not None
    assert row.attempts == 2


def test_failed_mail_is_kept_and_retry_keeps_it_failed_with_the_reason(ingest):
    # given
    row, _ = ingest(fixture_bytes("no_sender.eml"), mailbox_make())

    # when
    row = inbound_mail_retry(mail_id=row.pk)

    # then
    assert row.status == InboundMailStatus.FAILED
    assert "sender" in row.reason_text()


def test_ticket_and_inbound_row_commit_together(monkeypatch, ingest):
    # given a service that fails after the ticket row was written
    from ayuda.tickets.services import _base

    def boom(*args, **kwargs):
        raise RuntimeError("crash in the middle")

    monkeypatch.setattr(_base, "events_record", boom)
    monkeypatch.setattr("ayuda.tickets.services.lifecycle.events_record", boom, raising=False)
    mailbox = mailbox_make()

    # when
    row, _created = ingest(fixture_bytes("plain_new.eml"), mailbox, uid=1)

    # then nothing half-made is left, and the mail is kept as failed
    assert row.status == InboundMailStatus.FAILED and "crash" in row.reason_text()
    assert Ticket.objects.count() == 0
    assert Article.objects.count() == 0


def test_a_mailed_png_named_evil_html_is_stored_and_served_as_evil_png(ingest, client):
    # given: a PNG with HTML appended, attached as a web page
    from email.message import EmailMessage

    from django.urls import reverse

    from ayuda.tickets.tests.files import png_bytes

    content = png_bytes() + b"<html><script>alert(document.cookie)</script></html>"
    message = EmailMessage()
    message["From"] = "Ana Ruiz <ana@example.com>"
    message["To"] = "support@ayuda.test"
    message["Subject"] = "Screenshot"
    message["Message-ID"] = "<evil-html-1@example.com>"
    message.set_content("See the screenshot.")
    message.add_attachment(content, maintype="text", subtype="html", filename="evil.html")
    message.add_attachment(png_bytes(), maintype="image", subtype="png", filename="fine.PNG")

    # when
    row, _ = ingest(message.as_bytes(), mailbox_make(), uid=1)
    attachments = {a.filename: a for a in Attachment.objects.filter(ticket=row.ticket)}
    client.force_login(user_make(role=Role.AGENT_L1))
    response = client.get(reverse("agent:attachment", args=[attachments["evil.png"].pk]))

    # then
    assert row.status == InboundMailStatus.PROCESSED, row.reason
    assert set(attachments) == {"evil.png", "fine.PNG"}
    assert attachments["evil.png"].content_type == "image/png"
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'attachment; filename="evil.png"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == content
