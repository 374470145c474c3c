"""A decision tree walked in the portal (issue 12, R18): the requester answers its questions
(with one answer taken back) to "escalate", opens the pre-filled ticket and sends it; the agent
sees the walk with every answer in the ticket's timeline and history. Then the agent walks a
tree on a ticket and sends its solution as the reply."""

import pytest
from e2e_helpers import PASSWORD, RESULTS_DIR, clean_slate, mark_page, page_was_not_reloaded, shot
from playwright.sync_api import expect

from ayuda.knowledge.models import TreeWalk, WalkOutcome
from ayuda.knowledge.tests.tree_factories import tree_make
from ayuda.tickets.models import EventAction, Ticket, TicketEvent
from ayuda.tickets.tests.factories import category_make, desk_make, ticket_in

pytestmark = pytest.mark.django_db(transaction=True)  # the live server is another thread


def test_a_requester_walks_to_escalate_and_the_agent_reads_every_answer(page, login_as):
    # given: a published tree for everyone in the Printer category
    clean_slate()
    desk = desk_make()
    category = category_make(name="Printer")
    tree_make(category=category)
    login_as(page, desk.requester.username, PASSWORD)

    # when: from the portal's home, "Help me solve it", the tree, the answers (htmx in place)
    page.get_by_role("link", name="Help me solve it").click()
    page.get_by_role("link", name="Printer does not print").click()
    expect(page.get_by_text("Is the printer switched on?")).to_be_visible()
    page.get_by_role("button", name="Yes").click()
    expect(page.get_by_text("Does it have paper?")).to_be_visible()
    mark_page(page)
    page.get_by_role("button", name="Back").click()  # taken back, then answered again
    expect(page.locator(".walk-question")).to_contain_text("Is the printer switched on?")
    page.get_by_role("button", name="Yes").click()
    page.get_by_role("button", name="Yes").click()
    expect(page.get_by_text("A technician must look.")).to_be_visible()
    assert page_was_not_reloaded(page)
    shot(page, "tree-portal-escalate")

    # then: "Open a ticket" opens the form pre-filled with the tree and the answers
    page.get_by_role("link", name="Open a ticket", exact=True).click()
    expect(page.get_by_label("Subject")).to_have_value("Printer does not print")
    description = page.get_by_label("Description")
    expect(description).to_contain_text("Is the printer switched on? Yes")
    expect(description).to_contain_text("Does it have paper? Yes")
    expect(page.locator("#id_category")).to_have_value(str(category.pk))
    page.screenshot(path=RESULTS_DIR / "tree-journey-prefilled.png", full_page=True)
    page.get_by_role("button", name="Send ticket").click()
    expect(page.get_by_text("was created")).to_be_visible()

    # then: the ticket carries the walk
    ticket = Ticket.objects.get()
    walk = TreeWalk.objects.get()
    assert walk.ticket == ticket and walk.outcome == WalkOutcome.ESCALATED
    assert TicketEvent.objects.filter(ticket=ticket, action=EventAction.TREE_WALKED).exists()

    # when: the agent opens the ticket
    page.context.clear_cookies()
    login_as(page, desk.agent_l1.username, PASSWORD)
    page.goto(f"/agent/tickets/{ticket.pk}/")

    # then: the walk, with every answer, in the timeline and in the history
    walked = page.locator(".timeline li.event").filter(has_text="Decision tree walked")
    expect(walked).to_contain_text("Printer does not print")
    expect(walked.locator(".walk-path li")).to_have_count(2)
    expect(walked).to_contain_text("Is the printer switched on? Yes")
    expect(walked).to_contain_text("Does it have paper? Yes")
    expect(walked).to_contain_text("A technician must look.")
    page.screenshot(path=RESULTS_DIR / "tree-journey-agent.png", full_page=True)
    page.get_by_role("link", name="History").click()
    expect(page.locator("#history")).to_contain_text("Does it have paper? Yes")


def test_the_agent_walks_a_tree_on_the_ticket_and_sends_the_solution(page, login_as):
    # given
    clean_slate()
    desk = desk_make()
    category = category_make(name="Printer")
    tree_make(category=category)
    ticket = ticket_in("open", desk=desk, category=category)
    login_as(page, desk.agent_l1.username, PASSWORD)
    page.goto(f"/agent/tickets/{ticket.pk}/")
    card = page.locator("#trees-card")

    # when: the agent types a reply, then walks the tree in the card
    page.locator("#id_reply_body").fill("Hello,")
    card.get_by_role("button", name="Printer does not print").click()
    expect(card.get_by_text("Is the printer switched on?")).to_be_visible()
    expect(page.locator("#id_reply_body")).to_have_value("Hello,")  # the card alone swapped
    card.get_by_role("button", name="No").click()

    # then: the solution, the walk in the timeline, and "Send as reply" adds it to the reply
    expect(card.get_by_text("Switch it on and try again.")).to_be_visible()
    expect(page.locator("#timeline")).to_contain_text("Decision tree walked")
    card.get_by_role("button", name="Send as reply").click()
    expect(page.locator("#id_reply_body")).to_have_value("Hello,\n\nSwitch it on and try again.")
    shot(page, "tree-agent-solution")
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator(".timeline")).to_contain_text("Switch it on and try again.")
    page.screenshot(path=RESULTS_DIR / "tree-journey-agent-solution.png", full_page=True)


def test_the_walkers_fit_a_phone(page, login_as):
    # given: a phone 360 px wide, a tree with long texts
    from test_layout import OVERFLOW

    clean_slate()
    desk = desk_make()
    category = category_make(name="Printer")
    tree_make(category=category)
    ticket = ticket_in("open", desk=desk, category=category)
    page.set_viewport_size({"width": 360, "height": 780})

    # when / then: the portal's list, the walker, and the agent's ticket card
    login_as(page, desk.requester.username, PASSWORD)
    page.goto("/portal/help/")
    assert page.evaluate(OVERFLOW) == []
    page.get_by_role("link", name="Printer does not print").click()
    page.get_by_role("button", name="Yes").click()
    expect(page.get_by_text("Does it have paper?")).to_be_visible()
    assert page.evaluate(OVERFLOW) == []
    page.screenshot(path=RESULTS_DIR / "tree-journey-phone-portal.png", full_page=True)
    page.context.clear_cookies()
    login_as(page, desk.agent_l1.username, PASSWORD)
    page.goto(f"/agent/tickets/{ticket.pk}/")
    page.locator("#trees-card").get_by_role("button", name="Printer does not print").click()
    expect(page.locator("#trees-card").get_by_text("Is the printer switched on?")).to_be_visible()
    assert page.evaluate(OVERFLOW) == []
    page.goto("/agent/trees/")
    assert page.evaluate(OVERFLOW) == []


def test_the_admin_shows_the_whole_tree(page, login_as):
    from ayuda.accounts.tests.factories import user_make

    clean_slate()
    tree = tree_make(published=False)
    admin = user_make(role="admin", is_staff=True, is_superuser=True)
    login_as(page, admin.username, PASSWORD)
    page.goto(f"/admin/knowledge/decisiontree/{tree.pk}/change/")
    outline = page.locator(".tree-outline")
    expect(outline).to_contain_text("Is the printer switched on?")
    expect(outline.locator(".tree-escalate")).to_contain_text("A technician must look.")
    expect(outline.locator(".tree-solution")).to_have_count(2)
    page.screenshot(path=RESULTS_DIR / "tree-journey-admin.png", full_page=True)
