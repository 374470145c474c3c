"""Tickets over the API: list, read, create, and the workspace's actions through the services."""

import pytest
from django.utils import translation
from django.utils.translation import gettext as _

from ayuda.accounts.models import Level
from ayuda.accounts.tests.factories import team_make
from ayuda.tickets.models import Channel, StateCategory, Ticket, TicketEvent
from ayuda.tickets.tests.factories import desk_make, state_get, ticket_in, ticket_make

from .helpers import Api, assert_problem

pytestmark = pytest.mark.django_db


def test_requester_opens_a_ticket_and_reads_it_back():
    # given
    desk = desk_make()
    api = Api(desk.requester)
    # when
    response = api.post("/tickets", {"subject": "Printer on fire", "description": "Smoke."})
    # then
    assert response.status_code == 201, response.content
    body = response.json()
    ticket = Ticket.objects.get(pk=body["id"])
    assert ticket.requester == desk.requester
    assert ticket.channel == Channel.API
    assert response["Location"] == f"/api/v1/tickets/{ticket.pk}"
    assert response["ETag"] == f'"{ticket.version}"'
    assert body["state"]["category"] == StateCategory.NEW
    assert "customer_reply" in body["actions"]
    again = api.get(f"/tickets/{ticket.pk}")
    assert again.status_code == 200
    assert again.json()["subject"] == "Printer on fire"


def test_agent_opens_a_ticket_on_a_requesters_behalf():
    desk = desk_make()
    response = Api(desk.agent_l1).post(
        "/tickets",
        {
            "subject": "Phone call",
            "description": "Called about the printer.",
            "requester_id": desk.requester.pk,
            "team_id": desk.l1_team.pk,
            "priority": 3,
        },
    )
    assert response.status_code == 201, response.content
    ticket = Ticket.objects.get(pk=response.json()["id"])
    assert ticket.requester == desk.requester
    assert ticket.team == desk.l1_team
    assert ticket.priority == 3
    created = ticket.events.get(action="created")
    assert created.actor == desk.agent_l1


def test_requester_cannot_open_a_ticket_for_someone_else():
    desk = desk_make()
    before = Ticket.objects.count()
    response = Api(desk.requester).post(
        "/tickets",
        {"subject": "x", "description": "y", "requester_id": desk.other_requester.pk},
    )
    assert_problem(response, 403, "forbidden")
    assert Ticket.objects.count() == before


def test_creating_without_a_subject_is_a_field_error_and_creates_nothing():
    desk = desk_make()
    response = Api(desk.requester).post("/tickets", {"subject": "   ", "description": "y"})
    body = assert_problem(response, 422, "validation")
    assert body["errors"][0]["field"] == "subject"
    assert not Ticket.objects.exists()


def test_an_unknown_category_is_a_field_error():
    desk = desk_make()
    response = Api(desk.requester).post(
        "/tickets", {"subject": "x", "description": "y", "category_id": 999999}
    )
    body = assert_problem(response, 422, "validation")
    assert body["errors"] == [{"field": "category_id", "detail": body["errors"][0]["detail"]}]


def test_list_follows_next_links_through_every_ticket_once():
    desk = desk_make()
    made = [ticket_make(requester=desk.requester).pk for _ in range(5)]
    api = Api(desk.agent_l1)
    seen, url = [], "/tickets?limit=2"
    while url:
        response = api.get(url)
        assert response.status_code == 200
        page = response.json()
        seen += [t["id"] for t in page["items"]]
        url = page["next"] and page["next"].removeprefix("/api/v1")
    assert seen == made


def test_list_applies_the_queue_filters():
    desk = desk_make()
    mine = ticket_make(requester=desk.requester, team=desk.l1_team)
    ticket_make(requester=desk.requester, team=desk.l2_team)
    response = Api(desk.agent_l1).get("/tickets", {"team": desk.l1_team.pk})
    assert [t["id"] for t in response.json()["items"]] == [mine.pk]


def test_requester_lists_only_their_own_tickets():
    desk = desk_make()
    own = ticket_make(requester=desk.requester)
    ticket_make(requester=desk.other_requester)
    response = Api(desk.requester).get("/tickets", {"status": "all"})
    assert [t["id"] for t in response.json()["items"]] == [own.pk]


def test_another_organisations_ticket_is_not_found():
    desk = desk_make()
    theirs = ticket_make(requester=desk.other_requester)
    assert_problem(Api(desk.requester).get(f"/tickets/{theirs.pk}"), 404, "not-found")


def test_a_stale_if_match_is_refused_with_412_and_changes_nothing():
    # given: an agent read the ticket, then someone else changed it
    desk = desk_make()
    ticket = ticket_in(StateCategory.NEW, desk=desk)
    api = Api(desk.agent_l1)
    etag = api.get(f"/tickets/{ticket.pk}")["ETag"]
    api.post(
        f"/tickets/{ticket.pk}/qualify", {"type": "incident", "priority": 4}, {"If-Match": etag}
    )
    events = TicketEvent.objects.filter(ticket=ticket).count()
    # when
    response = api.post(
        f"/tickets/{ticket.pk}/assign", {"team_id": desk.l2_team.pk}, {"If-Match": etag}
    )
    # then
    assert_problem(response, 412, "conflict")
    ticket.refresh_from_db()
    assert ticket.team == desk.l1_team
    assert TicketEvent.objects.filter(ticket=ticket).count() == events


def test_the_workspace_actions_work_a_ticket_from_new_to_reopened():
    desk = desk_make()
    ticket = ticket_in(StateCategory.NEW, desk=desk)
    l1, l2 = Api(desk.agent_l1), Api(desk.agent_l2)

    def act(api, path, body):
        etag = api.get(f"/tickets/{ticket.pk}")["ETag"]
        response = api.post(f"/tickets/{ticket.pk}/{path}", body, {"If-Match": etag})
        assert response.status_code == 200, response.content
        assert response["ETag"] != etag
        return response.json()

    assert act(l1, "qualify", {"type": "problem", "priority": 3})["priority"] == 3
    body = act(l1, "assign", {"team_id": desk.l1_team.pk, "owner_id": desk.agent_l1.pk})
    assert body["owner"]["id"] == desk.agent_l1.pk
    waiting = state_get(StateCategory.PENDING_CUSTOMER)
    body = act(l1, "state", {"state_id": waiting.pk})
    assert body["state"]["category"] == "pending_customer"
    body = act(
        l1, "escalate", {"team_id": desk.l2_team.pk, "mode": "transfer", "reason": "Needs L2"}
    )
    assert body["level"] == Level.L2
    assert act(l2, "hand-back", {"answer": "Fixed the driver."})["level"] == Level.L1
    body = act(l1, "escalate-vendor", {"vendor_id": desk.vendor.pk, "reason": "Firmware"})
    assert body["level"] == Level.VENDOR
    vendor = Api(desk.vendor_agent)
    assert act(vendor, "vendor-reference", {"reference": "CASE-1"})["vendor_reference"] == "CASE-1"
    assert act(vendor, "hand-back", {"answer": "Patched."})["level"] == Level.L1
    other_team = team_make(level=Level.L1)
    assert act(l1, "forward", {"team_id": other_team.pk, "reason": "Theirs"})["team"]["id"] == (
        other_team.pk
    )
    assert act(l1, "resolve", {"solution": "Replaced the fuser."})["solution"]
    assert act(l1, "reopen", {"reason": "Came back"})["state"]["category"] == "open"
    assert act(l1, "resolve", {"solution": "Again."})["state"]["category"] == "resolved"
    assert act(l1, "close", {})["state"]["category"] == "closed"


def test_an_action_the_service_refuses_is_a_problem_in_the_callers_language():
    # given: a new ticket cannot be closed (the workspace's state machine)
    desk = desk_make()
    ticket = ticket_in(StateCategory.NEW, desk=desk)
    desk.agent_l1.language = "it"
    desk.agent_l1.save()
    api = Api(desk.agent_l1)
    # when: asked in Spanish, then with no preference (the user's Italian)
    spanish = api.post(f"/tickets/{ticket.pk}/close", {}, {"Accept-Language": "es"})
    italian = api.post(f"/tickets/{ticket.pk}/close", {})
    # then
    with translation.override("es"):
        expected_es = _("Only a resolved ticket can be closed.")
        title_es = _("Invalid input")
    assert assert_problem(spanish, 422, "validation")["detail"] == expected_es
    assert expected_es != "Only a resolved ticket can be closed."
    assert assert_problem(spanish, 422, "validation")["title"] == title_es != "Invalid input"
    with translation.override("it"):
        title_it = _("Invalid input")
    assert assert_problem(italian, 422, "validation")["title"] == title_it != "Invalid input"


def test_field_errors_of_the_schema_are_in_the_callers_language_too():
    desk = desk_make()
    response = Api(desk.requester).post(
        "/tickets", {"subject": "x", "priority": "high"}, {"Accept-Language": "it"}
    )
    body = assert_problem(response, 422, "validation")
    details = {e["field"]: e["detail"] for e in body["errors"]}
    with translation.override("it"):
        assert details["description"] == _("This field is required.")
        assert details["priority"] == _("Enter a whole number.")
    assert details["description"] != "This field is required."


@pytest.mark.parametrize("who", ["vendor_agent", "agent_l2", "inactive"])
def test_an_agent_opens_tickets_only_on_an_active_customers_behalf(who):
    # given: as the workspace's new-ticket form, which offers active customers only
    desk = desk_make()
    if who == "inactive":
        desk.other_requester.is_active = False
        desk.other_requester.save()
        someone = desk.other_requester
    else:
        someone = getattr(desk, who)

    # when
    response = Api(desk.agent_l1).post(
        "/tickets", {"subject": "s", "description": "d", "requester_id": someone.pk}
    )

    # then
    body = assert_problem(response, 422, "validation")
    assert body["errors"][0]["field"] == "requester_id"
    assert not Ticket.objects.exists()
