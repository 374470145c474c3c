"""The queue (keyset pagination, filters, scope, query count), ticket_get and the timeline."""

import datetime as dt

import pytest
from django.db import connection
from django.http import Http404
from django.utils import timezone

from ayuda.accounts.models import Level, Role
from ayuda.accounts.tests.factories import site_make, user_make
from ayuda.tickets import services
from ayuda.tickets.attachments import IncomingFile
from ayuda.tickets.models import (
    Category,
    Channel,
    EscalationMode,
    StateCategory,
    Ticket,
    TicketType,
)
from ayuda.tickets.selectors import (
    QUEUE_PREFETCH,
    QueueFilters,
    ticket_get,
    ticket_queue,
    ticket_timeline,
)
from ayuda.tickets.tests.factories import desk_make, ticket_make
from ayuda.tickets.tests.files import png_bytes

pytestmark = pytest.mark.django_db

START = timezone.now().replace(microsecond=0) - dt.timedelta(days=30)


def _at(minutes):
    return START + dt.timedelta(minutes=minutes)


def _walk(user, filters, limit):
    """Every ticket id of the queue, page by page, and the number of pages."""
    seen, cursor, pages = [], None, 0
    while True:
        page = ticket_queue(user=user, filters=filters, cursor=cursor, limit=limit)
        pages += 1
        seen += [t.pk for t in page.tickets]
        assert len(page.tickets) <= limit
        if page.next_cursor is None:
            return seen, pages
        cursor = page.next_cursor


def _mixed_queue(desk):
    """Fourteen active tickets (three share a creation time) and two that are done."""
    times = [5, 1, 9, 3, 3, 3, 12, 7, 2, 11, 8, 6, 10, 4]
    active = [ticket_make(requester=desk.requester, at=_at(m)) for m in times]
    done = [ticket_make(requester=desk.requester, at=_at(m)) for m in (0, 13)]
    services.ticket_resolve(ticket=done[0], actor=desk.agent_l1, solution="Done")
    services.ticket_resolve(ticket=done[1], actor=desk.agent_l1, solution="Done")
    services.ticket_close(ticket=done[1], actor=desk.agent_l1)
    return active, done


@pytest.mark.parametrize("limit", [1, 4, 5, 14, 50])
def test_keyset_pages_return_every_active_ticket_once_oldest_first(limit):
    # given
    desk = desk_make()
    active, _done = _mixed_queue(desk)
    expected = [t.pk for t in sorted(active, key=lambda t: (t.created_at, t.pk))]

    # when
    seen, pages = _walk(desk.agent_l1, QueueFilters(), limit)

    # then
    assert seen == expected
    assert pages == max(1, -(-len(expected) // limit))


@pytest.mark.parametrize("limit", [1, 3, 50])
def test_keyset_pages_newest_first(limit):
    # given
    desk = desk_make()
    active, _done = _mixed_queue(desk)
    expected = [t.pk for t in sorted(active, key=lambda t: (t.created_at, t.pk), reverse=True)]

    # when
    seen, _pages = _walk(desk.agent_l1, QueueFilters(order="newest"), limit)

    # then
    assert seen == expected


def test_a_garbled_cursor_starts_from_the_first_page():
    # given
    desk = desk_make()
    active, _done = _mixed_queue(desk)
    oldest = min(active, key=lambda t: (t.created_at, t.pk))

    # when
    page = ticket_queue(user=desk.agent_l1, filters=QueueFilters(), cursor="%%%not-base64", limit=1)

    # then
    assert [t.pk for t in page.tickets] == [oldest.pk]


@pytest.mark.parametrize(
    ("status", "expected"),
    [("active", 14), ("all", 16), ("resolved", 1), ("closed", 1), ("new", 14), ("bogus", 14)],
)
def test_status_filter(status, expected):
    # given
    desk = desk_make()
    _mixed_queue(desk)

    # when
    seen, _pages = _walk(desk.agent_l1, QueueFilters(status=status), 50)

    # then
    assert len(seen) == expected


def test_status_filter_by_state_id():
    # given
    desk = desk_make()
    _active, done = _mixed_queue(desk)

    # when
    page = ticket_queue(
        user=desk.agent_l1,
        filters=QueueFilters(status=str(Ticket.objects.get(pk=done[1].pk).state_id)),
    )

    # then
    assert [t.pk for t in page.tickets] == [done[1].pk]


def _filter_world(desk):
    """Tickets that differ in one attribute each from a plain one."""
    hardware = Category.objects.create(name="Hardware")
    plain = ticket_make(requester=desk.requester, subject="Plain one", at=_at(1))
    level2 = ticket_make(requester=desk.requester, subject="Level two", at=_at(2))
    services.ticket_escalate(
        ticket=level2,
        actor=desk.agent_l1,
        team=desk.l2_team,
        mode=EscalationMode.TRANSFER,
        reason="L2",
    )
    mine = ticket_make(requester=desk.requester, subject="Mine", at=_at(3))
    services.ticket_assign(ticket=mine, actor=desk.agent_l1, team=desk.l1_team, owner=desk.agent_l1)
    categorised = ticket_make(
        requester=desk.requester, subject="Categorised", category=hardware, at=_at(4)
    )
    sited = ticket_make(requester=desk.requester, subject="At the site", site=desk.site, at=_at(5))
    phoned = ticket_make(
        requester=desk.requester,
        actor=desk.agent_l1,
        subject="Phoned in",
        channel=Channel.PHONE,
        at=_at(6),
    )
    problem = ticket_make(
        requester=desk.requester, subject="Printer problem", type=TicketType.PROBLEM, at=_at(7)
    )
    return {
        "plain": plain,
        "level2": level2,
        "mine": mine,
        "categorised": categorised,
        "sited": sited,
        "phoned": phoned,
        "problem": problem,
        "hardware": hardware,
    }


@pytest.mark.parametrize(
    ("make_filters", "expected"),
    [
        (lambda d, w: QueueFilters(level=Level.L2), ["level2"]),
        (lambda d, w: QueueFilters(team=d.l2_team.pk), ["level2"]),
        (lambda d, w: QueueFilters(team=d.l1_team.pk), ["mine"]),
        (lambda d, w: QueueFilters(owner="me"), ["mine"]),
        (lambda d, w: QueueFilters(owner=str(d.agent_l1.pk)), ["mine"]),
        (
            lambda d, w: QueueFilters(owner="none"),
            ["plain", "level2", "categorised", "sited", "phoned", "problem"],
        ),
        (lambda d, w: QueueFilters(category=w["hardware"].pk), ["categorised"]),
        (lambda d, w: QueueFilters(site=d.site.pk), ["sited"]),
        (lambda d, w: QueueFilters(channel=Channel.PHONE), ["phoned"]),
        (lambda d, w: QueueFilters(type=TicketType.PROBLEM), ["problem"]),
        (lambda d, w: QueueFilters(q="PRINTER"), ["problem"]),
        (lambda d, w: QueueFilters(q=f"#{w['sited'].pk}"), ["sited"]),
        (lambda d, w: QueueFilters(q=f" {w['phoned'].pk} "), ["phoned"]),
        (lambda d, w: QueueFilters(q="#999999999"), []),
        (lambda d, w: QueueFilters(organisation=d.other_organisation.pk), []),
        (lambda d, w: QueueFilters(level=Level.L2, q="plain"), []),
    ],
    ids=[
        "level",
        "team_l2",
        "team_l1",
        "owner_me",
        "owner_id",
        "owner_none",
        "category",
        "site",
        "channel",
        "type",
        "text",
        "hash_number",
        "bare_number",
        "unknown_number",
        "organisation",
        "combined",
    ],
)
def test_queue_filters(make_filters, expected):
    # given
    desk = desk_make()
    world = _filter_world(desk)
    filters = make_filters(desk, world)

    # when
    page = ticket_queue(user=desk.agent_l1, filters=filters)

    # then
    assert [t.pk for t in page.tickets] == [world[name].pk for name in expected]


def test_customers_only_see_their_scope_in_the_queue():
    # given
    desk = desk_make()
    colleague = user_make(role=Role.REQUESTER, organisation=desk.organisation)
    mine = ticket_make(requester=desk.requester, at=_at(1))
    at_site = ticket_make(requester=colleague, site=desk.site, at=_at(2))
    elsewhere = ticket_make(
        requester=colleague, site=site_make(organisation=desk.organisation), at=_at(3)
    )
    foreign = ticket_make(requester=desk.other_requester, site=desk.other_site, at=_at(4))

    # when
    as_requester = [t.pk for t in ticket_queue(user=desk.requester, filters=QueueFilters()).tickets]
    as_site_admin = [
        t.pk for t in ticket_queue(user=desk.site_admin, filters=QueueFilters()).tickets
    ]
    as_agent = [t.pk for t in ticket_queue(user=desk.agent_l1, filters=QueueFilters()).tickets]
    by_number = ticket_queue(user=desk.requester, filters=QueueFilters(q=f"#{foreign.pk}"))

    # then
    assert as_requester == [mine.pk]
    assert as_site_admin == [at_site.pk]
    assert as_agent == [mine.pk, at_site.pk, elsewhere.pk, foreign.pk]
    assert by_number.tickets == []


@pytest.mark.parametrize("count", [5, 60])
@pytest.mark.parametrize("role", [Role.AGENT_L1, Role.SITE_ADMIN, Role.VENDOR_AGENT])
def test_a_queue_page_costs_a_fixed_number_of_queries_whatever_the_number_of_tickets(
    count, role, django_assert_max_num_queries
):
    # given
    desk = desk_make()
    for n in range(count):
        ticket = ticket_make(requester=desk.requester, site=desk.site, at=_at(n))
        services.ticket_escalate_to_vendor(
            ticket=ticket, actor=desk.agent_l1, vendor=desk.vendor, reason="Bug"
        )
        services.ticket_assign(
            ticket=ticket, actor=desk.agent_l1, team=desk.l1_team, owner=desk.agent_l1
        )
    user = desk.user(role)

    # when
    pages = []
    cursor = None
    for _ in range(2):
        # The page (tickets alone, no join), then one query per related table it shows
        # (state, requester, team, owner, category, site, organisation), never one per ticket.
        with django_assert_max_num_queries(3 + len(QUEUE_PREFETCH)):
            page = ticket_queue(user=user, filters=QueueFilters(), cursor=cursor, limit=50)
            # Everything a queue row shows is already loaded.
            rows = [
                (t.state.name, t.team.name, t.owner.username, t.requester.username, t.site.name)
                for t in page.tickets
            ]
        pages.append(rows)
        cursor = page.next_cursor
        if cursor is None:
            break

    # then
    assert [len(rows) for rows in pages] == ([5] if count == 5 else [50, 10])


# --- ticket_get ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "visible"),
    [
        (Role.REQUESTER, False),
        (Role.SITE_ADMIN, False),
        (Role.VENDOR_AGENT, False),
        (Role.AGENT_L1, True),
        (Role.ADMIN, True),
    ],
)
def test_ticket_get_gives_404_outside_the_scope(role, visible):
    # given: a ticket of the other organisation, never escalated to the desk's vendor
    desk = desk_make()
    foreign = ticket_make(requester=desk.other_requester, site=desk.other_site)

    # when
    try:
        found = ticket_get(user=desk.user(role), pk=foreign.pk)
    except Http404:
        found = None

    # then
    assert (found is not None) == visible
    if visible:
        assert found.pk == foreign.pk


@pytest.mark.parametrize("pk", [999_999, "abc"])
def test_ticket_get_gives_404_for_missing_or_malformed_numbers(pk):
    # given
    desk = desk_make()
    ticket_make(requester=desk.requester)

    # when / then
    with pytest.raises(Http404):
        ticket_get(user=desk.agent_l1, pk=pk)


def test_ticket_get_returns_the_customers_own_ticket():
    # given
    desk = desk_make()
    ticket = ticket_make(requester=desk.requester)

    # when
    found = ticket_get(user=desk.requester, pk=ticket.pk)

    # then
    assert found == ticket


# --- ticket_timeline ----------------------------------------------------------------------


def _grow(ticket, desk, rounds):
    for n in range(rounds):
        services.article_add_reply(
            ticket=ticket,
            actor=desk.agent_l1,
            body=f"reply {n}",
            attachments=[IncomingFile(f"r{n}.png", png_bytes())],
        )
        services.article_add_note(ticket=ticket, actor=desk.agent_l2, body=f"note {n}")
        services.article_add_customer(
            ticket=ticket,
            author=desk.requester,
            body=f"answer {n}",
            attachments=[IncomingFile(f"a{n}.png", png_bytes())],
        )


@pytest.mark.parametrize(("role", "queries"), [(Role.AGENT_L1, 3), (Role.REQUESTER, 2)])
@pytest.mark.parametrize("rounds", [1, 8])
def test_timeline_costs_the_same_queries_however_long_the_ticket(
    role, queries, rounds, django_assert_num_queries
):
    # given
    desk = desk_make()
    ticket = ticket_make(requester=desk.requester)
    _grow(ticket, desk, rounds)
    ticket = Ticket.objects.get(pk=ticket.pk)
    user = desk.user(role)

    # when
    with django_assert_num_queries(queries):
        timeline = ticket_timeline(user=user, ticket=ticket)
        shown = [
            (a.author.username, [f.filename for f in a.attachments.all()])
            for a in timeline["articles"]
        ]
        actors = [e.actor.username if e.actor else "" for e in timeline["events"]]

    # then
    public = 1 + 2 * rounds
    assert len(shown) == (public + rounds if role == Role.AGENT_L1 else public)
    assert sum(len(files) for _author, files in shown) == 2 * rounds
    if role == Role.AGENT_L1:
        assert len(actors) == ticket.events.count()
    else:
        assert actors == []
        assert all(not a.internal for a in timeline["articles"])


def test_timeline_lists_articles_in_order_with_their_attachments():
    # given
    desk = desk_make()
    ticket = ticket_make(requester=desk.requester)
    _grow(ticket, desk, 2)

    # when
    timeline = ticket_timeline(user=desk.requester, ticket=ticket)

    # then
    assert [(a.body, [f.filename for f in a.attachments.all()]) for a in timeline["articles"]] == [
        ("It smells of smoke.", []),
        ("reply 0", ["r0.png"]),
        ("answer 0", ["a0.png"]),
        ("reply 1", ["r1.png"]),
        ("answer 1", ["a1.png"]),
    ]
    assert Ticket.objects.get(pk=ticket.pk).state_category == StateCategory.OPEN


def test_the_text_filter_has_a_trigram_index_on_postgresql():
    # given: what the migrations built on this database
    with connection.cursor() as cursor:
        indexes = connection.introspection.get_constraints(cursor, Ticket._meta.db_table)

    # then: PostgreSQL gets the index for "contains" searches; SQLite, the embedded default
    # for small desks, scans
    assert ("tk_subject_trgm" in indexes) == (connection.vendor == "postgresql")
