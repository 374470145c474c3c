"""The web UI's permission matrix holds for the API: role x endpoint x own/other organisation.

"own" is a ticket of the desk's organisation, raised by its requester on its site and escalated
to the desk's vendor; "other" is a new ticket of the other organisation. Expected statuses are
written out from the roles table of docs/architecture.md, not computed from the code."""

import pytest

from ayuda.accounts.models import Role
from ayuda.tickets.models import Article, StateCategory, Ticket
from ayuda.tickets.tests.factories import desk_make, ticket_in, ticket_make

from .helpers import Api

pytestmark = pytest.mark.django_db

HELPDESK = (Role.AGENT_L1, Role.AGENT_L2, Role.MANAGER, Role.ADMIN)
CUSTOMERS = (Role.REQUESTER, Role.SITE_ADMIN)
ROLES = (*CUSTOMERS, *HELPDESK, Role.VENDOR_AGENT)

# endpoint: (method, path, body, {role group: (own, other)})
ENDPOINTS = {
    "read": (
        "get",
        "",
        None,
        {"customer": (200, 404), "helpdesk": (200, 200), "vendor": (200, 404)},
    ),
    "articles": (
        "get",
        "/articles",
        None,
        {"customer": (200, 404), "helpdesk": (200, 200), "vendor": (200, 404)},
    ),
    "qualify": (
        "post",
        "/qualify",
        {"type": "incident", "priority": 3},
        {"customer": (403, 404), "helpdesk": (200, 200), "vendor": (403, 404)},
    ),
    "reply": (
        "post",
        "/articles",
        {"body": "Hello"},
        {"customer": (201, 404), "helpdesk": (201, 201), "vendor": (422, 404)},
    ),
    "note": (
        "post",
        "/articles",
        {"body": "Note", "internal": True},
        {"customer": (422, 404), "helpdesk": (201, 201), "vendor": (201, 404)},
    ),
    "resolve": (
        "post",
        "/resolve",
        {"solution": "Done"},
        {"customer": (403, 404), "helpdesk": (200, 200), "vendor": (403, 404)},
    ),
    "hand-back": (
        "post",
        "/hand-back",
        {"answer": "Patched"},
        {"customer": (403, 404), "vendor": (200, 404)},
    ),
}


def _group(role: str) -> str:
    if role in CUSTOMERS:
        return "customer"
    return "vendor" if role == Role.VENDOR_AGENT else "helpdesk"


CASES = [
    (endpoint, role, which)
    for endpoint, (_m, _p, _b, expected) in ENDPOINTS.items()
    for role in ROLES
    if _group(role) in expected
    for which in ("own", "other")
]


@pytest.mark.parametrize(("endpoint", "role", "which"), CASES)
def test_permission_matrix(endpoint, role, which):
    # given
    desk = desk_make()
    own = ticket_in(StateCategory.PENDING_VENDOR, desk=desk)
    other = ticket_make(requester=desk.other_requester, site=desk.other_site)
    ticket = own if which == "own" else other
    method, path, body, expected = ENDPOINTS[endpoint]
    status = expected[_group(role)][0 if which == "own" else 1]
    before = (Ticket.objects.get(pk=ticket.pk).version, Article.objects.count())
    # when
    api = Api(desk.user(role))
    url = f"/tickets/{ticket.pk}{path}"
    response = api.get(url) if method == "get" else api.post(url, body)
    # then
    assert response.status_code == status, (endpoint, role, which, response.content)
    if status >= 400:
        assert response["Content-Type"] == "application/problem+json"
        after = (Ticket.objects.get(pk=ticket.pk).version, Article.objects.count())
        assert after == before


@pytest.mark.parametrize("role", ROLES)
def test_the_list_holds_what_each_role_sees(role):
    desk = desk_make()
    own = ticket_in(StateCategory.PENDING_VENDOR, desk=desk)
    other = ticket_make(requester=desk.other_requester, site=desk.other_site)
    ids = {t["id"] for t in Api(desk.user(role)).get("/tickets").json()["items"]}
    expected = {
        "customer": {own.pk},
        "helpdesk": {own.pk, other.pk},
        "vendor": {own.pk},
    }[_group(role)]
    assert ids == expected


def test_a_vendor_sees_no_owner_and_no_contact_details_unless_shared():
    desk = desk_make()
    own = ticket_in(StateCategory.PENDING_VENDOR, desk=desk)
    Api(desk.agent_l1).post(f"/tickets/{own.pk}/assign", {"owner_id": desk.agent_l1.pk})
    vendor = Api(desk.vendor_agent)
    body = vendor.get(f"/tickets/{own.pk}").json()
    assert body["owner"] is None
    assert body["requester"].get("email") is None
    desk.organisation.share_contact_with_vendors = True
    desk.organisation.save()
    body = vendor.get(f"/tickets/{own.pk}").json()
    assert body["requester"]["email"] == desk.requester.email
    assert Api(desk.agent_l1).get(f"/tickets/{own.pk}").json()["owner"]["id"] == desk.agent_l1.pk
