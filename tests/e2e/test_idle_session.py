"""An agent idle too long who filters the queue (an htmx request) is taken to the whole log-in
page with a message in their language, never a log-in form swapped into the queue; logging in
again brings them back to the queue they were on."""

import time
from urllib.parse import urlsplit

import pytest
from django.contrib.sessions.backends.db import SessionStore
from e2e_helpers import PASSWORD, clean_slate, t, users_speak
from playwright.sync_api import expect

from ayuda.accounts.middleware import LAST_SEEN_KEY
from ayuda.accounts.models import Role
from ayuda.accounts.tests.factories import user_make

pytestmark = pytest.mark.django_db(transaction=True)  # the live server is another thread
LOGGED_OUT = "You were logged out after a period without activity. Log in again to continue."


@pytest.fixture(autouse=True)
def _clean_slate():
    clean_slate()


def _age_the_session(page, *, seconds: int) -> None:
    """As if the browser had sent nothing for ``seconds``."""
    cookie = next(c for c in page.context.cookies() if c["name"] == "sessionid")
    session = SessionStore(session_key=cookie["value"])
    session[LAST_SEEN_KEY] = int(time.time()) - seconds
    session.save()


@pytest.mark.parametrize("lang", ["es"])
def test_an_idle_agent_filtering_the_queue_lands_on_the_whole_login_page(lang, page, login_as):
    # given: an agent on the queue, idle for an hour
    agent = user_make(role=Role.AGENT_L1)
    users_speak(lang, agent)
    login_as(page, agent.username, PASSWORD)
    page.goto("/agent/?q=printer")
    expect(page.locator("#results")).to_be_visible()
    _age_the_session(page, seconds=3600)

    # when: the filter is sent again (htmx)
    page.locator("form.filters button[type=submit]").click()

    # then: the browser shows the log-in page as a page of its own, with the reason
    page.wait_for_url("**/login/**")
    expect(page.get_by_text(t(lang, LOGGED_OUT, strict=True))).to_be_visible()
    expect(page.locator("form.filters")).to_have_count(0)  # nothing of the queue is left
    expect(page.locator("#results")).to_have_count(0)
    expect(page.locator("input[name=password]")).to_have_count(1)
    expect(page.locator("html")).to_have_attribute("lang", lang)

    # when: the agent logs in again
    page.locator("input[name=username]").fill(agent.username)
    page.locator("input[name=password]").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("form button[type=submit]").click()

    # then: back on the queue they were looking at
    assert urlsplit(page.url).path == "/agent/"
    assert "q=printer" in urlsplit(page.url).query
    expect(page.locator("#results")).to_be_visible()
