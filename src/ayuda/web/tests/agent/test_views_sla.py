"""Service levels in the workspace (R22, R28): the delay reason action and badge, the queue's
due badge, "due soonest" order and "breached" filter, the ticket's SLA panel, and the
managers' compliance summary with its CSV export."""

import csv
import io
import zoneinfo
from datetime import datetime, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ayuda.sla.models import ClockState, Side, SlaEventKind, TargetKind
from ayuda.sla.tests.factories_views import (
    clock_make,
    event_make,
    policy_make,
    target_make,
    ticket_due,
)
from ayuda.tickets import services
from ayuda.tickets.models import SavedView, StateCategory
from ayuda.tickets.selectors import PAGE_SIZE
from ayuda.tickets.tests.factories import ticket_in, ticket_make

from .conftest import HX

pytestmark = pytest.mark.django_db
QUEUE = "/agent/"
MEXICO = zoneinfo.ZoneInfo("America/Mexico_City")


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _numbers(response) -> list[int]:
    return [row.ticket.pk for row in response.context["rows"]]


def _in_mexico(user):
    user.timezone = "America/Mexico_City"
    user.save(update_fields=["timezone"])


# The delay reason (R28) ------------------------------------------------------------------------


def test_an_agent_sets_a_delay_reason_from_the_ticket_page_and_sees_badge_and_history(client, desk):
    # given
    ticket = ticket_make(requester=desk.requester)
    client.force_login(desk.agent_l1)
    url = reverse("agent:ticket_action", args=[ticket.pk, "delay-reason"])
    page = client.get(reverse("agent:ticket", args=[ticket.pk])).content.decode()
    assert f'action="{url}"' in page
    # when
    response = client.post(url, {"version": ticket.version, "reason": "wrong_information"})
    # then
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.delay_reason == "wrong_information"
    page = client.get(reverse("agent:ticket", args=[ticket.pk])).content.decode()
    assert "Delayed: Wrong or incomplete information" in page
    history = client.get(reverse("agent:history", args=[ticket.pk])).content.decode()
    assert "Delay reason" in history and "Wrong or incomplete information" in history


def test_the_delay_badge_and_history_read_in_the_users_language(client, desk):
    ticket = ticket_make(requester=desk.requester)
    services.ticket_set_delay_reason(ticket=ticket, actor=desk.agent_l1, reason="misuse")
    desk.agent_l1.language = "es"
    desk.agent_l1.save(update_fields=["language"])
    client.force_login(desk.agent_l1)
    page = client.get(reverse("agent:ticket", args=[ticket.pk])).content.decode()
    assert "En espera:" in page


def test_an_unknown_delay_reason_comes_back_with_an_error_and_changes_nothing(client, desk):
    ticket = ticket_make(requester=desk.requester)
    client.force_login(desk.agent_l1)
    url = reverse("agent:ticket_action", args=[ticket.pk, "delay-reason"])
    response = client.post(url, {"version": ticket.version, "reason": "holiday"})
    assert response.status_code == 422
    ticket.refresh_from_db()
    assert ticket.delay_reason == ""


def test_a_vendor_agent_is_not_offered_the_delay_reason_and_may_not_post_it(client, desk):
    ticket = ticket_in(StateCategory.PENDING_VENDOR, desk=desk)
    client.force_login(desk.vendor_agent)
    page = client.get(reverse("agent:ticket", args=[ticket.pk]))
    assert "delay-reason" not in [af.action.slug for af in page.context["action_forms"]]
    url = reverse("agent:ticket_action", args=[ticket.pk, "delay-reason"])
    response = client.post(url, {"version": ticket.version, "reason": "misuse"})
    assert response.status_code == 403
    ticket.refresh_from_db()
    assert ticket.delay_reason == ""


# The queue --------------------------------------------------------------------------------------


def test_due_badges_read_in_the_users_time_zone(client, desk):
    # given
    _in_mexico(desk.agent_l1)
    now = timezone.now()
    policy = policy_make()
    due_soon = ticket_make(requester=desk.requester)
    late = ticket_make(requester=desk.requester)
    breached = ticket_make(requester=desk.requester)
    paused = ticket_in(StateCategory.PENDING_CUSTOMER, desk=desk)
    plain = ticket_make(requester=desk.requester)
    soon_at = now + timedelta(hours=2, minutes=10, seconds=40)
    ticket_due(due_soon, sla_policy=policy, sla_due_at=soon_at)
    ticket_due(late, sla_policy=policy, sla_due_at=now - timedelta(minutes=35, seconds=20))
    ticket_due(
        breached,
        sla_policy=policy,
        sla_due_at=now - timedelta(hours=1, seconds=20),
        sla_breached_at=now - timedelta(hours=1),
    )
    ticket_due(paused, sla_policy=policy, sla_due_at=None)
    client.force_login(desk.agent_l1)
    # when
    response = client.get(QUEUE)
    # then
    rows = {row.ticket.pk: row for row in response.context["rows"]}
    assert rows[due_soon.pk].due.text == "due in 2 h 10 min"
    assert rows[late.pk].due.text == "overdue 35 min"
    assert rows[late.pk].due.css == "overdue"
    assert rows[breached.pk].due.css == "breached"
    assert rows[breached.pk].due.text.startswith("breached")
    assert rows[paused.pk].due.text == "paused"
    assert rows[plain.pk].due is None
    html = response.content.decode()
    local = timezone.localtime(soon_at, MEXICO)
    assert f"Due {local:%Y-%m-%d %H:%M} (America/Mexico_City)" in html
    assert 'class="badge sla sla-breached"' in html


def _due_tickets(desk, count, now):
    """``count`` active tickets due in a shuffled order (some at the same minute), and two
    without a due time."""
    tickets = []
    for i in range(count):
        ticket = ticket_make(requester=desk.requester)
        ticket_due(ticket, sla_due_at=now + timedelta(minutes=(i * 7) % count))
        tickets.append(ticket)
    ticket_make(requester=desk.requester)
    ticket_make(requester=desk.requester)
    return tickets


def test_due_soonest_lists_only_tickets_with_a_due_time_by_due_then_id_over_pages(client, desk):
    # given: more than a page (PAGE_SIZE 50), two due at the same time (the id breaks the tie)
    now = timezone.now().replace(microsecond=0)
    tickets = _due_tickets(desk, PAGE_SIZE + 3, now)
    ticket_due(tickets[1], sla_due_at=now)
    ticket_due(tickets[0], sla_due_at=now)
    expected = [t.pk for t in sorted(tickets, key=lambda t: (t.sla_due_at, t.pk))]
    client.force_login(desk.agent_l1)
    # when: page after page
    first = client.get(QUEUE, {"order": "due"})
    assert "Due soonest lists only the tickets with a due time" in first.content.decode()
    second = client.get(first.context["next_url"])
    # then
    assert _numbers(first) + _numbers(second) == expected
    assert len(_numbers(first)) == PAGE_SIZE and second.context["next_url"] is None


def test_due_soonest_pages_with_the_selector_cursor(desk):
    from ayuda.tickets.selectors import QueueFilters, ticket_queue

    now = timezone.now().replace(microsecond=0)
    tickets = _due_tickets(desk, 7, now)
    expected = [
        t.pk
        for t in sorted(
            (type(t).objects.get(pk=t.pk) for t in tickets), key=lambda t: (t.sla_due_at, t.pk)
        )
    ]
    seen, cursor = [], None
    while True:
        page = ticket_queue(
            user=desk.agent_l1, filters=QueueFilters(order="due"), cursor=cursor, limit=3
        )
        seen += [t.pk for t in page.tickets]
        cursor = page.next_cursor
        if not cursor:
            break
    assert seen == expected


def test_the_breached_filter_keeps_the_oldest_first_order_and_the_filters(client, desk):
    # given
    now = timezone.now()
    first = ticket_make(requester=desk.requester, at=now - timedelta(hours=5))
    ticket_make(requester=desk.requester, at=now - timedelta(hours=4))
    second = ticket_make(requester=desk.requester, at=now - timedelta(hours=3), team=desk.l1_team)
    finished = ticket_in(StateCategory.RESOLVED, desk=desk)
    for ticket in (second, first, finished):
        ticket_due(ticket, sla_breached_at=now - timedelta(minutes=5))
    client.force_login(desk.agent_l1)
    # when / then
    assert _numbers(client.get(QUEUE, {"breached": "1"})) == [first.pk, second.pk]
    assert _numbers(client.get(QUEUE, {"breached": "1", "team": desk.l1_team.pk})) == [second.pk]
    assert _numbers(client.get(QUEUE, {"breached": "1", "status": "all"}))[-1] == finished.pk


def test_due_order_and_breached_filter_cost_what_the_queue_costs(client, desk):
    # given
    now = timezone.now()
    for i in range(12):
        ticket = ticket_make(requester=desk.requester, team=desk.l1_team)
        ticket_due(ticket, sla_due_at=now + timedelta(minutes=i), sla_breached_at=now)
    client.force_login(desk.agent_l1)
    client.get(QUEUE)  # warm the session

    def count(params):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(QUEUE, params).status_code == 200
        return len(queries)

    # when / then: the plain queue's count (test_views_queue: 12 with the lists not cached)
    assert count({}) == count({"order": "due"}) == count({"breached": "1"}) == 12


def test_a_saved_view_keeps_due_order_and_breached(client, desk):
    client.force_login(desk.agent_l1)
    client.post(
        reverse("agent:view_save"), {"name": "Late", "query": "order=due&breached=1&bogus=2"}
    )
    view = SavedView.objects.get(user=desk.agent_l1, name="Late")
    assert view.query == "breached=1&order=due"


def test_a_vendor_agent_gets_neither_due_order_nor_breached_filter(client, desk):
    ticket = ticket_in(StateCategory.PENDING_VENDOR, desk=desk)
    ticket_due(ticket, sla_due_at=timezone.now(), sla_breached_at=timezone.now())
    client.force_login(desk.vendor_agent)
    response = client.get(QUEUE, {"order": "due", "breached": "1"})
    form = response.context["form"]
    assert "breached" not in form.fields
    assert "due" not in dict(form.fields["order"].choices)
    assert [row.due for row in response.context["rows"]] == [None]


def test_htmx_due_order_shows_the_note_in_the_results(client, desk):
    client.force_login(desk.agent_l1)
    html = client.get(QUEUE, {"order": "due"}, **HX).content.decode()
    assert html.lstrip().startswith('<div id="results">')
    assert "Due soonest lists only" in html


# The SLA panel ---------------------------------------------------------------------------------


def _clocked_ticket(desk):
    """A ticket escalated to the vendor, with our clock (paused on the customer once, its
    target changed on a priority change, first response breached) and the vendor's clock."""
    ticket = ticket_in(StateCategory.PENDING_VENDOR, desk=desk)
    start = datetime(2026, 3, 2, 15, 0, tzinfo=zoneinfo.ZoneInfo("UTC"))
    ours = clock_make(ticket, started_at=start, policy=policy_make(name="Gold 24x7"))
    target_make(
        ours,
        TargetKind.FIRST_RESPONSE,
        due_at=start + timedelta(hours=1),
        breached_at=start + timedelta(hours=1),
        met_at=start + timedelta(hours=1, minutes=35),
        late_minutes=35,
    )
    target_make(ours, TargetKind.RESOLUTION, minutes=480, due_at=start + timedelta(hours=8))
    event_make(ours, SlaEventKind.STARTED, start)
    event_make(
        ours,
        SlaEventKind.PAUSED,
        start + timedelta(minutes=10),
        data={"reason": "pending_customer"},
    )
    event_make(ours, SlaEventKind.RESUMED, start + timedelta(minutes=20))
    event_make(
        ours,
        SlaEventKind.TARGET_CHANGED,
        start + timedelta(minutes=30),
        target=TargetKind.RESOLUTION,
        data={"field": "priority", "old": 3, "new": 4},
    )
    event_make(
        ours,
        SlaEventKind.BREACHED,
        start + timedelta(hours=1),
        target=TargetKind.FIRST_RESPONSE,
        data={"late_minutes": 35},
    )
    theirs = clock_make(
        ticket,
        side=Side.VENDOR,
        vendor=desk.vendor,
        started_at=start + timedelta(hours=2),
        policy=policy_make(name="Vendor premium", side=Side.VENDOR, vendor=desk.vendor),
        state=ClockState.PAUSED,
        paused_at=start + timedelta(hours=3),
        pause_reason="custom_development",
    )
    target_make(theirs, TargetKind.RESOLUTION, due_at=None)
    event_make(theirs, SlaEventKind.STARTED, start + timedelta(hours=2))
    return ticket


def test_the_sla_panel_explains_each_clock_in_the_users_time_zone(client, desk):
    # given
    ticket = _clocked_ticket(desk)
    _in_mexico(desk.agent_l1)
    client.force_login(desk.agent_l1)
    # when
    response = client.get(reverse("agent:ticket", args=[ticket.pk]))
    # then
    clocks = response.context["sla_clocks"]
    assert [c.title for c in clocks] == ["Our clock", f"Vendor's clock: {desk.vendor.name}"]
    ours, theirs = clocks
    assert ours.policy == "Gold 24x7" and ours.state == "Running"
    assert [(t.kind, t.css) for t in ours.targets] == [
        ("First response", "breached"),
        ("Resolution", ours.targets[1].css),
    ]
    assert ours.targets[0].status.startswith("breached, 35 min late")
    # 15:00 UTC is 09:00 in Mexico City (UTC-6 in March)
    assert ours.targets[0].due == "2026-03-02 10:00"
    texts = [text for _when, text in ours.events]
    assert texts == [
        "Started",
        "Paused: waiting on the customer",
        "Resumed",
        "Target changed: Resolution, priority High → Urgent",
        "Breached: First response, 35 min late",
    ]
    assert ours.events[0][0] == "2026-03-02 09:00"
    assert theirs.state == "Paused" and theirs.paused_reason == "Custom development in progress"
    assert theirs.targets[0].status == "paused"
    html = response.content.decode()
    assert "Times in America/Mexico_City." in html
    assert "Paused: waiting on the customer" in html


def test_a_vendor_agent_sees_its_own_vendor_clock_only(client, desk):
    ticket = _clocked_ticket(desk)
    client.force_login(desk.vendor_agent)
    response = client.get(reverse("agent:ticket", args=[ticket.pk]))
    assert [c.title for c in response.context["sla_clocks"]] == [
        f"Vendor's clock: {desk.vendor.name}"
    ]
    assert response.context["sla_badge"] is None


def test_the_sla_panel_costs_two_queries(client, desk, settings):
    # given: the lists cached, so only the page's own queries count
    settings.AYUDA_LOOKUP_CACHE_SECONDS = 60
    plain = ticket_in(StateCategory.PENDING_VENDOR, desk=desk)
    clocked = _clocked_ticket(desk)
    client.force_login(desk.agent_l1)
    for ticket in (plain, clocked):
        client.get(reverse("agent:ticket", args=[ticket.pk]))  # fill the caches

    def count(ticket):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("agent:ticket", args=[ticket.pk])).status_code == 200
        sla = [q for q in queries.captured_queries if 'FROM "sla_' in q["sql"]]
        return len(queries), len(sla)

    # when
    plain_count, plain_sla = count(plain)
    clocked_count, clocked_sla = count(clocked)
    # then
    assert plain_sla == clocked_sla == 2
    assert plain_count == clocked_count


# Compliance -------------------------------------------------------------------------------------


def _compliance_data(desk):
    """Two policies, two teams, a vendor; targets due on 2026-05-10 (Madrid) met, breached and
    open, plus targets due outside the period."""
    madrid = zoneinfo.ZoneInfo("Europe/Madrid")
    day = datetime(2026, 5, 10, 12, 0, tzinfo=madrid)
    gold, silver = policy_make(name="Gold"), policy_make(name="=Silver")
    vendor_policy = policy_make(name="Vendor", side=Side.VENDOR, vendor=desk.vendor)
    t1 = ticket_make(requester=desk.requester, team=desk.l1_team)
    t2 = ticket_make(requester=desk.requester, team=desk.l2_team)
    c1 = clock_make(t1, started_at=day, policy=gold, state=ClockState.STOPPED)
    c2 = clock_make(t2, started_at=day, policy=silver, state=ClockState.STOPPED)
    c3 = clock_make(t2, started_at=day, policy=vendor_policy, side=Side.VENDOR, vendor=desk.vendor)
    met = {"met_at": day - timedelta(minutes=1)}
    late = {"met_at": day + timedelta(hours=1), "breached_at": day, "late_minutes": 60}
    never = {"breached_at": day}
    for clock, kind, fields in [
        (c1, TargetKind.FIRST_RESPONSE, met),
        (c1, TargetKind.RESOLUTION, late),
        (c2, TargetKind.FIRST_RESPONSE, met),
        (c2, TargetKind.NEXT_UPDATE, met),
        (c2, TargetKind.RESOLUTION, never),
        (c3, TargetKind.RESOLUTION, {}),
        (c3, TargetKind.FIRST_RESPONSE, met),
    ]:
        target_make(clock, kind, due_at=day, **fields)
    # outside the 10th: 21:30 on the 9th in Madrid (19:30 UTC), still open; and a week later
    target_make(c1, TargetKind.NEXT_UPDATE, due_at=datetime(2026, 5, 9, 21, 30, tzinfo=madrid))
    target_make(c1, TargetKind.NEXT_UPDATE, due_at=day + timedelta(days=7), met_at=day)
    return gold, silver


def _manager_in_madrid(desk):
    desk.manager.timezone = "Europe/Madrid"
    desk.manager.save(update_fields=["timezone"])
    return desk.manager


def test_compliance_counts_per_policy_team_and_vendor(client, desk):
    # given
    _compliance_data(desk)
    client.force_login(_manager_in_madrid(desk))
    # when
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("agent:sla"), {"since": "2026-05-10", "until": "2026-05-10"})
    # then
    assert response.status_code == 200
    tables = {t["group"]: t["rows"] for t in response.context["tables"]}
    per = {
        g: {r.name: (r.met, r.breached, r.open, p) for r, p in rows} for g, rows in tables.items()
    }
    assert per["policy"] == {
        "=Silver": (2, 1, 0, "66.7 %"),
        "Gold": (1, 1, 0, "50.0 %"),
        "Vendor": (1, 0, 1, "100.0 %"),
    }
    assert per["team"] == {
        desk.l1_team.name: (1, 1, 0, "50.0 %"),
        desk.l2_team.name: (2, 1, 0, "66.7 %"),
    }
    assert per["vendor"] == {desk.vendor.name: (1, 0, 1, "100.0 %")}
    grouped = [q for q in queries.captured_queries if "GROUP BY" in q["sql"].upper()]
    assert len(grouped) == 3


def test_compliance_filters_by_policy(client, desk):
    gold, _silver = _compliance_data(desk)
    client.force_login(_manager_in_madrid(desk))
    response = client.get(
        reverse("agent:sla"), {"since": "2026-05-01", "until": "2026-05-31", "policy": gold.pk}
    )
    tables = {t["group"]: t["rows"] for t in response.context["tables"]}
    # May: the 10th's two targets, the 9th's open one (9 May 21:30 in Madrid) and the 17th's
    assert [(r.name, r.met, r.breached, r.open) for r, _p in tables["policy"]] == [
        ("Gold", 2, 1, 1)
    ]
    assert tables["vendor"] == []


def test_compliance_refuses_a_reversed_period(client, desk):
    client.force_login(desk.manager)
    response = client.get(reverse("agent:sla"), {"since": "2026-05-10", "until": "2026-05-01"})
    assert response.status_code == 422
    assert "The first day must not be after the last." in response.content.decode()
    assert response.context["tables"] == []


def test_the_csv_export_streams_the_table_and_defuses_formulas(client, desk):
    # given
    _compliance_data(desk)
    client.force_login(_manager_in_madrid(desk))
    # when
    response = client.get(
        reverse("agent:sla_export", args=["policy"]), {"since": "2026-05-10", "until": "2026-05-10"}
    )
    # then
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="sla-policy-')
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows == [
        ["Policy", "Met on time", "Breached", "Open", "On time (%)"],
        ["'=Silver", "2", "1", "0", "66.7"],
        ["Gold", "1", "1", "0", "50.0"],
        ["Vendor", "1", "0", "1", "100.0"],
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [("=1+1", "'=1+1"), ("+3", "'+3"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"), ("Gold", "Gold")],
)
def test_csv_cells_that_look_like_formulas_get_a_quote(value, expected):
    from ayuda.reports.export import csv_cell

    assert csv_cell(value) == expected


@pytest.mark.parametrize("role", ["agent_l1", "agent_l2", "vendor_agent"])
def test_agents_without_a_manager_role_get_403(client, desk, role):
    client.force_login(getattr(desk, role))
    assert client.get(reverse("agent:sla")).status_code == 403
    assert client.get(reverse("agent:sla_export", args=["team"])).status_code == 403
    page = client.get(QUEUE).content.decode()
    assert reverse("agent:sla") not in page


def test_managers_and_admins_find_the_page_in_the_menu(client, desk):
    for user in (desk.manager, desk.admin):
        client.force_login(user)
        assert reverse("agent:sla") in client.get(QUEUE).content.decode()
        assert client.get(reverse("agent:sla")).status_code == 200


def test_an_unknown_table_is_404(client, desk):
    client.force_login(desk.manager)
    assert client.get(reverse("agent:sla_export", args=["site"])).status_code == 404
