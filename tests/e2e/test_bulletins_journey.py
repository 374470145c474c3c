"""A known problem (R21, R31): the front line reads the bulletin's agreed answer on every page
and links tickets from the queue in one move; a requester in the portal says "This is my
problem" and gets one linked ticket, at a phone's width."""

import pytest
from e2e_helpers import PASSWORD, RESULTS_DIR, clean_slate
from playwright.sync_api import expect

from ayuda.knowledge.models import LinkVia, ProblemLink
from ayuda.knowledge.tests.problems_factories import bulletin_make
from ayuda.tickets.models import Ticket
from ayuda.tickets.tests.factories import desk_make, ticket_make

pytestmark = pytest.mark.django_db(transaction=True)  # the live server is another thread

FITS = "() => document.documentElement.scrollWidth <= window.innerWidth"


def test_the_agent_reads_the_bulletin_and_links_from_the_queue(page, login_as):
    # given
    clean_slate()
    desk = desk_make()
    bulletin = bulletin_make(
        title="Shops cannot stay connected to the VPN",
        agreed_answer="The Madrid VPN concentrator is overloaded; card payments work offline.",
    )
    tickets = [ticket_make(requester=desk.requester, subject=f"VPN down {i}") for i in range(3)]
    page.set_viewport_size({"width": 390, "height": 844})
    login_as(page, desk.agent_l1.username, PASSWORD)

    # when: the queue, with the banner open on the first bulletin
    page.goto("/agent/")
    banner = page.locator(".bulletin-banner")
    expect(banner.get_by_text("Shops cannot stay connected to the VPN")).to_be_visible()
    expect(banner.get_by_text("card payments work offline")).to_be_visible()
    assert page.evaluate(FITS)
    for ticket in tickets[:2]:
        page.get_by_label(f"Select #{ticket.pk}").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Link selected").click()

    # then: both linked; the problem's page lists them
    assert set(ProblemLink.objects.values_list("ticket_id", flat=True)) == {
        tickets[0].pk,
        tickets[1].pk,
    }
    page.get_by_role("link", name="The problem and its linked tickets").click()
    links = page.locator("#problem-links")
    expect(links.get_by_role("link", name="VPN down 0")).to_be_visible()
    expect(links.get_by_role("link", name="VPN down 1")).to_be_visible()
    assert page.evaluate(FITS)

    # when: the third from its page, in one click (htmx, in place)
    page.goto(f"/agent/tickets/{tickets[2].pk}/")
    card = page.locator("#problem-card")
    card.get_by_role("button", name="Link to “Shops cannot stay connected to the VPN”").click()
    expect(card.get_by_role("button", name="Unlink")).to_be_visible()
    assert ProblemLink.objects.get(ticket=tickets[2]).problem_id == bulletin.problem_id
    assert page.evaluate(FITS)
    page.screenshot(path=RESULTS_DIR / "bulletins-agent-ticket.png", full_page=True)


def test_the_requester_says_this_is_my_problem_once(page, login_as):
    # given
    clean_slate()
    desk = desk_make()
    bulletin_make(
        title="Shops cannot stay connected to the VPN",
        title_i18n={"es": "Las tiendas no consiguen mantener la conexión VPN"},
        is_public=True,
        public_notice="The VPN drops every few minutes; we are on it.",
        public_notice_i18n={"es": "La VPN se corta cada pocos minutos; estamos en ello."},
        organisations=[desk.organisation],
    )
    desk.requester.language = "es"
    desk.requester.save()
    page.set_viewport_size({"width": 390, "height": 844})
    login_as(page, desk.requester.username, PASSWORD)

    # when
    page.goto("/portal/")
    expect(page.get_by_text("La VPN se corta cada pocos minutos")).to_be_visible()
    assert page.evaluate(FITS)
    page.get_by_role("button", name="Este es mi problema").click()

    # then: their new ticket, linked
    expect(page.locator("h1")).to_contain_text("Las tiendas no consiguen mantener la conexión VPN")
    ticket = Ticket.objects.get(requester=desk.requester)
    assert ProblemLink.objects.get(ticket=ticket).via == LinkVia.REQUESTER
    page.screenshot(path=RESULTS_DIR / "bulletins-portal-ticket.png", full_page=True)

    # when: again, from the new-ticket form
    page.goto("/portal/tickets/new/")
    page.get_by_role("button", name="Este es mi problema").click()

    # then: the same ticket, no second one
    expect(page.locator("h1")).to_contain_text("Las tiendas no consiguen")
    assert Ticket.objects.filter(requester=desk.requester).count() == 1
