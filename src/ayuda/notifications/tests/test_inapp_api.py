"""GET /api/v1/notifications and marking read (R23): mine only, keyset, scopes, query count."""

import pytest
from django.core.cache import cache

from ayuda.api.tests.helpers import Api, assert_problem
from ayuda.notifications.inapp import notify
from ayuda.notifications.models import Notification
from ayuda.tickets.tests.factories import desk_make, ticket_make

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def desk():
    return desk_make()


@pytest.fixture
def ticket(desk):
    return ticket_make(requester=desk.requester, site=desk.site, subject="Printer on fire")


def test_list_is_mine_newest_first_in_pages(desk, ticket, django_assert_max_num_queries):
    # given
    for n in range(5):
        notify(
            recipients=[desk.agent_l1, desk.agent_l2],
            kind="customer_replied",
            ticket=ticket,
            data={"n": n},
        )
    api = Api(desk.agent_l1)
    api.get("/notifications", {"limit": 1})  # the token, warmed

    # when
    with django_assert_max_num_queries(8):
        first = api.get("/notifications", {"limit": 3})
    body = first.json()
    second = api.client.get(body["next"], headers=api._headers(None)).json()

    # then
    assert first.status_code == 200
    assert body["unread"] == 5
    assert [i["data"]["n"] for i in body["items"] + second["items"]] == [4, 3, 2, 1, 0]
    assert second["next"] is None
    assert body["items"][0]["text"] == f"The customer wrote on ticket #{ticket.pk}: Printer on fire"
    assert body["items"][0]["ticket_id"] == ticket.pk


def test_mark_one_and_all_read(desk, ticket):
    # given
    for n in range(3):
        notify(
            recipients=[desk.agent_l1, desk.agent_l2],
            kind="sla_warning",
            ticket=ticket,
            data={"n": n},
        )
    api = Api(desk.agent_l1)
    mine = Notification.objects.filter(user=desk.agent_l1).first()
    theirs = Notification.objects.filter(user=desk.agent_l2).first()

    # when
    one = api.post(f"/notifications/{mine.pk}/read")
    other = api.post(f"/notifications/{theirs.pk}/read")
    rest = api.post("/notifications/read")

    # then
    assert one.status_code == 200 and one.json()["read_at"] is not None
    assert_problem(other, 404, "not-found")
    assert rest.json() == {"marked": 2}
    assert Notification.objects.filter(user=desk.agent_l2, read_at__isnull=True).count() == 3


def test_marking_read_needs_the_write_scope(desk, ticket):
    notify(recipients=[desk.agent_l1], kind="sla_warning", ticket=ticket, data={})
    api = Api(desk.agent_l1, scopes=["read"])

    response = api.post("/notifications/read")

    assert_problem(response, 403, "insufficient-scope")
    assert Notification.objects.filter(read_at__isnull=True).count() == 1
