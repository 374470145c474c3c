"""Switching the language half-way through the new-ticket form keeps what was chosen and typed
(issue 8): the category comes back with its own questions, every field holds its text, and the
labels read in the new language. The draft rides in the tab's sessionStorage for the one page
load (web/static/web/ayuda.js); no inline script under the Content-Security-Policy."""

import re

import pytest
from e2e_helpers import PASSWORD, clean_slate, field, t
from playwright.sync_api import expect

from ayuda.accounts.tests.factories import user_make
from ayuda.tickets.tests.factories import category_make

pytestmark = pytest.mark.django_db(transaction=True)  # the live server is another thread

SOFTWARE = "Invoicing software"


def test_switching_language_keeps_the_new_ticket_draft(page, login_as):
    # given: a requester half-way through a software ticket, in English
    clean_slate()
    category_make(name="Printers")
    software = category_make(name=SOFTWARE, is_software=True)
    user = user_make(language="en")
    login_as(page, user.username, PASSWORD)
    page.goto("/portal/tickets/new/")
    field(page, t("en", "What is your request about?")).select_option(label=SOFTWARE)
    expect(field(page, t("en", "Software version"))).to_be_visible()  # htmx swapped it in
    field(page, t("en", "Subject")).fill("Invoices will not save")
    field(page, t("en", "Description")).fill("Saving an invoice shows E42.\nEvery time.")
    field(page, t("en", "Software version")).fill("4.2.1")

    # when: they switch the footer's menu to Italian
    with page.expect_navigation():
        page.locator("#lang-switch").select_option("it")

    # then: the same form, in Italian, with the category and every text still there
    expect(page.locator("html")).to_have_attribute("lang", "it")
    expect(page).to_have_url(re.compile(rf"/portal/tickets/new/\?category={software.pk}$"))
    category = field(page, t("it", "What is your request about?", strict=True))
    expect(category).to_have_value(str(software.pk))
    expect(field(page, t("it", "Subject", strict=True))).to_have_value("Invoices will not save")
    expect(field(page, t("it", "Description", strict=True))).to_have_value(
        "Saving an invoice shows E42.\nEvery time."
    )
    expect(field(page, t("it", "Software version", strict=True))).to_have_value("4.2.1")
    expect(page.get_by_role("heading", level=1)).to_have_text(t("it", "New ticket", strict=True))

    # and: the draft is used once; a later visit starts empty
    assert page.evaluate("sessionStorage.getItem('ayuda:draft')") is None
    page.goto("/portal/tickets/new/")
    expect(field(page, t("it", "Subject"))).to_have_count(1)
    expect(field(page, t("it", "Subject"))).to_have_value("")
