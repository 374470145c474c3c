"""Who may use the agent workspace: every role x every view x their own or someone else's
ticket (R27). Customers never get in; vendor agents see only what was escalated to them."""

import pytest
from django.urls import reverse

from ayuda.accounts.models import Role
from ayuda.tickets.attachments import IncomingFile
from ayuda.tickets.models import Attachment, StateCategory
from ayuda.tickets.tests.factories import state_get, ticket_in, ticket_make

from .conftest import PNG

pytestmark = pytest.mark.django_db

ROLES = [
    Role.REQUESTER,
    Role.SITE_ADMIN,
    Role.AGENT_L1,
    Role.AGENT_L2,
    Role.VENDOR_AGENT,
    Role.MANAGER,
    Role.ADMIN,
]
HELPDESK = {Role.AGENT_L1, Role.AGENT_L2, Role.MANAGER, Role.ADMIN}
CUSTOMERS = {Role.REQUESTER, Role.SITE_ADMIN}
ACTIONS = [
    "reply",
    "note",
    "assign",
    "qualify",
    "state",
    "escalate",
    "escalate-vendor",
    "vendor-reference",
    "hand-back",
    "forward",
    "resolve",
    "close",
    "reopen",
]
VENDOR_ACTIONS = {"note", "hand-back", "vendor-reference"}
GETS = ["ticket", "history", "attachment"]


def _files():
    return [IncomingFile("screen.png", PNG)]


def _ticket(desk, scope: str):
    """``own``: the desk's customer's ticket, escalated to the desk's vendor (so every role
    of the desk may see it); ``other``: another organisation's ticket nobody escalated."""
    if scope == "own":
        return ticket_in(StateCategory.PENDING_VENDOR, desk=desk, attachments=_files())
    return ticket_make(requester=desk.other_requester, site=desk.other_site, attachments=_files())


def payload(action: str, desk, ticket) -> dict:
    data = {"version": ticket.version}
    data |= {
        "reply": {"body": "We are on it."},
        "note": {"body": "Checked the logs."},
        "assign": {"team": desk.l1_team.pk, "owner": desk.agent_l1.pk},
        "qualify": {"type": "incident", "priority": "3", "category": ""},
        "state": {"state": state_get(StateCategory.OPEN).pk},
        "escalate": {"team": desk.l2_team.pk, "mode": "transfer", "reason": "Needs L2"},
        "escalate-vendor": {"vendor": desk.vendor.pk, "reason": "Firmware"},
        "vendor-reference": {"reference": "CASE-77"},
        "hand-back": {"answer": "Patched."},
        "forward": {"team": desk.l2_team.pk, "reason": "Wrong team"},
        "resolve": {"solution": "Replaced it."},
        "close": {},
        "reopen": {"reason": "Not fixed"},
    }[action]
    return data


def _may_hand_back(role, scope: str) -> bool:
    """Only an escalated ticket goes back, by the level holding it: ``own`` is with the vendor,
    escalated by level 1 (its vendor's agent, level 1, managers and administrators may hand it
    back); ``other`` was never escalated."""
    return scope == "own" and role != Role.AGENT_L2


def _url(view: str, ticket) -> str:
    if view == "queue":
        return reverse("agent:queue")
    if view == "attachment":
        return reverse("agent:attachment", args=[Attachment.objects.get(ticket=ticket).pk])
    return reverse(f"agent:{view}", args=[ticket.pk])


@pytest.mark.parametrize("scope", ["own", "other"])
@pytest.mark.parametrize("view", ["queue", *GETS])
@pytest.mark.parametrize("role", ROLES)
def test_get_views_by_role_and_scope(client, desk, role, view, scope):
    # given
    ticket = _ticket(desk, scope)
    client.force_login(desk.user(role))
    # when
    response = client.get(_url(view, ticket))
    # then
    if role in CUSTOMERS:
        assert response.status_code == 302
        assert not response["Location"].startswith("/agent/")
    elif role == Role.VENDOR_AGENT and scope == "other" and view != "queue":
        assert response.status_code == 404
    elif role == Role.VENDOR_AGENT and view == "history":
        assert response.status_code == 403  # the full history is the help desk's record
    else:
        assert response.status_code == 200


@pytest.mark.parametrize("scope", ["own", "other"])
@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("role", ROLES)
def test_action_posts_by_role_and_scope(client, desk, role, action, scope):
    # given
    ticket = _ticket(desk, scope)
    client.force_login(desk.user(role))
    url = reverse("agent:ticket_action", args=[ticket.pk, action])
    version = ticket.version
    # when
    response = client.post(url, payload(action, desk, ticket))
    # then
    ticket.refresh_from_db()
    if role in CUSTOMERS:
        assert response.status_code == 403
    elif role == Role.VENDOR_AGENT and scope == "other":
        assert response.status_code == 404
    elif (role == Role.VENDOR_AGENT and action not in VENDOR_ACTIONS) or (
        action == "hand-back" and not _may_hand_back(role, scope)
    ):
        assert response.status_code == 403
    else:
        # Allowed: the service either does it (PRG) or explains why the state forbids it.
        assert response.status_code in (302, 422), response.status_code
        if response.status_code == 302:
            assert response["Location"] == reverse("agent:ticket", args=[ticket.pk])
            assert ticket.version > version
        return
    assert ticket.version == version


def test_anonymous_user_is_sent_to_log_in(client, desk):
    # given
    ticket = _ticket(desk, "own")
    # when
    responses = [
        client.get(reverse("agent:queue")),
        client.get(reverse("agent:ticket", args=[ticket.pk])),
        client.post(reverse("agent:ticket_action", args=[ticket.pk, "note"]), {"body": "x"}),
    ]
    # then
    assert all(r.status_code == 302 and "/login/" in r["Location"] for r in responses)


def test_vendor_agent_queue_lists_only_tickets_escalated_to_its_vendor(client, desk):
    # given
    mine = _ticket(desk, "own")
    not_mine = _ticket(desk, "other")
    client.force_login(desk.vendor_agent)
    # when
    response = client.get(reverse("agent:queue"), {"status": "all"})
    # then
    numbers = [row.ticket.pk for row in response.context["rows"]]
    assert numbers == [mine.pk]
    assert not_mine.pk not in numbers


def test_vendor_agent_sees_only_the_actions_it_may_take(client, desk):
    # given
    ticket = _ticket(desk, "own")
    client.force_login(desk.vendor_agent)
    # when
    response = client.get(reverse("agent:ticket", args=[ticket.pk]))
    # then
    shown = {af.action.slug for af in response.context["action_forms"]}
    assert shown == VENDOR_ACTIONS


def test_vendor_agent_cannot_log_contacts(client, desk):
    # given
    client.force_login(desk.vendor_agent)
    # when
    response = client.get(reverse("agent:contact_new"))
    # then
    assert response.status_code == 403


def test_unknown_action_is_not_found(client, desk):
    # given
    ticket = _ticket(desk, "own")
    client.force_login(desk.agent_l1)
    # when
    response = client.post(reverse("agent:ticket_action", args=[ticket.pk, "explode"]), {})
    # then
    assert response.status_code == 404


def test_nav_shows_contact_and_admin_links_only_to_who_may_use_them(client, desk):
    # given
    desk.admin.is_staff = True
    desk.admin.save(update_fields=["is_staff"])
    pages = {}
    # when
    for role in (Role.ADMIN, Role.AGENT_L1, Role.VENDOR_AGENT):
        client.force_login(desk.user(role))
        pages[role] = client.get(reverse("agent:queue")).content.decode()
    # then
    contact, admin = reverse("agent:contact_new"), reverse("admin:index")
    assert contact in pages[Role.ADMIN] and admin in pages[Role.ADMIN]
    assert contact in pages[Role.AGENT_L1] and admin not in pages[Role.AGENT_L1]
    assert contact not in pages[Role.VENDOR_AGENT] and admin not in pages[Role.VENDOR_AGENT]
    assert "?owner=me" in pages[Role.AGENT_L1]
