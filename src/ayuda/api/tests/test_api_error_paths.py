"""Error paths an outside tester tries: each answers problem+json, never HTML or a 500."""

import json

import pytest

from ayuda.accounts.models import Role
from ayuda.accounts.tests.factories import user_make
from ayuda.tickets.models import Ticket
from ayuda.tickets.tests.factories import desk_make, ticket_make

from .helpers import Api, assert_problem

pytestmark = pytest.mark.django_db


def test_a_method_an_operation_does_not_have_is_a_problem():
    # given
    desk = desk_make()
    ticket = ticket_make(requester=desk.requester)
    api = Api(desk.agent_l1)
    headers = {"Authorization": f"Bearer {api.token}"}

    # when
    deleted = api.client.delete(f"/api/v1/tickets/{ticket.pk}", headers=headers)
    patched = api.client.patch(
        "/api/v1/tickets", "{}", content_type="application/json", headers=headers
    )

    # then
    for response in (deleted, patched):
        assert_problem(response, 405, "method-not-allowed")
        assert "GET" in response["Allow"]
    assert Ticket.objects.filter(pk=ticket.pk).exists()


def test_a_body_over_the_upload_limit_is_a_413_problem(settings):
    # given
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    desk = desk_make()
    api = Api(desk.requester)

    # when
    response = api.post("/tickets", {"subject": "x" * 20_000, "description": "Too long"})

    # then
    assert_problem(response, 413, "too-large")
    assert not Ticket.objects.exists()


def test_a_forbidden_answer_keeps_its_own_reason():
    # given: a help desk agent's token on the administrators' webhooks
    api = Api(user_make(role=Role.AGENT_L1))

    # when
    response = api.get("/webhooks/subscriptions")

    # then: the reason is given, not a CSRF failure that did not happen
    body = assert_problem(response, 403, "forbidden")
    assert body["detail"] == "Only administrators manage webhooks."
    assert "CSRF" not in json.dumps(body)


def test_a_body_over_the_limit_with_an_idempotency_key_is_a_413_problem(settings):
    # given
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    desk = desk_make()
    api = Api(desk.requester)

    # when
    response = api.post(
        "/tickets",
        {"subject": "x" * 20_000, "description": "Too long"},
        headers={"Idempotency-Key": "big-1"},
    )

    # then
    assert_problem(response, 413, "too-large")
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("key", [None, "broken-1"])
def test_a_broken_multipart_upload_is_a_problem(key):
    # given
    desk = desk_make()
    ticket = ticket_make(requester=desk.requester)
    api = Api(desk.requester)
    headers = {"Authorization": f"Bearer {api.token}"}
    if key:
        headers["Idempotency-Key"] = key

    # when: a boundary that never comes
    response = api.client.post(
        f"/api/v1/tickets/{ticket.pk}/attachments",
        b"--nope\r\nContent-Disposition: form-data; name=body\r\n\r\nHi",
        content_type="multipart/form-data",
        headers=headers,
    )

    # then
    assert response.status_code in (400, 422), response.content
    assert response["Content-Type"] == "application/problem+json"


def test_the_apis_root_is_a_problem_not_the_sites_page():
    # when
    response = Api().client.get("/api/v1/")

    # then
    assert_problem(response, 404, "not-found")
