"""Mail HTML on the ticket pages: inline images shown from the ticket's own attachments,
remote images not loaded."""

import pytest
from django.urls import reverse

from ayuda.accounts.models import Role
from ayuda.accounts.tests.factories import user_make
from ayuda.intake.email.ingest import mail_ingest
from ayuda.intake.email.parsing import html_for_display, mail_parse
from ayuda.tickets.models import Attachment

from .factories import mailbox_make
from .mail_fixtures import fixture_bytes

CID = "179531283505.14682.8435720365864259545@negozi-luna.it"


def test_an_inline_image_keeps_its_content_id():
    mail = mail_parse(fixture_bytes("inline_image_related.eml"))
    assert [(f.name, f.inline, f.content_id) for f in mail.attachments] == [
        ("errore.png", True, CID)
    ]


@pytest.mark.parametrize(
    ("html", "expected", "blocked"),
    [
        ('<img src="cid:a@b" alt="x">', '<img src="/files/7/" alt="x">', 0),
        ('<img src="cid:&lt;a@b&gt;">', '<img src="/files/7/">', 0),
        ('<img src="cid:other@b" alt="x">', '<img alt="x">', 0),
        ('<img src="https://tracker.example/p.gif?u=42">', "<img>", 1),
        ('<img src="http://a.example/1.png"><img src="//b.example/2.png">', "<img><img>", 2),
        ('<a href="https://ok.example/">link</a>', "https://ok.example/", 0),
        ('<p onclick="alert(1)">hi<script>alert(2)</script></p>', "<p>hi</p>", 0),
        ("", "", 0),
    ],
)
def test_html_for_display(html, expected, blocked):
    # when
    shown, count = html_for_display(html, {"a@b": "/files/7/"})

    # then
    assert expected in shown
    assert count == blocked
    assert "tracker.example" not in shown and "alert" not in shown


@pytest.mark.django_db
def test_a_mail_with_an_inline_image_shows_it_to_the_agent_and_to_the_customer(client):
    # given: the mail came in through the pipeline
    row, _ = mail_ingest(raw=fixture_bytes("inline_image_related.eml"), mailbox=mailbox_make())
    attachment = Attachment.objects.get(ticket=row.ticket)
    assert attachment.content_id == CID and attachment.content_type == "image/png"
    agent = user_make(role=Role.AGENT_L1)

    # when: the agent opens the ticket and the image
    client.force_login(agent)
    agent_page = client.get(reverse("agent:ticket", args=[row.ticket_id])).content.decode()
    image = client.get(reverse("agent:attachment", args=[attachment.pk]))

    # then
    src = reverse("agent:attachment", args=[attachment.pk])
    assert f'<img src="{src}" alt="errore">' in agent_page
    assert "cid:" not in agent_page
    assert image.status_code == 200 and image["Content-Type"] == "image/png"

    # when: the customer who wrote it opens it in the portal
    client.force_login(row.ticket.requester)
    portal_page = client.get(reverse("portal:ticket", args=[row.ticket_id])).content.decode()

    # then
    src = reverse("portal:attachment", args=[attachment.pk])
    assert f'<img src="{src}" alt="errore">' in portal_page


@pytest.mark.django_db
def test_remote_images_are_not_loaded_and_the_page_says_so(client):
    # given
    raw = (
        b"From: Ana <ana@tiendas-sol.es>\r\nTo: support@ayuda.test\r\n"
        b"Subject: Newsletter-like\r\nMessage-ID: <remote-img-1@tiendas-sol.es>\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
        b'<p>Hola</p><img src="https://tracker.example/open.gif?id=42" width="1" height="1">'
    )
    row, _ = mail_ingest(raw=raw, mailbox=mailbox_make())
    client.force_login(user_make(role=Role.AGENT_L1, language="es"))

    # when
    page = client.get(reverse("agent:ticket", args=[row.ticket_id])).content.decode()

    # then
    assert "tracker.example" not in page
    assert "<p>Hola</p>" in page
    assert "Las imágenes remotas de este correo no se han cargado." in page
