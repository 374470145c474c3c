"""Who may see and do what on a ticket: role x own/other organisation x action."""

import pytest
from django.contrib.auth.models import AnonymousUser

from ayuda.accounts.models import Role
from ayuda.accounts.tests.factories import user_make, vendor_make
from ayuda.core.errors import PermissionDeniedError
from ayuda.tickets import permissions, services
from ayuda.tickets.models import SenderRole
from ayuda.tickets.permissions import Action
from ayuda.tickets.tests.factories import desk_make, ticket_make

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
# Written out here rather than imported, so a change in permissions.py shows up as a failure.
EXPECTED = {
    "customer": {Action.VIEW, Action.CUSTOMER_REPLY},
    "vendor": {Action.VIEW, Action.NOTE, Action.HAND_BACK},
    "helpdesk": {
        Action.VIEW,
        Action.REPLY,
        Action.NOTE,
        Action.ASSIGN,
        Action.QUALIFY,
        Action.CHANGE_STATE,
        Action.ESCALATE,
        Action.HAND_BACK,
        Action.FORWARD,
        Action.RESOLVE,
        Action.CLOSE,
        Action.REOPEN,
        Action.VIEW_HISTORY,
    },
}


def _world():
    """The desk, a ticket of its organisation (raised by a colleague of the requester at the
    site, escalated to the desk's vendor) and one of the other organisation (at another
    vendor)."""
    desk = desk_make()
    colleague = user_make(role=Role.REQUESTER, organisation=desk.organisation)
    own = ticket_make(requester=desk.requester, site=desk.site)
    colleagues = ticket_make(requester=colleague, site=desk.site)
    other = ticket_make(requester=desk.other_requester, site=desk.other_site)
    services.ticket_escalate_to_vendor(
        ticket=own, actor=desk.agent_l1, vendor=desk.vendor, reason="Bug"
    )
    services.ticket_escalate_to_vendor(
        ticket=other, actor=desk.agent_l1, vendor=vendor_make(), reason="Bug"
    )
    tickets = {"own": own, "colleagues": colleagues, "other": other}
    for ticket in tickets.values():
        ticket.refresh_from_db()
    return desk, tickets


def _expected(role, which):
    """The actions ``role`` has on the ticket ``which`` of _world(). Hand-back only on the
    tickets level 1 escalated to a vendor, for level 1 (and managers, administrators): never
    for level 2, and never on the colleague's ticket, which was never escalated."""
    if role in HELPDESK:
        if role == Role.AGENT_L2 or which == "colleagues":
            return EXPECTED["helpdesk"] - {Action.HAND_BACK}
        return EXPECTED["helpdesk"]
    if which == "other":
        return set()
    if role == Role.VENDOR_AGENT:
        return EXPECTED["vendor"] if which == "own" else set()
    if role == Role.REQUESTER:
        return EXPECTED["customer"] if which == "own" else set()
    return EXPECTED["customer"]  # site admin: every ticket of their site


@pytest.mark.parametrize("which", ["own", "colleagues", "other"])
@pytest.mark.parametrize("role", ROLES)
def test_view_and_actions_matrix(role, which):
    # given
    desk, tickets = _world()
    user, ticket = desk.user(role), tickets[which]
    expected = _expected(role, which)

    # when
    can_view = permissions.can_view(user, ticket)
    actions = permissions.allowed_actions(user, ticket)
    listed = permissions.ticket_visible_to(user).filter(pk=ticket.pk).exists()

    # then
    assert can_view == bool(expected)
    assert listed == bool(expected)
    assert set(actions) == expected


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("which", ["own", "other"])
@pytest.mark.parametrize("role", ROLES)
def test_check_raises_exactly_for_the_actions_not_allowed(role, which, action):
    # given
    desk, tickets = _world()
    user, ticket = desk.user(role), tickets[which]
    allowed = action in _expected(role, which)

    # when
    try:
        permissions.check(user, ticket, action)
        refused = False
    except PermissionDeniedError:
        refused = True

    # then
    assert refused is not allowed


@pytest.mark.parametrize("role", ROLES)
def test_ticket_visible_to_lists_exactly_the_scope(role):
    # given
    desk, tickets = _world()
    user = desk.user(role)

    # when
    visible = set(permissions.ticket_visible_to(user).values_list("pk", flat=True))

    # then
    assert visible == {t.pk for which, t in tickets.items() if _expected(role, which)}


def test_vendor_agent_sees_nothing_that_was_not_escalated_to_its_vendor():
    # given
    desk = desk_make()
    not_escalated = ticket_make(requester=desk.requester)
    elsewhere = ticket_make(requester=desk.requester)
    services.ticket_escalate_to_vendor(
        ticket=elsewhere, actor=desk.agent_l1, vendor=vendor_make(), reason="Bug"
    )
    vendorless = user_make(role=Role.VENDOR_AGENT)

    # when
    seen = [permissions.can_view(desk.vendor_agent, t) for t in (not_escalated, elsewhere)]
    listed = permissions.ticket_visible_to(desk.vendor_agent).count()

    # then
    assert seen == [False, False]
    assert listed == 0
    assert not permissions.ticket_visible_to(vendorless).exists()
    assert not permissions.can_view(vendorless, not_escalated)


def test_site_admin_does_not_see_a_site_of_another_organisation_wrongly_linked_to_them():
    # given: bad data links the other organisation's site to our site admin
    desk = desk_make()
    desk.site_admin.sites.add(desk.other_site)
    foreign = ticket_make(requester=desk.other_requester, site=desk.other_site)

    # when
    can_view = permissions.can_view(desk.site_admin, foreign)
    listed = permissions.ticket_visible_to(desk.site_admin).filter(pk=foreign.pk).exists()

    # then
    assert (can_view, listed) == (False, False)


@pytest.mark.parametrize("role", [Role.REQUESTER, Role.SITE_ADMIN, Role.AGENT_L1])
def test_an_inactive_user_sees_nothing(role):
    # given
    desk = desk_make()
    ticket = ticket_make(requester=desk.requester, site=desk.site)
    user = desk.user(role)
    user.is_active = False
    user.save()

    # when
    can_view = permissions.can_view(user, ticket)
    actions = permissions.allowed_actions(user, ticket)
    listed = permissions.ticket_visible_to(user).exists()

    # then
    assert (can_view, actions, listed) == (False, frozenset(), False)


def test_an_anonymous_user_sees_nothing():
    # given
    ticket = ticket_make()
    anonymous = AnonymousUser()

    # when
    can_view = permissions.can_view(anonymous, ticket)
    actions = permissions.allowed_actions(anonymous, ticket)
    listed = permissions.ticket_visible_to(anonymous).exists()

    # then
    assert (can_view, actions, listed) == (False, frozenset(), False)
    with pytest.raises(PermissionDeniedError):
        permissions.check(anonymous, ticket, Action.VIEW)


# --- articles -----------------------------------------------------------------------------


def _conversation(desk):
    ticket = ticket_make(requester=desk.requester, site=desk.site)
    services.article_add_reply(ticket=ticket, actor=desk.agent_l1, body="public reply")
    services.article_add_note(ticket=ticket, actor=desk.agent_l1, body="agent note")
    services.ticket_escalate_to_vendor(
        ticket=ticket, actor=desk.agent_l1, vendor=desk.vendor, reason="vendor please"
    )
    services.article_add_note(ticket=ticket, actor=desk.vendor_agent, body="vendor note")
    services.ticket_hand_back(ticket=ticket, actor=desk.agent_l1, answer="agent answer")
    return ticket


ALL_BODIES = {
    "It smells of smoke.",
    "public reply",
    "agent note",
    "vendor note",
    "agent answer",
}


@pytest.mark.parametrize("role", ROLES)
def test_articles_visible_to_hides_internal_notes_from_customers(role):
    # given
    desk = desk_make()
    ticket = _conversation(desk)
    expected = {
        "customer": {"It smells of smoke.", "public reply"},
        "vendor": {"It smells of smoke.", "public reply", "vendor note"},
        "helpdesk": ALL_BODIES,
    }["helpdesk" if role in HELPDESK else "vendor" if role == Role.VENDOR_AGENT else "customer"]

    # when
    bodies = set(
        permissions.articles_visible_to(desk.user(role), ticket).values_list("body", flat=True)
    )

    # then
    assert bodies == expected
    assert ticket.articles.filter(internal=True, sender_role=SenderRole.VENDOR).count() == 1
