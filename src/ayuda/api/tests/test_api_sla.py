"""The API's service-level fields and operations (R22, R28): the delay reason action, the
due times in the ticket output, ``order=due`` / ``sort=due`` and ``breached=true``."""

from datetime import timedelta

import pytest
from django.utils import timezone

from ayuda.sla.tests.factories_views import ticket_due
from ayuda.tickets.models import StateCategory, TicketEvent
from ayuda.tickets.tests.factories import desk_make, ticket_in, ticket_make

from .helpers import Api, assert_problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk():
    return desk_make()


def test_an_agent_sets_and_clears_the_delay_reason(desk):
    # given
    ticket = ticket_make(requester=desk.requester)
    api = Api(desk.agent_l1)
    etag = api.get(f"/tickets/{ticket.pk}")["ETag"]
    # when
    response = api.post(
        f"/tickets/{ticket.pk}/delay-reason", {"reason": "terms_breach"}, {"If-Match": etag}
    )
    # then
    assert response.status_code == 200, response.content
    assert response.json()["delay_reason"] == "terms_breach"
    cleared = api.post(
        f"/tickets/{ticket.pk}/delay-reason", {"reason": ""}, {"If-Match": response["ETag"]}
    )
    assert cleared.json()["delay_reason"] == ""
    assert list(
        TicketEvent.objects.filter(ticket=ticket, field="delay_reason")
        .order_by("seq")
        .values_list("old_value", "new_value")
    ) == [("", "terms_breach"), ("terms_breach", "")]


def test_a_stale_etag_is_412_and_a_bad_reason_422(desk):
    ticket = ticket_make(requester=desk.requester)
    api = Api(desk.agent_l1)
    stale = api.post(
        f"/tickets/{ticket.pk}/delay-reason", {"reason": "misuse"}, {"If-Match": '"99"'}
    )
    assert_problem(stale, 412, "conflict")
    bad = api.post(f"/tickets/{ticket.pk}/delay-reason", {"reason": "holidays"})
    assert_problem(bad, 422, "validation")
    ticket.refresh_from_db()
    assert ticket.delay_reason == ""


def test_a_customer_and_a_vendor_agent_may_not_set_it(desk):
    ticket = ticket_in(StateCategory.PENDING_VENDOR, desk=desk)
    for user in (desk.requester, desk.vendor_agent):
        response = Api(user).post(f"/tickets/{ticket.pk}/delay-reason", {"reason": "misuse"})
        assert response.status_code == 403, (user.role, response.content)
    ticket.refresh_from_db()
    assert ticket.delay_reason == ""


def test_the_ticket_shows_its_due_times_to_the_help_desk_only(desk):
    # given
    now = timezone.now().replace(microsecond=0)
    ticket = ticket_in(StateCategory.PENDING_VENDOR, desk=desk)
    ticket_due(
        ticket,
        sla_due_at=now,
        sla_breached_at=now - timedelta(minutes=5),
        resolution_due_at=now,
        vendor_due_at=now + timedelta(hours=1),
    )
    # when
    agent = Api(desk.agent_l1).get(f"/tickets/{ticket.pk}").json()
    vendor = Api(desk.vendor_agent).get(f"/tickets/{ticket.pk}").json()
    # then
    assert agent["sla_due_at"] is not None and agent["sla_breached_at"] is not None
    assert agent["resolution_due_at"] is not None and agent["vendor_due_at"] is not None
    assert vendor["sla_due_at"] is None and vendor["sla_breached_at"] is None
    assert vendor["resolution_due_at"] is None
    assert vendor["vendor_due_at"] is not None  # its own clock


def test_the_list_sorts_by_due_and_filters_breached_over_pages(desk):
    # given
    now = timezone.now().replace(microsecond=0)
    tickets = [ticket_make(requester=desk.requester) for _ in range(5)]
    for i, ticket in zip([3, 1, 4, 0, 2], tickets, strict=True):
        ticket_due(ticket, sla_due_at=now + timedelta(minutes=i))
    ticket_make(requester=desk.requester)  # no due time: not in the due view
    ticket_due(tickets[2], sla_breached_at=now)
    ticket_due(tickets[0], sla_breached_at=now)
    api = Api(desk.agent_l1)
    # when
    seen, path, params = [], "/tickets", {"sort": "due", "limit": 2}
    while path:
        body = api.get(path, params).json()
        seen += [line["id"] for line in body["items"]]
        path, params = (body["next"] or "").removeprefix("/api/v1"), None
    # then
    by_due = sorted(tickets, key=lambda t: t.sla_due_at)
    assert seen == [t.pk for t in by_due]
    assert [line["id"] for line in api.get("/tickets", {"order": "due"}).json()["items"]] == seen
    breached = api.get("/tickets", {"breached": "true"}).json()["items"]
    assert [line["id"] for line in breached] == [tickets[0].pk, tickets[2].pk]
    assert breached[0]["sla_breached_at"] is not None


def test_a_vendor_agent_may_not_sort_by_our_due_times(desk):
    response = Api(desk.vendor_agent).get("/tickets", {"sort": "due"})
    assert_problem(response, 422, "validation")
    response = Api(desk.vendor_agent).get("/tickets", {"breached": "true"})
    assert_problem(response, 422, "validation")
