"""The foundation's browser journeys (issue 2, "Quality bars"), in English, Spanish and Italian:

a requester submits a software ticket from the portal; a level-1 agent replies and escalates
it to a level-2 team; the level-2 specialist resolves it with a solution; the requester sees
the answer and reopens the ticket by replying. One chained test per language, each person in
their own browser. The factories set the desk up (and the tickets other people raise
meanwhile); everything the journey's people do goes through the real UI, and the database is
only read to check.

UI strings come from the catalogue (``t``), so a test follows the .po files; every page checks
at least one string that must be translated (``strict=True``).
"""

import re
from datetime import timedelta

import pytest
from django.utils import translation
from e2e_helpers import (
    LANGUAGES,
    PASSWORD,
    Browsers,
    clean_slate,
    field,
    mark_page,
    page_was_not_reloaded,
    prop,
    shot,
    t,
    tiny_png,
    users_speak,
)
from playwright.sync_api import expect

from ayuda.notifications.models import DeliveryStatus, OutgoingKind, OutgoingMessage
from ayuda.tickets.models import Category, Channel, StateCategory, Ticket
from ayuda.tickets.tests.factories import category_make, desk_make, state_get, ticket_make
from ayuda.web.agent.presenters import age_text

pytestmark = pytest.mark.django_db(transaction=True)  # the live server is another thread

SOFTWARE = "Accounting software"
PNG_NAME = "invoice-error.png"


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
    desk = desk_make()
    category_make(name=SOFTWARE, is_software=True, default_team=desk.l1_team)
    category_make(name="Printers")
    return desk


def state_name(lang: str, category: str) -> str:
    return t(lang, state_get(category).name)


def ages(lang: str) -> set[str]:
    """What the age column may say for a ticket younger than ten minutes."""
    with translation.override(lang):
        return {age_text(timedelta(minutes=m)) for m in range(10)}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_ticket_journey_portal_l1_l2_and_reopen(lang, page, login_as, browsers, desk, mailoutbox):
    # given: a help desk whose people all use ``lang``, and a ticket already waiting
    requester, agent_l1, agent_l2 = desk.requester, desk.agent_l1, desk.agent_l2
    users_speak(lang, requester, agent_l1, agent_l2)
    older = ticket_make(
        requester=desk.other_requester, subject="Older: printer jam", team=desk.l1_team
    )
    subject = f"Invoices fail to save ({lang})"

    # -- 1. the requester submits a software ticket from the portal ----------------------------
    # when: they log in and open "New ticket"
    login_as(page, requester.username, PASSWORD)
    # then: the portal greets them in their language
    expect(page.get_by_role("heading", name=t(lang, "My tickets", strict=True))).to_be_visible()
    shot(page, f"{lang}-01-portal-home")
    page.locator("main").get_by_role(
        "link", name=t(lang, "New ticket", strict=True), exact=True
    ).click()
    expect(page).to_have_url(re.compile(r"/portal/tickets/new/$"))
    expect(page.get_by_role("heading", name=t(lang, "New ticket"))).to_be_visible()
    steps = field(page, t(lang, "Steps to reproduce", strict=True))
    expect(steps).to_have_count(0)

    # when: they pick the software category
    mark_page(page)
    field(page, t(lang, "What is your request about?", strict=True)).select_option(label=SOFTWARE)
    # then: htmx swaps in the software questions, without loading a new page
    expect(steps).to_be_visible()
    expect(field(page, t(lang, "Software version", strict=True))).to_be_visible()
    expect(field(page, t(lang, "Edition", strict=True))).to_be_visible()
    expect(field(page, t(lang, "URL"))).to_be_visible()
    assert page_was_not_reloaded(page)
    expect(page).to_have_url(re.compile(r"/portal/tickets/new/\?category=\d+$"))

    # when: they fill everything in, attach a screenshot and send the ticket
    field(page, t(lang, "Subject", strict=True)).fill(subject)
    field(page, t(lang, "Description", strict=True)).fill("Saving an invoice shows E42.")
    steps.fill("1. Open an invoice\n2. Press Save")
    field(page, t(lang, "URL")).fill("https://erp.example.com/invoices/7")
    field(page, t(lang, "Software version")).fill("4.2.1")
    field(page, t(lang, "Edition")).fill("Professional")
    field(page, t(lang, "Attachments", strict=True)).set_input_files(
        files=[{"name": PNG_NAME, "mimeType": "image/png", "buffer": tiny_png()}]
    )
    shot(page, f"{lang}-02-portal-new-ticket-filled")
    page.get_by_role("button", name=t(lang, "Send ticket", strict=True), exact=True).click()

    # then: the ticket page confirms the number and shows the attachment
    expect(page).to_have_url(re.compile(r"/portal/tickets/\d+/$"))
    ticket = Ticket.objects.get(subject=subject)
    number = ticket.number
    expect(page).to_have_url(re.compile(rf"/portal/tickets/{ticket.pk}/$"))
    confirmation = t(
        lang,
        "Ticket #%(number)s was created; we sent you an acknowledgement.",
        strict=True,
        number=number,
    )
    expect(page.locator("ul.messages")).to_have_text(confirmation)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"#{number} {subject}")
    conversation = page.locator("#conversation")
    expect(conversation.get_by_role("link", name=PNG_NAME)).to_be_visible()
    details = page.locator("#ticket-details")
    expect(details.get_by_text(t(lang, "What you told us", strict=True))).to_be_visible()
    expect(prop(details, t(lang, "Software version"))).to_have_text("4.2.1")
    shot(page, f"{lang}-03-portal-ticket-created")

    # and: the ticket came in by the portal with the browser and OS of the request
    assert ticket.channel == Channel.PORTAL
    assert ticket.requester_id == requester.pk
    assert ticket.state_category == StateCategory.NEW
    assert ticket.browser.strip()
    assert ticket.operating_system.strip()
    assert (ticket.url, ticket.software_version, ticket.software_edition) == (
        "https://erp.example.com/invoices/7",
        "4.2.1",
        "Professional",
    )
    assert ticket.attachments.get().filename == PNG_NAME
    expect(prop(details, t(lang, "Operating system", strict=True))).to_have_text(
        ticket.operating_system
    )
    # and: an acknowledgement with the number went out, in the requester's language
    ack_subject = f"[#{number}] " + t(
        lang, "We have received your request: %(s)s", strict=True, s=subject
    )
    ack = OutgoingMessage.objects.get(ticket=ticket, kind=OutgoingKind.ACKNOWLEDGEMENT)
    assert (ack.to_address, ack.language, ack.status) == (
        requester.email,
        lang,
        DeliveryStatus.SENT,
    )
    assert ack.subject == ack_subject
    mailed = [(m.to, m.subject) for m in mailoutbox if m.subject.startswith(f"[#{number}]")]
    assert mailed == [([requester.email], ack_subject)]

    # -- 2. a level-1 agent replies and escalates -----------------------------------------------
    # given: another ticket came in after it
    newer = ticket_make(requester=desk.other_requester, subject="Newer: VPN", team=desk.l1_team)
    agent = browsers.new_page(locale=lang)

    # when: the level-1 agent logs in
    login_as(agent, agent_l1.username, PASSWORD)
    # then: the queue lists the active tickets oldest first, each with its age
    expect(agent.get_by_role("heading", name=t(lang, "Queue", strict=True))).to_be_visible()
    expect(agent.get_by_role("columnheader", name=t(lang, "Age", strict=True))).to_be_visible()
    expect(agent.locator("#results td.subject > a")).to_have_text(
        [older.subject, subject, newer.subject]
    )
    row = agent.locator("#results tbody tr").filter(has_text=subject)
    assert row.locator("td.age").inner_text().strip() in ages(lang)
    shot(agent, f"{lang}-04-l1-queue")

    # when: they open the ticket and send a public reply
    row.get_by_role("link", name=subject).click()
    expect(agent).to_have_url(re.compile(rf"/agent/tickets/{ticket.pk}/$"))
    expect(agent.get_by_role("heading", name=t(lang, "Timeline", strict=True))).to_be_visible()
    mark_page(agent)
    reply = "Thanks, we can reproduce E42 and are looking into it."
    agent.get_by_role("textbox", name=t(lang, "Reply to the customer", strict=True)).fill(reply)
    agent.get_by_role("button", name=t(lang, "Send reply", strict=True), exact=True).click()
    # then: the timeline shows the reply in place (htmx), as a public message
    panel = agent.locator("#ticket-panel")
    expect(panel.get_by_text(t(lang, "Your reply was sent.", strict=True))).to_be_visible()
    expect(panel.locator(".timeline li.article.public").filter(has_text=reply)).to_be_visible()
    assert page_was_not_reloaded(agent)
    shot(agent, f"{lang}-05-l1-replied")

    # when: they escalate it to the level-2 team by transfer, with a reason
    escalate = agent.locator("#action-escalate")
    escalate.locator("summary").click()
    expect(escalate.locator("summary")).to_have_text(t(lang, "Escalate to level 2", strict=True))
    escalate.get_by_label(t(lang, "Level 2 team", strict=True)).select_option(
        label=desk.l2_team.name
    )
    escalate.get_by_label(t(lang, "Transfer: level 2 owns the ticket", strict=True)).check()
    reason = "E42 comes from the invoice service; needs the database team."
    escalate.get_by_role("textbox", name=t(lang, "Reason", strict=True)).fill(reason)
    shot(agent, f"{lang}-06-l1-escalating")
    escalate.get_by_role("button", name=t(lang, "Escalate", strict=True), exact=True).click()
    # then: the ticket shows level 2 and the level-2 team
    message = t(lang, "The ticket was escalated to level 2.", strict=True)
    expect(panel.get_by_text(message)).to_be_visible()
    expect(panel.locator(".ticket-badges")).to_contain_text(t(lang, "Level 2", strict=True))
    side = panel.locator(".ticket-side")
    expect(prop(side, t(lang, "Team", strict=True))).to_have_text(desk.l2_team.name)
    expect(panel.locator(".timeline li.event").filter(has_text=reason)).to_be_visible()
    expect(agent.locator("#action-escalate")).to_have_count(0)  # it is level 2 now
    assert page_was_not_reloaded(agent)
    shot(agent, f"{lang}-07-l1-escalated")
    ticket.refresh_from_db()
    assert (ticket.level, ticket.team_id) == ("2", desk.l2_team.pk)

    # -- 3. the level-2 specialist resolves it with a solution ----------------------------------
    specialist = browsers.new_page(locale=lang)
    # when: they log in and filter the queue by their level and team
    login_as(specialist, agent_l2.username, PASSWORD)
    expect(specialist.locator("#results td.subject")).to_have_count(3)
    filters = specialist.locator("form.filters")
    level_2 = t(lang, "Level 2")
    filters.get_by_label(t(lang, "Level", strict=True), exact=True).select_option(label=level_2)
    expect(specialist).to_have_url(re.compile(r"\?level=2$"))
    filters.get_by_label(t(lang, "Team"), exact=True).select_option(
        label=f"{desk.l2_team.name} ({level_2})"
    )
    # then: only their ticket is left (the address keeps the filters)
    expect(specialist).to_have_url(re.compile(rf"\?level=2&team={desk.l2_team.pk}$"))
    expect(specialist.locator("#results td.subject > a")).to_have_text([subject])
    shot(specialist, f"{lang}-08-l2-queue-filtered")

    # when: they open it and resolve it with a solution
    specialist.get_by_role("link", name=subject).click()
    expect(specialist).to_have_url(re.compile(rf"/agent/tickets/{ticket.pk}/$"))
    resolve = specialist.locator("#action-resolve")
    resolve.locator("summary").click()
    solution = "Fixed: the invoice service had lost its database connection; it is back."
    resolve.get_by_role(
        "textbox", name=t(lang, "Solution (sent to the customer)", strict=True)
    ).fill(solution)
    resolve.get_by_role("button", name=t(lang, "Resolve", strict=True), exact=True).click()
    # then: the state shows Resolved, and the solution is on the ticket
    panel = specialist.locator("#ticket-panel")
    expect(panel.get_by_text(t(lang, "The ticket was resolved.", strict=True))).to_be_visible()
    resolved = state_name(lang, StateCategory.RESOLVED)
    expect(panel.locator(".ticket-badges .badge").first).to_have_text(resolved)
    expect(panel.locator(".ticket-side")).to_contain_text(solution)
    shot(specialist, f"{lang}-09-l2-resolved")
    ticket.refresh_from_db()
    assert ticket.state_category == StateCategory.RESOLVED
    assert ticket.solution == solution

    # -- 4. the requester sees the answer and reopens the ticket by replying -------------------
    # when: the requester looks at their tickets again
    page.goto("/portal/")
    mine = page.locator("table.portal-list tbody tr").filter(has_text=subject)
    expect(mine.locator(".badge")).to_have_text(resolved)
    mine.get_by_role("link", name=f"#{number}").click()
    # then: they see the solution and the agent's public reply (nothing internal)
    expect(page.locator("#ticket-state")).to_have_text(resolved)
    answer = page.locator("#ticket-solution")
    expect(answer.get_by_role("heading", name=t(lang, "Solution", strict=True))).to_be_visible()
    expect(answer).to_contain_text(solution)
    expect(page.locator("#conversation")).to_contain_text(reply)
    reopen_hint = "Not solved after all? Write to us: your reply reopens the ticket."
    expect(page.get_by_text(t(lang, reopen_hint, strict=True))).to_be_visible()
    shot(page, f"{lang}-10-portal-solution")

    # when: they reply that it still fails
    mark_page(page)
    still = "Sorry, it still fails with E42 on the second invoice."
    page.get_by_role("textbox", name=t(lang, "Your message", strict=True)).fill(still)
    page.get_by_role("button", name=t(lang, "Send", strict=True), exact=True).click()
    # then: the conversation shows it in place and the ticket is open again
    opened = state_name(lang, StateCategory.OPEN)
    expect(page.locator("#ticket-state")).to_have_text(opened)
    expect(
        page.get_by_text(t(lang, "Your reply reopened the ticket.", strict=True))
    ).to_be_visible()
    expect(page.locator("#conversation .timeline li").last).to_contain_text(still)
    expect(prop(page.locator("#ticket-details"), t(lang, "State"))).to_have_text(opened)
    assert page_was_not_reloaded(page)
    shot(page, f"{lang}-11-portal-reopened")
    page.reload()
    expect(page.locator("#ticket-state")).to_have_text(opened)
    ticket.refresh_from_db()
    assert ticket.state_category == StateCategory.OPEN
    # and: their message was acknowledged too
    acks = OutgoingMessage.objects.filter(ticket=ticket, kind=OutgoingKind.ACKNOWLEDGEMENT)
    assert acks.count() == 2


@pytest.mark.parametrize("lang", LANGUAGES)
def test_software_ticket_without_its_details_is_refused(lang, page, login_as, desk, mailoutbox):
    # given: a requester on the new-ticket form of a software category
    users_speak(lang, desk.requester)
    login_as(page, desk.requester.username, PASSWORD)
    page.locator("main").get_by_role("link", name=t(lang, "New ticket"), exact=True).click()
    field(page, t(lang, "What is your request about?")).select_option(label=SOFTWARE)
    steps = field(page, t(lang, "Steps to reproduce"))
    expect(steps).to_be_visible()
    field(page, t(lang, "Subject")).fill("Invoices fail")
    field(page, t(lang, "Description")).fill("Saving shows E42.")
    field(page, t(lang, "Attachments")).set_input_files(
        files=[{"name": PNG_NAME, "mimeType": "image/png", "buffer": tiny_png()}]
    )
    send = page.get_by_role("button", name=t(lang, "Send ticket"), exact=True)

    # when: they send it without the software details
    send.click()
    # then: the browser itself stops it (the fields are required)
    assert steps.evaluate("field => field.validity.valueMissing") is True
    expect(page).to_have_url(re.compile(r"/portal/tickets/new/\?category=\d+$"))

    # when: the form reaches the server anyway (a browser that does not check)
    page.locator("#ticket-form").evaluate("form => { form.noValidate = true; }")
    send.click()
    # then: the server refuses it with translated errors, keeping what they typed
    expect(page).to_have_url(re.compile(r"/portal/tickets/new/$"))
    expect(
        page.get_by_text(t(lang, "Please correct the fields marked below.", strict=True))
    ).to_be_visible()
    required = t(lang, "Software problems need this; please fill it in.", strict=True)
    expect(page.locator(".field.has-error .errorlist").filter(has_text=required)).to_have_count(4)
    files_dropped = (
        "Your files were not kept because of the errors above: please choose them again."
    )
    expect(page.get_by_text(t(lang, files_dropped, strict=True))).to_be_visible()
    expect(field(page, t(lang, "Subject"))).to_have_value("Invoices fail")
    expect(field(page, t(lang, "What is your request about?"))).to_have_value(
        str(Category.objects.get(name=SOFTWARE).pk)
    )
    shot(page, f"{lang}-12-portal-refused")
    # and: nothing was created, nobody was mailed
    assert not Ticket.objects.exists()
    assert not OutgoingMessage.objects.exists()
    assert mailoutbox == []
