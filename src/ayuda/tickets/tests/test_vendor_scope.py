"""What a vendor agent's queue holds: the tickets escalated to its vendor now, and, read-only,
those it worked on and that went back to the help desk (R10, R27)."""

import pytest
from django.db import connection
from django.http import Http404

from ayuda.accounts.models import Role
from ayuda.accounts.tests.factories import user_make, vendor_make
from ayuda.core.errors import PermissionDeniedError
from ayuda.tickets import permissions, services
from ayuda.tickets.models import Ticket
from ayuda.tickets.permissions import Action
from ayuda.tickets.selectors import QueueFilters, ticket_get, ticket_queue, vendor_ticket_refs

from .factories import desk_make, ticket_make

pytestmark = pytest.mark.django_db


def _escalate(desk, ticket, vendor=None):
    services.ticket_escalate_to_vendor(
        ticket=ticket, actor=desk.agent_l1, vendor=vendor or desk.vendor, reason="Bug"
    )


@pytest.fixture
def world():
    """Tickets in every relation to the desk's vendor (A)."""
    desk = desk_make()
    vendor_b = vendor_make(name="Vendor B")
    t = {name: ticket_make(requester=desk.requester, subject=name) for name in NAMES}
    _escalate(desk, t["current"])
    # A answered and handed back.
    _escalate(desk, t["handed_back"])
    services.ticket_hand_back(ticket=t["handed_back"], actor=desk.vendor_agent, answer="Done")
    # A answered and handed back; the help desk then escalated it to B.
    _escalate(desk, t["now_with_b"])
    services.article_add_note(ticket=t["now_with_b"], actor=desk.vendor_agent, body="A: look")
    services.ticket_hand_back(ticket=t["now_with_b"], actor=desk.vendor_agent, answer="Not us")
    _escalate(desk, t["now_with_b"], vendor_b)
    # Escalated to A, taken back by the help desk before A did anything.
    _escalate(desk, t["pulled_back"])
    services.ticket_hand_back(ticket=t["pulled_back"], actor=desk.agent_l1, answer="Solved")
    # Only ever B's.
    _escalate(desk, t["only_b"], vendor_b)
    for ticket in t.values():
        ticket.refresh_from_db()
    return desk, t


NAMES = ("current", "handed_back", "now_with_b", "pulled_back", "only_b", "never")


def _subjects(page) -> set[str]:
    return {ticket.subject for ticket in page.tickets}


def test_the_vendors_queue_holds_only_what_is_with_it_now(world):
    # given
    desk, _ = world

    # when
    page = ticket_queue(user=desk.vendor_agent, filters=QueueFilters(status="all"))

    # then
    assert _subjects(page) == {"current"}


def test_the_earlier_list_holds_what_it_worked_on_and_handed_back(world):
    # given
    desk, _ = world

    # when
    page = ticket_queue(user=desk.vendor_agent, filters=QueueFilters(status="all", earlier=True))

    # then
    assert _subjects(page) == {"handed_back", "now_with_b"}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("current", {Action.VIEW, Action.NOTE, Action.HAND_BACK}),
        ("handed_back", {Action.VIEW}),
        ("now_with_b", {Action.VIEW}),
        ("pulled_back", set()),
        ("only_b", set()),
        ("never", set()),
    ],
)
def test_what_the_vendor_may_do_on_each_ticket(world, name, expected):
    # given
    desk, t = world
    agent, ticket = desk.vendor_agent, t[name]

    # when
    actions = permissions.allowed_actions(agent, ticket)
    listed = permissions.ticket_visible_to(agent).filter(pk=ticket.pk).exists()
    try:
        found = ticket_get(user=agent, pk=ticket.pk)
    except Http404:
        found = None

    # then
    assert set(actions) == expected
    assert permissions.can_view(agent, ticket) == bool(expected)
    assert listed == bool(expected)
    assert (found is not None) == bool(expected)


@pytest.mark.parametrize(
    "write",
    [
        lambda d, t: services.article_add_note(ticket=t, actor=d.vendor_agent, body="late"),
        lambda d, t: services.ticket_hand_back(ticket=t, actor=d.vendor_agent, answer="again"),
        lambda d, t: services.ticket_set_vendor_reference(
            ticket=t, actor=d.vendor_agent, reference="CASE-1"
        ),
    ],
    ids=["note", "hand_back", "reference"],
)
@pytest.mark.parametrize("name", ["handed_back", "now_with_b"])
def test_every_write_on_a_handed_back_ticket_is_refused_by_the_services(world, name, write):
    # given
    desk, t = world
    ticket = t[name]
    version, articles = ticket.version, ticket.articles.count()

    # when
    with pytest.raises(PermissionDeniedError):
        write(desk, ticket)

    # then
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert (fresh.version, fresh.articles.count()) == (version, articles)


def test_the_other_vendor_sees_only_its_own(world):
    # given
    _, t = world
    agent_b = user_make(role=Role.VENDOR_AGENT, vendor=t["only_b"].vendor)

    # when
    now = ticket_queue(user=agent_b, filters=QueueFilters(status="all"))
    earlier = ticket_queue(user=agent_b, filters=QueueFilters(status="all", earlier=True))

    # then
    assert _subjects(now) == {"now_with_b", "only_b"}
    assert _subjects(earlier) == set()


def test_the_filter_choices_come_from_the_vendors_own_tickets(world):
    # given: the other organisation's ticket with its own site, team and category
    desk, t = world
    from .factories import category_make

    foreign = ticket_make(
        requester=desk.other_requester,
        site=desk.other_site,
        team=desk.l2_team,
        category=category_make(name="Foreign"),
    )
    _escalate(desk, foreign, t["only_b"].vendor)
    mine = ticket_make(requester=desk.requester, site=desk.site, team=desk.l1_team)
    _escalate(desk, mine)

    # when
    refs = vendor_ticket_refs(user=desk.vendor_agent)

    # then
    assert refs.organisations == {desk.organisation.pk}
    assert refs.sites == {desk.site.pk}
    assert refs.teams == {desk.l1_team.pk}
    assert foreign.category_id not in refs.categories


def test_a_user_without_a_vendor_gets_nothing():
    # given
    desk = desk_make()
    ticket = ticket_make(requester=desk.requester)
    _escalate(desk, ticket)
    vendorless = user_make(role=Role.VENDOR_AGENT)

    # when
    now = ticket_queue(user=vendorless, filters=QueueFilters(status="all"))
    earlier = ticket_queue(user=vendorless, filters=QueueFilters(status="all", earlier=True))

    # then
    assert (now.tickets, earlier.tickets) == ([], [])
    assert vendor_ticket_refs(user=vendorless).organisations == set()


def test_the_vendors_queue_reads_a_partial_index_of_tickets_with_a_vendor():
    # given: what the migrations built on this database
    with connection.cursor() as cursor:
        indexes = connection.introspection.get_constraints(cursor, Ticket._meta.db_table)

    # then
    assert indexes["tk_vendor_now"]["columns"] == ["vendor_now", "created_at", "id"]


def test_the_vendors_queue_query_uses_that_index(world):
    # given: many active tickets with another vendor, many this vendor handed back, and the
    # planner's statistics
    desk, t = world
    from django.utils import timezone

    from ayuda.tickets.models import ACTIVE

    now = timezone.now()
    Ticket.objects.bulk_create(
        Ticket(
            subject="Bulk",
            channel=like.channel,
            state_id=like.state_id,
            state_category=like.state_category,
            level=like.level,
            vendor_id=like.vendor_id,
            requester_id=like.requester_id,
            created_at=now,
            updated_at=now,
        )
        for like in (t["only_b"], t["handed_back"])
        for _ in range(3000)
    )
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Ticket._meta.db_table}")
    # the query the queue runs for the vendor (active tickets, oldest first)
    scope = permissions.vendor_tickets(desk.vendor_agent)
    query = Ticket.objects.filter(scope).filter(ACTIVE).order_by("created_at", "id")[:51]

    # when
    plan = query.explain()
    found = list(query.values_list("subject", flat=True))

    # then: the vendor's one current ticket, found through the partial index on both
    # databases (with vendor and level apart, PostgreSQL estimated a quarter of the table and
    # walked the active queue: docs/performance.md, "A vendor agent's queue")
    assert found == ["current"]
    assert "tk_vendor_now" in plan, plan
