"""The poller against a real Dovecot (scripts/dovecot.sh) and a real SMTP server (aiosmtpd)."""

import pytest

from ayuda.accounts.models import Role
from ayuda.accounts.tests.factories import user_make
from ayuda.intake.email import imap
from ayuda.intake.email.imap import PROCESSED_KEYWORD, lease_acquire, mailbox_poll
from ayuda.intake.models import InboundMail, InboundMailStatus, Mailbox
from ayuda.notifications.models import DeliveryStatus, OutgoingKind, OutgoingMessage
from ayuda.tickets import services
from ayuda.tickets.models import Attachment, SenderRole, Ticket

from .factories import mail_bytes, mailbox_make
from .mail_fixtures import fixture_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.needs_server("dovecot")]


@pytest.fixture
def mailbox(imap_server, imap_folder) -> Mailbox:
    return mailbox_make(
        host=imap_server.host,
        port=imap_server.port,
        username=imap_server.user,
        password=imap_server.password,
        folder=imap_folder,
    )


def _flags(imap_server, folder) -> list[set[bytes]]:
    with imap_server.client() as client:
        client.select_folder(folder, readonly=True)
        uids = client.search(["ALL"])
        return [set(f[b"FLAGS"]) for f in client.fetch(uids, ["FLAGS"]).values()]


def test_poll_ingests_new_mail_once_and_flags_it(imap_server, imap_folder, mailbox, committed):
    # given three mails in the mailbox: a new request, a pasted screenshot, an out-of-office
    imap_server.deliver(
        imap_folder,
        fixture_bytes("plain_new.eml"),
        fixture_bytes("inline_image_related.eml"),
        fixture_bytes("autoreply_xautoreply.eml"),
    )

    # when
    first = committed(mailbox_poll, mailbox)
    second = committed(mailbox_poll, mailbox)

    # then
    assert first.error == "" and first.ingested == 3
    assert first.statuses == {"processed": 2, "ignored": 1}
    assert second.seen == 0 and second.ingested == 0
    assert Ticket.objects.count() == 2
    assert all(
        {b"\\Seen", PROCESSED_KEYWORD.encode()} <= f for f in _flags(imap_server, imap_folder)
    )
    mailbox.refresh_from_db()
    assert mailbox.last_polled_at is not None and mailbox.lease_token == ""


def test_crash_after_commit_before_flagging_does_not_double(
    imap_server, imap_folder, mailbox, committed, monkeypatch
):
    # given a poller that dies right after committing, before it flags anything
    imap_server.deliver(imap_folder, fixture_bytes("plain_new.eml"), fixture_bytes("iso2022jp.eml"))
    real_mark = imap._mark_processed

    def die(*args, **kwargs):
        raise SystemExit("killed")

    monkeypatch.setattr(imap, "_mark_processed", die)
    with pytest.raises(SystemExit):
        committed(mailbox_poll, mailbox)
    assert Ticket.objects.count() == 2
    Mailbox.objects.filter(pk=mailbox.pk).update(lease_until=None, lease_token="")

    # when it restarts
    monkeypatch.setattr(imap, "_mark_processed", real_mark)
    result = committed(mailbox_poll, mailbox)

    # then
    assert result.seen == 2 and result.ingested == 0 and result.duplicates == 2
    assert Ticket.objects.count() == 2
    assert InboundMail.objects.count() == 2
    assert all(PROCESSED_KEYWORD.encode() in f for f in _flags(imap_server, imap_folder))


def test_crash_before_commit_leaves_the_mail_for_the_next_poll(
    imap_server, imap_folder, mailbox, committed, monkeypatch
):
    # given a poller that dies in the middle of creating the second ticket
    imap_server.deliver(imap_folder, fixture_bytes("plain_new.eml"), fixture_bytes("iso2022jp.eml"))
    real_create = services.ticket_create
    calls = []

    def die_on_second(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise SystemExit("killed")
        return real_create(**kwargs)

    monkeypatch.setattr(services, "ticket_create", die_on_second)
    with pytest.raises(SystemExit):
        committed(mailbox_poll, mailbox)
    assert Ticket.objects.count() == 1
    Mailbox.objects.filter(pk=mailbox.pk).update(lease_until=None, lease_token="")

    # when it restarts
    monkeypatch.setattr(services, "ticket_create", real_create)
    result = committed(mailbox_poll, mailbox)

    # then the first was flagged before the crash, the second is taken now
    assert result.seen == 1 and result.ingested == 1
    assert Ticket.objects.count() == 2


def test_processed_mail_is_moved_when_the_mailbox_says_so(imap_server, imap_folder, committed):
    # given
    archive = imap_server.folder_create()
    try:
        mailbox = mailbox_make(
            host=imap_server.host,
            port=imap_server.port,
            username=imap_server.user,
            password=imap_server.password,
            folder=imap_folder,
            processed_folder=archive,
        )
        imap_server.deliver(imap_folder, fixture_bytes("plain_new.eml"))

        # when
        result = committed(mailbox_poll, mailbox)

        # then
        assert result.ingested == 1
        assert _flags(imap_server, imap_folder) == []
        assert len(_flags(imap_server, archive)) == 1
    finally:
        imap_server.folder_delete(archive)


def test_a_held_lease_skips_the_poll_and_a_dead_holder_is_taken_over(mailbox, committed):
    # given a lease held by a live process
    assert lease_acquire(mailbox) is not None

    # when / then
    assert committed(mailbox_poll, mailbox).skipped

    # given a lease whose holder died on this machine
    import socket

    Mailbox.objects.filter(pk=mailbox.pk).update(
        lease_token=f"{socket.gethostname()[:12]}:999999999:abc"
    )

    # when / then
    assert not committed(mailbox_poll, mailbox).skipped


def test_wrong_password_is_reported_on_the_mailbox(imap_server, imap_folder, committed):
    # given
    mailbox = mailbox_make(
        host=imap_server.host, port=imap_server.port, username=imap_server.user,
        password="wrong", folder=imap_folder,
    )  # fmt: skip

    # when
    result = committed(mailbox_poll, mailbox)

    # then
    mailbox.refresh_from_db()
    assert result.error and mailbox.last_error


def test_journey_mail_in_acknowledged_agent_replies_customer_answers_by_mail(
    imap_server, imap_folder, mailbox, smtp_server, committed
):
    """Issue 3's "done means": from the customer's mail client to the ticket and back."""
    # given a customer mails the help desk with attachments
    imap_server.deliver(imap_folder, fixture_bytes("attachments_allowed.eml"))

    # when the poller runs
    committed(mailbox_poll, mailbox)

    # then a ticket exists with the attachments, and the acknowledgement went out by SMTP
    ticket = Ticket.objects.get()
    assert ticket.channel == "email" and ticket.requester.email == "john.carter@example.com"
    assert Attachment.objects.filter(ticket=ticket).count() == 6
    assert len(smtp_server.received) == 1
    ack = smtp_server.received[0].message
    assert ack["To"] == "john.carter@example.com"
    assert "<support@ayuda.test>" in ack["From"]  # the mailbox the ticket came in by
    assert ack["Subject"].strip().startswith(f"[#{ticket.pk}] ")
    assert ack["In-Reply-To"] == "<attach-allowed-0001@example.com>"
    assert ack["Auto-Submitted"] == "auto-generated"
    assert f"#{ticket.pk}" in ack.get_body(("plain",)).get_content()
    assert ack.get_body(("html",)) is not None
    assert OutgoingMessage.objects.get(kind=OutgoingKind.ACKNOWLEDGEMENT).status == "sent"

    # when an agent replies from the workspace, and writes an internal note
    agent = user_make(role=Role.AGENT_L1)
    committed(
        services.article_add_reply,
        ticket=ticket,
        actor=agent,
        body="Please restart the sync service and tell us if it helps.",
    )
    committed(services.article_add_note, ticket=ticket, actor=agent, body="Secret internal note")

    # then the reply is mailed, threaded; the note is not
    assert len(smtp_server.received) == 2
    reply = smtp_server.received[1].message
    assert reply["Subject"].strip().startswith(f"[#{ticket.pk}] ")
    assert reply["In-Reply-To"] == "<attach-allowed-0001@example.com>"
    assert "<attach-allowed-0001@example.com>" in reply["References"]
    assert reply["Auto-Submitted"] is None
    assert "restart the sync service" in reply.get_body(("plain",)).get_content()
    assert all("Secret" not in r.raw.decode() for r in smtp_server.received)

    # when the customer answers from their mail client
    answer = mail_bytes(
        sender="John Carter <john.carter@example.com>",
        subject=f"Re: {reply['Subject'].strip()}",
        body="Restarted, it works now.\n\nOn Tue, Ayuda wrote:\n> Please restart the sync service",
        headers={"In-Reply-To": reply["Message-ID"], "References": reply["Message-ID"]},
    )
    imap_server.deliver(imap_folder, answer)
    committed(mailbox_poll, mailbox)

    # then it lands in the same ticket, trimmed, and is acknowledged
    assert Ticket.objects.count() == 1
    last = ticket.articles.order_by("-pk").first()
    assert last.sender_role == SenderRole.CUSTOMER and last.body == "Restarted, it works now."
    assert len(smtp_server.received) == 3
    assert InboundMail.objects.filter(status=InboundMailStatus.PROCESSED).count() == 2


def test_smtp_failure_is_recorded_and_retried_later(mailbox, smtp_server, committed, settings):
    # given an SMTP server that refuses for now
    smtp_server.refuse = True
    from ayuda.intake.email.ingest import mail_ingest

    committed(mail_ingest, raw=fixture_bytes("plain_new.eml"), mailbox=mailbox)
    message = OutgoingMessage.objects.get()
    assert message.status == DeliveryStatus.RETRYING and "451" in message.last_error

    # when the server is back and the back-off has passed
    smtp_server.refuse = False
    OutgoingMessage.objects.update(next_attempt_at=message.created_at)
    from ayuda.notifications.tasks import outgoing_retry_due

    committed(outgoing_retry_due)

    # then
    message.refresh_from_db()
    assert message.status == DeliveryStatus.SENT and message.attempts == 2
    assert len(smtp_server.received) == 1


def test_rate_limit_holds_within_one_fetched_chunk(
    imap_server, imap_folder, mailbox, committed, settings
):
    # given a machine that writes five times without auto-reply headers
    settings.AYUDA_EMAIL_SENDER_LIMIT = (3, 3600)
    imap_server.deliver(
        imap_folder, *[mail_bytes(sender="robot@example.com", subject=f"n{i}") for i in range(5)]
    )

    # when
    result = committed(mailbox_poll, mailbox)

    # then
    assert result.statuses == {"processed": 3, "quarantined": 2}
    assert Ticket.objects.count() == 3


def test_beat_task_polls_every_active_mailbox(imap_server, imap_folder, mailbox, committed):
    # given an active mailbox with mail and an inactive one
    from ayuda.intake.tasks import mailboxes_poll

    mailbox_make(name="Off", is_active=False)
    imap_server.deliver(imap_folder, fixture_bytes("plain_new.eml"))

    # when (tasks run eagerly in the tests)
    polled = committed(mailboxes_poll)

    # then
    assert polled == 1
    assert Ticket.objects.count() == 1


def test_management_command_polls_and_reports(imap_server, imap_folder, mailbox):
    # given
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    imap_server.deliver(imap_folder, fixture_bytes("plain_new.eml"))
    out = StringIO()

    # when
    call_command("poll_mailboxes", mailbox.name, stdout=out)

    # then
    assert "1 new, 1 ingested (processed 1)" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("poll_mailboxes", "no-such-mailbox")


@pytest.fixture
def tls_server(imap_server, require_server):
    import os
    import socket

    try:
        socket.create_connection((imap_server.host, imap_server.tls_port), timeout=2).close()
    except OSError:
        require_server("dovecot", "no TLS listener: restart it with scripts/dovecot.sh stop, start")
    if not os.path.exists(imap_server.ca_file):
        require_server("dovecot", f"no certificate at {imap_server.ca_file}")
    return imap_server


@pytest.mark.parametrize(("security", "tls"), [("ssl", True), ("starttls", False)])
def test_poll_over_tls_verifies_the_certificate(
    tls_server, imap_folder, committed, settings, security, tls
):
    imap_server = tls_server
    # given a mailbox over implicit TLS or STARTTLS, and the server's certificate trusted
    mailbox = mailbox_make(
        host=imap_server.host,
        port=imap_server.tls_port if tls else imap_server.port,
        security=security,
        username=imap_server.user,
        password=imap_server.password,
        folder=imap_folder,
    )
    imap_server.deliver(imap_folder, fixture_bytes("plain_new.eml"))
    settings.AYUDA_EMAIL_CA_FILE = imap_server.ca_file

    # when
    result = committed(mailbox_poll, mailbox)

    # then
    assert result.error == "" and result.ingested == 1


def test_untrusted_certificate_is_refused(tls_server, imap_folder, committed, settings):
    imap_server = tls_server
    # given a self-signed server certificate the system does not trust
    settings.AYUDA_EMAIL_CA_FILE = ""
    mailbox = mailbox_make(
        host=imap_server.host, port=imap_server.tls_port, security="ssl",
        username=imap_server.user, password=imap_server.password, folder=imap_folder,
    )  # fmt: skip
    imap_server.deliver(imap_folder, fixture_bytes("plain_new.eml"))

    # when
    result = committed(mailbox_poll, mailbox)

    # then nothing is read from it
    assert "CERTIFICATE_VERIFY_FAILED" in result.error
    assert Ticket.objects.count() == 0


def test_admin_test_connection_action_reaches_the_server(client, mailbox):
    # given an administrator
    from django.urls import reverse

    admin = user_make(role=Role.ADMIN, is_staff=True, is_superuser=True)
    client.force_login(admin)

    # when
    response = client.post(
        reverse("admin:intake_mailbox_changelist"),
        {"action": "test_connection", "_selected_action": [mailbox.pk]},
        follow=True,
    )

    # then
    assert "connected, 0 messages" in response.content.decode()


def test_done_means_from_the_admin_to_the_workspace_and_back_by_mail(
    client, imap_server, imap_folder, smtp_server, committed
):
    """Issue 3's "done means" as a new user meets it: the mailbox is configured in the admin,
    the ticket is found in the queue, the agent answers from the workspace."""
    from django.urls import reverse

    # given an administrator configures the mailbox in the admin
    admin = user_make(role=Role.ADMIN, is_staff=True, is_superuser=True)
    client.force_login(admin)
    added = client.post(
        reverse("admin:intake_mailbox_add"),
        {
            "name": "Support", "email_address": "support@ayuda.test", "is_active": "on",
            "host": imap_server.host, "port": imap_server.port, "security": "none",
            "username": imap_server.user, "password": imap_server.password,
            "folder": imap_folder, "processed_folder": "", "language": "en",
            "unknown_senders": "accept", "non_participant_replies": "new_ticket",
        },
    )  # fmt: skip
    assert added.status_code == 302, added.content[:2000]
    mailbox = Mailbox.objects.get(name="Support")

    # when a customer mails it with attachments, and the administrator polls from the admin
    imap_server.deliver(imap_folder, fixture_bytes("attachments_allowed.eml"))
    polled = committed(
        client.post,
        reverse("admin:intake_mailbox_changelist"),
        {"action": "poll_now", "_selected_action": [mailbox.pk]},
    )
    assert polled.status_code == 302

    # then the ticket is in the agent's queue, with its files, and the acknowledgement went out
    ticket = Ticket.objects.get()
    agent = user_make(role=Role.AGENT_L1)
    client.force_login(agent)
    queue = client.get(reverse("agent:queue"))
    assert ticket.pk in [row.ticket.pk for row in queue.context["rows"]]
    assert Attachment.objects.filter(ticket=ticket).count() == 6
    assert [m.message["To"] for m in smtp_server.received] == ["john.carter@example.com"]

    # when the agent replies from the workspace
    replied = committed(
        client.post,
        reverse("agent:ticket_action", args=[ticket.pk, "reply"]),
        {"body": "Please restart the sync service.", "version": ticket.version},
    )
    assert replied.status_code == 302

    # then the reply is mailed, threaded on the customer's mail
    reply = smtp_server.received[-1].message
    assert len(smtp_server.received) == 2
    assert reply["In-Reply-To"] == "<attach-allowed-0001@example.com>"
    assert "restart the sync service" in reply.get_body(("plain",)).get_content()

    # when the customer answers from their mail client, and the beat's poll runs
    imap_server.deliver(
        imap_folder,
        mail_bytes(
            sender="John Carter <john.carter@example.com>",
            subject=f"Re: {reply['Subject'].strip()}",
            body="Restarted, it works now.\n\nOn Tue, Ayuda wrote:\n> Please restart",
            headers={"In-Reply-To": reply["Message-ID"], "References": reply["Message-ID"]},
        ),
    )
    committed(mailbox_poll, Mailbox.objects.get(pk=mailbox.pk))

    # then the answer is in the same ticket, on the agent's ticket page
    assert Ticket.objects.count() == 1
    page = client.get(reverse("agent:ticket", args=[ticket.pk])).content.decode()
    assert "Restarted, it works now." in page
