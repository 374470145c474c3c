"""Django's admin in the browser under Ayuda's Content-Security-Policy (docs/security.md): its
scripts run (they build widgets, count selections, fill a select from a pop-up) and nothing
breaks the policy; the conftest's watch fails the test on any violation."""

import re

import pytest
from e2e_helpers import PASSWORD, clean_slate, shot
from playwright.sync_api import expect

from ayuda.accounts.models import Organisation, Role
from ayuda.accounts.tests.factories import user_make
from ayuda.tickets.tests.factories import category_make, desk_make, ticket_make

pytestmark = pytest.mark.django_db(transaction=True)  # the live server is another thread


@pytest.fixture
def world():
    """The administrator, and a ticket for them to find."""
    clean_slate()
    desk = desk_make()
    category_make(name="Printers")
    ticket = ticket_make(requester=desk.requester, subject="Printer on fire", team=desk.l1_team)
    superuser = user_make(role=Role.ADMIN, is_staff=True, is_superuser=True, language="en")
    return superuser, ticket


def test_the_admin_works_under_the_policy(page, world):
    superuser, ticket = world
    # given: the administrator logs in through the admin's own form
    page.goto("/admin/login/")
    page.locator("#id_username").fill(superuser.username)
    page.locator("#id_password").fill(PASSWORD)
    with page.expect_navigation():
        page.locator('input[type="submit"]').click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
    shot(page, "admin-01-index")

    # when: they open a user; then the script-built two-box selector is there
    page.goto(f"/admin/accounts/user/{superuser.pk}/change/")
    expect(page.locator("#id_teams_from")).to_be_visible()  # made by SelectFilter2.js
    expect(page.locator("#id_teams_to")).to_be_visible()
    shot(page, "admin-02-user")

    # when: they add an organisation from the pop-up beside the user's organisation
    with page.expect_popup() as popup_info:
        page.locator("#add_id_organisation").click()
    popup = popup_info.value
    popup.wait_for_load_state()
    popup.locator("#id_name").fill("Ferretería Luna")
    popup.locator("#id_email_domains").fill("luna.example")
    popup.locator('input[name="_save"]').click()
    # then: the pop-up closes itself (popup_response.js) and the select shows the new one
    popup.wait_for_event("close")
    created = Organisation.objects.get(name="Ferretería Luna")
    expect(page.locator("#id_organisation")).to_have_value(str(created.pk))

    # when: they select every ticket state in the list (actions.js counts them)
    page.goto("/admin/tickets/ticketstate/")
    page.locator("#action-toggle").check()
    # then
    expect(page.locator(".action-counter")).to_contain_text(re.compile(r"\d+ of \d+ selected"))
    shot(page, "admin-03-states")

    # when: they type in a category's parent field (the autocomplete widget, select2)
    page.goto("/admin/tickets/category/add/")
    page.locator(".select2-selection").first.click()
    page.locator(".select2-search__field").fill("Print")
    # then
    expect(page.locator(".select2-results__option", has_text="Printers")).to_be_visible()
    shot(page, "admin-04-category")

    # and: the ticket list's search finds a ticket by its number
    page.goto("/admin/tickets/ticket/")
    page.locator("#searchbar").fill(str(ticket.pk))
    page.locator("#searchbar").press("Enter")
    expect(page.locator("#result_list")).to_contain_text("Printer on fire")
    page.goto("/admin/intake/inboundmail/")
    expect(page.locator("#changelist")).to_be_visible()
