"""Confirmation messages answer the last thing done (issue 8, "Small things"): a message shown
by a page load goes away when a later in-page (htmx) action answers, and what that action
says is shown once."""

import re

import pytest
from e2e_helpers import PASSWORD, clean_slate, field, mark_page, page_was_not_reloaded, t
from playwright.sync_api import expect

from ayuda.tickets.tests.factories import category_make, desk_make, ticket_make

pytestmark = pytest.mark.django_db(transaction=True)  # the live server is another thread


@pytest.fixture(autouse=True)
def _clean_slate():
    clean_slate()


@pytest.fixture
def desk():
    return desk_make()


def test_portal_reply_replaces_the_ticket_created_message(desk, page, login_as):
    # given: a requester who has just created a ticket through the portal
    category_make(name="Printers", default_team=desk.l1_team)
    login_as(page, desk.requester.username, PASSWORD)
    page.goto("/portal/tickets/new/")
    field(page, t("en", "What is your request about?")).select_option(label="Printers")
    expect(page).to_have_url(re.compile(r"\?category=\d+$"))
    field(page, t("en", "Subject")).fill("Receipt printer jams")
    field(page, t("en", "Description")).fill("Paper jams on every second receipt.")
    with page.expect_navigation():
        page.get_by_role("button", name=t("en", "Send ticket"), exact=True).click()
    created = page.locator("#messages").get_by_text(re.compile("was created"))
    expect(created).to_be_visible()
    mark_page(page)

    # when: they add a message in place (htmx)
    page.get_by_label(t("en", "Your message")).fill("It also happens with new paper.")
    page.get_by_role("button", name=t("en", "Send"), exact=True).click()

    # then: the page was not reloaded, the old confirmation is gone, the new one shown once
    added = t("en", "Your message was added to the ticket.")
    expect(page.get_by_text(added)).to_have_count(1)
    expect(page.get_by_text(added)).to_be_visible()
    expect(created).to_have_count(0)
    assert page_was_not_reloaded(page)


def test_workspace_htmx_answers_replace_earlier_messages(desk, page, login_as):
    # given: an agent who saved a queue view (a page load with its confirmation)
    ticket = ticket_make(requester=desk.requester, subject="Till offline", team=desk.l1_team)
    login_as(page, desk.agent_l1.username, PASSWORD)
    page.goto("/agent/")
    page.get_by_placeholder(t("en", "Name")).fill("Everything")
    with page.expect_navigation():
        page.get_by_role("button", name=t("en", "Save view"), exact=True).click()
    saved = page.get_by_text(t("en", "View “%(name)s” saved.", name="Everything"))
    expect(saved).to_be_visible()
    mark_page(page)

    # when: they filter the queue in place (htmx)
    page.locator("#id_filter_q").fill("Till")
    page.locator("#id_filter_q").press("Enter")
    expect(page.locator("#results")).to_contain_text("Till offline")
    expect(page).to_have_url(re.compile(r"q=Till"))

    # then: the confirmation of the earlier save is gone
    expect(saved).to_have_count(0)
    assert page_was_not_reloaded(page)

    # and given: the ticket, after one action in place that said "saved"
    page.goto(f"/agent/tickets/{ticket.pk}/")
    mark_page(page)
    page.locator(".compose-note textarea").fill("Called the shop: the till restarts.")
    page.get_by_role("button", name=t("en", "Add note"), exact=True).click()
    first = t("en", "Your note was added.")
    expect(page.get_by_text(first, exact=True)).to_be_visible()
    # when: a second action answers
    qualify = page.locator("#action-qualify")
    qualify.locator("summary").click()
    qualify.get_by_label(t("en", "Priority")).select_option(label=t("en", "High"))
    qualify.get_by_role("button", name=t("en", "Save"), exact=True).click()
    # then: only the second answer is on screen
    second = t("en", "Category, type and priority were saved.")
    expect(page.get_by_text(second, exact=True)).to_have_count(1)
    expect(page.get_by_text(first, exact=True)).to_have_count(0)
    assert page_was_not_reloaded(page)
