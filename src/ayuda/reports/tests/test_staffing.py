"""The staffing recommendation (reports/staffing.py) on hand-built CallHour and TicketFact rows.

The viewer is in Madrid (CET, UTC+1 in November); "today" is Wednesday 2026-11-18, so with two
weeks of history the period is Monday 2026-11-02 00:00 Madrid (= 2026-11-01 23:00 UTC) to
Monday 2026-11-16 00:00 Madrid, and the most recent week starts on 2026-11-09."""

from datetime import UTC, date, datetime

import pytest

from ayuda.intake.phone.models import CallHour, CallSource, SourceKind
from ayuda.reports import erlang
from ayuda.reports.facts import ticket_hours_refresh
from ayuda.reports.models import TicketFact
from ayuda.reports.opening_hours import calendar_default, day_hours, outside_by_hour
from ayuda.reports.staffing import StaffingParams, staffing_compute
from ayuda.sla.models import Calendar
from ayuda.tickets.tests.factories import ticket_make

pytestmark = pytest.mark.django_db

MONDAY, TUESDAY = 0, 1


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def call_hour(source, hour, **counts) -> CallHour:
    counts.setdefault("answered", 0)
    counts.setdefault("offered", counts["answered"])
    return CallHour.objects.create(source=source, queue="support", hour=hour, **counts)


def fact(created_at, channel) -> TicketFact:
    ticket = ticket_make(channel=channel)
    fact = TicketFact.objects.create(
        ticket=ticket,
        created_at=created_at,
        channel=channel,
        type="incident",
        level="l1",
        state_category="new",
        refreshed_at=created_at,
    )
    ticket_hours_refresh([ticket.pk])  # the hourly roll-up the page reads
    return fact


def params(**kwargs) -> StaffingParams:
    kwargs.setdefault("tz", "Europe/Madrid")
    kwargs.setdefault("today", date(2026, 11, 18))
    kwargs.setdefault("weeks", 2)
    return StaffingParams(**kwargs)


@pytest.fixture
def traffic(settings):
    settings.AYUDA_STAFFING_AHT_MIN_CALLS = 20
    settings.AYUDA_STAFFING_WRAP_SECONDS = 30
    settings.AYUDA_STAFFING_DEFERRED_MINUTES = 8
    source = CallSource.objects.create(name="PBX", kind=SourceKind.ASTERISK_QUEUE_LOG)
    # Monday 00:00 in Madrid is Sunday 23:00 UTC: week 1 and week 2 (the recent one)
    call_hour(
        source,
        utc(2026, 11, 1, 23),
        offered=10,
        answered=8,
        abandoned=1,
        timeout=1,
        wait_seconds=600,
        talk_seconds=8 * 240,
    )
    call_hour(
        source,
        utc(2026, 11, 8, 23),
        offered=20,
        answered=18,
        abandoned=2,
        wait_seconds=900,
        talk_seconds=18 * 200,
    )
    # Tuesday 10:00 Madrid, week 1
    call_hour(source, utc(2026, 11, 3, 9), answered=4, wait_seconds=40, talk_seconds=400)
    # Sunday 23:00 Madrid before the period (22:00 UTC): not counted
    call_hour(source, utc(2026, 11, 1, 22), offered=50, answered=50, talk_seconds=5000)
    # Monday 00:30 Madrid, week 2: a chat (real-time) and a phone ticket (the call itself)
    fact(utc(2026, 11, 8, 23, 30), "chat")
    fact(utc(2026, 11, 8, 23, 40), "phone")
    # Tuesday 10:15 Madrid, week 1: two e-mails (deferred)
    fact(utc(2026, 11, 3, 9, 15), "email")
    fact(utc(2026, 11, 3, 9, 20), "email")
    return source


def test_the_forecast_is_the_mean_of_the_same_hour_of_the_week(traffic):
    # when
    result = staffing_compute(params())
    # then: Monday 00:00 Madrid holds the calls of Sunday 23:00 UTC
    monday = result.slot(MONDAY, 0)
    assert result.weeks_used == 2
    assert monday.calls == (10 + 20) / 2
    assert monday.missed == (2 + 2) / 2
    assert monday.actual_calls == 20
    assert monday.real_time == 1 / 2  # the chat; the phone ticket is one of the calls
    assert monday.actual_contacts == 1
    tuesday = result.slot(TUESDAY, 10)
    assert tuesday.calls == 4 / 2
    assert tuesday.deferred == 2 / 2
    assert tuesday.actual_calls == 0
    assert result.slot(6, 23).calls == 0  # the hour before the period is left out
    assert result.calls_total == 34
    assert result.missed_total == 4


def test_handling_time_per_hour_with_enough_calls_else_the_overall_average(traffic):
    # when
    result = staffing_compute(params())
    # then: Monday 00:00 has 26 answered calls (>= 20): its own talk time plus 30 s wrap-up
    monday, tuesday = result.slot(MONDAY, 0), result.slot(TUESDAY, 10)
    assert monday.aht_own
    assert monday.aht == pytest.approx((1920 + 3600) / 26 + 30)  # 242.31 s
    # Tuesday 10:00 has 4: the overall average of the period's 30 answered calls
    assert not tuesday.aht_own
    assert result.aht_overall == pytest.approx((1920 + 3600 + 400) / 30 + 30)  # 227.33 s
    assert tuesday.aht == result.aht_overall


def test_patience_and_agents_per_hour(traffic):
    # when
    result = staffing_compute(params())
    # then: patience = all waits / missed calls = (600 + 900 + 40) / 4
    assert result.patience == 385
    monday = result.slot(MONDAY, 0)
    rate, aht = 15 + 0.5, (1920 + 3600) / 26 + 30
    assert monday.agents_c == erlang.agents_needed(rate, aht, 0.8, 20, 0.85)
    # 15.5 an hour at 242 s is 1.04 Erlangs: 2 agents by Erlang C at 85 % occupancy
    assert monday.agents_c == 3
    assert monday.agents_a == erlang.agents_needed_a(rate, aht, 385, 0.8, 20, 0.85)
    assert monday.recommended == monday.agents_a  # no deferred work at that hour
    assert monday.at_recommended.agents == monday.agents_a
    assert monday.at_fewer.agents == monday.agents_a - 1
    assert monday.at_fewer.service_level < monday.at_recommended.service_level
    assert monday.at_fewer.abandon > monday.at_recommended.abandon
    # Tuesday 10:00: 2 calls an hour plus 1 e-mail of 8 minutes at 85 % = 0.157 agents
    tuesday = result.slot(TUESDAY, 10)
    assert tuesday.deferred_agents == pytest.approx(1 * 8 / 60 / 0.85)
    assert tuesday.recommended == tuesday.agents_a + 1
    # an empty hour needs nobody
    assert result.slot(3, 4).recommended == 0


def test_phone_tickets_stand_for_calls_when_there_are_no_call_records():
    # given no call records: a phone ticket on Monday 00:30 Madrid, week 2 (the only week with
    # records: the mean is over that one week)
    fact(utc(2026, 11, 8, 23, 30), "phone")
    # when
    result = staffing_compute(params())
    # then
    assert not result.has_calls
    assert result.weeks_used == 1
    assert result.slot(MONDAY, 0).real_time == 1
    assert result.patience is None
    assert result.slot(MONDAY, 0).agents_a is None
    assert result.slot(MONDAY, 0).recommended == result.slot(MONDAY, 0).agents_c == 1
    assert result.aht_source == "default"


def test_a_short_history_is_averaged_over_the_weeks_it_covers(traffic):
    # when eight weeks are asked for but the records start three weeks back (the Sunday
    # 23:00 Madrid row of 2026-11-01 is in the week of 2026-10-26)
    result = staffing_compute(params(weeks=8))
    # then
    assert result.weeks_used == 3
    assert result.slot(MONDAY, 0).calls == 30 / 3
    assert result.slot(6, 23).calls == 50 / 3


def test_a_queue_filter_reads_only_that_queue(traffic):
    # given another queue's calls on Monday 00:00 Madrid
    CallHour.objects.create(source=traffic, queue="sales", hour=utc(2026, 11, 8, 23), offered=100)
    # when
    result = staffing_compute(params(queue="support"))
    # then
    assert result.slot(MONDAY, 0).calls == 15


def test_opening_hours_shares_and_an_hour_more_or_less(traffic):
    # given Monday to Friday 09:00-18:00 in Madrid, and an always-open calendar
    Calendar.objects.create(name="24x7", always_open=True)
    office = Calendar.objects.create(
        name="Office",
        timezone="Europe/Madrid",
        hours={d: [["09:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
    )
    # when
    assert calendar_default() == office
    result = staffing_compute(params(calendar=office))
    # then: Monday 00:00 is closed, Tuesday 10:00 open
    assert result.slot(MONDAY, 0).open_fraction == 0
    assert result.slot(TUESDAY, 10).open_fraction == 1
    by_hour = {row[0]: row[1:] for row in outside_by_hour(result)}
    # 00:00: 15 calls + 0.5 chat a week, all outside; 2 missed calls a week, all outside
    assert by_hour[0] == (15.5, 15.5, 2.0, 2.0)
    # 10:00: 2 calls + 1 e-mail a week, all inside
    assert by_hour[10] == (3.0, 0.0, 0.0, 0.0)
    days = day_hours(result)
    assert (days[MONDAY].first, days[MONDAY].last) == (9, 17)
    assert days[MONDAY].earlier.hour == 8
    assert days[MONDAY].later.hour == 18
    assert days[TUESDAY].first_slot.contacts == 0  # nothing at 09:00 on Tuesday
    assert days[5].first is None  # Saturday closed


def test_opening_hours_read_in_the_calendars_zone():
    # given a calendar in UTC open 08:00-16:00 on Mondays, a viewer in Madrid (UTC+1)
    cal = Calendar.objects.create(
        name="London desk", timezone="UTC", hours={"mon": [["08:00", "16:00"]]}
    )
    # when
    result = staffing_compute(params(calendar=cal))
    # then: 09:00-17:00 Madrid
    assert result.slot(MONDAY, 8).open_fraction == 0
    assert result.slot(MONDAY, 9).open_fraction == 1
    assert result.slot(MONDAY, 16).open_fraction == 1
    assert result.slot(MONDAY, 17).open_fraction == 0


def test_the_autumn_repeated_hour_counts_twice_in_its_local_hour():
    # given Madrid's clocks go back on Sunday 2026-10-25 at 03:00 CEST: 00:00 UTC and 01:00 UTC
    # are both 02:00 local; the week of 2026-10-19 is the most recent complete one
    source = CallSource.objects.create(name="PBX", kind=SourceKind.ASTERISK_QUEUE_LOG)
    call_hour(source, utc(2026, 10, 25, 0), answered=3, talk_seconds=300)
    call_hour(source, utc(2026, 10, 25, 1), answered=5, talk_seconds=500)
    call_hour(source, utc(2026, 10, 25, 2), answered=7, talk_seconds=700)
    # when
    result = staffing_compute(params(today=date(2026, 10, 28), weeks=1))
    # then
    sunday = 6
    assert result.slot(sunday, 2).calls == 3 + 5
    assert result.slot(sunday, 3).calls == 7
    assert result.slot(sunday, 1).calls == 0
