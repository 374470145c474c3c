"""Knowledge first (R7) and closing the loop (R19), through the real pages: a Spanish requester
types a subject in the portal's new-ticket form, is offered the article in Spanish, opens it,
follows "Didn't find enough help?" and gets the form back with what they typed; then an agent
resolves a ticket, drafts an article from its solution and sends it for review, and a
manager publishes it."""

import pytest
from e2e_helpers import PASSWORD, RESULTS_DIR, clean_slate, field, shot, t, users_speak
from playwright.sync_api import expect

from ayuda.knowledge.models import ArticleFeedback, ArticleStatus, KbArticle
from ayuda.knowledge.tests.article_factories import article_make
from ayuda.tickets.models import StateCategory, Ticket
from ayuda.tickets.tests.factories import category_make, desk_make, ticket_in

pytestmark = pytest.mark.django_db(transaction=True)  # the live server is another thread

SPANISH_TITLE = "La impresora de tickets no imprime"


def test_requester_is_offered_an_article_then_opens_a_ticket_prefilled(page, login_as):
    # given: a published printer article in English and Spanish, and a Spanish requester
    clean_slate()
    desk = desk_make()
    users_speak("es", desk.requester)
    printers = category_make(name="Printer", name_i18n={"es": "Impresora", "it": "Stampante"})
    english = article_make(
        desk,
        title="The receipt printer does not print",
        body="<ol><li>Check the paper roll.</li><li>Close the cover.</li></ol>",
        category=printers,
    )
    spanish = article_make(
        desk,
        title=SPANISH_TITLE,
        body="<ol><li>Comprueba el rollo de papel.</li><li>Cierra bien la tapa.</li></ol>",
        language="es",
        family=english.family,
        category=printers,
    )
    login_as(page, desk.requester.username, PASSWORD)

    # when: they choose the category, describe the problem and type the subject
    page.goto("/portal/tickets/new/")
    field(page, t("es", "What is your request about?")).select_option(label="Impresora")
    field(page, t("es", "Description")).fill("Sale el papel en blanco.")
    field(page, t("es", "Subject")).press_sequentially("impresora no imprime", delay=20)

    # then: the Spanish article is suggested (htmx, as they type)
    suggestion = page.locator("#kb-suggestions").get_by_role("link", name=SPANISH_TITLE)
    expect(suggestion).to_be_visible()
    expect(page.locator("#kb-suggestions")).not_to_contain_text(english.title)
    page.screenshot(path=RESULTS_DIR / "kb-journey-suggestion.png", full_page=True)
    shot(page, "kb-suggestion")

    # when: they open it
    suggestion.click()
    expect(page.get_by_role("heading", name=SPANISH_TITLE)).to_be_visible()
    expect(page.get_by_text("Cierra bien la tapa.")).to_be_visible()
    page.screenshot(path=RESULTS_DIR / "kb-journey-article.png", full_page=True)

    # when: it was not enough
    page.get_by_role("link", name=t("es", "Didn't find enough help?")).click()

    # then: the form comes back with the subject they typed and their description
    expect(field(page, t("es", "Subject"))).to_have_value("impresora no imprime")
    expect(field(page, t("es", "Description"))).to_have_value("Sale el papel en blanco.")
    page.screenshot(path=RESULTS_DIR / "kb-journey-prefilled.png", full_page=True)

    # when: they send the ticket
    page.get_by_role("button", name=t("es", "Send ticket")).click()
    expect(page.get_by_role("heading", name="impresora no imprime")).to_be_visible()

    # then: the suggestion and the ticket opened anyway are counted against the article
    ticket = Ticket.objects.get(subject="impresora no imprime")
    outcomes = dict(ArticleFeedback.objects.values_list("outcome", "ticket_id"))
    assert outcomes == {"suggested": None, "not_helped": ticket.pk}
    assert ArticleFeedback.objects.filter(article=spanish).count() == 2


def test_agent_drafts_an_article_from_a_solution_and_a_manager_publishes_it(page, login_as):
    # given: an open printer ticket for level 1
    clean_slate()
    desk = desk_make()
    users_speak("en", desk.agent_l1, desk.manager)
    ticket = ticket_in(StateCategory.OPEN, desk=desk, subject="Label printer prints blank")
    login_as(page, desk.agent_l1.username, PASSWORD)

    # when: the agent resolves it with a solution
    page.goto(f"/agent/tickets/{ticket.pk}/")
    page.locator("#action-resolve summary").click()
    page.locator("#action-resolve textarea").fill("The thermal roll was upside down: turned it.")
    page.locator("#action-resolve").get_by_role("button", name="Resolve").click()
    expect(page.get_by_text("The ticket was resolved.")).to_be_visible()

    # when: they draft an article from the solution and send it for review
    page.get_by_role("button", name="Draft an article from the solution").click()
    expect(page.get_by_role("heading", name="Label printer prints blank")).to_be_visible()
    expect(page.get_by_text("The thermal roll was upside down: turned it.")).to_be_visible()
    page.get_by_role("button", name="Send for review").click()
    expect(page.locator("#kb-status")).to_have_text("In review")
    article = KbArticle.objects.get(source_ticket=ticket)
    page.screenshot(path=RESULTS_DIR / "kb-journey-draft.png", full_page=True)

    # then: the ticket links its article
    page.goto(f"/agent/tickets/{ticket.pk}/")
    expect(page.locator("#kb-drafted").get_by_role("link")).to_have_text(article.title)

    # when: the manager finds it in the review queue and publishes it
    page.context.clear_cookies()
    login_as(page, desk.manager.username, PASSWORD)
    page.get_by_role("link", name="Knowledge").click()
    page.get_by_role("link", name="Review queue").click()
    page.get_by_role("link", name="Label printer prints blank").click()
    page.get_by_role("button", name="Publish").click()

    # then
    expect(page.locator("#kb-status")).to_have_text("Published")
    article.refresh_from_db()
    assert article.status == ArticleStatus.PUBLISHED and article.reviewer == desk.manager
    page.screenshot(path=RESULTS_DIR / "kb-journey-published.png", full_page=True)
