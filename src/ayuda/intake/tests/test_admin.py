"""The admin pages of the e-mail channel."""

import pytest
from django.urls import reverse

from ayuda.accounts.models import Role
from ayuda.accounts.tests.factories import user_make
from ayuda.intake.email.ingest import mail_ingest
from ayuda.intake.models import InboundMailStatus, Mailbox, UnknownSenderPolicy
from ayuda.tickets.models import Ticket

from .factories import mailbox_make
from .mail_fixtures import fixture_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = user_make(role=Role.ADMIN, is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


def test_mailbox_password_is_stored_encrypted(admin_client):
    # given
    data = {
        "name": "Support", "email_address": "support@ayuda.test", "host": "imap.example.com",
        "port": 993, "security": "ssl", "username": "support", "password": "s3cret!",
        "folder": "INBOX", "processed_folder": "", "language": "es",
        "unknown_senders": "accept", "non_participant_replies": "new_ticket", "is_active": "on",
    }  # fmt: skip

    # when
    response = admin_client.post(reverse("admin:intake_mailbox_add"), data)

    # then
    assert response.status_code == 302, response.content[:2000]
    mailbox = Mailbox.objects.get()
    assert "s3cret!" not in mailbox.password_encrypted
    assert mailbox.get_password() == "s3cret!"

    # and editing without a password keeps it
    data["password"] = ""
    admin_client.post(reverse("admin:intake_mailbox_change", args=[mailbox.pk]), data)
    mailbox.refresh_from_db()
    assert mailbox.get_password() == "s3cret!"


def test_quarantined_mail_is_listed_downloadable_and_releasable(admin_client):
    # given
    mailbox = mailbox_make(unknown_senders=UnknownSenderPolicy.REJECT)
    row, _ = mail_ingest(raw=fixture_bytes("gmail_new_alternative.eml"), mailbox=mailbox)
    changelist = reverse("admin:intake_inboundmail_changelist")

    # when
    listing = admin_client.get(changelist + "?status=quarantined")
    raw = admin_client.get(reverse("admin:intake_inboundmail_raw", args=[row.pk]))
    detail = admin_client.get(reverse("admin:intake_inboundmail_change", args=[row.pk]))
    admin_client.post(changelist, {"action": "release_new_ticket", "_selected_action": [row.pk]})

    # then
    assert listing.status_code == 200 and b"Cannot log in" in listing.content
    assert raw.status_code == 200 and raw.content == fixture_bytes("gmail_new_alternative.eml")
    assert detail.status_code == 200
    row.refresh_from_db()
    assert row.status == InboundMailStatus.PROCESSED
    assert Ticket.objects.count() == 1


def test_outgoing_log_lists_messages(admin_client):
    # when
    response = admin_client.get(reverse("admin:notifications_outgoingmessage_changelist"))

    # then
    assert response.status_code == 200


def test_a_viewer_can_read_incoming_mail_but_not_release_it(client):
    # given a staff user with the view permission only
    from django.contrib.auth.models import Permission

    viewer = user_make(role=Role.MANAGER, is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_inboundmail"))
    client.force_login(viewer)
    mailbox = mailbox_make(unknown_senders=UnknownSenderPolicy.REJECT)
    row, _ = mail_ingest(raw=fixture_bytes("gmail_new_alternative.eml"), mailbox=mailbox)
    changelist = reverse("admin:intake_inboundmail_changelist")

    # when
    listing = client.get(changelist)
    client.post(changelist, {"action": "release_new_ticket", "_selected_action": [row.pk]})

    # then
    assert listing.status_code == 200 and b"release_new_ticket" not in listing.content
    row.refresh_from_db()
    assert row.status == InboundMailStatus.QUARANTINED
    assert Ticket.objects.count() == 0


def test_the_reason_reads_in_the_administrators_language(client):
    # given: a Spanish-speaking administrator, and a mail the poller quarantined
    admin = user_make(role=Role.ADMIN, is_staff=True, is_superuser=True, language="es")
    client.force_login(admin)
    mailbox = mailbox_make(unknown_senders=UnknownSenderPolicy.REJECT)
    row, _ = mail_ingest(raw=fixture_bytes("gmail_new_alternative.eml"), mailbox=mailbox)

    # when
    listing = client.get(reverse("admin:intake_inboundmail_changelist")).content.decode()
    detail = client.get(reverse("admin:intake_inboundmail_change", args=[row.pk])).content.decode()

    # then
    expected = f"Remitente desconocido {row.from_address}; este buzón no acepta"
    assert expected in detail
    assert expected in listing
    assert "Unknown sender" not in detail


def test_pointing_a_mailbox_at_another_server_needs_the_password_again(admin_client):
    # given a mailbox with its password stored
    mailbox = mailbox_make(host="imap.example.com")
    mailbox.set_password("s3cret!")
    mailbox.save()
    data = {
        "name": mailbox.name, "email_address": mailbox.email_address, "host": "imap.example.com",
        "port": mailbox.port, "security": mailbox.security, "username": mailbox.username,
        "password": "", "folder": mailbox.folder, "processed_folder": "", "language": "es",
        "unknown_senders": "accept", "non_participant_replies": "new_ticket", "is_active": "on",
    }  # fmt: skip
    url = reverse("admin:intake_mailbox_change", args=[mailbox.pk])

    # when the host changes and the password is left empty
    moved = admin_client.post(url, {**data, "host": "attacker.example", "security": "none"})

    # then nothing is saved and the form asks for the password
    assert moved.status_code == 200
    assert "Type the password again" in moved.content.decode()
    mailbox.refresh_from_db()
    assert mailbox.host == "imap.example.com" and mailbox.get_password() == "s3cret!"

    # and other changes still keep the password without typing it
    kept = admin_client.post(url, {**data, "folder": "Support"})
    assert kept.status_code == 302
    mailbox.refresh_from_db()
    assert mailbox.folder == "Support" and mailbox.get_password() == "s3cret!"


def test_the_trusted_authserv_ids_are_checked_and_kept_tidy(admin_client):
    # given
    mailbox = mailbox_make(host="imap.example.com")
    data = {
        "name": mailbox.name, "email_address": mailbox.email_address, "host": "imap.example.com",
        "port": mailbox.port, "security": mailbox.security, "username": mailbox.username,
        "password": "", "folder": mailbox.folder, "processed_folder": "", "language": "es",
        "unknown_senders": "accept", "non_participant_replies": "new_ticket", "is_active": "on",
    }  # fmt: skip
    url = reverse("admin:intake_mailbox_change", args=[mailbox.pk])

    # when an administrator pastes a whole header, then the ids alone
    wrong = admin_client.post(url, {**data, "authserv_ids": "mx.example.com; dmarc=pass"})
    right = admin_client.post(url, {**data, "authserv_ids": " MX1.example.com,mx2.example.com "})

    # then the first is refused with the reason, and nothing is kept of it
    assert wrong.status_code == 200
    assert "is not a server name" in wrong.content.decode()
    assert right.status_code == 302
    mailbox.refresh_from_db()
    assert mailbox.authserv_ids == "mx1.example.com, mx2.example.com"


def test_a_retry_that_fails_again_tells_the_administrator_why(admin_client):
    # given: a mail kept as failed because it cannot be read (no sender at all)
    row, _ = mail_ingest(raw=b"garbage without headers at all \x00\xff", mailbox=None)
    assert row.status == InboundMailStatus.FAILED
    changelist = reverse("admin:intake_inboundmail_changelist")

    # when: the administrator retries it
    response = admin_client.post(
        changelist, {"action": "retry", "_selected_action": [row.pk]}, follow=True
    )

    # then: besides the count, the page says which mail is still kept, and why
    shown = [str(m) for m in response.context["messages"]]
    row.refresh_from_db()
    assert row.status == InboundMailStatus.FAILED
    assert f"Incoming mail #{row.pk} is still kept: {row.reason_text()}" in shown
