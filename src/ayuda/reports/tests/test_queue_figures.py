"""A report figure's queue link (``/agent/?figure=…``) lists exactly the tickets it counted."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from ayuda.reports.queue import figure_filter
from ayuda.tickets import services
from ayuda.tickets.models import Channel, EscalationMode
from ayuda.tickets.tests.factories import desk_make, ticket_make

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def desk(db):
    return desk_make()


@pytest.fixture
def tickets(desk, django_capture_on_commit_callbacks):
    """Four tickets of the last hours, through the services, their facts kept current."""
    now = timezone.now() - timedelta(hours=3)

    def at(minutes):
        return now + timedelta(minutes=minutes)

    agent, made = desk.agent_l1, {}
    with django_capture_on_commit_callbacks(execute=True):
        made["fcr"] = ticket_make(requester=desk.requester, team=desk.l1_team, at=at(0))
        services.article_add_reply(ticket=made["fcr"], actor=agent, body="Hi.", at=at(5))
        services.ticket_resolve(ticket=made["fcr"], actor=agent, solution="Ok.", at=at(20))
        made["l2"] = ticket_make(
            requester=desk.requester, team=desk.l1_team, channel=Channel.EMAIL, at=at(1)
        )
        services.ticket_escalate(
            ticket=made["l2"],
            actor=agent,
            team=desk.l2_team,
            mode=EscalationMode.TRANSFER,
            reason="Deep",
            at=at(2),
        )
        services.ticket_resolve(ticket=made["l2"], actor=desk.agent_l2, solution="Ok.", at=at(30))
        services.article_add_customer(
            ticket=made["l2"], author=desk.requester, body="Again.", at=at(40)
        )
        made["vendor"] = ticket_make(requester=desk.requester, team=desk.l1_team, at=at(3))
        services.ticket_escalate_to_vendor(
            ticket=made["vendor"], actor=agent, vendor=desk.vendor, reason="Theirs", at=at(4)
        )
        made["new"] = ticket_make(requester=desk.requester, team=desk.l1_team, at=at(6))
    return made


def queue_ids(client, url: str) -> set[int]:
    response = client.get(url)
    assert response.status_code == 200
    return {row.ticket.pk for row in response.context["rows"]}


def test_every_count_on_the_page_opens_a_queue_of_that_many_tickets(client, desk, tickets):
    # given a manager in Madrid on the reports page
    desk.manager.timezone = "Europe/Madrid"
    desk.manager.save(update_fields=["timezone"])
    client.force_login(desk.manager)
    page = client.get("/agent/reports/")
    assert page.status_code == 200
    followed = 0
    # when every linked count is followed, then its queue holds that many tickets
    for table, _csv in page.context["figures"]:
        for row in table.rows:
            for cell in row[1:]:
                if not cell.link.startswith("/agent/?") or str(cell).endswith("%"):
                    continue
                assert len(queue_ids(client, cell.link)) == cell.value, (table.key, row[0])
                followed += 1
    assert followed > 20


def test_figures_name_their_tickets(client, desk, tickets):
    client.force_login(desk.manager)
    ids = {name: t.pk for name, t in tickets.items()}
    cases = {
        "fcr": {ids["fcr"]},
        "escalated:l2": {ids["l2"]},
        "escalated:vendor": {ids["vendor"]},
        f"escalated:vendor:{desk.vendor.pk}": {ids["vendor"]},
        "escalated:vendor:999999": set(),
        "reopened": {ids["l2"]},
        "resolved": {ids["fcr"], ids["l2"]},
        "responded": {ids["fcr"], ids["l2"]},
        "age:0:1": {ids["l2"], ids["vendor"], ids["new"]},
        "age:1:": set(),
    }
    for figure, expected in cases.items():
        assert queue_ids(client, f"/agent/?status=all&figure={figure}") == expected, figure
    page = client.get("/agent/?status=all&figure=fcr")
    assert page.context["figure_label"] == "Resolved at the first contact"


def test_hour_and_weekday_in_the_viewers_zone(client, desk, django_capture_on_commit_callbacks):
    # given a ticket created Sunday 8 March 2026 at 23:30 in Madrid (22:30 UTC)
    from datetime import UTC, datetime

    with django_capture_on_commit_callbacks(execute=True):
        late = ticket_make(requester=desk.requester, at=datetime(2026, 3, 8, 22, 30, tzinfo=UTC))
        ticket_make(requester=desk.requester, at=datetime(2026, 3, 8, 23, 30, tzinfo=UTC))
    desk.manager.timezone = "Europe/Madrid"
    desk.manager.save(update_fields=["timezone"])
    client.force_login(desk.manager)
    # when / then: Sunday at 23 in Madrid is that ticket; in UTC it is Sunday at 22
    assert queue_ids(client, "/agent/?status=all&figure=how:7:23") == {late.pk}
    assert queue_ids(client, "/agent/?status=all&figure=how:7:23&until=2026-03-08") == {late.pk}
    desk.manager.timezone = "UTC"
    desk.manager.save(update_fields=["timezone"])
    assert queue_ids(client, "/agent/?status=all&figure=how:7:22") == {late.pk}


@pytest.mark.parametrize(
    "name",
    [
        "",
        "nope",
        "fcr:1",
        "escalated",
        "escalated:l3",
        "escalated:vendor:x",
        "how:8:1",
        "how:1:24",
        "how:1",
        "how:-1:3",
        "age:3:1",
        "age:x:",
        "age:1:1",
    ],
)
def test_bad_figures_are_none(db, name):
    assert figure_filter(name) is None


def test_an_unknown_figure_narrows_nothing(client, desk, tickets):
    client.force_login(desk.manager)
    assert len(queue_ids(client, "/agent/?status=all&figure=nope")) == 4
