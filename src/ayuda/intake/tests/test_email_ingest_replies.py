"""Mail that answers a ticket: threading by headers and [#n], participants, reopening and
follow-ups, automatic replies, vendor and agent mail."""

import pytest

from ayuda.accounts.tests.factories import vendor_make
from ayuda.intake.models import (
    InboundMailStatus,
    NonParticipantReplyPolicy,
)
from ayuda.notifications.models import OutgoingKind, OutgoingMessage
from ayuda.tickets import services
from ayuda.tickets.models import (
    SenderRole,
    StateCategory,
    Ticket,
)
from ayuda.tickets.tests.factories import desk_make, ticket_in

from .factories import mail_bytes, mailbox_make
from .mail_fixtures import fixture_bytes, ticket_from

pytestmark = pytest.mark.django_db


def test_reply_joins_its_ticket_by_references_and_is_trimmed(ingest):
    # given
    mailbox = mailbox_make()
    ticket = ticket_from(ingest, "gmail_new_alternative.eml", mailbox)

    # when
    row, _ = ingest(fixture_bytes("gmail_reply.eml"), mailbox)

    # then
    assert row.ticket == ticket
    article = row.article
    assert article.sender_role == SenderRole.CUSTOMER and not article.internal
    assert article.body == "It works again after clearing the browser cache. Thank you!"
    assert "gmail_quote" not in article.body_html
    assert Ticket.objects.count() == 1


def test_reply_joins_by_our_outgoing_message_id(ingest):
    # given a ticket whose acknowledgement went out
    mailbox = mailbox_make()
    ticket = ticket_from(ingest, "outlook_html_only.eml", mailbox)
    ack = OutgoingMessage.objects.get(ticket=ticket, kind=OutgoingKind.ACKNOWLEDGEMENT)
    raw = mail_bytes(
        sender="Giulia Bianchi <g.bianchi@negozi-luna.it>",
        subject="R: Stampante",
        body="Grazie!",
        headers={"In-Reply-To": ack.message_id},
    )

    # when
    row, _ = ingest(raw, mailbox)

    # then
    assert row.ticket == ticket and row.article.body == "Grazie!"


def test_reply_joins_by_subject_reference_alone(ingest):
    # given
    mailbox = mailbox_make()
    ticket = ticket_from(ingest, "plain_new.eml", mailbox)
    raw = mail_bytes(
        sender="maria.lopez@tiendas-sol.es", subject=f"Re: [#{ticket.pk}] contador", body="Sigue."
    )

    # when
    row, _ = ingest(raw, mailbox)

    # then
    assert row.ticket == ticket


@pytest.mark.parametrize(
    ("policy", "status", "tickets"),
    [
        (NonParticipantReplyPolicy.NEW_TICKET, InboundMailStatus.PROCESSED, 2),
        (NonParticipantReplyPolicy.QUARANTINE, InboundMailStatus.QUARANTINED, 1),
    ],
)
def test_reply_from_a_non_participant_never_lands_in_the_ticket(policy, status, tickets, ingest):
    # given
    mailbox = mailbox_make(non_participant_replies=policy)
    ticket = ticket_from(ingest, "plain_new.eml", mailbox)
    raw = mail_bytes(sender="intruder@evil.example", subject=f"Re: [#{ticket.pk}] x", body="Hi")

    # when
    row, _ = ingest(raw, mailbox)

    # then
    assert row.status == status
    assert Ticket.objects.count() == tickets
    assert ticket.articles.count() == 1


def test_cc_participant_answer_lands_in_the_ticket_for_the_agents(ingest):
    # given a ticket whose first mail was copied to a colleague (whom the portal would not let
    # reply in the requester's name)
    mailbox = mailbox_make()
    raw = mail_bytes(
        sender="boss@example.com", subject="Printer", headers={"Cc": "colleague@example.com"}
    )
    ticket = ingest(raw, mailbox)[0].ticket
    reply = mail_bytes(sender="colleague@example.com", subject=f"Re: [#{ticket.pk}] Printer")

    # when
    row, _ = ingest(reply, mailbox)

    # then
    assert row.status == InboundMailStatus.PROCESSED, row.reason
    assert row.ticket == ticket
    assert row.article.internal and row.article.sender_role == SenderRole.CUSTOMER
    assert row.article.email_from == "colleague@example.com"


def test_customer_reply_reopens_a_resolved_ticket(ingest, committed):
    # given
    desk = desk_make()
    ticket = committed(ticket_in, StateCategory.RESOLVED, desk=desk)
    raw = mail_bytes(sender=desk.requester.email, subject=f"Re: [#{ticket.pk}] x", body="Again!")

    # when
    row, _ = ingest(raw, mailbox_make())

    # then
    ticket.refresh_from_db()
    assert row.ticket == ticket
    assert ticket.state_category == StateCategory.OPEN


def test_reply_to_a_closed_ticket_opens_a_follow_up(ingest, committed):
    # given
    desk = desk_make()
    ticket = committed(ticket_in, StateCategory.CLOSED, desk=desk)
    raw = mail_bytes(sender=desk.requester.email, subject=f"Re: [#{ticket.pk}] x", body="Again!")

    # when
    row, _ = ingest(raw, mailbox_make())

    # then
    assert row.status == InboundMailStatus.PROCESSED
    assert row.ticket != ticket
    assert row.ticket.articles.filter(
        sender_role=SenderRole.SYSTEM, body__contains=f"#{ticket.pk}"
    ).exists()


def test_auto_reply_to_a_ticket_adds_nothing_and_sends_nothing(ingest):
    # given
    mailbox = mailbox_make()
    ticket = ticket_from(ingest, "outlook_html_only.eml", mailbox)
    sent_before = OutgoingMessage.objects.count()

    # when
    row, _ = ingest(fixture_bytes("autoreply_outlook_ooo.eml"), mailbox)

    # then
    assert row.status == InboundMailStatus.IGNORED
    assert ticket.articles.count() == 1
    assert OutgoingMessage.objects.count() == sent_before


def test_vendor_case_number_is_captured_and_stripped_mail_still_matches(ingest, committed):
    # given a ticket escalated to a vendor by mail
    desk = desk_make()
    vendor = vendor_make(
        name="VendorSoft",
        email="support@vendor-soft.example",
        case_number_pattern=r"\b(CS-\d{7})\b",
    )
    ticket = committed(ticket_in, StateCategory.OPEN, desk=desk)
    committed(
        services.ticket_escalate_to_vendor,
        ticket=ticket,
        actor=desk.agent_l1,
        vendor=vendor,
        reason="Crash on refund",
    )
    escalation = OutgoingMessage.objects.get(ticket=ticket, kind=OutgoingKind.VENDOR_ESCALATION)
    assert escalation.to_address == "support@vendor-soft.example"
    mailbox = mailbox_make()
    first = fixture_bytes("vendor_first_answer.eml").replace(
        b"<ayuda.unknown-outgoing.6@ayuda.test>", escalation.message_id.encode()
    )

    # when the vendor answers, then later writes with our references stripped
    row1, _ = ingest(first, mailbox)
    row2, _ = ingest(fixture_bytes("vendor_stripped_followup.eml"), mailbox)

    # then
    ticket.refresh_from_db()
    assert ticket.vendor_reference == "CS-0048812"
    for row in (row1, row2):
        assert row.status == InboundMailStatus.PROCESSED, row.reason
        assert row.ticket == ticket
        assert row.article.internal and row.article.sender_role == SenderRole.VENDOR
    # and nothing of it went to the customer
    assert not OutgoingMessage.objects.filter(
        ticket=ticket, article__in=[row1.article, row2.article]
    ).exists()


def test_vendor_mail_matching_no_ticket_is_quarantined(ingest):
    # given
    vendor_make(email="support@vendor-soft.example", case_number_pattern=r"CS-\d{7}")

    # when
    row, _ = ingest(fixture_bytes("vendor_stripped_followup.eml"), mailbox_make())

    # then
    assert row.status == InboundMailStatus.QUARANTINED
    assert Ticket.objects.count() == 0


def test_agent_mail_to_a_ticket_is_an_internal_note(ingest, committed):
    # given an agent's mail that our receiving server verified (see test_email_authentication)
    desk = desk_make()
    ticket = committed(ticket_in, StateCategory.OPEN, desk=desk)
    domain = desk.agent_l1.email.rpartition("@")[2]
    raw = mail_bytes(
        sender=desk.agent_l1.email,
        subject=f"Re: [#{ticket.pk}]",
        body="FYI",
        headers={"Authentication-Results": f"mx.ayuda.test; dmarc=pass header.from={domain}"},
    )

    # when
    row, _ = ingest(raw, mailbox_make(authserv_ids="mx.ayuda.test"))

    # then
    assert row.article.internal and row.article.sender_role == SenderRole.AGENT
    assert row.article.author == desk.agent_l1


def test_a_vendor_agents_mail_after_the_hand_back_is_kept_as_the_vendors_note(ingest):
    # given: the vendor's agent handed the ticket back (it may no longer write on it)
    desk = desk_make()
    ticket = ticket_in(StateCategory.PENDING_VENDOR, desk=desk)
    services.ticket_hand_back(ticket=ticket, actor=desk.vendor_agent, answer="Patch it")
    raw = mail_bytes(
        sender=f"Vic <{desk.vendor_agent.email}>",
        subject=f"Re: [#{ticket.pk}] Printer on fire",
        body="One more thing: reboot after the patch.",
    )

    # when
    row, _ = ingest(raw, mailbox_make(), uid=1)

    # then: nothing lost; the help desk reads it on the vendor's side
    assert row.status == InboundMailStatus.PROCESSED, row.reason
    note = ticket.articles.get(body__startswith="One more thing")
    assert (note.internal, note.sender_role, note.vendor_id) == (
        True,
        SenderRole.VENDOR,
        desk.vendor.pk,
    )
