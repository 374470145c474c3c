"""The history feed: events after a cursor, for whoever may see the tickets."""

import pytest
from django.test import override_settings

from ayuda.tickets import services
from ayuda.tickets.models import StateCategory, TicketEvent
from ayuda.tickets.tests.factories import desk_make, ticket_in, ticket_make

from .helpers import Api

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_no_settle")]


@pytest.fixture
def _no_settle():
    with override_settings(AYUDA_API_FEED_SETTLE_SECONDS=0):
        yield


def _drain(api: Api, url: str = "/events?limit=2") -> tuple[list[dict], str]:
    seen = []
    while True:
        page = api.get(url).json()
        seen += page["items"]
        url = page["next"].removeprefix("/api/v1")
        if not page["items"]:
            return seen, url


def test_the_help_desk_replays_every_event_once_and_continues_from_the_cursor():
    desk = desk_make()
    ticket = ticket_make(requester=desk.requester)
    services.article_add_reply(ticket=ticket, actor=desk.agent_l1, body="Hi")
    api = Api(desk.agent_l1)
    seen, cursor = _drain(api)
    assert [e["id"] for e in seen] == list(
        TicketEvent.objects.order_by("pk").values_list("pk", flat=True)
    )
    services.article_add_reply(ticket=ticket, actor=desk.agent_l1, body="Again")
    later, _cursor = _drain(api, cursor)
    assert [e["id"] for e in later] == list(
        TicketEvent.objects.filter(pk__gt=seen[-1]["id"]).values_list("pk", flat=True)
    )


def test_a_vendor_reads_its_tickets_events_without_the_help_desks_notes():
    desk = desk_make()
    own = ticket_in(StateCategory.PENDING_VENDOR, desk=desk)
    note = services.article_add_note(ticket=own, actor=desk.agent_l1, body="secret")
    ticket_make(requester=desk.other_requester)
    seen, _cursor = _drain(Api(desk.vendor_agent))
    assert seen
    assert {e["ticket_id"] for e in seen} == {own.pk}
    assert all(e["data"].get("article_id") != note.pk for e in seen)


def test_customers_read_no_events_as_on_their_pages():
    desk = desk_make()
    ticket_make(requester=desk.requester)
    assert Api(desk.requester).get("/events").json()["items"] == []


def test_events_younger_than_the_settle_time_wait():
    desk = desk_make()
    ticket_make(requester=desk.requester)
    with override_settings(AYUDA_API_FEED_SETTLE_SECONDS=3600):
        assert Api(desk.agent_l1).get("/events").json()["items"] == []


def test_a_vendor_reads_no_requester_address_in_the_feed_unless_shared():
    # given: a requester known by the address alone, of an organisation that does not share
    desk = desk_make()
    desk.requester.first_name = desk.requester.last_name = ""
    desk.requester.save()
    ticket_in(StateCategory.PENDING_VENDOR, desk=desk)

    # when
    seen, _cursor = _drain(Api(desk.vendor_agent))

    # then: the vendor's ticket page names such a requester "Customer", so does the feed
    actors = [e["actor"] for e in seen if e["actor"] and e["actor"]["id"] == desk.requester.pk]
    assert actors
    assert all(desk.requester.email not in a["name"] for a in actors)
    assert all(desk.requester.username not in a["name"] for a in actors)
    desk.organisation.share_contact_with_vendors = True
    desk.organisation.save()
    shared, _cursor = _drain(Api(desk.vendor_agent))
    assert desk.requester.email in [e["actor"]["name"] for e in shared if e["actor"]]
