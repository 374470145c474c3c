import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ayuda.accounts.models import Role
from ayuda.accounts.tests.factories import user_make
from ayuda.tickets import services
from ayuda.tickets.attachments import IncomingFile
from ayuda.tickets.models import Article, StateCategory
from ayuda.tickets.tests.factories import ticket_make

from .helpers import bmp_bytes, png_bytes, requester_make, software_category, upload

pytestmark = pytest.mark.django_db


def ticket_url(ticket) -> str:
    return reverse("portal:ticket", args=[ticket.pk])


def reply_url(ticket) -> str:
    return reverse("portal:ticket_reply", args=[ticket.pk])


def agent_make():
    return user_make(role=Role.AGENT_L1)


def test_ticket_page_shows_details_and_public_timeline_only(client):
    # given
    me = requester_make()
    category = software_category(
        extra_fields=[{"name": "module", "label": "Module", "type": "text"}]
    )
    ticket = ticket_make(
        requester=me,
        subject="Invoices fail",
        description="It crashes.",
        category=category,
        environment={
            "steps_to_reproduce": "Open invoices",
            "url": "https://erp.example.com",
            "software_version": "4.2",
            "software_edition": "Pro",
            "browser": "Firefox 128",
            "operating_system": "Linux",
        },
        extra={"module": "Billing"},
    )
    agent = agent_make()
    services.article_add_reply(ticket=ticket, actor=agent, body="We are looking into it.")
    services.article_add_note(ticket=ticket, actor=agent, body="SECRET internal note")
    client.force_login(me)

    # when
    response = client.get(ticket_url(ticket))

    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert "Invoices fail" in html
    assert "It crashes." in html
    assert "We are looking into it." in html
    assert "SECRET internal note" not in html
    for value in ("Open invoices", "https://erp.example.com", "4.2", "Pro", "Firefox 128"):
        assert value in html
    assert "Module" in html and "Billing" in html
    assert 'id="ticket-state"' in html


def test_user_content_is_escaped_on_the_ticket_page(client):
    # given
    me = requester_make()
    ticket = ticket_make(
        requester=me, subject="<b>bold</b>", description="<script>alert('x')</script>"
    )
    client.force_login(me)

    # when
    html = client.get(ticket_url(ticket)).content.decode()

    # then
    assert "<script>alert" not in html
    assert "&lt;script&gt;" in html
    assert "<b>bold</b>" not in html


def test_sanitised_html_body_is_rendered_as_html(client):
    # given
    me = requester_make()
    ticket = ticket_make(
        requester=me, description="plain", body_html="<p>Hello <strong>there</strong></p>"
    )
    client.force_login(me)

    # when
    html = client.get(ticket_url(ticket)).content.decode()

    # then
    assert "<p>Hello <strong>there</strong></p>" in html


def test_reply_adds_a_message_and_redirects_without_js(client):
    # given
    me = requester_make()
    ticket = ticket_make(requester=me)
    client.force_login(me)

    # when
    response = client.post(reply_url(ticket), {"body": "Any news?"}, follow=True)

    # then
    assert response.redirect_chain == [(ticket_url(ticket), 302)]
    article = ticket.articles.order_by("-id").first()
    assert article.body == "Any news?"
    assert article.kind == "portal"
    assert not article.internal
    assert "Your message was added to the ticket." in response.content.decode()


def test_reply_with_htmx_swaps_the_conversation(client):
    # given
    me = requester_make()
    ticket = ticket_make(requester=me)
    client.force_login(me)

    # when
    response = client.post(reply_url(ticket), {"body": "Any news?"}, headers={"HX-Request": "true"})

    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="conversation"' in html
    assert "Any news?" in html
    assert 'hx-swap-oob="true"' in html  # the state badge


def test_reply_to_a_resolved_ticket_reopens_it(client):
    # given
    me = requester_make()
    ticket = services.ticket_resolve(
        ticket=ticket_make(requester=me), actor=agent_make(), solution="Restart the router."
    )
    client.force_login(me)
    page = client.get(ticket_url(ticket)).content.decode()

    # when
    response = client.post(reply_url(ticket), {"body": "Still broken."}, follow=True)

    # then
    assert "Restart the router." in page  # the solution is shown
    assert "your reply reopens the ticket" in page
    ticket.refresh_from_db()
    assert ticket.state_category == StateCategory.OPEN
    assert "Your reply reopened the ticket." in response.content.decode()


def test_reply_to_a_resolved_ticket_with_htmx_updates_the_state_badge(client):
    # given
    me = requester_make()
    ticket = services.ticket_resolve(
        ticket=ticket_make(requester=me), actor=agent_make(), solution="Done."
    )
    client.force_login(me)

    # when
    response = client.post(reply_url(ticket), {"body": "Not done."}, headers={"HX-Request": "true"})

    # then
    html = response.content.decode()
    assert "Your reply reopened the ticket." in html
    assert 'id="ticket-state" class="badge open" hx-swap-oob="true"' in html
    assert 'id="ticket-details" hx-swap-oob="true"' in html
    assert 'id="ticket-solution" hx-swap-oob="true"' in html
    assert "Done." not in html.split('id="ticket-solution"')[1].split("</div>")[0]


def test_closed_ticket_shows_no_reply_form_and_refuses_replies(client):
    # given
    me = requester_make()
    agent = agent_make()
    ticket = services.ticket_close(
        ticket=services.ticket_resolve(ticket=ticket_make(requester=me), actor=agent, solution="x"),
        actor=agent,
    )
    articles_before = Article.objects.count()
    client.force_login(me)

    # when
    page = client.get(ticket_url(ticket)).content.decode()
    response = client.post(reply_url(ticket), {"body": "Hello?"})

    # then
    assert 'name="body"' not in page
    assert reverse("portal:ticket_new") in page
    assert "This ticket is closed" in page
    assert response.status_code == 200
    assert "This ticket is closed; open a new ticket instead." in response.content.decode()
    assert Article.objects.count() == articles_before


def test_empty_reply_is_refused(client):
    # given
    me = requester_make()
    ticket = ticket_make(requester=me)
    count = ticket.articles.count()
    client.force_login(me)

    # when
    response = client.post(reply_url(ticket), {"body": "   "})

    # then
    assert response.context["reply_form"].errors["body"]
    assert ticket.articles.count() == count


def test_reply_with_png_is_accepted_and_bmp_refused(client):
    # given
    me = requester_make()
    ticket = ticket_make(requester=me)
    count = ticket.articles.count()
    client.force_login(me)

    # when
    refused = client.post(
        reply_url(ticket), {"body": "See file", "attachments": [upload("a.bmp", bmp_bytes())]}
    )
    accepted = client.post(
        reply_url(ticket), {"body": "See file", "attachments": [upload("a.png", png_bytes())]}
    )

    # then
    assert "is a BMP image" in refused.context["reply_form"].errors["attachments"][0]
    assert "please choose them again" in refused.content.decode()
    assert "See file</textarea>" in refused.content.decode()
    assert accepted.status_code == 302
    assert ticket.articles.count() == count + 1
    assert ticket.attachments.get().filename == "a.png"


def test_attachment_download_is_served_as_a_download(client):
    # given
    me = requester_make()
    ticket = ticket_make(
        requester=me, attachments=[IncomingFile(name="screen.png", content=png_bytes())]
    )
    attachment = ticket.attachments.get()
    client.force_login(me)

    # when
    page = client.get(ticket_url(ticket)).content.decode()
    response = client.get(reverse("portal:attachment", args=[attachment.pk]))

    # then
    assert reverse("portal:attachment", args=[attachment.pk]) in page
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="screen.png"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == png_bytes()


def test_attachment_of_an_internal_note_is_not_served(client):
    # given
    me = requester_make()
    ticket = ticket_make(requester=me)
    services.article_add_note(
        ticket=ticket,
        actor=agent_make(),
        body="internal",
        attachments=[IncomingFile(name="secret.png", content=png_bytes())],
    )
    attachment = ticket.attachments.get()
    client.force_login(me)

    # when
    page = client.get(ticket_url(ticket)).content.decode()
    response = client.get(reverse("portal:attachment", args=[attachment.pk]))

    # then
    assert "secret.png" not in page
    assert response.status_code == 404


def test_attachment_of_someone_elses_ticket_is_not_served(client):
    # given
    ticket = ticket_make(attachments=[IncomingFile(name="theirs.png", content=png_bytes())])
    attachment = ticket.attachments.get()
    client.force_login(requester_make())

    # when
    response = client.get(reverse("portal:attachment", args=[attachment.pk]))

    # then
    assert response.status_code == 404


def test_ticket_page_query_count_does_not_grow_with_messages(client):
    # given
    me = requester_make()
    agent = agent_make()
    few = ticket_make(requester=me)
    many = ticket_make(requester=me, attachments=[IncomingFile(name="a.png", content=png_bytes())])
    for n in range(10):
        services.article_add_reply(ticket=many, actor=agent, body=f"Reply {n}")
        services.article_add_customer(
            ticket=many,
            author=me,
            body=f"Answer {n}",
            attachments=[IncomingFile(name=f"{n}.png", content=png_bytes())],
        )
    client.force_login(me)
    client.get(ticket_url(few))

    def queries_for(ticket) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(ticket_url(ticket)).status_code == 200
        return len(queries)

    # when
    counts = (queries_for(few), queries_for(many))

    # then
    assert counts[0] == counts[1]
