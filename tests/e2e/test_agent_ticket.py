"""The agent's ticket page in the browser: two agents saving the same ticket (the second gets
the conflict message and keeps what they typed), and the basic actions without JavaScript."""

import re

import pytest
from e2e_helpers import LANGUAGES, PASSWORD, Browsers, clean_slate, shot, t, users_speak
from playwright.sync_api import expect

from ayuda.accounts.models import Role
from ayuda.accounts.tests.factories import user_make
from ayuda.notifications.models import OutgoingKind, OutgoingMessage
from ayuda.tickets.models import Article, Priority
from ayuda.tickets.tests.factories import desk_make, ticket_make

pytestmark = pytest.mark.django_db(transaction=True)  # the live server is another thread

CONFLICT = (
    "Someone else changed this ticket while you were working on it. "
    "Nothing was saved: reload the ticket to see their change, then try again."
)


@pytest.fixture(autouse=True)
def _clean_slate():
    clean_slate()


@pytest.fixture
def browsers(browser, live_server, request):
    """Extra browser contexts, one per person, for the same live server."""
    more = Browsers(browser, live_server.url, request)
    yield more
    more.close()


@pytest.fixture
def desk():
    return desk_make()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_second_agent_gets_the_conflict_and_keeps_their_text(lang, login_as, browsers, desk):
    # given: two level-1 agents with the same ticket open, each in their own browser
    colleague = user_make(role=Role.AGENT_L1, teams=[desk.l1_team])
    users_speak(lang, desk.agent_l1, colleague)
    ticket = ticket_make(requester=desk.requester, subject="Scanner offline", team=desk.l1_team)
    first, second = browsers.new_page(locale=lang), browsers.new_page(locale=lang)
    login_as(first, desk.agent_l1.username, PASSWORD)
    login_as(second, colleague.username, PASSWORD)
    for agent in (first, second):
        agent.goto(f"/agent/tickets/{ticket.pk}/")
        expect(agent.get_by_role("heading", level=1)).to_contain_text("Scanner offline")

    # when: the first raises the priority
    qualify = first.locator("#action-qualify")
    qualify.locator("summary").click()
    expect(qualify.locator("summary")).to_have_text(
        t(lang, "Category, type and priority", strict=True)
    )
    qualify.get_by_label(t(lang, "Priority", strict=True)).select_option(
        label=t(lang, "High", strict=True)
    )
    qualify.get_by_role("button", name=t(lang, "Save", strict=True), exact=True).click()
    # then: their page shows the new priority
    saved = t(lang, "Category, type and priority were saved.", strict=True)
    expect(first.locator("#ticket-panel").get_by_text(saved)).to_be_visible()
    expect(first.locator(".ticket-badges")).to_contain_text(t(lang, "High"))
    shot(first, f"{lang}-20-conflict-first-saved")

    # when: the second, still looking at the old version, sends the reply they typed
    typed = "We will call you back at 3 pm to check the scanner cable."
    second_reply = second.get_by_role("textbox", name=t(lang, "Reply to the customer", strict=True))
    second_reply.fill(typed)
    send = second.get_by_role("button", name=t(lang, "Send reply", strict=True), exact=True)
    send.click()
    # then: they see the conflict, their text is still in the form, and the ticket as it is now
    alert = second.locator(".compose-reply [role=alert]")
    expect(alert).to_have_text(t(lang, CONFLICT, strict=True))
    expect(second_reply).to_have_value(typed)
    expect(second.locator(".ticket-badges")).to_contain_text(t(lang, "High"))
    shot(second, f"{lang}-21-conflict-second-refused")
    # and: nothing of theirs was saved, the first agent's change stands
    ticket.refresh_from_db()
    assert ticket.priority == Priority.HIGH
    assert not Article.objects.filter(ticket=ticket, body=typed).exists()

    # when: knowing about the change, they send it again
    send.click()
    # then: this time it goes through
    sent = t(lang, "Your reply was sent.", strict=True)
    expect(second.locator("#ticket-panel").get_by_text(sent)).to_be_visible()
    expect(second.locator(".timeline li.article.public").filter(has_text=typed)).to_be_visible()
    expect(second.locator(".compose-reply [role=alert]")).to_have_count(0)
    assert Article.objects.filter(ticket=ticket, body=typed, internal=False).count() == 1


@pytest.mark.parametrize("lang", LANGUAGES)
def test_internal_note_without_javascript(lang, login_as, browsers, desk):
    # given: an agent whose browser runs no JavaScript, on a ticket's page
    users_speak(lang, desk.agent_l1)
    ticket = ticket_make(requester=desk.requester, subject="Badge reader", team=desk.l1_team)
    agent = browsers.new_page(java_script_enabled=False, locale=lang)
    login_as(agent, desk.agent_l1.username, PASSWORD)
    agent.goto(f"/agent/tickets/{ticket.pk}/")
    expect(agent.get_by_role("heading", name=t(lang, "Timeline", strict=True))).to_be_visible()

    # when: they add an internal note
    note = "Reader firmware is 1.2; the vendor's fix needs 1.4."
    agent.get_by_role("textbox", name=t(lang, "Internal note", strict=True), exact=True).fill(note)
    with agent.expect_navigation():  # a real form post, not htmx
        agent.get_by_role("button", name=t(lang, "Add note", strict=True), exact=True).click()

    # then: the ticket page reloads with the note, marked internal
    expect(agent).to_have_url(re.compile(rf"/agent/tickets/{ticket.pk}/$"))
    expect(agent.locator("ul.messages")).to_have_text(t(lang, "Your note was added.", strict=True))
    entry = agent.locator(".timeline li.article.internal").filter(has_text=note)
    expect(entry).to_be_visible()
    expect(entry.locator(".badge.internal")).to_have_text(t(lang, "Internal", strict=True))
    shot(agent, f"{lang}-22-nojs-note")
    # and: it is stored as internal, and the customer was not mailed about it
    article = Article.objects.get(ticket=ticket, body=note)
    assert article.internal is True
    assert not OutgoingMessage.objects.filter(ticket=ticket, article=article).exists()
    assert not OutgoingMessage.objects.filter(ticket=ticket, kind=OutgoingKind.REPLY).exists()


def test_an_inline_image_of_a_mail_shows_in_the_ticket(page, login_as, desk):
    # given: a mail with a screenshot in its HTML came in through the pipeline
    from ayuda.intake.email.ingest import mail_ingest
    from ayuda.intake.tests.factories import mailbox_make
    from ayuda.intake.tests.mail_fixtures import fixture_bytes

    row, _ = mail_ingest(raw=fixture_bytes("inline_image_related.eml"), mailbox=mailbox_make())
    login_as(page, desk.agent_l1.username, PASSWORD)

    # when
    page.goto(f"/agent/tickets/{row.ticket_id}/")

    # then: the browser loaded the image from the ticket's own attachment
    image = page.locator(".article-body img[alt='errore']")
    expect(image).to_be_visible()
    assert image.evaluate("img => img.complete && img.naturalWidth") == 1
    assert "/agent/attachments/" in image.get_attribute("src")
