"""TicketFact kept current through the real ticket services (after commit), rebuilt from
scratch, and the business minutes under a service level's calendar."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command

from ayuda.reports.facts import facts_business_refresh, facts_rebuild, facts_refresh
from ayuda.reports.models import RefreshMark, TicketFact
from ayuda.sla.models import Calendar, Side, SlaClock, SlaPolicy
from ayuda.tickets import services
from ayuda.tickets.models import Channel, EscalationMode
from ayuda.tickets.tests.factories import desk_make, ticket_make

T0 = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)  # a Monday, 16:00 UTC

FIELDS = (
    "created_at",
    "channel",
    "level",
    "state_category",
    "organisation_id",
    "site_id",
    "team_id",
    "category_id",
    "vendor_id",
    "first_response_at",
    "resolved_at",
    "closed_at",
    "first_response_seconds",
    "resolution_seconds",
    "first_response_business",
    "resolution_business",
    "business_stale",
    "escalated_l2",
    "escalated_vendor",
    "reopens",
    "customer_messages",
    "fcr",
)


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


def facts() -> list[tuple]:
    return list(TicketFact.objects.order_by("ticket_id").values_list("ticket_id", *FIELDS))


def test_a_ticket_resolved_at_the_first_contact_is_fcr(desk, committed):
    # given a portal ticket answered after 10 minutes and resolved after an hour
    ticket = committed(
        ticket_make,
        requester=desk.requester,
        site=desk.site,
        team=desk.l1_team,
        channel=Channel.PORTAL,
        at=at(0),
    )
    committed(
        services.article_add_reply, ticket=ticket, actor=desk.agent_l1, body="On it.", at=at(10)
    )
    # when it is resolved
    committed(
        services.ticket_resolve, ticket=ticket, actor=desk.agent_l1, solution="Done.", at=at(60)
    )
    # then its fact says so
    fact = TicketFact.objects.get(ticket=ticket)
    assert fact.created_at == at(0)
    assert fact.channel == "portal"
    assert fact.organisation_id == desk.organisation.pk
    assert fact.site_id == desk.site.pk
    assert fact.team_id == desk.l1_team.pk
    assert fact.state_category == "resolved"
    assert fact.first_response_at == at(10)
    assert fact.first_response_seconds == 600
    assert fact.resolved_at == at(60)
    assert fact.resolution_seconds == 3600
    assert fact.customer_messages == 1
    assert (fact.escalated_l2, fact.escalated_vendor, fact.reopens) == (False, False, 0)
    assert fact.fcr is True
    assert fact.business_stale is True  # no calendar yet measured them


def test_escalations_reopen_and_a_second_message_follow_the_ticket(desk, committed):
    # given a ticket escalated to level 2, then to a vendor, resolved, then answered again
    ticket = committed(
        ticket_make, requester=desk.requester, site=desk.site, team=desk.l1_team, at=at(0)
    )
    fact = TicketFact.objects.get(ticket=ticket)
    assert (fact.state_category, fact.first_response_at, fact.fcr) == ("new", None, False)
    assert fact.business_stale is False  # nothing to measure yet
    committed(
        services.ticket_escalate,
        ticket=ticket,
        actor=desk.agent_l1,
        team=desk.l2_team,
        mode=EscalationMode.TRANSFER,
        reason="Needs level 2",
        at=at(5),
    )
    fact.refresh_from_db()
    assert (fact.level, fact.team_id, fact.escalated_l2) == ("2", desk.l2_team.pk, True)
    assert (fact.escalated_vendor, fact.vendor_id) == (False, None)
    committed(
        services.ticket_escalate_to_vendor,
        ticket=ticket,
        actor=desk.agent_l2,
        vendor=desk.vendor,
        reason="Firmware",
        at=at(20),
    )
    fact.refresh_from_db()
    assert (fact.level, fact.escalated_vendor, fact.vendor_id) == ("vendor", True, desk.vendor.pk)
    assert fact.state_category == "pending_vendor"
    committed(
        services.ticket_resolve, ticket=ticket, actor=desk.agent_l2, solution="Fixed.", at=at(90)
    )
    # when the customer writes back (which reopens it)
    committed(
        services.article_add_customer,
        ticket=ticket,
        author=desk.requester,
        body="Broken again.",
        at=at(120),
    )
    # then the first resolution stays, the reopen and the second message count
    fact.refresh_from_db()
    assert fact.state_category == "open"
    assert fact.resolved_at == at(90)
    assert fact.resolution_seconds == 5400
    assert fact.first_response_at == at(90)  # the solution was the first public answer
    assert fact.reopens == 1
    assert fact.customer_messages == 2
    assert fact.fcr is False


def test_an_explicit_reopen_and_an_internal_note_do_not_count_as_messages(desk, committed):
    # given a resolved ticket with an internal note from an agent
    ticket = committed(ticket_make, requester=desk.requester, team=desk.l1_team, at=at(0))
    committed(services.article_add_note, ticket=ticket, actor=desk.agent_l1, body="Hmm.", at=at(1))
    committed(
        services.ticket_resolve, ticket=ticket, actor=desk.agent_l1, solution="Done.", at=at(30)
    )
    assert TicketFact.objects.get(ticket=ticket).fcr is True
    # when the agent reopens it
    committed(services.ticket_reopen, ticket=ticket, actor=desk.agent_l1, reason="No", at=at(40))
    # then
    fact = TicketFact.objects.get(ticket=ticket)
    assert (fact.reopens, fact.customer_messages, fact.fcr) == (1, 1, False)


def test_rebuild_gives_the_rows_the_incremental_path_wrote(desk, committed):
    # given tickets kept current after each change
    first = committed(ticket_make, requester=desk.requester, team=desk.l1_team, at=at(0))
    committed(services.ticket_resolve, ticket=first, actor=desk.agent_l1, solution="Ok.", at=at(15))
    second = committed(ticket_make, requester=desk.requester, team=desk.l1_team, at=at(3))
    committed(
        services.ticket_escalate_to_vendor,
        ticket=second,
        actor=desk.agent_l1,
        vendor=desk.vendor,
        reason="Theirs",
        at=at(4),
    )
    incremental = facts()
    assert len(incremental) == 2
    # when every fact is deleted and rebuilt in batches of one ticket
    TicketFact.objects.all().delete()
    written = facts_rebuild(batch=1)
    # then the same rows (the rebuild also measured business time: no calendar, none)
    assert written == 2
    rebuilt = facts()
    stale = FIELDS.index("business_stale") + 1
    assert [r[:stale] + r[stale + 1 :] for r in rebuilt] == [
        r[:stale] + r[stale + 1 :] for r in incremental
    ]
    assert [r[stale] for r in rebuilt] == [False, False]


def test_the_command_rebuilds_and_prints_the_counts(desk, committed):
    # given two tickets without facts
    ticket_make(requester=desk.requester, at=at(0))
    ticket_make(requester=desk.requester, at=at(1))
    assert TicketFact.objects.count() == 0
    # when
    out = __import__("io").StringIO()
    call_command("reports_rebuild", stdout=out)
    # then
    assert TicketFact.objects.count() == 2
    assert out.getvalue().startswith("2 tickets written, 2 facts, 0 business times pending")


def test_refresh_of_a_deleted_or_unknown_ticket_writes_nothing(db):
    facts_refresh([999999])
    assert TicketFact.objects.count() == 0


def test_business_minutes_under_the_tickets_calendar(desk, committed):
    # given a weekday 09:00-17:00 calendar in UTC and a policy for every ticket
    calendar = Calendar.objects.create(
        name="Office",
        timezone="UTC",
        hours={d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
    )
    SlaPolicy.objects.create(
        name="All", side=Side.DESK, calendar=calendar, first_response_minutes=60
    )
    # a ticket created Monday 16:00, answered Tuesday 10:00, resolved Wednesday 09:30
    ticket = committed(ticket_make, requester=desk.requester, team=desk.l1_team, at=at(0))
    ticket.refresh_from_db()
    assert ticket.sla_policy_id is not None
    committed(
        services.article_add_reply,
        ticket=ticket,
        actor=desk.agent_l1,
        body="Hello.",
        at=at(18 * 60),
    )
    committed(
        services.ticket_resolve,
        ticket=ticket,
        actor=desk.agent_l1,
        solution="Done.",
        at=at(41 * 60 + 30),
    )
    # a ticket without any service level (created before the policy's clock: none started)
    other = committed(ticket_make, requester=desk.requester, at=at(1))
    SlaClock.objects.filter(ticket=other).delete()
    committed(services.ticket_resolve, ticket=other, actor=desk.agent_l1, solution="X.", at=at(61))
    assert TicketFact.objects.filter(business_stale=True).count() == 2
    # when the schedule runs
    looked = facts_business_refresh(limit=10)
    # then: Monday 16-17 (60) + Tuesday 9-10 (60); + Tuesday 10-17 (420) + Wednesday 9-9:30 (30)
    fact = TicketFact.objects.get(ticket=ticket)
    assert looked == 1  # the other, without a calendar, cleared in one statement
    assert (fact.first_response_business, fact.resolution_business) == (120, 570)
    assert (fact.first_response_seconds, fact.resolution_seconds) == (64800, 149400)
    assert fact.business_stale is False
    plain = TicketFact.objects.get(ticket=other)
    assert (plain.first_response_business, plain.resolution_business) == (None, None)
    assert plain.business_stale is False
    assert RefreshMark.objects.filter(name="business").exists()
    # and a later change that keeps the times keeps the minutes until measured again
    committed(services.ticket_close, ticket=ticket, actor=desk.agent_l1, at=at(50 * 60))
    fact.refresh_from_db()
    assert (fact.state_category, fact.first_response_business, fact.business_stale) == (
        "closed",
        120,
        True,
    )
    assert facts_business_refresh(limit=10) == 1
    assert facts_business_refresh(limit=10) == 0


def test_the_beat_runs_the_business_refresh_every_minute(desk, committed, settings):
    # given a resolved ticket without any service level
    ticket = committed(ticket_make, requester=desk.requester, at=at(0))
    committed(services.ticket_resolve, ticket=ticket, actor=desk.agent_l1, solution="X.", at=at(5))
    assert TicketFact.objects.get(ticket=ticket).business_stale is True
    entry = settings.CELERY_BEAT_SCHEDULE["reports-facts-business"]
    assert (entry["task"], entry["schedule"]) == ("ayuda.reports.tasks.facts_business_refresh", 60)
    # when the task runs
    from ayuda.reports.tasks import facts_business_refresh as task

    task.delay()
    # then
    assert TicketFact.objects.get(ticket=ticket).business_stale is False
    assert RefreshMark.objects.get(name="business").at is not None
