"""Messages and files over the API: what the browser shows each role, the same services."""

import pytest

from ayuda.tickets import services
from ayuda.tickets.models import Article, Attachment, StateCategory
from ayuda.tickets.tests.factories import desk_make, ticket_in, ticket_make

from .helpers import Api, assert_problem

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)


def _file(name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def test_requester_and_vendor_do_not_see_the_help_desks_notes():
    desk = desk_make()
    ticket = ticket_in(StateCategory.PENDING_VENDOR, desk=desk)
    services.article_add_note(ticket=ticket, actor=desk.agent_l1, body="Internal: cheap fix?")
    bodies = {
        role: [a["body"] for a in Api(user).get(f"/tickets/{ticket.pk}/articles").json()["items"]]
        for role, user in (
            ("agent", desk.agent_l1),
            ("requester", desk.requester),
            ("vendor", desk.vendor_agent),
        )
    }
    assert "Internal: cheap fix?" in bodies["agent"]
    assert "Internal: cheap fix?" not in bodies["requester"]
    assert "Internal: cheap fix?" not in bodies["vendor"]
    assert bodies["requester"] and bodies["vendor"]


def test_reply_note_and_customer_message_go_through_their_services():
    desk = desk_make()
    ticket = ticket_make(requester=desk.requester)
    agent = Api(desk.agent_l1)
    reply = agent.post(f"/tickets/{ticket.pk}/articles", {"body": "Which printer?"})
    note = agent.post(f"/tickets/{ticket.pk}/articles", {"body": "Probably HP.", "internal": True})
    customer = Api(desk.requester).post(f"/tickets/{ticket.pk}/articles", {"body": "The HP."})
    assert (reply.status_code, note.status_code, customer.status_code) == (201, 201, 201)
    kinds = {a.body: (a.sender_role, a.internal) for a in Article.objects.filter(ticket=ticket)}
    assert kinds["Which printer?"] == ("agent", False)
    assert kinds["Probably HP."] == ("agent", True)
    assert kinds["The HP."] == ("customer", False)


def test_a_customer_cannot_write_an_internal_note():
    desk = desk_make()
    ticket = ticket_make(requester=desk.requester)
    response = Api(desk.requester).post(
        f"/tickets/{ticket.pk}/articles", {"body": "psst", "internal": True}
    )
    assert_problem(response, 422, "validation")
    assert not Article.objects.filter(body="psst").exists()


def test_upload_checks_the_content_and_download_serves_it_as_an_attachment():
    desk = desk_make()
    ticket = ticket_make(requester=desk.requester)
    api = Api(desk.requester)
    response = api.upload(
        f"/tickets/{ticket.pk}/attachments",
        {"body": "Screenshot", "files": [_file("shot.html", PNG)]},
    )
    assert response.status_code == 201, response.content
    attached = response.json()["attachments"][0]
    assert attached["filename"] == "shot.png"
    assert attached["content_type"] == "image/png"
    download = api.get(attached["url"].removeprefix("/api/v1"))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PNG
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"


def test_an_executable_is_refused_and_nothing_is_added():
    desk = desk_make()
    ticket = ticket_make(requester=desk.requester)
    articles = Article.objects.count()
    response = Api(desk.requester).upload(
        f"/tickets/{ticket.pk}/attachments",
        {"body": "Here", "files": [_file("tool.pdf", b"MZ\x90\x00" + b"\x00" * 200)]},
    )
    assert_problem(response, 422, "validation")
    assert Article.objects.count() == articles
    assert not Attachment.objects.filter(filename__startswith="tool").exists()


def test_a_file_of_an_internal_note_is_not_found_for_the_requester():
    desk = desk_make()
    ticket = ticket_make(requester=desk.requester)
    agent = Api(desk.agent_l1)
    note = agent.upload(
        f"/tickets/{ticket.pk}/attachments",
        {"body": "Internal log", "internal": "true", "files": [_file("log.txt", b"log line\n")]},
    )
    url = note.json()["attachments"][0]["url"].removeprefix("/api/v1")
    assert agent.get(url).status_code == 200
    assert_problem(Api(desk.requester).get(url), 404, "not-found")
    assert_problem(Api(desk.other_requester).get(url), 404, "not-found")
