"""The bell (R23): a manager assigns a ticket; the agent's bell shows it (loaded by htmx under
the CSP), the notifications page lists it, opening it marks it read and goes to the ticket."""

import re

import pytest
from e2e_helpers import PASSWORD, clean_slate
from playwright.sync_api import expect

from ayuda.tickets import services
from ayuda.tickets.tests.factories import desk_make, ticket_make

pytestmark = pytest.mark.django_db(transaction=True)  # the live server is another thread


@pytest.fixture(autouse=True)
def _clean_slate():
    clean_slate()


def test_an_assignment_rings_the_bell_and_opening_it_marks_it_read(page, login_as):
    # given: a manager assigned a ticket to the level 1 agent
    desk = desk_make()
    ticket = ticket_make(requester=desk.requester, site=desk.site, subject="Scanner offline")
    services.ticket_assign(
        ticket=ticket, actor=desk.manager, team=desk.l1_team, owner=desk.agent_l1
    )
    page.set_viewport_size({"width": 390, "height": 844})
    login_as(page, desk.agent_l1.username, PASSWORD)

    # when
    page.goto("/agent/")

    # then: the count arrives after the page, then the page lists it
    expect(page.locator(".bell .bell-count")).to_have_text("1")
    page.locator("a.bell").click()
    expect(page).to_have_url(re.compile(r"/agent/notifications/$"))
    item = page.get_by_role("button", name="Scanner offline")
    expect(item).to_be_visible()
    item.click()
    expect(page).to_have_url(re.compile(rf"/agent/tickets/{ticket.pk}/$"))
    expect(page.locator(".bell .bell-count")).to_have_count(0)
