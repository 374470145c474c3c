"""Bulletins and problems in the workspace and the portal (R21, R31): the banner and its cost,
the ticket's "Known problem" card, the queue's "Link selected", the problem pages, and the
portal's "This is my problem"."""

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ayuda.core.cache import lookups_changed
from ayuda.knowledge.models import LinkVia, ProblemLink, ProblemUpdate
from ayuda.knowledge.tests.problems_factories import (
    bulletin_make,
    links_bulk,
    problem_make,
    tickets_bulk,
)
from ayuda.tickets.models import EventAction, Ticket, TicketEvent
from ayuda.tickets.tests.factories import category_make, desk_make, ticket_make

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def _bulletin_queries(client, url) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return [q["sql"] for q in ctx.captured_queries if "knowledge_bulletin" in q["sql"]]


@override_settings(AYUDA_LOOKUP_CACHE_SECONDS=60)
def test_the_banner_costs_no_query_once_cached_with_or_without_bulletins(client):
    desk = desk_make()
    client.force_login(desk.agent_l1)
    lookups_changed()
    url = reverse("agent:queue")
    client.get(url)

    assert _bulletin_queries(client, url) == []

    bulletin_make(title="Portal login slow", agreed_answer="Tell them: fixed by noon.")
    lookups_changed()
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert [q for q in ctx.captured_queries if "knowledge_bulletin" in q["sql"]] == []
    assert "Portal login slow" in response.text
    assert "Tell them: fixed by noon." in response.text


def test_the_banner_is_for_the_help_desk_only(client):
    desk = desk_make()
    bulletin_make(title="Portal login slow", agreed_answer="Fixed by noon.")

    client.force_login(desk.agent_l1)
    assert "Fixed by noon." in client.get(reverse("agent:queue")).text
    client.force_login(desk.vendor_agent)
    assert "Fixed by noon." not in client.get(reverse("agent:queue")).text


def test_the_ticket_card_links_in_one_click_and_unlinks(client):
    desk = desk_make()
    network = category_make(name="Network")
    bulletin = bulletin_make(title="Portal login slow", categories=[network])
    bulletin_make(title="Printers down", categories=[category_make(name="Printers")])
    ticket = ticket_make(requester=desk.requester, category=network)
    client.force_login(desk.agent_l1)

    page = client.get(reverse("agent:ticket", args=[ticket.pk])).text
    assert "Link to “Portal login slow”" in page
    assert "Printers down" not in page.split('id="problem-card"')[1]

    response = client.post(
        reverse("agent:problem_link", args=[ticket.pk]), {"problem": bulletin.problem_id}, **HX
    )
    assert response.status_code == 200
    assert "Unlink" in response.text
    link = ProblemLink.objects.get(ticket=ticket)
    assert (link.problem_id, link.via, link.linked_by) == (
        bulletin.problem_id,
        LinkVia.AGENT,
        desk.agent_l1,
    )

    response = client.post(reverse("agent:problem_unlink", args=[ticket.pk]))
    assert response.status_code == 302
    assert not ProblemLink.objects.filter(ticket=ticket).exists()
    assert list(
        TicketEvent.objects.filter(ticket=ticket, action__startswith="problem_").values_list(
            "action", flat=True
        )
    ) == [EventAction.PROBLEM_LINKED, EventAction.PROBLEM_UNLINKED]


def test_customers_and_vendors_cannot_link(client):
    desk = desk_make()
    problem = problem_make()
    ticket = ticket_make(requester=desk.requester)

    for user in (desk.requester, desk.vendor_agent):
        client.force_login(user)
        response = client.post(
            reverse("agent:problem_link", args=[ticket.pk]), {"problem": problem.pk}
        )
        assert response.status_code == 403
    assert not ProblemLink.objects.exists()


def test_the_queue_links_the_selected_tickets_and_its_cost_stays_flat(
    client, django_assert_max_num_queries
):
    desk = desk_make()
    bulletin = bulletin_make(title="Portal login slow")
    tickets_bulk(3, requesters=[desk.requester])
    client.force_login(desk.agent_l1)
    url = reverse("agent:queue")
    with CaptureQueriesContext(connection) as few:
        page = client.get(url).text
    assert 'form="bulletin-link-form"' in page
    tickets_bulk(30, requesters=[desk.requester, desk.site_admin])
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)

    picked = list(Ticket.objects.order_by("pk").values_list("pk", flat=True)[:4])
    response = client.post(
        reverse("agent:queue_link"),
        {"bulletin": bulletin.pk, "ticket": picked, "next": url + "?owner=me"},
    )

    assert response.status_code == 302
    assert response["Location"] == url + "?owner=me"
    assert set(ProblemLink.objects.values_list("ticket_id", flat=True)) == set(picked)
    assert TicketEvent.objects.filter(action=EventAction.PROBLEM_LINKED).count() == 4


def test_the_queue_has_no_boxes_without_bulletins(client):
    desk = desk_make()
    ticket_make(requester=desk.requester)
    client.force_login(desk.agent_l1)

    assert "bulletin-link-form" not in client.get(reverse("agent:queue")).text


def test_the_problem_pages_cost_the_same_with_many_linked_tickets(
    client, django_assert_max_num_queries
):
    desk = desk_make()
    problem = problem_make(title="Portal login slow")
    bulletin_make(problem=problem, organisations=[desk.organisation])
    links_bulk(problem, tickets_bulk(3, requesters=[desk.requester]))
    client.force_login(desk.manager)
    detail = reverse("agent:problem", args=[problem.pk])
    with CaptureQueriesContext(connection) as few:
        assert client.get(detail).status_code == 200
    links_bulk(problem, tickets_bulk(120, requesters=[desk.requester, desk.site_admin]))

    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(detail).text
    with django_assert_max_num_queries(12):
        listing = client.get(reverse("agent:problems") + "?status=open").text

    assert "Portal login slow" in listing
    assert ">123<" in listing
    assert "Next page" in page
    cursor = ProblemLink.objects.order_by("ticket_id").values_list("ticket_id", flat=True)[49]
    second = client.get(detail + f"?after={cursor}", **HX).text
    assert f">{cursor + 1}<" in second


def test_resolving_from_the_page_starts_one_update(client, django_capture_on_commit_callbacks):
    desk = desk_make()
    problem = problem_make()
    links_bulk(problem, tickets_bulk(5, requesters=[desk.requester]))
    client.force_login(desk.manager)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("agent:problem_resolve", args=[problem.pk]),
            {"message": "We restarted the server.", "fix": "Bigger disk"},
        )

    assert response.status_code == 302
    update = ProblemUpdate.objects.get()
    assert (update.total, update.done) == (5, 5)
    page = client.get(reverse("agent:problem", args=[problem.pk])).text
    assert "5 of 5 done" in page


def test_level_1_cannot_publish_or_resolve(client):
    desk = desk_make()
    problem = problem_make()
    client.force_login(desk.agent_l1)

    response = client.post(
        reverse("agent:bulletin_new", args=[problem.pk]),
        {"title": "Outage", "agreed_answer": "We know."},
    )
    assert response.status_code == 403
    response = client.post(
        reverse("agent:problem_resolve", args=[problem.pk]), {"message": "Fixed."}
    )
    assert response.status_code == 403
    assert not ProblemUpdate.objects.exists()


def test_a_manager_publishes_a_bulletin_with_translations(client):
    desk = desk_make()
    problem = problem_make()
    client.force_login(desk.manager)

    response = client.post(
        reverse("agent:bulletin_new", args=[problem.pk]),
        {
            "title": "Portal login slow",
            "title_es": "Acceso lento",
            "agreed_answer": "We know.",
            "is_public": "on",
            "public_notice": "We are on it.",
            "public_notice_it": "Ci stiamo lavorando.",
            "organisations": [desk.organisation.pk],
        },
    )

    assert response.status_code == 302
    bulletin = problem.bulletins.get()
    assert bulletin.title_i18n == {"es": "Acceso lento"}
    assert bulletin.public_notice_i18n == {"it": "Ci stiamo lavorando."}
    assert list(bulletin.organisations.all()) == [desk.organisation]


def test_a_public_bulletin_without_notice_comes_back_with_the_error(client):
    desk = desk_make()
    problem = problem_make()
    client.force_login(desk.manager)

    response = client.post(
        reverse("agent:bulletin_new", args=[problem.pk]),
        {"title": "Outage", "agreed_answer": "We know.", "is_public": "on"},
    )

    assert response.status_code == 422
    assert "A public bulletin needs the notice customers read." in response.text
    assert not problem.bulletins.exists()


# -- portal ---------------------------------------------------------------------------------------


def test_the_portal_shows_matching_public_bulletins_only(client):
    desk = desk_make()
    bulletin_make(
        title="Portal login slow",
        is_public=True,
        public_notice="We are on it.",
        organisations=[desk.organisation],
    )
    bulletin_make(
        title="Theirs",
        is_public=True,
        public_notice="Other notice.",
        organisations=[desk.other_organisation],
    )
    bulletin_make(title="Internal", agreed_answer="Agents only.")
    client.force_login(desk.requester)

    for url in (reverse("portal:home"), reverse("portal:ticket_new")):
        page = client.get(url).text
        assert "We are on it." in page
        assert "This is my problem" in page
        assert "Other notice." not in page
        assert "Agents only." not in page


def test_this_is_my_problem_makes_one_linked_ticket_and_shows_it(client):
    desk = desk_make()
    bulletin = bulletin_make(title="Portal login slow", is_public=True, public_notice="On it.")
    client.force_login(desk.requester)
    url = reverse("portal:bulletin_affected", args=[bulletin.pk])

    first = client.post(url)
    second = client.post(url)

    ticket = Ticket.objects.get(requester=desk.requester)
    assert first["Location"] == second["Location"] == reverse("portal:ticket", args=[ticket.pk])
    assert ProblemLink.objects.get(ticket=ticket).via == LinkVia.REQUESTER
    assert client.get(first["Location"]).status_code == 200


def test_this_is_my_problem_refuses_another_organisations_bulletin(client):
    desk = desk_make()
    bulletin = bulletin_make(
        is_public=True, public_notice="On it.", organisations=[desk.other_organisation]
    )
    client.force_login(desk.requester)

    response = client.post(reverse("portal:bulletin_affected", args=[bulletin.pk]))

    assert response.status_code == 403
    assert not Ticket.objects.exists()
