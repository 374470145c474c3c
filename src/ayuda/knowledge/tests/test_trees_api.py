"""Decision trees through the REST API (R18): the same services and checks as the pages."""

import pytest

from ayuda.accounts.models import Level
from ayuda.api.tests.helpers import Api, assert_problem
from ayuda.knowledge.models import TreeAudience
from ayuda.tickets.models import EventAction, TicketEvent
from ayuda.tickets.tests.factories import category_make, desk_make, ticket_in

from .tree_factories import choice, tree_make

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def test_the_trees_listed_are_the_ones_the_caller_may_walk():
    desk = desk_make()
    public = tree_make()
    agents = tree_make(name="Agents only", audience=TreeAudience.AGENTS)
    tree_make(name="Draft", published=False)
    assert [t["id"] for t in Api(desk.agent_l1).get("/trees").json()["items"]] == [
        agents.pk,
        public.pk,
    ]
    assert [t["id"] for t in Api(desk.requester).get("/trees").json()["items"]] == [public.pk]
    assert Api(desk.vendor_agent).get("/trees").json()["items"] == []


def test_a_requester_walks_through_the_api_and_may_not_walk_an_agents_tree():
    # given
    desk = desk_make()
    tree = tree_make()
    api = Api(desk.requester)
    # when
    walk = api.post("/walks", {"tree_id": tree.pk})
    # then
    assert walk.status_code == 201, walk.content
    body = walk.json()
    assert body["in_portal"] and body["node"]["text"] == "Is the printer switched on?"
    assert [c["label"] for c in body["node"]["choices"]] == ["Yes", "No"]
    wrong = api.post(f"/walks/{body['id']}/answer", {"choice_id": choice(tree, "paper", "No").pk})
    assert_problem(wrong, 422, "validation")
    done = api.post(f"/walks/{body['id']}/answer", {"choice_id": choice(tree, "on", "No").pk})
    assert done.json()["outcome"] == "solved" and done.json()["node"]["kind"] == "solution"
    agents = tree_make(name="Agents only", audience=TreeAudience.AGENTS)
    assert_problem(api.post("/walks", {"tree_id": agents.pk}), 404, "not-found")
    assert_problem(Api(desk.other_requester).get(f"/walks/{body['id']}"), 404, "not-found")


def test_an_agents_walk_on_a_ticket_escalates_it_and_is_recorded():
    desk = desk_make()
    category = category_make(name="Printer", default_team=desk.l2_team)
    tree = tree_make(category=category)
    ticket = ticket_in("open", desk=desk, category=category)
    api = Api(desk.agent_l1)
    walk = api.post("/walks", {"tree_id": tree.pk, "ticket_id": ticket.pk}).json()
    back = api.post(f"/walks/{walk['id']}/back")
    assert_problem(back, 422, "validation")
    for key in ("on", "paper"):
        body = api.post(
            f"/walks/{walk['id']}/answer", {"choice_id": choice(tree, key, "Yes").pk}
        ).json()
    assert body["outcome"] == "escalated" and body["escalation_refused"] == ""
    ticket.refresh_from_db()
    assert ticket.level == Level.L2
    assert TicketEvent.objects.filter(ticket=ticket, action=EventAction.TREE_WALKED).exists()
