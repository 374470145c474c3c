"""The guide and actions through the REST API: the same checks as the pages."""

from datetime import timedelta

import pytest
from django.utils import timezone

from ayuda.api.tests.helpers import Api
from ayuda.knowledge.models import AssignedAction, GuideAnswers

from .factories import guided_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def test_read_and_answer_the_guide(desk_api):
    desk, ticket = desk_api
    api = Api(desk.site_admin)
    body = api.get(f"/tickets/{ticket.pk}/guide").json()
    assert [q["key"] for q in body["guide"]["questions"]] == ["powered", "cable", "people", "notes"]
    assert body["answers"] == {}

    response = api.put(f"/tickets/{ticket.pk}/guide", {"answers": {"powered": "yes", "people": 7}})

    assert response.status_code == 200
    assert response.json()["answers"] == {"powered": "yes", "people": 7}


def test_bad_answers_get_one_error_per_question(desk_api):
    desk, ticket = desk_api
    response = Api(desk.agent_l1).put(f"/tickets/{ticket.pk}/guide", {"answers": {"cable": "cut"}})
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"answers.powered", "answers.cable"}
    assert not GuideAnswers.objects.exists()


def test_actions_assigned_by_the_help_desk_only_and_listed_by_who_may(desk_api):
    desk, ticket = desk_api
    due = (timezone.now() + timedelta(days=1)).isoformat()
    body = {
        "assignee_id": desk.site_admin.pk,
        "kind": "task",
        "instructions": "Plug",
        "due_at": due,
    }
    assert Api(desk.site_admin).post(f"/tickets/{ticket.pk}/actions", body).status_code == 403
    created = Api(desk.agent_l1).post(f"/tickets/{ticket.pk}/actions", body)
    assert created.status_code == 201 and created.json()["assignee_id"] == desk.site_admin.pk
    wrong = body | {"assignee_id": desk.other_site_admin.pk}
    assert Api(desk.agent_l1).post(f"/tickets/{ticket.pk}/actions", wrong).status_code == 422
    assert AssignedAction.objects.count() == 1
    assert len(Api(desk.site_admin).get(f"/tickets/{ticket.pk}/actions").json()["items"]) == 1
    assert Api(desk.requester).get(f"/tickets/{ticket.pk}/actions").json()["items"] == []
    assert Api(desk.other_site_admin).get(f"/tickets/{ticket.pk}/actions").status_code == 404


@pytest.fixture
def desk_api():
    from ayuda.tickets.tests.factories import desk_make

    desk = desk_make()
    ticket, _guide = guided_ticket(desk)
    return desk, ticket
