"""The demo's phone records (issue 13): weeks of calls with a help desk's weekly shape,
imported through the phone system's import, some of them linked to the demo's phone tickets;
and the tickets themselves shaped the same way."""

from collections import Counter
from datetime import UTC, date, datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from ayuda.demo.calls import SOURCE_NAME, queue_log_text
from ayuda.intake.phone.models import Call, CallHour, CallSource, SourceKind
from ayuda.reports.models import TicketFact
from ayuda.tickets.models import Ticket

MADRID = ZoneInfo("Europe/Madrid")


def _arrivals(text: str) -> list[datetime]:
    return [
        datetime.fromtimestamp(int(line.split("|")[0]), UTC).astimezone(MADRID)
        for line in text.splitlines()
        if "|ENTERQUEUE|" in line
    ]


def test_the_queue_log_has_a_monday_morning_peak_a_lunch_dip_and_quiet_weekends():
    # given five weeks from Monday 2026-10-05
    arrivals = _arrivals(queue_log_text(first_day=date(2026, 10, 5), days=35, tickets=[]))
    by = Counter((at.weekday(), at.hour) for at in arrivals)
    weekday = Counter(at.weekday() for at in arrivals)
    # then
    assert len({at.isocalendar()[:2] for at in arrivals}) == 5
    assert by[(0, 9)] + by[(0, 10)] + by[(0, 11)] > 2 * 3 * by[(0, 14)]  # 9-11 h: twice 14 h
    assert by[(0, 10)] > by[(2, 10)]  # Monday busier than Wednesday
    assert weekday[5] + weekday[6] < weekday[2] / 5
    assert sum(by[(d, 22)] + by[(d, 3)] for d in range(7)) == 0  # nobody calls at night


def test_the_queue_log_puts_an_answered_call_before_each_phone_ticket():
    logged = datetime(2026, 10, 6, 9, 30, tzinfo=UTC)
    text = queue_log_text(
        first_day=date(2026, 10, 5), days=1, tickets=[(logged, "+34 91 555 10 20")]
    )
    lines = [line for line in text.splitlines() if "+34 91 555 10 20" in line]
    assert any(
        (logged - datetime.fromtimestamp(int(line.split("|")[0]), UTC)).total_seconds() in
        range(240, 600) for line in lines
    )  # fmt: skip


@pytest.mark.django_db
def test_the_loaded_demo_has_weeks_of_calls_shaped_like_a_desk(settings, tmp_path):
    # given
    settings.DATA_DIR = tmp_path
    settings.DEBUG = True
    # when
    call_command("load_demo", stdout=StringIO())
    # then a phone system with its calls in at least four weeks, and their hourly roll-up
    source = CallSource.objects.get(name=SOURCE_NAME)
    assert source.kind == SourceKind.ASTERISK_QUEUE_LOG
    assert source.timezone == "Europe/Madrid"
    local = [at.astimezone(MADRID) for at in Call.objects.values_list("arrived_at", flat=True)]
    assert len({at.isocalendar()[:2] for at in local}) >= 4
    monday = Counter(at.hour for at in local if at.weekday() == 0)
    assert monday[9] + monday[10] + monday[11] > monday[14]
    assert min(monday[9], monday[10], monday[11]) > monday[14]
    assert Call.objects.filter(outcome__in=["abandoned", "timeout"]).exists()
    assert CallHour.objects.filter(source=source).count() > 100
    # and some calls are linked to the demo's phone tickets
    assert Call.objects.exclude(ticket=None).filter(ticket__channel="phone").exists()
    # and the tickets follow the week too, their facts rebuilt for the reports
    created = Ticket.objects.exclude(channel="monitoring").values_list("created_at", flat=True)
    tickets = Counter(at.astimezone(MADRID).weekday() for at in created)
    assert tickets[0] > tickets[5] + tickets[6]
    assert TicketFact.objects.count() == Ticket.objects.count()
