"""The call figures on hand-built hourly rows: the expected numbers are worked out by hand in
each test (hours in Madrid from UTC across the October 2026 change, percentiles from a
histogram, the service level)."""

from datetime import UTC, date, datetime, timedelta

import pytest

from ayuda.intake.phone.models import WAIT_EDGES, CallHour, CallSource
from ayuda.reports.calls import (
    CallFilters,
    call_figures,
    call_tables,
    histogram_below,
    histogram_percentile,
)
from ayuda.reports.filters import ReportFilters
from ayuda.reports.models import TicketFact
from ayuda.tickets.models import Channel
from ayuda.tickets.tests.factories import ticket_make

N = len(WAIT_EDGES) + 1


def hist(**buckets: int) -> list[int]:
    """A histogram with ``b<i>=count`` set."""
    counts = [0] * N
    for name, count in buckets.items():
        counts[int(name[1:])] = count
    return counts


def hour_row(source, at, *, queue="support", answered=0, abandoned=0, timeout=0, a=None, m=None,
             answered_wait=0, missed_wait=0):  # fmt: skip
    return CallHour.objects.create(
        source=source,
        queue=queue,
        hour=at,
        offered=answered + abandoned + timeout,
        answered=answered,
        abandoned=abandoned,
        timeout=timeout,
        wait_seconds=answered_wait + missed_wait,
        answered_wait_seconds=answered_wait,
        abandoned_wait_seconds=missed_wait,
        answered_waits=a or hist(b0=answered),
        missed_waits=m or hist(b1=abandoned + timeout),
    )


def madrid(first: date, last: date, **kwargs) -> CallFilters:
    return CallFilters(
        report=ReportFilters(first_day=first, last_day=last, tz="Europe/Madrid"), **kwargs
    )


@pytest.fixture
def source(db):
    return CallSource.objects.create(name="PBX", kind="asterisk_queue_log", timezone="UTC")


# --- histograms -------------------------------------------------------------------------


def test_percentile_is_linear_within_its_bucket():
    # given 10 waits in [5, 10) s and 10 in [10, 15) s
    counts = hist(b1=10, b2=10)
    # then the 90th is 18 calls in: 8 of the 10 in [10, 15): 10 + 5 * 8/10 = 14
    assert histogram_percentile(counts, 0.9) == pytest.approx(14.0)
    # and the median is the end of the first full bucket: 5 + 5 * 10/10 = 10
    assert histogram_percentile(counts, 0.5) == pytest.approx(10.0)
    # and the first calls are at the lower edge
    assert histogram_percentile(counts, 0.0) == pytest.approx(5.0)


def test_percentile_in_the_open_bucket_is_its_lower_edge_and_none_without_calls():
    assert histogram_percentile(hist(b0=1, b20=9), 0.9) == 900.0
    assert histogram_percentile([0] * N, 0.9) is None


def test_answered_below_a_threshold_is_exact_at_edges_and_linear_between():
    counts = hist(b0=4, b1=3, b2=2, b3=1, b4=2)  # <5, 5-10, 10-15, 15-20, 20-25
    assert histogram_below(counts, 20) == 10
    assert histogram_below(counts, 22) == pytest.approx(10 + 2 * 2 / 5)
    assert histogram_below(counts, 7) == pytest.approx(4 + 3 * 2 / 5)


# --- figures ----------------------------------------------------------------------------


def test_hours_are_the_viewers_across_the_autumn_change_and_the_range_edges(source):
    # given (Madrid: CEST +2 until 2026-10-25 01:00 UTC, then CET +1)
    hour_row(source, datetime(2026, 10, 24, 21, tzinfo=UTC), answered=50)  # 23:00 on the 24th
    hour_row(source, datetime(2026, 10, 24, 22, tzinfo=UTC), answered=1)  # 00:00 on the 25th
    hour_row(source, datetime(2026, 10, 25, 0, tzinfo=UTC), answered=3)  # 02:00 CEST
    hour_row(source, datetime(2026, 10, 25, 1, tzinfo=UTC), answered=2, abandoned=2)  # 02:00 CET
    hour_row(source, datetime(2026, 10, 26, 8, tzinfo=UTC), answered=5, timeout=1)  # Mon 09:00
    hour_row(source, datetime(2026, 10, 26, 22, tzinfo=UTC), abandoned=1)  # Mon 23:00, last day
    hour_row(source, datetime(2026, 10, 26, 23, tzinfo=UTC), answered=70)  # the 27th: outside

    # when
    figures = call_figures(madrid(date(2026, 10, 25), date(2026, 10, 26)))

    # then both 02 h hours count in 02 h; the 23:00 of the day before and the 27th do not
    assert figures.total.offered == 1 + 3 + 4 + 6 + 1
    assert figures.by_hour[0].offered == 1
    assert figures.by_hour[2].offered == 3 + 4
    assert figures.by_hour[2].missed == 2
    assert figures.by_hour[9].offered == 6
    assert figures.by_hour[23].offered == 1
    assert figures.by_hour[1].offered == 0
    assert figures.by_day[date(2026, 10, 25)].offered == 8
    assert figures.by_day[date(2026, 10, 26)].offered == 7
    # and the heat map's Monday 09 h has the timeout, Sunday 02 h the abandons
    assert figures.by_weekday_hour[(1, 9)].missed == 1
    assert figures.by_weekday_hour[(7, 2)].missed == 2
    assert figures.by_weekday_hour[(1, 23)].missed == 1


def test_service_level_over_offered_without_short_abandons_and_over_answered(source):
    # given 12 answered (10 within 20 s, 2 in [20, 25)), 3 missed of which 1 within 5 s
    hour_row(
        source,
        datetime(2026, 3, 2, 9, tzinfo=UTC),
        answered=12,
        abandoned=2,
        timeout=1,
        a=hist(b0=4, b1=3, b2=2, b3=1, b4=2),
        m=hist(b0=1, b3=2),
        answered_wait=120,
    )
    # when
    figures = call_figures(madrid(date(2026, 3, 2), date(2026, 3, 2)))
    total = figures.total
    # then 10 / (15 - 1) over offered and 10 / 12 over answered
    assert total.offered == 15
    assert total.short_abandons == 1
    assert total.service_level(20) == pytest.approx(100 * 10 / 14)
    assert total.service_level_answered(20) == pytest.approx(100 * 10 / 12)
    assert total.average_wait() == 10
    # and the hour's table says so in Madrid's 10 h (UTC+1 in March)
    tables = {t.key: t for t in call_tables(madrid(date(2026, 3, 2), date(2026, 3, 2)))}
    row = tables["service-level"].rows[10]
    assert [c.value for c in row[1:]] == [15, 10, 1, 71.4, 83.3]


def test_source_and_queue_narrow_the_figures(source):
    other = CallSource.objects.create(name="Other", kind="csv", timezone="UTC")
    at = datetime(2026, 3, 2, 9, tzinfo=UTC)
    hour_row(source, at, queue="sales", answered=2)
    hour_row(source, at, queue="support", answered=3)
    hour_row(other, at, queue="support", answered=7)
    day = date(2026, 3, 2)
    assert call_figures(madrid(day, day)).total.offered == 12
    assert call_figures(madrid(day, day, source=source.pk)).total.offered == 5
    assert call_figures(madrid(day, day, queue="support")).total.offered == 10
    assert call_figures(madrid(day, day, source=source.pk, queue="support")).total.offered == 3


def test_email_arrivals_by_hour_in_the_viewers_zone_and_team_scope(source, db):
    # given two e-mail tickets at 08:30 and 09:10 UTC (09 h and 10 h in Madrid) and a phone one
    def fact(at, channel=Channel.EMAIL, team=None):
        ticket = ticket_make()
        TicketFact.objects.create(
            ticket=ticket, created_at=at, channel=channel, type="incident", level="l1",
            state_category="new", team=team, refreshed_at=at,
        )  # fmt: skip

    fact(datetime(2026, 3, 2, 8, 30, tzinfo=UTC))
    fact(datetime(2026, 3, 2, 9, 10, tzinfo=UTC))
    fact(datetime(2026, 3, 2, 9, 20, tzinfo=UTC), channel=Channel.PHONE)
    day = date(2026, 3, 2)
    # when
    figures = call_figures(madrid(day, day))
    # then
    assert figures.email_by_hour[9] == 1
    assert figures.email_by_hour[10] == 1
    assert sum(figures.email_by_hour) == 2
    # and an agent without those tickets' team sees none
    scoped = CallFilters(
        report=ReportFilters(first_day=day, last_day=day, tz="Europe/Madrid", teams=(999,))
    )
    assert sum(call_figures(scoped).email_by_hour) == 0


def test_wait_table_reports_the_open_bucket_as_at_least_900(source):
    hour_row(source, datetime(2026, 3, 2, 9, tzinfo=UTC), answered=10, a=hist(b20=10),
             answered_wait=10 * 1000)  # fmt: skip
    day = date(2026, 3, 2)
    tables = {t.key: t for t in call_tables(madrid(day, day))}
    row = tables["wait"].rows[10]
    assert row[2].value == 1000
    assert str(row[3]) == ">= 900 s"


def test_local_windows_cover_the_repeated_autumn_hour_and_skip_the_missing_spring_hour():
    from ayuda.reports.calls import local_windows

    autumn = ReportFilters(first_day=date(2026, 10, 25), last_day=date(2026, 10, 25),
                           tz="Europe/Madrid")  # fmt: skip
    # 02:00 CEST is 00:00 UTC, 03:00 CET is 02:00 UTC: both 02 h hours
    assert local_windows(autumn, weekday=None, hour=2) == [
        (datetime(2026, 10, 25, 0, tzinfo=UTC), datetime(2026, 10, 25, 2, tzinfo=UTC))
    ]
    spring = ReportFilters(first_day=date(2026, 3, 29), last_day=date(2026, 3, 29),
                           tz="Europe/Madrid")  # fmt: skip
    assert local_windows(spring, weekday=None, hour=2) == []
    # a Sunday (ISO 7) of Madrid's autumn change is 25 hours long
    ((start, end),) = local_windows(autumn, weekday=7, hour=None)
    assert (start, end - start) == (datetime(2026, 10, 24, 22, tzinfo=UTC), timedelta(hours=25))
    assert local_windows(autumn, weekday=1, hour=None) == []
