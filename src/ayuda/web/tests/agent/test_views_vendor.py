"""A vendor agent's workspace, probed role by role: its queue, filters and ticket pages name
nothing it should not (other organisations, sites, teams, the help desk's agents, the
requester's contact details unless the organisation shares them); a ticket it handed back is
read-only; a ticket never escalated to it is not found (R10, R27)."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ayuda.accounts.models import Level, Role
from ayuda.accounts.tests.factories import (
    organisation_make,
    site_make,
    team_make,
    user_make,
    vendor_make,
)
from ayuda.tickets import services
from ayuda.tickets.attachments import IncomingFile
from ayuda.tickets.models import Attachment, Ticket
from ayuda.tickets.tests.factories import category_make, ticket_make

from .conftest import HX, PNG

pytestmark = pytest.mark.django_db
QUEUE = "/agent/"

# Names that only the help desk may read on a vendor's pages.
FOREIGN = ["Beta Foreign Org", "Beta Store", "Gamma Hidden Team", "Foreign Category"]
INTERNAL_AGENTS = ["Iris Owner", "Ines Elsewhere"]
CONTACT = ["rosa.ruiz@alfa.example", "+34 600 111 222", "nameless@alfa.example"]
OWN = ["Alfa Retail", "Alfa Store", "Alfa Front Team"]


class World:
    pass


def world_make(*, share: bool = False) -> World:
    """Vendor A holds two tickets of Alfa Retail, one of them assigned to Iris before the
    escalation; the help desk keeps a ticket of Beta at another site, team and category,
    owned by Ines, that no vendor ever saw."""
    w = World()
    w.alfa = organisation_make(name="Alfa Retail", share_contact_with_vendors=share)
    w.alfa_store = site_make(organisation=w.alfa, name="Alfa Store")
    w.beta = organisation_make(name="Beta Foreign Org")
    w.beta_store = site_make(organisation=w.beta, name="Beta Store")
    w.front = team_make(name="Alfa Front Team", level=Level.L1)
    w.hidden_team = team_make(name="Gamma Hidden Team", level=Level.L2)
    w.iris = user_make(role=Role.AGENT_L1, first_name="Iris", last_name="Owner", teams=[w.front])
    w.ines = user_make(
        role=Role.AGENT_L2, first_name="Ines", last_name="Elsewhere", teams=[w.hidden_team]
    )
    w.vendor = vendor_make(name="Vendor A")
    w.vendor_agent = user_make(role=Role.VENDOR_AGENT, vendor=w.vendor, first_name="Vic")
    w.other_vendor_agent = user_make(role=Role.VENDOR_AGENT, vendor=vendor_make(name="Vendor B"))
    w.rosa = user_make(
        role=Role.REQUESTER,
        organisation=w.alfa,
        first_name="Rosa",
        last_name="Ruiz",
        email="rosa.ruiz@alfa.example",
        phone="+34 600 111 222",
    )
    # Opened by mail: no name, the address as user name.
    w.nameless = user_make(
        role=Role.REQUESTER,
        organisation=w.alfa,
        username="nameless@alfa.example",
        email="nameless@alfa.example",
    )
    w.escalated = ticket_make(
        requester=w.rosa, site=w.alfa_store, team=w.front, subject="Till frozen"
    )
    services.ticket_assign(ticket=w.escalated, actor=w.iris, team=w.front, owner=w.iris)
    w.mailed = ticket_make(requester=w.nameless, site=w.alfa_store, subject="Scanner dead")
    services.article_add_customer(ticket=w.mailed, author=w.nameless, body="Any news?")
    for ticket in (w.escalated, w.mailed):
        services.ticket_escalate_to_vendor(
            ticket=ticket, actor=w.iris, vendor=w.vendor, reason="Firmware"
        )
    w.foreign = ticket_make(
        requester=user_make(role=Role.REQUESTER, organisation=w.beta),
        site=w.beta_store,
        category=category_make(name="Foreign Category"),
        subject="Foreign trouble",
        attachments=[IncomingFile("f.png", PNG)],
    )
    services.ticket_assign(ticket=w.foreign, actor=w.ines, team=w.hidden_team, owner=w.ines)
    for ticket in (w.escalated, w.mailed, w.foreign):
        ticket.refresh_from_db()
    return w


def _pages(client, w) -> dict[str, str]:
    """Every page of the workspace the vendor may open, full and as htmx fragments."""
    pages = {}
    for params in ({}, {"status": "all"}, {"earlier": "1", "status": "all"}):
        pages[f"queue {params}"] = client.get(QUEUE, params).content.decode()
        pages[f"queue fragment {params}"] = client.get(QUEUE, params, **HX).content.decode()
    for ticket in (w.escalated, w.mailed):
        url = reverse("agent:ticket", args=[ticket.pk])
        pages[f"ticket {ticket.pk}"] = client.get(url).content.decode()
        pages[f"ticket fragment {ticket.pk}"] = client.get(url, **HX).content.decode()
    return pages


def _found(pages: dict[str, str], names) -> dict[str, list[str]]:
    return {
        where: hits for where, html in pages.items() if (hits := [n for n in names if n in html])
    }


def test_the_vendor_reads_no_name_it_should_not(client):
    # given
    w = world_make(share=False)
    client.force_login(w.vendor_agent)

    # when
    pages = _pages(client, w)

    # then: nothing of the other organisation, nor the requester's contact details
    assert _found(pages, FOREIGN + CONTACT) == {}
    # and the help desk's agents are never listed (Iris shows only in the ticket's history,
    # which a vendor reads as it is: "owner: — → Iris Owner")
    assert _found({k: v for k, v in pages.items() if "queue" in k}, INTERNAL_AGENTS) == {}
    assert _found(pages, ["Ines Elsewhere"]) == {}
    # and its own tickets are there, with the requester by name only
    queue = pages["queue {}"]
    assert all(name in queue for name in ["Till frozen", "Scanner dead", "Rosa Ruiz", *OWN])


def test_the_vendor_reads_the_contact_details_where_the_organisation_shares_them(client):
    # given
    w = world_make(share=True)
    client.force_login(w.vendor_agent)

    # when
    pages = _pages(client, w)

    # then
    assert _found(pages, FOREIGN) == {}
    assert "rosa.ruiz@alfa.example" in pages[f"ticket {w.escalated.pk}"]
    assert "+34 600 111 222" in pages[f"ticket {w.escalated.pk}"]
    assert "nameless@alfa.example" in pages[f"ticket {w.mailed.pk}"]


def test_the_help_desk_reads_everything(client):
    # given
    w = world_make(share=False)
    client.force_login(w.iris)

    # when
    queue = client.get(QUEUE, {"status": "all"}).content.decode()
    ticket = client.get(reverse("agent:ticket", args=[w.escalated.pk])).content.decode()

    # then
    assert all(name in queue for name in FOREIGN + INTERNAL_AGENTS)
    assert "rosa.ruiz@alfa.example" in ticket and "+34 600 111 222" in ticket


def test_another_vendor_reads_none_of_it(client):
    # given
    w = world_make(share=True)
    client.force_login(w.other_vendor_agent)

    # when
    html = client.get(QUEUE, {"status": "all"}).content.decode()

    # then
    assert _found({"queue": html}, FOREIGN + OWN + INTERNAL_AGENTS + CONTACT) == {}
    for ticket in (w.escalated, w.mailed, w.foreign):
        assert client.get(reverse("agent:ticket", args=[ticket.pk])).status_code == 404


def test_filter_choices_are_not_shared_between_vendors_through_the_cache(client, settings):
    # given: the select-box lists cached, as in production
    settings.AYUDA_LOOKUP_CACHE_SECONDS = 60
    cache.clear()
    w = world_make()
    client.force_login(w.vendor_agent)
    first = client.get(QUEUE).content.decode()

    # when
    client.force_login(w.other_vendor_agent)
    second = client.get(QUEUE).content.decode()

    # then
    assert "Alfa Retail" in first
    assert _found({"queue": second}, OWN + FOREIGN) == {}


@pytest.mark.parametrize("view", ["ticket", "history", "attachment", "note", "hand-back"])
def test_a_ticket_never_escalated_to_the_vendor_is_not_found(client, view):
    # given
    w = world_make()
    client.force_login(w.vendor_agent)
    ticket = w.foreign
    if view == "attachment":
        url = reverse("agent:attachment", args=[Attachment.objects.get(ticket=ticket).pk])
    elif view in ("ticket", "history"):
        url = reverse(f"agent:{view}", args=[ticket.pk])
    else:
        url = reverse("agent:ticket_action", args=[ticket.pk, view])

    # when
    if view in ("note", "hand-back"):
        response = client.post(url, {"version": ticket.version, "body": "x", "answer": "x"})
    else:
        response = client.get(url)

    # then
    assert response.status_code == 404
    assert Ticket.objects.get(pk=ticket.pk).version == ticket.version


def test_a_handed_back_ticket_is_listed_apart_and_read_only(client):
    # given: the vendor answered and handed the ticket back
    w = world_make()
    client.force_login(w.vendor_agent)
    services.article_add_note(ticket=w.escalated, actor=w.vendor_agent, body="Patch 2.1")
    services.ticket_hand_back(ticket=w.escalated, actor=w.vendor_agent, answer="Apply 2.1")
    w.escalated.refresh_from_db()
    url = reverse("agent:ticket", args=[w.escalated.pk])

    # when
    now = client.get(QUEUE, {"status": "all"})
    earlier = client.get(QUEUE, {"status": "all", "earlier": "1"})
    page = client.get(url)
    note = client.post(
        reverse("agent:ticket_action", args=[w.escalated.pk, "note"]),
        {"version": w.escalated.version, "body": "One more thing"},
    )

    # then
    assert [r.ticket.pk for r in now.context["rows"]] == [w.mailed.pk]
    assert [r.ticket.pk for r in earlier.context["rows"]] == [w.escalated.pk]
    assert page.status_code == 200
    assert page.context["action_forms"] == []
    html = page.content.decode()
    assert "Patch 2.1" in html and "Apply 2.1" in html
    assert "read-only" in html
    for action in ("note", "hand-back", "vendor-reference"):
        assert reverse("agent:ticket_action", args=[w.escalated.pk, action]) not in html
    assert note.status_code == 403
    assert Ticket.objects.get(pk=w.escalated.pk).version == w.escalated.version


def _count(client, path, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path, params or {}).status_code == 200
    return len(queries)


@pytest.mark.parametrize("params", [{}, {"earlier": "1"}])
def test_the_vendors_queue_runs_the_same_number_of_queries_for_5_and_60_tickets(client, params):
    # given
    w = world_make()
    client.force_login(w.vendor_agent)

    def tickets(n):
        for _ in range(n):
            ticket = ticket_make(requester=w.rosa, site=w.alfa_store, team=w.front)
            services.ticket_escalate_to_vendor(
                ticket=ticket, actor=w.iris, vendor=w.vendor, reason="Bug"
            )
            if params:
                services.ticket_hand_back(ticket=ticket, actor=w.vendor_agent, answer="Done")

    tickets(5)
    client.get(QUEUE)  # warm the session
    # when
    with_5 = _count(client, QUEUE, params)
    tickets(55)
    with_60 = _count(client, QUEUE, params)
    # then: session, user, five select-box lists (not cached in tests; no agents), the
    # vendor's filter choices, tickets, their requesters, saved views
    assert with_5 == with_60 == 11


def test_with_the_lists_cached_the_vendors_queue_takes_five_queries(client, settings):
    # given
    settings.AYUDA_LOOKUP_CACHE_SECONDS = 60
    cache.clear()
    w = world_make()
    client.force_login(w.vendor_agent)
    client.get(QUEUE)  # fills the cache

    # when
    count = _count(client, QUEUE)

    # then: session, user, tickets, their requesters, saved views
    assert count == 5


def test_a_ticket_now_with_another_vendor_does_not_show_that_vendors_case_number(client):
    # given: vendor A handed the ticket back; the help desk escalated it to vendor B
    w = world_make()
    services.ticket_hand_back(ticket=w.escalated, actor=w.vendor_agent, answer="Not ours")
    services.ticket_escalate_to_vendor(
        ticket=w.escalated,
        actor=w.iris,
        vendor=w.other_vendor_agent.vendor,
        reason="Try B",
        reference="B-CASE-991",
    )
    client.force_login(w.vendor_agent)

    # when
    response = client.get(reverse("agent:ticket", args=[w.escalated.pk]))

    # then: A still reads its own side, read-only, and not B's case number
    html = response.content.decode()
    assert response.status_code == 200 and "Not ours" in html
    assert response.context["action_forms"] == []
    assert "B-CASE-991" not in html


def test_a_ticket_escalated_after_the_choices_were_cached_is_labelled_in_full(client, settings):
    # given: the vendor's filter choices cached before a ticket of a new organisation came
    settings.AYUDA_LOOKUP_CACHE_SECONDS = 60
    cache.clear()
    w = world_make()
    delta = organisation_make(name="Delta Org")
    ticket = ticket_make(
        requester=user_make(role=Role.REQUESTER, organisation=delta),
        site=site_make(organisation=delta, name="Delta Store"),
    )
    client.force_login(w.vendor_agent)
    assert "Delta Org" not in client.get(QUEUE).content.decode()
    services.ticket_escalate_to_vendor(ticket=ticket, actor=w.iris, vendor=w.vendor, reason="X")

    # when
    response = client.get(QUEUE)

    # then: its line names its organisation and site like the others
    row = next(r for r in response.context["rows"] if r.ticket.pk == ticket.pk)
    assert (row.organisation, row.site) == ("Delta Org", "Delta Store")
