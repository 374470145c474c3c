"""The footer's language menu in the browser: choosing a language submits its form at once.
The page has no inline handler for it (the Content-Security-Policy refuses those); the
behaviour comes from web/static/web/ayuda.js (docs/security.md)."""

import pytest
from e2e_helpers import PASSWORD, clean_slate, t
from playwright.sync_api import expect

from ayuda.accounts.tests.factories import user_make

pytestmark = pytest.mark.django_db(transaction=True)  # the live server is another thread


def test_choosing_a_language_in_the_footer_switches_the_page(page, login_as):
    # given: a signed-in requester reading the portal in English
    clean_slate()
    user = user_make(language="en")
    login_as(page, user.username, PASSWORD)
    expect(page.locator("html")).to_have_attribute("lang", "en")

    # when: they pick Italian in the footer (no button to press)
    with page.expect_navigation():
        page.locator("#lang-switch").select_option("it")

    # then: the same page comes back in Italian, and the account keeps the choice
    expect(page.locator("html")).to_have_attribute("lang", "it")
    heading = t("it", "My tickets", strict=True)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    user.refresh_from_db()
    assert user.language == "it"
