"""Mail that once stopped a mailbox or was lost: raw 8-bit headers, long Message-IDs, NUL
bytes. Whatever one mail holds, the failure stays with that mail and the rest go on."""

import pytest
from django.urls import reverse

from ayuda.accounts.tests.factories import user_make
from ayuda.intake.email import pipeline
from ayuda.intake.email.imap import PROCESSED_KEYWORD, mailbox_poll
from ayuda.intake.email.ingest import mail_ingest
from ayuda.intake.models import InboundMail, InboundMailStatus
from ayuda.tickets.models import Ticket

from .factories import mail_bytes, mailbox_make
from .mail_fixtures import fixture_bytes

pytestmark = pytest.mark.django_db

HOSTILE = [
    "raw8bit_utf8_address.eml",
    "raw8bit_utf8_message_id.eml",
    "raw8bit_utf8_display_name.eml",
    "raw8bit_latin1_display_name.eml",
    "raw8bit_attachment_name.eml",
    "long_message_id_a.eml",
    "long_message_id_b.eml",
    "no_charset_utf8_body.eml",
    "unknown8bit_mixed_lines.eml",
    "nul_in_subject_and_body.eml",
]


@pytest.mark.needs_server("dovecot")
def test_one_batch_of_hostile_and_ordinary_mail_flows(
    imap_server, imap_folder, committed, settings
):
    # given the hostile mails delivered between ordinary ones, all fetched in one chunk
    settings.AYUDA_EMAIL_SENDER_LIMIT = (100, 3600)
    mailbox = mailbox_make(
        host=imap_server.host,
        port=imap_server.port,
        username=imap_server.user,
        password=imap_server.password,
        folder=imap_folder,
    )
    ordinary = ["plain_new.eml", "gmail_new_alternative.eml"]
    imap_server.deliver(
        imap_folder, *[fixture_bytes(n) for n in [ordinary[0], *HOSTILE, ordinary[1]]]
    )

    # when
    result = committed(mailbox_poll, mailbox)
    again = committed(mailbox_poll, mailbox)

    # then every mail became a ticket, the mailbox has no error, and nothing is left to fetch
    assert result.error == ""
    assert result.ingested == len(HOSTILE) + 2
    assert result.statuses == {"processed": len(HOSTILE) + 2}
    assert again.seen == 0
    assert Ticket.objects.count() == len(HOSTILE) + 2
    with imap_server.client() as client:
        client.select_folder(imap_folder, readonly=True)
        flags = client.fetch(client.search(["ALL"]), ["FLAGS"]).values()
    assert all(PROCESSED_KEYWORD.encode() in f[b"FLAGS"] for f in flags)
    # and what the people wrote reads as they wrote it
    jose = Ticket.objects.get(requester__email="jose.perez@cliente.example")
    assert jose.requester.get_full_name() == "José Pérez"
    assert jose.subject == "Báscula de la sección de frutería"
    nunez = Ticket.objects.get(requester__email="jose.nunez@cliente.example")
    assert nunez.requester.get_full_name() == "José Núñez"
    assert Ticket.objects.filter(requester__email="josé@cliente.example").exists()
    assert InboundMail.objects.filter(message_id="<20250311-ñ-7781@cliente.example>").exists()


def test_a_mail_that_breaks_routing_is_kept_and_the_next_one_goes_on(
    committed, monkeypatch, settings
):
    # given a service that fails unexpectedly for one mail
    mailbox = mailbox_make()
    real_route = pipeline.mail_route

    def route(*, mail, **kwargs):
        if "boom" in mail.subject:
            raise RuntimeError("unexpected \udcc3 failure")
        return real_route(mail=mail, **kwargs)

    monkeypatch.setattr("ayuda.intake.email.ingest.mail_route", route)

    # when
    bad, _ = committed(mail_ingest, raw=mail_bytes(subject="boom"), mailbox=mailbox, uid=1)
    good, _ = committed(mail_ingest, raw=mail_bytes(subject="fine"), mailbox=mailbox, uid=2)

    # then
    assert bad.status == InboundMailStatus.FAILED and "RuntimeError" in bad.reason
    assert good.status == InboundMailStatus.PROCESSED


def test_message_ids_that_differ_after_600_characters_are_two_mails(committed):
    # given
    mailbox = mailbox_make()
    committed(mail_ingest, raw=fixture_bytes("long_message_id_a.eml"), mailbox=mailbox, uid=1)

    # when
    row, created = committed(
        mail_ingest, raw=fixture_bytes("long_message_id_b.eml"), mailbox=mailbox, uid=2
    )

    # then
    assert created and row.status == InboundMailStatus.PROCESSED
    assert Ticket.objects.count() == 2
    # and the same long mail again is still one
    _row, again = committed(
        mail_ingest, raw=fixture_bytes("long_message_id_b.eml"), mailbox=mailbox, uid=3
    )
    assert not again and Ticket.objects.count() == 2


def _kept_before_the_fix(name: str) -> InboundMail:
    """A row as ingestion kept such mail before it could read it (status failed)."""
    return InboundMail.objects.create(
        mailbox=mailbox_make(),
        dedup_key=f"legacy:{name}",
        raw=fixture_bytes(name),
        size=len(fixture_bytes(name)),
        status=InboundMailStatus.FAILED,
        reason="UnicodeEncodeError: 'utf-8' codec can't encode characters: surrogates not allowed",
    )


@pytest.mark.parametrize("action", ["retry", "release_new_ticket"])
@pytest.mark.parametrize(
    "name", ["raw8bit_utf8_display_name.eml", "raw8bit_latin1_display_name.eml"]
)
def test_admin_retry_and_release_make_a_ticket_of_8bit_mail(client, committed, action, name):
    # given
    row = _kept_before_the_fix(name)
    admin = user_make(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)

    # when
    response = committed(
        client.post,
        reverse("admin:intake_inboundmail_changelist"),
        {"action": action, "_selected_action": [row.pk]},
    )

    # then
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.status == InboundMailStatus.PROCESSED, row.reason
    assert row.ticket.requester.first_name == "José"


def test_admin_retry_never_answers_500(client, monkeypatch):
    # given a kept mail whose routing fails in a way nobody foresaw
    row = _kept_before_the_fix("raw8bit_utf8_display_name.eml")

    def route(**kwargs):
        raise RuntimeError("unforeseen")

    monkeypatch.setattr(pipeline, "mail_route", route)
    client.force_login(user_make(username="root", is_staff=True, is_superuser=True))

    # when
    response = client.post(
        reverse("admin:intake_inboundmail_changelist"),
        {"action": "retry", "_selected_action": [row.pk]},
        follow=True,
    )

    # then the page says what happened and the mail is kept with the reason
    assert response.status_code == 200
    row.refresh_from_db()
    assert row.status == InboundMailStatus.FAILED
    assert "RuntimeError: unforeseen" in row.reason
    assert row.attempts == 2
    assert "0 mails processed" in response.content.decode()


def test_upgrade_rekeys_mail_kept_under_the_old_cut_keys(committed):
    # given rows keyed as before: the Message-ID itself, cut at 600 characters
    from importlib import import_module

    from django.apps import apps

    from ayuda.intake.email.ingest import message_id_key

    migration = import_module("ayuda.intake.migrations.0002_dedup_key_hash_message_id")
    mailbox = mailbox_make()
    long_id = "<" + "z" * 700 + "@cliente.example>"
    rows = {
        "plain": ("<old-1@cliente.example>", "", "mid:<old-1@cliente.example>"),
        "long": (long_id, "", f"mid:{long_id}"[:600]),
        "twin": ("<old-1@cliente.example>", "ab" * 32, "mid:<old-1@cliente.example>#" + "ab" * 8),
        "uid": ("", "", "uid:1:1:5"),
    }
    for name, (mid, digest, key) in rows.items():
        InboundMail.objects.create(
            mailbox=mailbox, dedup_key=key, message_id=mid, digest=digest, raw=b"x",
            status=InboundMailStatus.PROCESSED, subject=name,
        )  # fmt: skip

    # when
    migration.rekey(apps, None)

    # then
    keys = dict(InboundMail.objects.values_list("subject", "dedup_key"))
    assert keys["plain"] == message_id_key("<old-1@cliente.example>")
    assert keys["long"] == message_id_key(long_id)
    assert keys["twin"] == message_id_key("<old-1@cliente.example>", "ab" * 32)
    assert keys["uid"] == "uid:1:1:5"
    # and the same mail delivered again after the upgrade is still a duplicate
    raw = mail_bytes(message_id="<old-1@cliente.example>")
    assert not committed(mail_ingest, raw=raw, mailbox=mailbox, uid=9)[1]


@pytest.mark.needs_server("dovecot")
def test_issue_7_done_every_hostile_mail_in_one_batch_ends_somewhere_and_retries_work(
    imap_server, imap_folder, committed, client, settings
):
    """Issue 7's "done means": the hostile mails of all its intake items, delivered into a
    real mailbox in one batch with ordinary ones, each end as a ticket, a reply or a kept mail
    with its reason; the mailbox keeps flowing; the admin's retry works on every kept one."""
    # given
    from ayuda.tickets.models import StateCategory
    from ayuda.tickets.tests.factories import desk_make, ticket_in

    from .mail_fixtures import expected

    settings.AYUDA_EMAIL_SENDER_LIMIT = (100, 3600)
    desk = desk_make()
    desk.agent_l1.email = "laura.gomez@ayuda.test"
    desk.agent_l1.save()
    ticket = committed(ticket_in, StateCategory.OPEN, desk=desk)
    tagged = f"[#{ticket.pk}]".encode()
    bounces = sorted(n for n, exp in expected().items() if exp["verdict"] == "bounce")
    mails = [
        fixture_bytes("plain_new.eml"),
        *[fixture_bytes(n) for n in HOSTILE],
        *[fixture_bytes(n) for n in bounces],
        fixture_bytes("staff_forged_tag.eml").replace(b"[#TICKET]", tagged),
        fixture_bytes("staff_forged_new.eml"),
        fixture_bytes("null_return_path_person.eml"),
        fixture_bytes("no_sender.eml"),
        fixture_bytes("gmail_new_alternative.eml"),
    ]
    mailbox = mailbox_make(
        host=imap_server.host,
        port=imap_server.port,
        username=imap_server.user,
        password=imap_server.password,
        folder=imap_folder,
        authserv_ids="mx.ayuda.test",
    )
    imap_server.deliver(imap_folder, *mails)

    # when
    result = committed(mailbox_poll, mailbox)

    # then every mail has its row and its reason, and the mailbox is done with all of them
    assert result.error == ""
    assert result.ingested == len(mails)
    rows = InboundMail.objects.filter(mailbox=mailbox)
    assert rows.count() == len(mails)
    assert all(row.reason for row in rows)
    assert result.statuses == {
        "processed": len(HOSTILE) + 4,  # 2 ordinary, forged-with-tag, null return path
        "ignored": len(bounces),
        "quarantined": 1,  # the forged staff mail without a ticket
        "failed": 1,  # no sender address at all
    }
    assert committed(mailbox_poll, mailbox).seen == 0

    # and the admin's retry answers on every kept mail, and changes nothing it should not
    admin = user_make(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    kept = list(rows.exclude(status=InboundMailStatus.PROCESSED))
    before = {row.pk: row.status for row in kept}
    for action in ("retry", "release_new_ticket"):
        response = committed(
            client.post,
            reverse("admin:intake_inboundmail_changelist"),
            {"action": action, "_selected_action": [row.pk for row in kept]},
        )
        assert response.status_code == 302
    after = {row.pk: row for row in rows.filter(pk__in=before)}
    sent = {mail.replace(b"\r\n", b"\n") for mail in mails}  # Dovecot stores CRLF
    # released, the quarantined mail opens its ticket; a mail with no sender address cannot,
    # and stays kept with the reason; nothing is lost
    for pk, status in before.items():
        row = after[pk]
        if status == InboundMailStatus.QUARANTINED:
            assert row.status == InboundMailStatus.PROCESSED and row.ticket_id
        elif row.status != InboundMailStatus.PROCESSED:
            assert row.reason_text() and row.attempts == 3
            assert bytes(row.raw).replace(b"\r\n", b"\n") in sent  # kept as it came
