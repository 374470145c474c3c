"""The demo a newcomer gets from `make run`: every demo log-in works in the browser and lands
where its role works, in the account's own language (issue 2's "done means")."""

from io import StringIO

import pytest
from django.core.management import call_command
from e2e_helpers import clean_slate, t
from playwright.sync_api import expect

from ayuda.accounts.models import Role, User
from ayuda.demo.data.desk import DEMO_PASSWORD, USERS

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo(settings, tmp_path):
    clean_slate()
    settings.DATA_DIR = tmp_path
    call_command("load_demo", "--allow-production", stdout=StringIO())  # tests run DEBUG off


def test_every_demo_log_in_lands_in_its_workspace_in_its_language(demo, browser, live_server):
    for username, *_rest in USERS:
        user = User.objects.get(username=username)
        # a browser that asks for English: the account's language must win
        context = browser.new_context(base_url=live_server.url, locale="en")
        page = context.new_page()
        try:
            page.goto("/login/")
            page.locator('input[name="username"]').fill(username)
            page.locator('input[name="password"]').fill(DEMO_PASSWORD)
            with page.expect_navigation():
                page.locator('form button[type="submit"]').first.click()

            expected = "/agent/" if user.is_agent else "/portal/"
            assert page.url.endswith(expected), (username, page.url)
            expect(page.locator("html")).to_have_attribute("lang", user.language)
            # a site admin's list is every ticket of their sites (the demo's have two each)
            title = "Tickets of your sites" if user.role == Role.SITE_ADMIN else "My tickets"
            heading = t(user.language, "Queue" if user.is_agent else title)
            expect(page.get_by_role("heading", level=1)).to_have_text(heading)
            # and the page lists the demo's tickets this user may see
            expect(page.locator("table.list tbody tr").first).to_be_visible()
        finally:
            context.close()
