"""Downloading attachments: only for who may see the ticket and the message, always as a
download with the stored type and no sniffing."""

import pytest
from django.urls import reverse

from ayuda.tickets import services
from ayuda.tickets.attachments import IncomingFile
from ayuda.tickets.models import Attachment
from ayuda.tickets.tests.factories import ticket_make

from .conftest import PNG

pytestmark = pytest.mark.django_db


def _download(client, attachment):
    return client.get(reverse("agent:attachment", args=[attachment.pk]))


def test_agent_downloads_an_attachment_as_a_file(client, desk):
    # given
    ticket = ticket_make(requester=desk.requester, attachments=[IncomingFile("a b.png", PNG)])
    attachment = Attachment.objects.get(ticket=ticket)
    client.force_login(desk.agent_l1)
    # when
    response = _download(client, attachment)
    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "a b.png" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PNG


def test_ticket_page_links_the_attachment(client, desk):
    # given
    ticket = ticket_make(requester=desk.requester, attachments=[IncomingFile("s.png", PNG)])
    attachment = Attachment.objects.get(ticket=ticket)
    client.force_login(desk.agent_l1)
    # when
    html = client.get(reverse("agent:ticket", args=[ticket.pk])).content.decode()
    # then
    assert f'href="{reverse("agent:attachment", args=[attachment.pk])}">s.png</a>' in html


def _vendor_ticket(desk):
    ticket = ticket_make(requester=desk.requester, attachments=[IncomingFile("pub.png", PNG)])
    services.article_add_note(
        ticket=ticket,
        actor=desk.agent_l1,
        body="internal",
        attachments=[IncomingFile("internal.log", b"secret\n")],
    )
    services.ticket_escalate_to_vendor(
        ticket=ticket, actor=desk.agent_l1, vendor=desk.vendor, reason="Bug"
    )
    services.article_add_note(
        ticket=ticket,
        actor=desk.vendor_agent,
        body="ours",
        attachments=[IncomingFile("vendor.log", b"trace\n")],
    )
    return ticket


@pytest.mark.parametrize(
    ("filename", "status"), [("pub.png", 200), ("vendor.log", 200), ("internal.log", 404)]
)
def test_vendor_agent_downloads_public_and_vendor_files_only(client, desk, filename, status):
    # given
    ticket = _vendor_ticket(desk)
    attachment = Attachment.objects.get(ticket=ticket, filename=filename)
    client.force_login(desk.vendor_agent)
    # when
    response = _download(client, attachment)
    # then
    assert response.status_code == status


def test_help_desk_downloads_internal_files(client, desk):
    # given
    ticket = _vendor_ticket(desk)
    attachment = Attachment.objects.get(ticket=ticket, filename="internal.log")
    client.force_login(desk.agent_l2)
    # when
    response = _download(client, attachment)
    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain"


def test_vendor_agent_cannot_download_from_a_ticket_not_escalated_to_it(client, desk):
    # given
    ticket = ticket_make(requester=desk.requester, attachments=[IncomingFile("p.png", PNG)])
    client.force_login(desk.vendor_agent)
    # when
    response = _download(client, Attachment.objects.get(ticket=ticket))
    # then
    assert response.status_code == 404


def test_customer_never_downloads_through_the_agent_workspace(client, desk):
    # given
    ticket = ticket_make(requester=desk.requester, attachments=[IncomingFile("p.png", PNG)])
    client.force_login(desk.requester)
    # when
    response = _download(client, Attachment.objects.get(ticket=ticket))
    # then
    assert response.status_code == 302
    assert not response["Location"].startswith("/agent/")


def test_unknown_attachment_is_not_found(client, desk):
    # given
    client.force_login(desk.agent_l1)
    # when
    response = client.get(reverse("agent:attachment", args=[424242]))
    # then
    assert response.status_code == 404


def test_a_file_stored_before_the_names_were_fixed_is_served_under_its_types_extension(
    client, desk
):
    # given: a row written before stored names followed the detected type
    ticket = ticket_make(requester=desk.requester, attachments=[IncomingFile("s.png", PNG)])
    Attachment.objects.filter(ticket=ticket).update(filename="old.html")
    client.force_login(desk.agent_l1)
    # when
    response = _download(client, Attachment.objects.get(ticket=ticket))
    # then
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'attachment; filename="old.png"'
