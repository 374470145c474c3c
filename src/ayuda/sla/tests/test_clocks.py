"""The clocks, driven by the ticket services' events (always-open calendar: the business-time
arithmetic is the calendars module's, tested there)."""

import pytest

from ayuda.accounts.models import Level
from ayuda.sla.models import ClockState, Side, SlaClock, SlaEvent, SlaTarget
from ayuda.sla.models import TargetKind as K
from ayuda.tickets import services
from ayuda.tickets.history import Step
from ayuda.tickets.models import DelayReason, EventAction, Priority, Ticket, TicketEvent
from ayuda.tickets.services._base import change_step, ticket_lock, ticket_write
from ayuda.tickets.tests.factories import ticket_make

from .conftest import at, policy_make

pytestmark = pytest.mark.django_db


def targets(ticket, side=Side.DESK) -> dict:
    return {
        t.kind: t
        for t in SlaTarget.objects.filter(clock__ticket=ticket, clock__side=side).order_by("pk")
    }


def set_delay_reason(ticket, value, when):
    """What the delay-reason service records (a CHANGED delay_reason event)."""
    from django.db import transaction

    with transaction.atomic():
        locked = ticket_lock(ticket)
        ticket_write(
            locked,
            actor=None,
            steps=[change_step(locked, "delay_reason", value)],
            updates={"delay_reason": value},
            at=when,
        )


def create(committed, desk, **kwargs):
    kwargs.setdefault("team", desk.l1_team)
    return committed(ticket_make, requester=desk.requester, at=at(0), **kwargs)


def test_creation_starts_our_clock_at_the_event_time(committed, desk, always):
    policy_make(always)
    ticket = create(committed, desk)
    clock = SlaClock.objects.get(ticket=ticket)
    assert (clock.side, clock.state, clock.started_at) == (Side.DESK, ClockState.RUNNING, at(0))
    t = targets(ticket)
    assert t[K.FIRST_RESPONSE].due_at == at(60)
    assert t[K.FIRST_RESPONSE].warn_at == at(48)
    assert t[K.RESOLUTION].due_at == at(1440)
    ticket.refresh_from_db()
    assert ticket.first_response_due_at == at(60)
    assert ticket.next_update_due_at == at(240)
    assert ticket.resolution_due_at == at(1440)
    assert ticket.sla_due_at == at(60)
    assert SlaEvent.objects.filter(clock=clock, kind="started").count() == 1


def test_no_policy_no_clock(committed, desk):
    ticket = create(committed, desk)
    assert not SlaClock.objects.filter(ticket=ticket).exists()
    ticket.refresh_from_db()
    assert ticket.sla_due_at is None


def test_public_reply_meets_first_response_and_restarts_next_update(committed, desk, always):
    policy_make(always)
    ticket = create(committed, desk)
    committed(services.article_add_reply, ticket=ticket, actor=desk.agent_l1, body="Hi", at=at(30))
    rows = list(SlaTarget.objects.filter(clock__ticket=ticket).order_by("pk"))
    fr = next(r for r in rows if r.kind == K.FIRST_RESPONSE)
    assert fr.met_at == at(30)
    updates = [r for r in rows if r.kind == K.NEXT_UPDATE]
    assert [u.met_at for u in updates] == [at(30), None]
    assert updates[1].due_at == at(30 + 240)
    ticket.refresh_from_db()
    assert ticket.first_response_due_at is None
    assert ticket.next_update_due_at == at(270)
    assert ticket.sla_due_at == at(270)


def test_internal_note_meets_nothing(committed, desk, always):
    policy_make(always)
    ticket = create(committed, desk)
    committed(services.article_add_note, ticket=ticket, actor=desk.agent_l1, body="hm", at=at(5))
    assert targets(ticket)[K.FIRST_RESPONSE].met_at is None


def test_pending_customer_pauses_and_shifts_the_due_times(committed, desk, always):
    policy_make(always, first_response_minutes=None)
    ticket = create(committed, desk)
    committed(
        services.article_add_reply,
        ticket=ticket,
        actor=desk.agent_l1,
        body="Which printer?",
        ask_customer=True,
        at=at(10),
    )
    clock = SlaClock.objects.get(ticket=ticket)
    assert clock.state == ClockState.PAUSED and clock.pause_reason == "pending_customer"
    assert targets(ticket)[K.RESOLUTION].due_at is None
    ticket.refresh_from_db()
    assert ticket.sla_due_at is None and ticket.resolution_due_at is None
    # the customer answers 100 minutes later: the ticket reopens, the clock resumes
    committed(
        services.article_add_customer,
        ticket=ticket,
        author=desk.requester,
        body="The laser one",
        at=at(110),
    )
    clock.refresh_from_db()
    assert clock.state == ClockState.RUNNING and clock.paused_minutes == 100
    assert targets(ticket)[K.RESOLUTION].due_at == at(1440 + 100)
    ticket.refresh_from_db()
    assert ticket.resolution_due_at == at(1540)
    history = list(
        TicketEvent.objects.filter(
            ticket=ticket, action__in=[EventAction.CLOCK_PAUSED, EventAction.CLOCK_RESUMED]
        ).order_by("seq")
    )
    assert [(e.action, e.at) for e in history] == [
        (EventAction.CLOCK_PAUSED, at(10)),
        (EventAction.CLOCK_RESUMED, at(110)),
    ]
    kinds = list(SlaEvent.objects.filter(clock=clock).values_list("kind", flat=True))
    assert kinds.count("paused") == 1 and kinds.count("resumed") == 1


def test_delay_reason_pauses_until_cleared(committed, desk, always):
    policy_make(always)
    ticket = create(committed, desk)
    committed(set_delay_reason, ticket, DelayReason.CUSTOM_DEVELOPMENT, at(20))
    clock = SlaClock.objects.get(ticket=ticket)
    assert clock.state == ClockState.PAUSED
    paused = SlaEvent.objects.get(clock=clock, kind="paused")
    assert paused.data["detail"] == DelayReason.CUSTOM_DEVELOPMENT
    committed(set_delay_reason, ticket, "", at(50))
    clock.refresh_from_db()
    assert clock.state == ClockState.RUNNING and clock.paused_minutes == 30
    assert targets(ticket)[K.FIRST_RESPONSE].due_at == at(90)


def test_two_pause_reasons_resume_only_when_both_are_gone(committed, desk, always):
    policy_make(always)
    ticket = create(committed, desk)
    committed(set_delay_reason, ticket, DelayReason.MISUSE, at(10))
    committed(
        services.article_add_reply,
        ticket=ticket,
        actor=desk.agent_l1,
        body="?",
        ask_customer=True,
        at=at(20),
    )
    committed(set_delay_reason, ticket, "", at(30))
    assert SlaClock.objects.get(ticket=ticket).state == ClockState.PAUSED
    committed(
        services.article_add_customer, ticket=ticket, author=desk.requester, body="ok", at=at(40)
    )
    clock = SlaClock.objects.get(ticket=ticket)
    assert clock.state == ClockState.RUNNING and clock.paused_minutes == 30


def test_resolve_meets_resolution_and_stops_reopen_restarts(committed, desk, always):
    policy_make(always)
    ticket = create(committed, desk)
    committed(
        services.ticket_resolve, ticket=ticket, actor=desk.agent_l1, solution="Fixed", at=at(100)
    )
    old = SlaClock.objects.get(ticket=ticket)
    assert old.state == ClockState.STOPPED and old.stopped_at == at(100)
    t = targets(ticket)
    assert t[K.RESOLUTION].met_at == at(100)
    ticket.refresh_from_db()
    assert ticket.sla_due_at is None
    committed(services.ticket_reopen, ticket=ticket, actor=desk.agent_l1, reason="No", at=at(200))
    new = SlaClock.objects.exclude(pk=old.pk).get(ticket=ticket)
    assert new.started_at == at(200) and new.state == ClockState.RUNNING
    kinds = set(new.targets.values_list("kind", flat=True))
    assert kinds == {K.NEXT_UPDATE, K.RESOLUTION}  # no second first response
    assert SlaTarget.objects.get(clock=old, kind=K.RESOLUTION).met_at == at(100)
    ticket.refresh_from_db()
    assert ticket.resolution_due_at == at(200 + 1440)


def test_priority_change_rematches_and_records_target_changed(committed, desk, always):
    policy_make(always, name="Urgent", position=1, priority=Priority.URGENT, resolution_minutes=240)
    policy_make(always, name="Normal", position=2)
    ticket = create(committed, desk)
    committed(services.article_add_reply, ticket=ticket, actor=desk.agent_l1, body="Hi", at=at(30))
    first_response = targets(ticket)[K.FIRST_RESPONSE]
    assert Ticket.objects.get(pk=ticket.pk).sla_policy.name == "Normal"
    committed(
        services.ticket_qualify,
        ticket=ticket,
        actor=desk.agent_l1,
        category=None,
        type=ticket.type,
        priority=Priority.URGENT,
        at=at(40),
    )
    ticket.refresh_from_db()
    assert ticket.sla_policy.name == "Urgent"
    assert ticket.resolution_due_at == at(240)
    changed = SlaEvent.objects.get(kind="target_changed", target=K.RESOLUTION)
    assert changed.data["from_minutes"] == 1440 and changed.data["to_minutes"] == 240
    assert changed.data["fields"] == ["priority"]
    # the met first response is history: untouched
    kept = SlaTarget.objects.get(pk=first_response.pk)
    assert (kept.met_at, kept.due_at, kept.minutes) == (at(30), at(60), 60)


def test_breached_target_is_kept_on_rematch(committed, desk, always):
    from ayuda.sla.check import sla_check

    policy_make(always, name="Urgent", position=1, priority=Priority.URGENT, resolution_minutes=30)
    policy_make(always, name="Normal", position=2, first_response_minutes=10)
    ticket = create(committed, desk)
    sla_check(now=at(11))
    breached = targets(ticket)[K.FIRST_RESPONSE]
    assert breached.breached_at == at(10)
    committed(
        services.ticket_qualify,
        ticket=ticket,
        actor=desk.agent_l1,
        category=None,
        type=ticket.type,
        priority=Priority.URGENT,
        at=at(20),
    )
    kept = SlaTarget.objects.get(pk=breached.pk)
    assert (kept.minutes, kept.due_at, kept.breached_at) == (10, at(10), at(10))


def test_vendor_clock_starts_on_escalation_and_tracks_response_and_hand_back(
    committed, desk, always
):
    policy_make(always)
    policy_make(
        always,
        name="Vendor",
        side=Side.VENDOR,
        vendor=desk.vendor,
        first_response_minutes=120,
        next_update_minutes=None,
        resolution_minutes=2880,
    )
    ticket = create(committed, desk)
    committed(
        services.ticket_escalate_to_vendor,
        ticket=ticket,
        actor=desk.agent_l1,
        vendor=desk.vendor,
        reason="Firmware",
        at=at(10),
    )
    vendor_clock = SlaClock.objects.get(ticket=ticket, side=Side.VENDOR)
    assert vendor_clock.vendor == desk.vendor and vendor_clock.started_at == at(10)
    ticket.refresh_from_db()
    assert ticket.vendor_due_at == at(130)
    # our clock keeps running (the policy does not pause while the vendor holds it)
    assert SlaClock.objects.get(ticket=ticket, side=Side.DESK).state == ClockState.RUNNING
    committed(
        services.article_add_note, ticket=ticket, actor=desk.vendor_agent, body="On it", at=at(70)
    )
    assert targets(ticket, Side.VENDOR)[K.FIRST_RESPONSE].met_at == at(70)
    ticket.refresh_from_db()
    assert ticket.vendor_due_at == at(10 + 2880)
    committed(
        services.ticket_hand_back, ticket=ticket, actor=desk.vendor_agent, answer="Done", at=at(300)
    )
    vendor_clock.refresh_from_db()
    assert vendor_clock.state == ClockState.STOPPED
    assert targets(ticket, Side.VENDOR)[K.RESOLUTION].met_at == at(300)
    ticket.refresh_from_db()
    assert ticket.vendor_due_at is None and ticket.level != Level.VENDOR


def test_pause_while_vendor(committed, desk, always):
    policy_make(always, pause_while_vendor=True)
    policy_make(always, name="Vendor", side=Side.VENDOR, vendor=desk.vendor)
    ticket = create(committed, desk)
    committed(
        services.ticket_escalate_to_vendor,
        ticket=ticket,
        actor=desk.agent_l1,
        vendor=desk.vendor,
        reason="Firmware",
        at=at(10),
    )
    desk_clock = SlaClock.objects.get(ticket=ticket, side=Side.DESK)
    assert desk_clock.state == ClockState.PAUSED and desk_clock.pause_reason == "vendor"
    committed(
        services.ticket_hand_back, ticket=ticket, actor=desk.vendor_agent, answer="Done", at=at(70)
    )
    desk_clock.refresh_from_db()
    assert desk_clock.state == ClockState.RUNNING and desk_clock.paused_minutes == 60
    assert targets(ticket)[K.RESOLUTION].due_at == at(1440 + 60)


def test_handler_query_count(committed, desk, always, django_assert_max_num_queries):
    policy_make(always)
    ticket = create(committed, desk)
    from django.db import transaction

    from ayuda.sla.handlers import ticket_events_sla

    with transaction.atomic():
        events = ticket_write(
            ticket_lock(ticket),
            actor=desk.agent_l1,
            steps=[
                Step(
                    EventAction.ARTICLE_ADDED,
                    data={"sender_role": "agent", "internal": False, "article_id": None},
                )
            ],
            at=at(5),
        )
    with django_assert_max_num_queries(12):
        ticket_events_sla(events)
    assert targets(ticket)[K.FIRST_RESPONSE].met_at == at(5)
    # events that concern no clock cost nothing
    with django_assert_max_num_queries(0):
        ticket_events_sla(
            [TicketEvent(ticket_id=ticket.pk, seq=99, action=EventAction.ATTACHMENT_ADDED)]
        )
    assert Ticket.objects.get(pk=ticket.pk).first_response_due_at is None
