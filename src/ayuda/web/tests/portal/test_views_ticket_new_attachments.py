"""The new-ticket form's attachments: stored with the first message, or refused (type, size,
count) with the form shown again and nothing created."""

import pytest
from django.test import override_settings
from django.urls import reverse

from ayuda.tickets.models import Ticket

from .helpers import (
    bmp_bytes,
    exe_bytes,
    nothing_created,
    plain_category,
    png_bytes,
    requester_make,
    upload,
)

pytestmark = pytest.mark.django_db
URL = reverse("portal:ticket_new")


def test_png_attachment_is_stored_with_the_first_message(client):
    # given
    category = plain_category()
    client.force_login(requester_make())

    # when
    response = client.post(
        URL,
        {
            "category": category.pk,
            "subject": "Screen is blank",
            "description": "See the screenshot.",
            "type": "incident",
            "attachments": [upload("screen.png", png_bytes()), upload("second.png", png_bytes())],
        },
    )

    # then
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    attachments = list(ticket.attachments.order_by("id"))
    assert [a.filename for a in attachments] == ["screen.png", "second.png"]
    assert {a.content_type for a in attachments} == {"image/png"}
    assert all(a.article_id == ticket.articles.get().pk for a in attachments)


@pytest.mark.parametrize(
    ("file", "message"),
    [
        (lambda: upload("photo.bmp", bmp_bytes()), "is a BMP image"),
        (lambda: upload("holiday.png", exe_bytes(), "image/png"), "is not an accepted file type"),
    ],
    ids=["bmp", "renamed-exe"],
)
def test_refused_attachment_rerenders_the_form_and_creates_nothing(client, file, message):
    # given
    category = plain_category()
    client.force_login(requester_make())

    # when
    response = client.post(
        URL,
        {
            "category": category.pk,
            "subject": "Screen is blank",
            "description": "See the attachment.",
            "type": "incident",
            "attachments": [file()],
        },
    )

    # then
    assert response.status_code == 200
    assert nothing_created()
    errors = response.context["form"].errors["attachments"]
    assert message in errors[0]
    html = response.content.decode()
    assert "please choose them again" in html
    assert 'value="Screen is blank"' in html


@override_settings(AYUDA_ATTACHMENT_MAX_BYTES=64)
def test_oversize_attachment_is_refused(client):
    # given
    category = plain_category()
    client.force_login(requester_make())

    # when
    response = client.post(
        URL,
        {
            "category": category.pk,
            "subject": "Big file",
            "description": "Too big.",
            "type": "incident",
            "attachments": [upload("big.png", png_bytes() + b"\x00" * 100)],
        },
    )

    # then
    assert nothing_created()
    assert "is too large" in response.context["form"].errors["attachments"][0]


@override_settings(AYUDA_ATTACHMENT_MAX_COUNT=1)
def test_too_many_attachments_are_refused(client, monkeypatch):
    # given: reading an upload would fail the test (too many are refused before any is read)
    def unread(*args, **kwargs):
        raise AssertionError("an upload was read although there were too many")

    monkeypatch.setattr("ayuda.web.portal.forms.IncomingFile", unread)
    category = plain_category()
    client.force_login(requester_make())

    # when
    response = client.post(
        URL,
        {
            "category": category.pk,
            "subject": "Two files",
            "description": "d",
            "type": "incident",
            "attachments": [upload("a.png", png_bytes()), upload("b.png", png_bytes())],
        },
    )

    # then
    assert nothing_created()
    assert "Too many attachments" in response.context["form"].errors["attachments"][0]


def test_a_png_with_html_appended_named_evil_html_is_stored_and_served_as_evil_png(client):
    # given
    category = plain_category()
    me = requester_make()
    client.force_login(me)
    content = png_bytes() + b"<html><body><script>alert(document.cookie)</script></body></html>"

    # when
    client.post(
        URL,
        {
            "category": category.pk,
            "subject": "Screen is blank",
            "description": "See the screenshot.",
            "type": "incident",
            "attachments": [upload("evil.html", content, "text/html")],
        },
    )
    attachment = Ticket.objects.get().attachments.get()
    response = client.get(reverse("portal:attachment", args=[attachment.pk]))

    # then
    assert (attachment.filename, attachment.content_type) == ("evil.png", "image/png")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'attachment; filename="evil.png"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == content
