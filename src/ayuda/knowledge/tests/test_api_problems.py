"""Problems and bulletins through the REST API: the same checks as the pages."""

import pytest

from ayuda.api.tests.helpers import Api
from ayuda.knowledge.models import ProblemLink
from ayuda.tickets.models import EventAction, TicketEvent
from ayuda.tickets.tests.factories import desk_make, ticket_make

from .problems_factories import bulletin_make, problem_make

pytestmark = pytest.mark.django_db


def test_the_help_desk_lists_problems_and_customers_may_not():
    desk = desk_make()
    problem_make(title="Portal login slow")

    body = Api(desk.agent_l1).get("/problems").json()
    refused = Api(desk.requester).get("/problems")

    assert [p["title"] for p in body["items"]] == ["Portal login slow"]
    assert body["items"][0]["linked_tickets"] == 0
    assert refused.status_code == 403


def test_bulletins_by_caller():
    desk = desk_make()
    bulletin_make(title="Ours", is_public=True, public_notice="On it.", agreed_answer="Secret")
    bulletin_make(
        title="Theirs", is_public=True, public_notice="x", organisations=[desk.other_organisation]
    )
    bulletin_make(title="Internal", agreed_answer="Agents only")

    staff = Api(desk.agent_l1).get("/bulletins").json()["items"]
    customer = Api(desk.requester).get("/bulletins").json()["items"]

    assert {b["title"] for b in staff} == {"Ours", "Theirs", "Internal"}
    assert [b["title"] for b in customer] == ["Ours"]
    assert customer[0]["agreed_answer"] is None
    assert customer[0]["public_notice"] == "On it."


def test_link_tickets_through_the_api():
    desk = desk_make()
    problem = problem_make()
    tickets = [ticket_make(requester=desk.requester) for _ in range(2)]
    ids = [t.pk for t in tickets]

    response = Api(desk.agent_l1).post(f"/problems/{problem.pk}/links", {"ticket_ids": ids})
    refused = Api(desk.requester).post(f"/problems/{problem.pk}/links", {"ticket_ids": ids})
    missing = Api(desk.agent_l1).post("/problems/999999/links", {"ticket_ids": ids})
    empty = Api(desk.agent_l1).post(f"/problems/{problem.pk}/links", {"ticket_ids": []})

    assert response.status_code == 200
    assert response.json() == {"problem_id": problem.pk, "linked": 2}
    assert (refused.status_code, missing.status_code, empty.status_code) == (403, 404, 422)
    assert ProblemLink.objects.count() == 2
    assert TicketEvent.objects.filter(action=EventAction.PROBLEM_LINKED).count() == 2
