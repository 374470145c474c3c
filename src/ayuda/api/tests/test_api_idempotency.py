"""Idempotency-Key: a retried POST runs once and answers the same."""

from datetime import timedelta

import pytest
from django.utils import timezone

from ayuda.api.models import IdempotencyRecord
from ayuda.api.tasks import idempotency_purge
from ayuda.tickets.models import Article, Ticket
from ayuda.tickets.tests.factories import desk_make, ticket_make

from .helpers import Api, assert_problem

pytestmark = pytest.mark.django_db

BODY = {"subject": "Printer on fire", "description": "Smoke."}


def test_a_retried_create_creates_one_ticket_and_answers_the_same():
    desk = desk_make()
    api = Api(desk.requester)
    first = api.post("/tickets", BODY, {"Idempotency-Key": "abc-1"})
    again = api.post("/tickets", BODY, {"Idempotency-Key": "abc-1"})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Location"] == first["Location"]
    assert again["Idempotent-Replayed"] == "true"
    assert Ticket.objects.count() == 1


def test_the_same_key_with_another_body_is_refused():
    desk = desk_make()
    api = Api(desk.requester)
    api.post("/tickets", BODY, {"Idempotency-Key": "abc-2"})
    response = api.post("/tickets", BODY | {"subject": "Other"}, {"Idempotency-Key": "abc-2"})
    assert_problem(response, 422, "idempotency-key-reused")
    assert Ticket.objects.count() == 1


def test_keys_belong_to_their_caller():
    desk = desk_make()
    Api(desk.requester).post("/tickets", BODY, {"Idempotency-Key": "shared"})
    other = Api(desk.other_requester).post("/tickets", BODY, {"Idempotency-Key": "shared"})
    assert other.status_code == 201
    assert Ticket.objects.filter(requester=desk.other_requester).count() == 1


def test_after_an_error_the_key_is_free_and_a_corrected_retry_runs():
    desk = desk_make()
    api = Api(desk.requester)
    bad = api.post("/tickets", BODY | {"subject": " "}, {"Idempotency-Key": "k3"})
    assert bad.status_code == 422
    assert not IdempotencyRecord.objects.exists()
    good = api.post("/tickets", BODY, {"Idempotency-Key": "k3"})
    assert good.status_code == 201


def test_a_key_expires_after_a_day():
    desk = desk_make()
    api = Api(desk.requester)
    api.post("/tickets", BODY, {"Idempotency-Key": "old"})
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(hours=25))
    api.post("/tickets", BODY, {"Idempotency-Key": "old"})
    assert Ticket.objects.count() == 2


def test_a_retried_reply_is_added_once():
    desk = desk_make()
    ticket = ticket_make(requester=desk.requester)
    api = Api(desk.agent_l1)
    for _ in range(2):
        response = api.post(
            f"/tickets/{ticket.pk}/articles", {"body": "On my way."}, {"Idempotency-Key": "r1"}
        )
        assert response.status_code == 201
    assert Article.objects.filter(ticket=ticket, body="On my way.").count() == 1


def test_the_hourly_purge_forgets_keys_older_than_a_day():
    desk = desk_make()
    api = Api(desk.requester)
    api.post("/tickets", BODY, {"Idempotency-Key": "old"})
    api.post("/tickets", BODY, {"Idempotency-Key": "new"})
    IdempotencyRecord.objects.filter(key="old").update(
        created_at=timezone.now() - timedelta(hours=25)
    )
    assert idempotency_purge.delay().get() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]


def test_a_request_still_running_answers_409():
    desk = desk_make()
    api = Api(desk.requester)
    api.post("/tickets", BODY, {"Idempotency-Key": "busy"})
    IdempotencyRecord.objects.update(status=None)  # as if the first were still running
    response = api.post("/tickets", BODY, {"Idempotency-Key": "busy"})
    assert_problem(response, 409, "idempotency-in-progress")
    assert Ticket.objects.count() == 1


def test_a_revoked_token_gets_no_replay():
    # given: a create answered, then the token revoked
    from ayuda.accounts.models import ApiToken
    from ayuda.accounts.tokens import token_revoke

    desk = desk_make()
    api = Api(desk.requester)
    first = api.post("/tickets", BODY, {"Idempotency-Key": "abc-9"})
    token_revoke(token=ApiToken.objects.get(user=desk.requester), actor=desk.requester)

    # when: the same retry
    again = api.post("/tickets", BODY, {"Idempotency-Key": "abc-9"})

    # then: refused as any call with a revoked token, nothing replayed
    assert first.status_code == 201
    assert_problem(again, 401, "unauthenticated")
    assert "Idempotent-Replayed" not in again
