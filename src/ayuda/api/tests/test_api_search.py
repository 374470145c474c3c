"""Search through the REST API: the service's results, scoped to the token's user."""

import pytest

from ayuda.api.tests.helpers import Api
from ayuda.knowledge.models import Visibility
from ayuda.knowledge.tests.search_factories import article_make
from ayuda.tickets import services
from ayuda.tickets.tests.factories import desk_make, ticket_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(django_capture_on_commit_callbacks):
    desk = desk_make()
    with django_capture_on_commit_callbacks(execute=True):
        desk.own = ticket_make(
            requester=desk.requester, subject="Escáner roto", description="El escáner no lee."
        )
        desk.other = ticket_make(requester=desk.other_requester, subject="Escáner roto")
        services.article_add_note(ticket=desk.own, actor=desk.agent_l1, body="garantía vencida")
    return desk


def test_tickets_are_scoped_to_the_caller(desk):
    agent = Api(desk.agent_l1).get("/search/tickets", {"q": "escaner"}).json()
    customer = Api(desk.requester).get("/search/tickets", {"q": "escaner"}).json()

    assert {t["id"] for t in agent["items"]} == {desk.own.pk, desk.other.pk}
    assert [t["id"] for t in customer["items"]] == [desk.own.pk]
    assert customer["items"][0]["snippet_html"] == "El <mark>escáner</mark> no lee."


def test_a_requester_does_not_find_a_ticket_by_an_internal_note(desk):
    response = Api(desk.requester).get("/search/tickets", {"q": "garantia"})

    assert response.status_code == 200 and response.json()["items"] == []
    assert Api(desk.agent_l1).get("/search/tickets", {"q": "garantia"}).json()["items"]


def test_tickets_page_with_next(desk):
    api = Api(desk.agent_l1)
    first = api.get("/search/tickets", {"q": "escaner", "limit": 1}).json()

    second = api.client.get(first["next"], headers=api._headers(None)).json()

    assert len(first["items"]) == 1 and len(second["items"]) == 1
    assert first["items"][0]["id"] != second["items"][0]["id"]


def test_articles_internal_only_for_the_help_desk(desk):
    article_make("Escáner: manual", visibility=Visibility.PUBLIC)
    article_make("Escáner: interno", visibility=Visibility.INTERNAL)

    agent = Api(desk.agent_l1).get("/search/articles", {"q": "escaner"}).json()["items"]
    customer = Api(desk.requester).get("/search/articles", {"q": "escaner"}).json()["items"]

    assert len(agent) == 2
    assert [a["title"] for a in customer] == ["Escáner: manual"]


@pytest.mark.parametrize("query", ['"', "OR", "-*", "\x00", "y" * 5000, ""])
def test_any_query_is_answered(desk, query):
    for path in ("/search/tickets", "/search/articles"):
        response = Api(desk.agent_l1).get(path, {"q": query})
        assert response.status_code == 200
        assert isinstance(response.json()["items"], list)


def test_without_a_token_it_is_401(desk):
    assert Api().get("/search/tickets", {"q": "x"}).status_code == 401
