"""TicketHour, the hourly roll-up of the facts: kept current through the real ticket services
(after commit), equal to a grouping of the facts, rebuilt from scratch to the same rows, and
read by the overview's counts exactly as the facts would give them."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ayuda.reports import tickets
from ayuda.reports.facts import facts_refresh, ticket_hours_rebuild, ticket_hours_refresh
from ayuda.reports.filters import ReportFilters
from ayuda.reports.models import TicketFact, TicketHour
from ayuda.reports.tickets import Report
from ayuda.tickets import services
from ayuda.tickets.models import Channel, EscalationMode
from ayuda.tickets.tests.factories import desk_make, ticket_make

T0 = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)  # a Monday, 16:00 UTC
COUNTS = ("tickets", "resolved", "fcr", "escalated_l2", "escalated_vendor", "reopened")


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


@pytest.fixture
def desk(db):
    return desk_make()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a service and its after-commit handlers (the reports' among them)."""

    def run(fn, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(**kwargs)

    return run


def rollup() -> dict[tuple, tuple]:
    return {
        (row[0], row[1]): tuple(row[2:])
        for row in TicketHour.objects.values_list("hour", "channel", *COUNTS)
    }


def grouped_facts() -> dict[tuple, tuple]:
    """The roll-up computed here, in Python, from the facts."""
    rows: dict[tuple, list[int]] = {}
    for fact in TicketFact.objects.all():
        hour = fact.created_at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
        row = rows.setdefault((hour, fact.channel), [0] * len(COUNTS))
        for i, value in enumerate(
            (
                True,
                fact.resolved_at is not None,
                fact.fcr,
                fact.escalated_l2,
                fact.escalated_vendor,
                fact.reopens > 0,
            )
        ):
            row[i] += int(value)
    return {key: tuple(row) for key, row in rows.items()}


def test_the_roll_up_follows_create_escalate_resolve_and_reopen(desk, committed):
    # given two portal tickets and a phone one in the 16:00 hour, and a portal one at 17:10
    first = committed(
        ticket_make, requester=desk.requester, team=desk.l1_team, channel=Channel.PORTAL, at=at(0)
    )
    second = committed(
        ticket_make, requester=desk.requester, team=desk.l1_team, channel=Channel.PORTAL, at=at(5)
    )
    committed(
        ticket_make, requester=desk.requester, team=desk.l1_team, channel=Channel.PHONE, at=at(50)
    )
    committed(
        ticket_make, requester=desk.requester, team=desk.l1_team, channel=Channel.PORTAL, at=at(70)
    )
    hour16, hour17 = T0, T0 + timedelta(hours=1)
    assert rollup() == {
        (hour16, "portal"): (2, 0, 0, 0, 0, 0),
        (hour16, "phone"): (1, 0, 0, 0, 0, 0),
        (hour17, "portal"): (1, 0, 0, 0, 0, 0),
    }
    # when the first is resolved at once (first-contact resolution), the second escalated to
    # level 2 and to a vendor, resolved, and reopened by the customer writing back
    committed(
        services.ticket_resolve, ticket=first, actor=desk.agent_l1, solution="Done.", at=at(90)
    )
    committed(
        services.ticket_escalate,
        ticket=second,
        actor=desk.agent_l1,
        team=desk.l2_team,
        mode=EscalationMode.TRANSFER,
        reason="Needs level 2",
        at=at(100),
    )
    committed(
        services.ticket_escalate_to_vendor,
        ticket=second,
        actor=desk.agent_l2,
        vendor=desk.vendor,
        reason="Firmware",
        at=at(110),
    )
    committed(
        services.ticket_resolve, ticket=second, actor=desk.agent_l2, solution="Fixed.", at=at(120)
    )
    committed(
        services.article_add_customer,
        ticket=second,
        author=desk.requester,
        body="Broken again.",
        at=at(130),
    )
    # then the 16:00 portal row counts: 2 tickets, 2 resolved, 1 fcr, 1 l2, 1 vendor, 1 reopened
    assert rollup() == {
        (hour16, "portal"): (2, 2, 1, 1, 1, 1),
        (hour16, "phone"): (1, 0, 0, 0, 0, 0),
        (hour17, "portal"): (1, 0, 0, 0, 0, 0),
    }
    assert rollup() == grouped_facts()


def test_a_ticket_moved_to_another_team_stays_counted_once(desk, committed):
    # given a ticket of level 1 in the 16:00 hour
    ticket = committed(ticket_make, requester=desk.requester, team=desk.l1_team, at=at(0))
    # when it moves to the level-2 team (its fact changes team and level)
    committed(
        services.ticket_escalate,
        ticket=ticket,
        actor=desk.agent_l1,
        team=desk.l2_team,
        mode=EscalationMode.TRANSFER,
        reason="Needs level 2",
        at=at(5),
    )
    # then its hour still holds one ticket, now escalated; the team's view (from the facts)
    # and the unfiltered one (from the roll-up) agree
    assert TicketFact.objects.get(ticket=ticket).team_id == desk.l2_team.pk
    assert rollup() == {(T0, ticket.channel): (1, 0, 0, 1, 0, 0)}
    day = date(2026, 3, 2)
    everyone = ReportFilters(first_day=day, last_day=day)
    team = everyone.but(team=desk.l2_team.pk)
    assert tickets.hourly(everyone) and not tickets.hourly(team)
    assert Report(everyone).totals == Report(team).totals
    assert Report(everyone.but(team=desk.l1_team.pk)).totals["n"] == 0


def test_rebuild_gives_the_rows_the_incremental_path_wrote(desk, committed):
    # given tickets kept current after each change, in two hours and two channels
    first = committed(ticket_make, requester=desk.requester, team=desk.l1_team, at=at(0))
    committed(services.ticket_resolve, ticket=first, actor=desk.agent_l1, solution="Ok.", at=at(15))
    committed(
        ticket_make, requester=desk.requester, team=desk.l1_team, channel=Channel.CHAT, at=at(61)
    )
    incremental = rollup()
    assert sum(n[0] for n in incremental.values()) == 2
    # when the roll-up is emptied and rebuilt
    TicketHour.objects.all().delete()
    written = ticket_hours_rebuild()
    # then the same rows
    assert written == 2
    assert rollup() == incremental == grouped_facts()


def test_a_refresh_of_one_hour_leaves_the_other_hours_alone(desk, committed):
    # given tickets at 16:00 and 17:10 with their roll-up, and a stray row for 17:00
    committed(ticket_make, requester=desk.requester, at=at(0))
    later = committed(ticket_make, requester=desk.requester, at=at(70))
    TicketHour.objects.filter(hour=T0 + timedelta(hours=1)).update(tickets=9)
    # when only the first hour's tickets are refreshed, in three statements at most after the
    # facts' own (the hours, a delete, an insert)
    first_ids = list(TicketFact.objects.exclude(ticket=later).values_list("ticket_id", flat=True))
    with CaptureQueriesContext(connection) as ctx:
        facts_refresh(first_ids)
    # then the 16:00 row is recomputed, the 17:00 row is as it was
    assert rollup()[(T0, later.channel)][0] == 1
    assert rollup()[(T0 + timedelta(hours=1), later.channel)][0] == 9
    sql = [q["sql"] for q in ctx.captured_queries if "reports_tickethour" in q["sql"]]
    assert len(sql) == 2  # the delete and the insert
    # and a refresh of unknown tickets writes nothing
    assert ticket_hours_refresh([]) == 0
    assert ticket_hours_refresh([999999]) == 0


def test_the_overview_counts_match_the_facts_in_a_half_hour_zone_too(desk, committed):
    # given tickets at 16:00, 16:40 and 17:10 UTC (21:30, 22:10, 22:40 in Kolkata)
    for minutes in (0, 40, 70):
        committed(ticket_make, requester=desk.requester, at=at(minutes))
    day = date(2026, 3, 2)
    # when viewed from Madrid (roll-up) and from Kolkata (facts: not whole hours)
    madrid = ReportFilters(first_day=day, last_day=day, tz="Europe/Madrid")
    kolkata = madrid.but(tz="Asia/Kolkata")
    # then Madrid: 17:00 twice and 18:00 once; Kolkata: 21:00 once and 22:00 twice
    assert tickets.hourly(madrid) and not tickets.hourly(kolkata)
    assert Report(madrid).by_day_hour == {(day, 17): 2, (day, 18): 1}
    assert Report(kolkata).by_day_hour == {(day, 21): 1, (day, 22): 2}
    assert Report(madrid).totals["n"] == Report(kolkata).totals["n"] == 3
