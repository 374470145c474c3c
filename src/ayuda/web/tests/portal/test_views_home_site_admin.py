"""A site admin's portal list (issue 8): titled for what it lists, with filters by site,
category, state and requester, each offering only what is theirs, refusing anything else with
a clear message, and paged by keyset with a fixed number of queries."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ayuda.tickets.models import Category
from ayuda.tickets.tests.factories import ticket_make

from .helpers import requester_make, site_admin_make, site_make

pytestmark = pytest.mark.django_db
URL = reverse("portal:home")


def numbers(response) -> set[int]:
    return {t.pk for t in response.context["page"].tickets}


def _h1(response) -> str:
    return re.search(r"<h1>(.*?)</h1>", response.content.decode(), re.S).group(1).strip()


def _options(response, name: str) -> list[str]:
    html = response.content.decode()
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select is not None, name
    return re.findall(r'<option value="([^"]*)"', select.group(1))


@pytest.fixture
def chain(db):
    """A shop chain: the admin looks after two of its three sites."""
    north = site_make(name="North")
    south = site_make(organisation=north.organisation, name="South")
    east = site_make(organisation=north.organisation, name="East")
    admin = site_admin_make(sites=[north, south])
    ana = requester_make(organisation=north.organisation, first_name="Ana")
    bea = requester_make(organisation=north.organisation, first_name="Bea")
    only_east = requester_make(organisation=north.organisation, first_name="Eva")
    printers = Category.objects.create(name="Printers")
    network = Category.objects.create(name="Network")
    retired = Category.objects.create(name="Fax", is_active=False)
    tickets = {
        "ana_north_printers": ticket_make(requester=ana, site=north, category=printers),
        "ana_south_network": ticket_make(requester=ana, site=south, category=network),
        "bea_south_printers": ticket_make(requester=bea, site=south, category=printers),
        "eva_east": ticket_make(requester=only_east, site=east, category=printers),
    }
    return {
        "admin": admin,
        "sites": {"north": north, "south": south, "east": east},
        "people": {"ana": ana, "bea": bea, "eva": only_east},
        "categories": {"printers": printers, "network": network, "retired": retired},
        "tickets": tickets,
    }


def test_the_title_says_what_the_list_is(client, chain):
    # given
    one_site = site_admin_make(sites=[chain["sites"]["east"]])
    requester = chain["people"]["ana"]

    # when
    titles = []
    for user in (chain["admin"], one_site, requester):
        client.force_login(user)
        titles.append(_h1(client.get(URL)))

    # then
    assert titles == ["Tickets of your sites", "Tickets of East", "My tickets"]


def test_the_title_in_spanish(client, chain):
    # given
    chain["admin"].language = "es"
    chain["admin"].save()
    client.force_login(chain["admin"])

    # when
    title = _h1(client.get(URL, HTTP_ACCEPT_LANGUAGE="es"))

    # then
    assert title == "Tickets de sus sitios"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"site": "north"}, {"ana_north_printers"}),
        ({"site": "south"}, {"ana_south_network", "bea_south_printers"}),
        ({"category": "printers"}, {"ana_north_printers", "bea_south_printers"}),
        ({"requester": "ana"}, {"ana_north_printers", "ana_south_network"}),
        ({"site": "south", "category": "printers"}, {"bea_south_printers"}),
        (
            {},
            {"ana_north_printers", "ana_south_network", "bea_south_printers"},
        ),
    ],
)
def test_filters_narrow_the_list_to_their_sites_tickets(client, chain, params, expected):
    # given
    lookup = {"site": "sites", "category": "categories", "requester": "people"}
    query = {name: chain[lookup[name]][key].pk for name, key in params.items()}
    client.force_login(chain["admin"])

    # when
    response = client.get(URL, query)

    # then
    assert response.status_code == 200
    assert numbers(response) == {chain["tickets"][k].pk for k in expected}


def test_filters_combine_with_the_state_tabs_and_the_search(client, chain):
    # given
    client.force_login(chain["admin"])
    site = chain["sites"]["south"].pk
    subject = chain["tickets"]["bea_south_printers"].subject

    # when
    response = client.get(URL, {"site": site, "status": "active", "q": subject})

    # then
    assert chain["tickets"]["bea_south_printers"].pk in numbers(response)
    tabs = re.findall(r'<nav class="tabs".*?</nav>', response.content.decode(), re.S)[0]
    assert f"site={site}" in tabs  # a tab keeps the other filters


def test_each_filter_offers_only_what_is_theirs(client, chain):
    # given
    client.force_login(chain["admin"])
    sites, people, categories = chain["sites"], chain["people"], chain["categories"]

    # when
    response = client.get(URL)

    # then
    assert _options(response, "site") == ["", str(sites["north"].pk), str(sites["south"].pk)]
    assert set(_options(response, "requester")) == {
        "",
        str(people["ana"].pk),
        str(people["bea"].pk),
    }
    offered = set(_options(response, "category"))
    assert {str(categories["printers"].pk), str(categories["network"].pk)} <= offered
    assert str(categories["retired"].pk) not in offered


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("site", "east", "Choose one of your sites."),
        ("site", "abc", "Choose one of your sites."),
        ("requester", "eva", "Choose someone who raised a ticket at your sites."),
        ("requester", "-1", "Choose someone who raised a ticket at your sites."),
        ("category", "retired", "Choose a category in use."),
        ("category", "9" * 30, "Choose a category in use."),
        ("status", "nonsense", "Choose one of the states offered."),
    ],
)
def test_a_bad_filter_gets_a_clear_message_and_shows_nothing_it_should_not(
    client, chain, name, value, message
):
    # given
    lookup = {"site": "sites", "category": "categories", "requester": "people"}
    keyed = chain.get(lookup.get(name, ""), {})
    raw = str(keyed[value].pk) if value in keyed else value
    client.force_login(chain["admin"])

    # when
    response = client.get(URL, {name: raw})

    # then
    assert response.status_code == 200
    assert message in response.content.decode()
    assert chain["tickets"]["eva_east"].pk not in numbers(response)


def test_a_requester_keeps_my_tickets_without_the_site_admins_filters(client, chain):
    # given
    client.force_login(chain["people"]["ana"])

    # when
    response = client.get(URL, {"site": chain["sites"]["south"].pk})

    # then
    html = response.content.decode()
    assert '<select name="site"' not in html and '<select name="requester"' not in html
    assert numbers(response) == {
        chain["tickets"]["ana_north_printers"].pk,
        chain["tickets"]["ana_south_network"].pk,
    }


def test_pages_keep_the_filters(client, chain, monkeypatch):
    # given
    monkeypatch.setattr("ayuda.web.portal.views.LIST_PAGE_SIZE", 2)
    south = chain["sites"]["south"]
    extra = [ticket_make(requester=chain["people"]["bea"], site=south) for _ in range(2)]
    client.force_login(chain["admin"])

    # when
    first = client.get(URL, {"site": south.pk})
    older = re.search(r'<p class="pager"><a href="\?([^"]+)"', first.content.decode()).group(1)
    second = client.get(URL + "?" + older.replace("&amp;", "&"))

    # then
    assert f"site={south.pk}" in older
    assert numbers(first) == {t.pk for t in extra}
    assert numbers(second) == {
        chain["tickets"]["ana_south_network"].pk,
        chain["tickets"]["bea_south_printers"].pk,
    }


@pytest.mark.parametrize("filtered", [False, True])
def test_the_filtered_list_takes_the_same_queries_for_3_and_30_tickets(client, filtered):
    # given
    site = site_make()
    admin = site_admin_make(sites=[site, site_make(organisation=site.organisation)])
    printers = Category.objects.create(name="Printers")
    params = {"site": site.pk, "category": printers.pk, "status": "active"} if filtered else {}
    client.force_login(admin)
    client.get(URL)  # warm the session

    def queries_for_list() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(URL, params)
        assert response.status_code == 200
        return len(queries)

    def add(count):
        for _ in range(count):
            requester = requester_make(organisation=site.organisation)
            ticket_make(requester=requester, site=site, category=printers)

    add(3)
    few = queries_for_list()
    add(27)

    # when
    many = queries_for_list()

    # then: session, user; the filters' choices: the admin's sites, the categories, the
    # requesters at those sites; the tickets, then by key their states, requesters, sites,
    # organisations and categories; the active bulletins (the banner; cached outside tests)
    assert few == many == 12


def _nav_list_link(response) -> str:
    """The text of the header's link to the list (its icon's SVG left out)."""
    html = response.content.decode()
    link = re.search(rf'<a href="{URL}"[^>]*>(.*?)</a>', html, re.S)
    assert link is not None
    return re.sub(r"<svg.*?</svg>", "", link.group(1), flags=re.S).strip()


def test_the_header_names_the_list_as_its_title_does(client, chain):
    # given: the site admin reads the list of her sites, a requester his own tickets
    for user in (chain["admin"], chain["people"]["ana"]):
        user.language = "es"
        user.save()

    # when
    links = []
    for user in (chain["admin"], chain["people"]["ana"]):
        client.force_login(user)
        links.append(_nav_list_link(client.get(reverse("portal:ticket_new"))))

    # then
    assert links == ["Tickets de sus sitios", "Mis tickets"]
