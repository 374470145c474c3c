"""Every list endpoint runs a fixed number of queries: the same for a page of 2 as of 20, and
for a small table as for a bigger one."""

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from ayuda.accounts.models import Role
from ayuda.accounts.tests.factories import organisation_make, site_make, team_make, user_make
from ayuda.tickets import services
from ayuda.tickets.models import StateCategory
from ayuda.tickets.tests.factories import category_make, desk_make, ticket_in

from .helpers import Api

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_no_settle")]

LISTS = [
    "/tickets?status=all",
    "/tickets/{ticket}/articles",
    "/events",
    "/organisations",
    "/sites",
    "/teams",
    "/categories",
    "/states",
    "/users",
    "/tokens",
]


@pytest.fixture
def _no_settle():
    with override_settings(AYUDA_API_FEED_SETTLE_SECONDS=0, AYUDA_API_RATE_PER_MINUTE=0):
        yield


def _grow(desk, n: int, ticket):
    """n more of everything each list shows, all visible to the vendor as to the help desk,
    and n more messages on ``ticket``."""
    for i in range(n):
        services.article_add_reply(ticket=ticket, actor=desk.agent_l1, body=f"More {i}")
        organisation = organisation_make()
        site_make(organisation=organisation)
        team_make()
        category_make(name=f"Cat {desk.site.pk}-{i}")
        user_make(role=Role.AGENT_L1)
        user_make(role=Role.VENDOR_AGENT, vendor=desk.vendor)
        # each on its own site, category (with a parent) and team: nothing shared to hide an N+1
        parent = category_make(name=f"Parent {desk.site.pk}-{i}")
        ticket = ticket_in(
            StateCategory.PENDING_VENDOR,
            desk=desk,
            site=site_make(organisation=desk.organisation),
            category=category_make(name=f"Child {desk.site.pk}-{i}", parent=parent),
            team=team_make(),
        )
        services.article_add_reply(ticket=ticket, actor=desk.agent_l1, body="Hi")
        services.article_add_note(ticket=ticket, actor=desk.vendor_agent, body="Vendor side")


def _count(api: Api, path: str, limit: int) -> int:
    joiner = "&" if "?" in path else "?"
    with CaptureQueriesContext(connection) as queries:
        response = api.get(f"{path}{joiner}limit={limit}")
    assert response.status_code == 200, response.content
    return len(queries)


@pytest.mark.parametrize(
    "role", [Role.AGENT_L1, Role.ADMIN, Role.VENDOR_AGENT, Role.REQUESTER, Role.SITE_ADMIN]
)
@pytest.mark.parametrize("path", LISTS)
def test_list_queries_do_not_grow_with_page_or_table_size(role, path):
    # given
    desk = desk_make()
    ticket = ticket_in(StateCategory.PENDING_VENDOR, desk=desk)
    path = path.format(ticket=ticket.pk)
    api = Api(desk.user(role))
    api.get("/users/me")  # the token's first use is recorded once
    _grow(desk, 3, ticket)
    # when
    small_page = _count(api, path, 2)
    big_page = _count(api, path, 20)
    _grow(desk, 6, ticket)
    bigger_table = _count(api, path, 20)
    # then
    assert small_page == big_page == bigger_table, (small_page, big_page, bigger_table)
