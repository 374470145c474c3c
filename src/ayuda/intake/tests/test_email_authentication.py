"""Staff mail is trusted only when the receiving server vouches for it (RFC 8601
Authentication-Results from a configured authserv-id); otherwise it is never shown or used in
the staff member's name."""

import pytest
from django.urls import reverse

from ayuda.intake.email.authentication import mail_authenticated
from ayuda.intake.email.ingest import mail_ingest
from ayuda.intake.email.parsing import mail_parse
from ayuda.intake.models import InboundMailStatus
from ayuda.notifications.models import OutgoingMessage
from ayuda.tickets.models import SenderRole, StateCategory, Ticket
from ayuda.tickets.tests.factories import desk_make, ticket_in

from .factories import mail_bytes, mailbox_make
from .mail_fixtures import expected, fixture_bytes

AUTHSERV = "mx.ayuda.test"
AGENT_ADDRESS = "laura.gomez@ayuda.test"
STAFF_FIXTURES = sorted(n for n, exp in expected().items() if "authenticated" in exp)


def _with(*headers: str) -> bytes:
    """A mail from the agent with these Authentication-Results headers, topmost first."""
    raw = mail_bytes(sender=f"Laura <{AGENT_ADDRESS}>", subject="Re: [#1] x", body="Note")
    return b"".join(f"Authentication-Results: {h}\r\n".encode() for h in headers) + raw


@pytest.mark.parametrize("name", STAFF_FIXTURES)
def test_fixture_is_authenticated_as_expected(name):
    # given
    mail = mail_parse(fixture_bytes(name))

    # when
    verified = mail_authenticated(mail=mail, authserv_ids=[AUTHSERV])

    # then
    assert verified is expected()[name]["authenticated"]


@pytest.mark.parametrize(
    ("headers", "verified"),
    [
        # DMARC passed for the From domain
        (["mx.ayuda.test; dmarc=pass header.from=ayuda.test"], True),
        # case does not matter, comments are skipped, a version is allowed
        (["MX.Ayuda.Test 1 (our MX); DMARC=PASS (p=reject) header.from=AYUDA.test"], True),
        # DKIM passed with d= aligned (the From domain is a subdomain of d=)
        (["mx.ayuda.test; dkim=pass header.d=ayuda.test"], True),
        # SPF passed with an aligned MAIL FROM, written as a domain or an address
        (["mx.ayuda.test; spf=pass smtp.mailfrom=ayuda.test"], True),
        (["mx.ayuda.test; spf=pass smtp.mailfrom=laura.gomez@ayuda.test"], True),
        # results spread over several headers of our server
        (
            [
                "mx.ayuda.test; spf=none smtp.mailfrom=ayuda.test",
                "mx.ayuda.test; dkim=pass header.d=ayuda.test",
            ],
            True,
        ),
        # DMARC says the From domain failed: a passing DKIM or SPF for it does not count
        (
            ["mx.ayuda.test; dkim=pass header.d=ayuda.test; dmarc=fail header.from=ayuda.test"],
            False,
        ),
        # a forged "pass" further down does not outweigh our server's "fail"
        (
            [
                "mx.ayuda.test; dmarc=fail header.from=ayuda.test",
                "mx.ayuda.test; dmarc=pass header.from=ayuda.test",
            ],
            False,
        ),
        # DMARC for another domain than the From's
        (["mx.ayuda.test; dmarc=pass header.from=attacker.example"], False),
        # passing, but not aligned
        (["mx.ayuda.test; dkim=pass header.d=attacker.example"], False),
        (["mx.ayuda.test; spf=pass smtp.mailfrom=bounce@attacker.example"], False),
        (["mx.ayuda.test; dkim=pass header.d=test"], False),
        # anything else: no result, another server, a near miss of the name, garbage
        (["mx.ayuda.test; none"], False),
        (["mx.attacker.example; dmarc=pass header.from=ayuda.test"], False),
        (["mx.ayuda.test.attacker.example; dmarc=pass header.from=ayuda.test"], False),
        (["mx.ayuda.test; dmarc=pass header.from=ayuda.test (unterminated"], False),
        (["mx.ayuda.test; dmarc=pass header.from=ayuda.test; dkim"], False),
        (["mx.ayuda.test; dmarc=pass"], False),
        (["dmarc=pass header.from=ayuda.test"], False),
        ([], False),
    ],
)
def test_authentication_results_are_read_strictly(headers, verified):
    # given
    mail = mail_parse(_with(*headers))

    # when / then
    assert mail_authenticated(mail=mail, authserv_ids=[AUTHSERV]) is verified


def test_nothing_is_trusted_without_a_configured_authserv_id():
    mail = mail_parse(fixture_bytes("staff_genuine_dmarc.eml"))

    assert mail_authenticated(mail=mail, authserv_ids=[]) is False


# -- on the database ----------------------------------------------------------------------------


@pytest.fixture
def desk(db):
    desk = desk_make()
    desk.agent_l1.email = AGENT_ADDRESS
    desk.agent_l1.save()
    return desk


@pytest.fixture
def ticket(desk, committed):
    return committed(ticket_in, StateCategory.OPEN, desk=desk)


@pytest.fixture
def mailbox(db):
    return mailbox_make(authserv_ids=AUTHSERV)


@pytest.fixture
def ingest(committed):
    def run(name, mailbox, ticket=None):
        raw = fixture_bytes(name)
        if ticket is not None:
            raw = raw.replace(b"[#TICKET]", f"[#{ticket.pk}]".encode())
        return committed(mail_ingest, raw=raw, mailbox=mailbox)

    return run


@pytest.mark.parametrize("name", ["staff_genuine_dmarc.eml", "staff_genuine_dkim_aligned.eml"])
def test_genuine_agent_mail_to_a_ticket_is_the_agents_internal_note(
    name, desk, ticket, mailbox, ingest
):
    # when
    row, _ = ingest(name, mailbox, ticket)

    # then
    assert row.status == InboundMailStatus.PROCESSED, row.reason_text()
    article = row.article
    assert article.internal and article.sender_role == SenderRole.AGENT
    assert article.author == desk.agent_l1
    assert not article.sender_unverified


@pytest.mark.parametrize(
    "name", ["staff_forged_tag.eml", "staff_other_authserv.eml", "staff_dkim_unaligned.eml"]
)
def test_forged_agent_mail_to_a_ticket_is_kept_as_an_unverified_customer_side_message(
    name, desk, ticket, mailbox, ingest, client
):
    # given
    sent_before = OutgoingMessage.objects.count()

    # when
    row, _ = ingest(name, mailbox, ticket)

    # then it is on the ticket for the agents, but not in the agent's name
    assert row.status == InboundMailStatus.PROCESSED, row.reason_text()
    article = row.article
    assert article.ticket == ticket
    assert article.author is None
    assert article.sender_role == SenderRole.CUSTOMER
    assert article.internal  # never published to the requester
    assert article.sender_unverified
    assert AGENT_ADDRESS in article.email_from
    assert OutgoingMessage.objects.count() == sent_before
    # and the agents see a warning on the ticket page
    client.force_login(desk.agent_l2)
    page = client.get(reverse("agent:ticket", args=[ticket.pk])).content.decode()
    assert "Unverified sender" in page
    assert AGENT_ADDRESS in page


def test_agent_mail_is_unverified_when_the_mailbox_names_no_authserv_id(desk, ticket, ingest):
    # given a mailbox whose administrator configured no receiving server
    mailbox = mailbox_make()

    # when
    row, _ = ingest("staff_genuine_dmarc.eml", mailbox, ticket)

    # then
    assert row.article.sender_unverified and row.article.author is None


def test_forged_agent_mail_without_a_tag_is_quarantined_not_a_ticket_in_the_agents_name(
    desk, mailbox, ingest
):
    # when
    row, _ = ingest("staff_forged_new.eml", mailbox)

    # then
    assert row.status == InboundMailStatus.QUARANTINED
    assert "unverified" in row.reason_text().lower()
    assert AGENT_ADDRESS in row.reason_text()
    assert not Ticket.objects.filter(requester=desk.agent_l1).exists()
    assert OutgoingMessage.objects.count() == 0


def test_genuine_agent_mail_without_a_tag_still_opens_a_ticket(desk, mailbox, committed):
    # given
    raw = fixture_bytes("staff_genuine_dmarc.eml").replace(b"Re: [#TICKET] ", b"")

    # when
    row, _ = committed(mail_ingest, raw=raw, mailbox=mailbox)

    # then
    assert row.status == InboundMailStatus.PROCESSED, row.reason_text()
    assert row.ticket.requester == desk.agent_l1


def test_forged_vendor_agent_mail_is_not_in_the_vendor_agents_name(desk, ticket, committed):
    # given a ticket with the vendor, and mail claiming to be from its agent
    from ayuda.tickets import services

    committed(
        services.ticket_escalate_to_vendor,
        ticket=ticket,
        actor=desk.agent_l1,
        vendor=desk.vendor,
        reason="Crash",
    )
    mailbox = mailbox_make(authserv_ids=AUTHSERV)
    raw = mail_bytes(
        sender=desk.vendor_agent.email, subject=f"RE: [#{ticket.pk}] Escalation", body="Fixed."
    )

    # when
    row, _ = committed(mail_ingest, raw=raw, mailbox=mailbox)

    # then it is still the vendor's side, but nobody's words
    article = row.article
    assert article.sender_role == SenderRole.VENDOR and article.internal
    assert article.author is None
    assert article.sender_unverified
