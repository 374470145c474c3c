"""The workspace's search page: tickets and articles for one query, scoped, in few queries."""

import pytest

from ayuda.knowledge.models import Visibility
from ayuda.knowledge.tests.search_factories import article_make
from ayuda.tickets import services
from ayuda.tickets.tests.factories import ticket_make

from .conftest import HX

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(desk, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        tickets = [
            ticket_make(
                requester=desk.requester,
                subject=f"Impresora {i} sin tóner",
                description="La impresora de la caja no imprime.",
            )
            for i in range(30)
        ]
        services.article_add_note(
            ticket=tickets[0], actor=desk.agent_l1, body="Nota <b>interna</b>: proveedor"
        )
    article_make("Cambiar el tóner de la impresora")
    article_make("Impresora: procedimiento interno", visibility=Visibility.INTERNAL)
    return tickets


def test_the_page_shows_tickets_and_articles_with_marked_snippets(client, desk, world):
    # given
    client.force_login(desk.agent_l1)
    # when
    response = client.get("/agent/search/", {"q": "impresoras toner"})
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert "La <mark>impresora</mark> de la caja" in html
    assert "Cambiar el tóner de la impresora" in html
    assert "Impresora: procedimiento interno" not in html  # without "tóner"
    assert html.count('href="/agent/tickets/') == 25
    assert "after=" in html  # more than one page of tickets


def test_agents_find_internal_articles(client, desk, world):
    client.force_login(desk.agent_l1)

    html = client.get("/agent/search/", {"q": "procedimiento"}).content.decode()

    assert "Impresora: procedimiento interno" in html
    assert "Agents only" in html


def test_the_next_page_continues_with_the_other_tickets(client, desk, world):
    client.force_login(desk.agent_l1)
    first = client.get("/agent/search/", {"q": "impresora"}).context["tickets"]

    response = client.get("/agent/search/", {"q": "impresora", "after": first[-1].cursor})

    rest = response.context["tickets"]
    assert len(rest) == 5
    assert not {h.ticket for h in first} & {h.ticket for h in rest}
    assert response.context["articles"] == []


def test_an_internal_note_is_escaped_in_the_snippet(client, desk, world):
    client.force_login(desk.agent_l1)

    html = client.get("/agent/search/", {"q": "proveedor"}).content.decode()

    assert "&lt;b&gt;<mark>interna</mark>" not in html  # "interna" was not searched
    assert "&lt;b&gt;interna&lt;/b&gt;: <mark>proveedor</mark>" in html


def test_htmx_gets_the_results_only(client, desk, world):
    client.force_login(desk.agent_l1)

    html = client.get("/agent/search/", {"q": "impresora"}, **HX).content.decode()

    assert html.lstrip().startswith('<div id="results"')


@pytest.mark.parametrize("query", ['"', "OR", "*", "-", "\x00", "x" * 10_000, "((("])
def test_odd_input_is_a_page_not_an_error(client, desk, world, query):
    client.force_login(desk.agent_l1)

    assert client.get("/agent/search/", {"q": query}).status_code == 200


def test_the_page_costs_a_fixed_number_of_queries(
    client, desk, world, django_assert_max_num_queries
):
    # given
    client.force_login(desk.agent_l1)
    client.get("/agent/search/", {"q": "impresora"})
    # when: session, user, tickets (search, load), articles (search, load), the messages of
    # hits whose match is not in the description, the typo search when few articles (on
    # PostgreSQL), and the active bulletins of every agent page (cached outside tests)
    with django_assert_max_num_queries(10):
        response = client.get("/agent/search/", {"q": "impresora proveedor"})
    with django_assert_max_num_queries(10):
        client.get("/agent/search/", {"q": "impresora"})
    # then
    assert response.status_code == 200


def test_customers_are_sent_to_the_portal(client, desk, world):
    client.force_login(desk.requester)

    response = client.get("/agent/search/", {"q": "impresora"})

    assert response.status_code == 302


def test_the_header_has_a_search_box(client, desk):
    client.force_login(desk.agent_l1)

    html = client.get("/agent/").content.decode()

    assert 'action="/agent/search/"' in html
