"""The API's "done means", in a real browser and over real HTTP: the interactive docs load
under the strict Content-Security-Policy; a requester creates a token in the workspace, opens a
ticket with it over HTTP; an agent's token resolves it; the requester's token reads only the
requester's tickets."""

import json
import urllib.error
import urllib.request

import pytest
from e2e_helpers import PASSWORD, clean_slate

from ayuda.accounts.tokens import token_create
from ayuda.tickets.models import StateCategory, Ticket
from ayuda.tickets.tests.factories import desk_make, ticket_make

pytestmark = pytest.mark.django_db(transaction=True)  # the live server is another thread


@pytest.fixture(autouse=True)
def _clean_slate():
    clean_slate()


def _call(base: str, method: str, path: str, token: str, body: dict | None = None):
    request = urllib.request.Request(
        base + path,
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read())


def test_the_docs_render_every_operation_under_the_csp(page):
    page.goto("/api/v1/docs")
    page.wait_for_selector(".opblock")
    assert page.locator(".opblock").count() >= 30


def test_a_requester_makes_a_token_opens_a_ticket_and_an_agent_resolves_it(
    page, login_as, live_server
):
    # given
    desk = desk_make()
    other = ticket_make(requester=desk.other_requester)
    login_as(page, desk.requester.username, PASSWORD)
    # when: the token is made in the workspace
    page.goto("/tokens/")
    page.fill('input[name="name"]', "My script")
    page.check('input[name="scopes"][value="write"]')
    page.click("button.primary")
    secret = page.locator("code.token-secret").inner_text().strip()
    # and a ticket is opened with it
    status, _headers, ticket = _call(
        live_server.url,
        "POST",
        "/api/v1/tickets",
        secret,
        {"subject": "Till 3 is frozen", "description": "Since this morning."},
    )
    # then
    assert status == 201, ticket
    assert Ticket.objects.get(pk=ticket["id"]).requester == desk.requester
    status, _h, listing = _call(live_server.url, "GET", "/api/v1/tickets?status=all", secret)
    assert [t["id"] for t in listing["items"]] == [ticket["id"]]
    assert _call(live_server.url, "GET", f"/api/v1/tickets/{other.pk}", secret)[0] == 404
    # when: an agent resolves it over the API with its ETag
    agent = token_create(
        user=desk.agent_l1, name="bot", scopes=["read", "write"], expires_at=None
    ).secret
    _s, seen, _b = _call(live_server.url, "GET", f"/api/v1/tickets/{ticket['id']}", agent)
    request = urllib.request.Request(
        f"{live_server.url}/api/v1/tickets/{ticket['id']}/resolve",
        method="POST",
        data=json.dumps({"solution": "Restarted the till."}).encode(),
        headers={
            "Authorization": f"Bearer {agent}",
            "Content-Type": "application/json",
            "If-Match": seen["ETag"],
        },
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
    assert Ticket.objects.get(pk=ticket["id"]).state_category == StateCategory.RESOLVED


def test_issue_9_done_a_developer_gets_a_signed_webhook_and_resolves_over_the_api(
    page, login_as, live_server, settings
):
    """Issue 9's "done means": a token made in the workspace, a ticket opened over HTTP, the
    signed webhook received on the developer's own server and verified with the Standard
    Webhooks library, the ticket resolved over the API."""
    from standardwebhooks import Webhook

    from ayuda.accounts.models import Role
    from ayuda.accounts.tests.factories import user_make
    from ayuda.webhooks.tests.receiver import Receiver

    # given: the developer's server, and an administrator's subscription to it over the API
    receiver = Receiver().start()
    settings.AYUDA_WEBHOOK_ALLOW = ["127.0.0.1"]
    try:
        desk = desk_make()
        admin = user_make(role=Role.ADMIN)
        admin_token = token_create(
            user=admin, name="hooks", scopes=["read", "write", "admin"], expires_at=None
        ).secret
        status, _h, subscription = _call(
            live_server.url,
            "POST",
            "/api/v1/webhooks/subscriptions",
            admin_token,
            {
                "name": "My server",
                "url": receiver.url,
                "event_types": ["ticket.created", "ticket.state_changed"],
            },
        )
        assert status == 201, subscription
        # and a token the requester makes in the workspace
        login_as(page, desk.requester.username, PASSWORD)
        page.goto("/tokens/")
        page.fill('input[name="name"]', "curl")
        page.check('input[name="scopes"][value="write"]')
        page.click("button.primary")
        secret = page.locator("code.token-secret").inner_text().strip()

        # when: a ticket is opened with it
        status, _h, ticket = _call(
            live_server.url,
            "POST",
            "/api/v1/tickets",
            secret,
            {"subject": "Scanner offline", "description": "Since the update."},
        )
        assert status == 201, ticket

        # then: the developer's server got it, signed, and the library verifies it
        created = [r for r in receiver.requests if b'"ticket.created"' in r.body]
        assert len(created) == 1
        payload = Webhook(subscription["secret"]).verify(created[0].body, created[0].headers)
        assert payload["type"] == "ticket.created"
        assert payload["data"]["ticket"]["id"] == ticket["id"]

        # when: an agent resolves it over the API
        agent = token_create(
            user=desk.agent_l1, name="bot", scopes=["read", "write"], expires_at=None
        ).secret
        status, _h, resolved = _call(
            live_server.url,
            "POST",
            f"/api/v1/tickets/{ticket['id']}/resolve",
            agent,
            {"solution": "Reinstalled the driver."},
        )

        # then: resolved, and the change was sent too
        assert status == 200, resolved
        assert Ticket.objects.get(pk=ticket["id"]).state_category == StateCategory.RESOLVED
        changed = [r for r in receiver.requests if b'"ticket.state_changed"' in r.body]
        assert changed and Webhook(subscription["secret"]).verify(
            changed[-1].body, changed[-1].headers
        )
    finally:
        receiver.stop()
