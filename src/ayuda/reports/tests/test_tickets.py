"""Every ticket figure on a small hand-computed dataset (TicketFact rows written directly, one
per real ticket), viewed from Madrid over Monday 2 – Sunday 8 March 2026 (UTC+1)."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from ayuda.accounts.models import Level
from ayuda.accounts.tests.factories import organisation_make, site_make, team_make, vendor_make
from ayuda.devices.models import Device
from ayuda.reports.facts import ticket_hours_refresh
from ayuda.reports.filters import ReportFilters
from ayuda.reports.models import TicketFact
from ayuda.reports.tickets import FIGURES, duration, fact_rows, ticket_table
from ayuda.sla.models import Calendar, Side, SlaPolicy
from ayuda.tickets import services
from ayuda.tickets.tests.factories import category_make, desk_make, ticket_make

MADRID = "Europe/Madrid"
FIRST, LAST = date(2026, 3, 2), date(2026, 3, 8)


def utc(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def fact_make(*, created_at: datetime, **values) -> TicketFact:
    ticket = ticket_make(at=created_at)
    values.setdefault("channel", "portal")
    values.setdefault("type", "incident")
    values.setdefault("level", Level.L1)
    values.setdefault("state_category", "new")
    fact = TicketFact.objects.create(
        ticket=ticket, created_at=created_at, refreshed_at=timezone.now(), **values
    )
    ticket_hours_refresh([ticket.pk])
    return fact


@dataclass
class Data:
    a: TicketFact
    b: TicketFact
    c: TicketFact
    d: TicketFact
    e: TicketFact
    f: TicketFact
    hardware: object
    network: object
    o1: object
    o2: object
    s1: object
    s2: object
    t1: object
    t2: object
    vendor: object
    device: object


@pytest.fixture
def data(db) -> Data:
    hardware, network = category_make(name="Hardware"), category_make(name="Network")
    o1, o2 = organisation_make(name="Acme"), organisation_make(name="Brava")
    s1, s2 = site_make(organisation=o1, name="North"), site_make(organisation=o2, name="South")
    t1, t2 = team_make(name="Desk"), team_make(name="Net", level=Level.L2)
    vendor = vendor_make(name="Printco")
    device = Device.objects.create(site=s1, serial="SN-1", name="Printer")
    common = dict(organisation=o1, site=s1, team=t1)
    return Data(
        # Monday 09:15 Madrid: e-mail, resolved at the first contact
        a=fact_make(
            created_at=utc(2, 8, 15),
            channel="email",
            category=hardware,
            device=device,
            state_category="resolved",
            first_response_at=utc(2, 8, 25),
            resolved_at=utc(2, 9, 15),
            first_response_seconds=600,
            resolution_seconds=3600,
            first_response_business=10,
            resolution_business=60,
            customer_messages=1,
            fcr=True,
            **common,
        ),
        # Monday 09:45: e-mail, escalated to level 2, resolved, reopened (open again)
        b=fact_make(
            created_at=utc(2, 8, 45),
            channel="email",
            category=hardware,
            state_category="open",
            level=Level.L2,
            escalated_l2=True,
            first_response_at=utc(2, 9, 5),
            resolved_at=utc(2, 10, 45),
            first_response_seconds=1200,
            resolution_seconds=7200,
            first_response_business=20,
            reopens=1,
            customer_messages=2,
            **common,
        ),
        # Wednesday 14:00: phone, with a vendor
        c=fact_make(
            created_at=utc(4, 13),
            channel="phone",
            category=network,
            organisation=o2,
            site=s2,
            team=t2,
            state_category="pending_vendor",
            level=Level.VENDOR,
            escalated_vendor=True,
            vendor=vendor,
            first_response_at=utc(4, 13, 30),
            first_response_seconds=1800,
        ),
        # Sunday 23:30 Madrid, the last day of the range: counted that day, at 23
        d=fact_make(created_at=utc(8, 22, 30), organisation=o1),
        # Monday 00:30 Madrid, the day after: not counted
        e=fact_make(created_at=utc(8, 23, 30), organisation=o1),
        # February: before the range, still open
        f=fact_make(created_at=utc(20, 10, month=2), state_category="open", organisation=o1),
        hardware=hardware,
        network=network,
        o1=o1,
        o2=o2,
        s1=s1,
        s2=s2,
        t1=t1,
        t2=t2,
        vendor=vendor,
        device=device,
    )


def filters(**kwargs) -> ReportFilters:
    return ReportFilters(first_day=FIRST, last_day=LAST, tz=MADRID, **kwargs)


def values(table) -> list[list]:
    return [[cell.value for cell in row] for row in table.rows]


def texts(table) -> list[list[str]]:
    return [[str(cell) for cell in row] for row in table.rows]


def query(link: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(link).query).items()}


def test_volume_by_channel(data):
    table = ticket_table("channels", filters())
    assert values(table) == [
        ["email", 2, 50.0],
        ["phone", 1, 25.0],
        ["portal", 1, 25.0],
        ["Total", 4, 100.0],
    ]
    assert query(table.rows[0][1].link) == {
        "since": "2026-03-02",
        "until": "2026-03-08",
        "status": "all",
        "channel": "email",
    }


def test_heat_map_in_the_viewers_zone(data):
    table = ticket_table("heatmap", filters())
    cells = {
        (hour, day): row[day].value
        for hour, row in enumerate(table.rows)
        for day in range(1, 8)
        if row[day].value
    }
    # Monday 09 (a and b), Wednesday 14 (c), Sunday 23 (d); e (Monday 00:30) is outside
    assert cells == {(9, 1): 2, (14, 3): 1, (23, 7): 1}
    assert table.rows[9][1].shade == 9
    assert table.rows[23][7].shade == 4  # round(9 * 1 / 2)
    assert query(table.rows[23][7].link)["figure"] == "how:7:23"
    assert table.rows[0][1].link == ""


def test_volume_by_day_shows_every_day(data):
    table = ticket_table("days", filters())
    assert [row[0].value for row in table.rows] == [
        (FIRST + timedelta(days=i)).isoformat() for i in range(7)
    ]
    assert [row[1].value for row in table.rows] == [2, 0, 1, 0, 0, 0, 1]
    assert query(table.rows[6][1].link)["since"] == "2026-03-08"
    assert query(table.rows[6][1].link)["until"] == "2026-03-08"


def test_backlog_now_ignores_the_dates(data):
    table = ticket_table("backlog", filters())
    # active: b and f open, c with the vendor, d and e new
    assert values(table) == [
        ["new", 2],
        ["open", 2],
        ["pending_customer", 0],
        ["pending_vendor", 1],
        ["Total", 5],
    ]
    link = query(table.rows[1][1].link)
    assert "since" not in link and link["status"] == "open"
    assert "status" not in query(table.rows[4][1].link)  # the queue's default: active


def test_backlog_age(db):
    # given active tickets 2 hours, 2 days, 5 days, 10 days, 40 and 400 days old, and a
    # resolved one of 2 days
    now = timezone.now()
    for age in (timedelta(hours=2), *(timedelta(days=d) for d in (2, 5, 10, 40, 400))):
        fact_make(created_at=now - age, state_category="open")
    fact_make(created_at=now - timedelta(days=2), state_category="resolved")
    # when
    table = ticket_table("backlog_age", filters())
    # then
    assert [row[1].value for row in table.rows] == [1, 1, 1, 1, 2]
    assert [str(row[0]) for row in table.rows] == [
        "Less than a day",
        "1–3 days",
        "3–7 days",
        "7–30 days",
        "More than 30 days",
    ]
    assert query(table.rows[4][1].link)["figure"] == "age:30:"
    assert query(table.rows[1][1].link)["figure"] == "age:1:3"


def test_first_contact_resolution(data):
    table = ticket_table("fcr", filters())
    # resolved in the range: a (first contact) and b (escalated, reopened), both e-mail
    assert values(table) == [["email", 2, 1, 50.0], ["Total", 2, 1, 50.0]]
    assert query(table.rows[0][2].link)["figure"] == "fcr"
    assert query(table.rows[0][2].link)["channel"] == "email"
    assert table.rows[1][3].link == table.rows[1][2].link  # the rate links to its numerator


def test_escalations(data):
    table = ticket_table("escalations", filters())
    assert values(table) == [
        ["Level 2", 1, 25.0],
        ["Any vendor", 1, 25.0],
        ["Vendor: Printco", 1, 25.0],
    ]
    assert query(table.rows[2][1].link)["figure"] == f"escalated:vendor:{data.vendor.pk}"


def test_times_median_and_90th_percentile(data):
    table = ticket_table("times", filters())
    # first responses 600, 1200, 1800 s: median 1200 s; p90 at rank 1.8: 1200 + 0.8 * 600
    # resolutions 3600, 7200 s: median 5400 s; p90 3600 + 0.9 * 3600 = 6840 s
    # business: first responses 10, 20 min (median 15, p90 19); resolution 60 min
    assert values(table) == [
        ["First response", 3, 20.0, 28.0],
        ["Resolution", 2, 90.0, 114.0],
        ["First response, business time", 2, 15.0, 19.0],
        ["Resolution, business time", 1, 60.0, 60.0],
    ]
    assert texts(table)[1][2:] == ["1 h 30 min", "1 h 54 min"]
    assert query(table.rows[0][1].link)["figure"] == "responded"


def test_reopen_rate(data):
    table = ticket_table("reopens", filters())
    assert values(table) == [["Resolved", 2], ["Reopened", 1], ["Reopen rate", 50.0]]
    assert query(table.rows[2][1].link)["figure"] == "reopened"


def test_root_causes(data):
    assert values(ticket_table("categories", filters())) == [
        ["Hardware", 2, 50.0],
        ["Network", 1, 25.0],
        ["Others or none", 1, 25.0],
    ]
    assert values(ticket_table("organisations", filters())) == [
        ["Acme", 3, 75.0],
        ["Brava", 1, 25.0],
    ]
    assert values(ticket_table("sites", filters())) == [
        ["Acme / North", 2, 50.0],
        ["Brava / South", 1, 25.0],
        ["Others or none", 1, 25.0],
    ]
    devices = ticket_table("devices", filters())
    assert values(devices) == [["Printer (SN-1)", 1, 25.0], ["Others or none", 3, 75.0]]
    assert query(devices.rows[0][1].link)["device"] == "SN-1"
    categories = ticket_table("categories", filters())
    assert query(categories.rows[0][1].link)["category"] == str(data.hardware.pk)


def test_dimension_filters_and_team_scope(data):
    # an e-mail filter: a and b
    assert values(ticket_table("channels", filters(channel="email")))[-1] == ["Total", 2, 100.0]
    assert values(ticket_table("backlog", filters(channel="email")))[-1] == ["Total", 1]
    # an agent of the first team: a and b in range; b active
    scoped = filters(teams=(data.t1.pk,))
    assert values(ticket_table("channels", scoped)) == [["email", 2, 100.0], ["Total", 2, 100.0]]
    assert values(ticket_table("backlog", scoped))[-1] == ["Total", 1]
    # an organisation: a, b, d
    assert values(ticket_table("channels", filters(organisation=data.o2.pk)))[-1][1] == 1
    assert values(ticket_table("escalations", filters(level=Level.VENDOR)))[1] == [
        "Any vendor",
        1,
        100.0,
    ]


def test_every_figure_is_built_on_an_empty_range(db):
    for key in FIGURES:
        table = ticket_table(key, filters())
        assert table.key == key
    assert values(ticket_table("times", filters()))[0] == ["First response", 0, None, None]
    assert values(ticket_table("fcr", filters())) == [["Total", 0, 0, None]]


def test_sla_compliance_of_the_range(db, django_capture_on_commit_callbacks):
    # given a 24x7 policy (first response in 60 minutes, resolution in a day) and a ticket
    # created Tuesday 10:00 Madrid, answered after 10 minutes and resolved after 30
    desk = desk_make()
    calendar = Calendar.objects.create(name="24x7", always_open=True)
    SlaPolicy.objects.create(
        name="Standard",
        side=Side.DESK,
        calendar=calendar,
        first_response_minutes=60,
        resolution_minutes=1440,
    )
    with django_capture_on_commit_callbacks(execute=True):
        ticket = ticket_make(requester=desk.requester, team=desk.l1_team, at=utc(3, 9))
    with django_capture_on_commit_callbacks(execute=True):
        services.article_add_reply(
            ticket=ticket, actor=desk.agent_l1, body="Hello.", at=utc(3, 9, 10)
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_resolve(
            ticket=ticket, actor=desk.agent_l1, solution="Done.", at=utc(3, 9, 30)
        )
    # when
    table = ticket_table("sla", filters())
    # then both targets met on time
    assert values(table) == [["Standard", 2, 0, 0, 100.0]]
    assert table.rows[0][0].link.startswith("/agent/sla/?since=2026-03-02")
    # an agent sees their team's row, without the managers' page link
    scoped = ticket_table("sla", filters(teams=(desk.l1_team.pk,)))
    assert [row[0].link for row in scoped.rows] == [""]
    assert values(scoped) == [[desk.l1_team.name, 2, 0, 0, 100.0]]


def test_row_level_export(data):
    rows = list(fact_rows(filters()))
    assert rows[0][:3] == ["Ticket", "Created", "Channel"]
    assert [r[0] for r in rows[1:]] == [
        data.a.ticket_id,
        data.b.ticket_id,
        data.c.ticket_id,
        data.d.ticket_id,
    ]
    assert rows[1][1] == "2026-03-02 09:15:00"  # Madrid time
    assert rows[1][-1] == 1 and rows[2][-1] == 0
    assert rows[4][1] == "2026-03-08 23:30:00"


def test_durations_read_well():
    assert [duration(m) for m in (None, 0.4, 45, 200, 3000)] == [
        "—",
        "0 min",
        "45 min",
        "3 h 20 min",
        "2 d 2 h",
    ]


def test_a_zone_half_an_hour_off_utc_counts_its_own_hours(db):
    # given tickets at 23:59 and 00:00 in Kolkata (UTC+5:30) around the end of the range
    fact_make(created_at=utc(8, 18, 29))  # Sunday 8 March, 23:59 in Kolkata
    fact_make(created_at=utc(8, 18, 30))  # Monday 9 March, 00:00: outside
    fact_make(created_at=utc(2, 3, 0))  # Monday 2 March, 08:30
    kolkata = ReportFilters(first_day=FIRST, last_day=LAST, tz="Asia/Kolkata")
    # when
    days = ticket_table("days", kolkata)
    heat = ticket_table("heatmap", kolkata)
    # then
    assert [row[1].value for row in days.rows] == [1, 0, 0, 0, 0, 0, 1]
    cells = {
        (hour, day): row[day].value
        for hour, row in enumerate(heat.rows)
        for day in range(1, 8)
        if row[day].value
    }
    assert cells == {(23, 7): 1, (8, 1): 1}
