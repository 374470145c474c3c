"""The periodic check: claims once, runs the policy's actions, courtesy updates."""

import threading

import pytest
from django.db import connection

from ayuda.accounts.models import Level, Role
from ayuda.accounts.tests.factories import user_make
from ayuda.sla.alerts import recipients_for
from ayuda.sla.check import sla_check
from ayuda.sla.courtesy import courtesy_text
from ayuda.sla.models import SlaAction, SlaEvent, SlaTarget
from ayuda.sla.models import TargetKind as K
from ayuda.tickets import services
from ayuda.tickets.models import Article, Priority, SenderRole, Ticket
from ayuda.tickets.tests.factories import category_make, ticket_make

from .conftest import at, policy_make

pytestmark = pytest.mark.django_db


def create(committed, desk, **kwargs):
    kwargs.setdefault("team", desk.l1_team)
    return committed(ticket_make, requester=desk.requester, at=at(0), **kwargs)


def test_check_warns_then_breaches_once(committed, desk, always):
    policy_make(always)  # first response 60, warn at 80 %: 48
    ticket = create(committed, desk)
    assert sla_check(now=at(47)) == {"warned": 0, "breached": 0}
    assert sla_check(now=at(50)) == {"warned": 1, "breached": 0}
    assert sla_check(now=at(50)) == {"warned": 0, "breached": 0}  # rerun: nothing again
    assert sla_check(now=at(75)) == {"warned": 0, "breached": 1}
    assert sla_check(now=at(80)) == {"warned": 0, "breached": 0}
    target = SlaTarget.objects.get(clock__ticket=ticket, kind=K.FIRST_RESPONSE)
    assert (target.warned_at, target.breached_at, target.late_minutes) == (at(50), at(60), 15)
    ticket.refresh_from_db()
    assert ticket.sla_breached_at == at(60)
    kinds = list(SlaEvent.objects.filter(target=K.FIRST_RESPONSE).values_list("kind", flat=True))
    assert kinds.count("warned") == 1 and kinds.count("breached") == 1
    # met late: how late is recorded
    committed(services.article_add_reply, ticket=ticket, actor=desk.agent_l1, body="Hi", at=at(90))
    target.refresh_from_db()
    assert (target.met_at, target.late_minutes) == (at(90), 30)


def test_paused_and_met_targets_are_not_checked(committed, desk, always):
    policy_make(always)
    ticket = create(committed, desk)
    committed(services.article_add_reply, ticket=ticket, actor=desk.agent_l1, body="?", at=at(5))
    committed(
        services.article_add_reply,
        ticket=ticket,
        actor=desk.agent_l1,
        body="?",
        ask_customer=True,
        at=at(6),
    )
    assert sla_check(now=at(100000)) == {"warned": 0, "breached": 0}


def test_check_limit_takes_the_earliest(committed, desk, always):
    policy_make(always, next_update_minutes=None, resolution_minutes=None, warn_percent=None)
    first = create(committed, desk)
    committed(ticket_make, requester=desk.requester, team=desk.l1_team, at=at(10))
    assert sla_check(now=at(200), limit=1) == {"warned": 0, "breached": 1}
    assert SlaTarget.objects.get(breached_at__isnull=False).clock.ticket_id == first.pk


def test_recipients_owner_team_leads_and_managers(committed, desk, always):
    ticket = create(committed, desk)
    committed(
        services.ticket_assign,
        ticket=ticket,
        actor=desk.agent_l1,
        team=desk.l1_team,
        owner=desk.agent_l1,
    )
    ticket.refresh_from_db()
    other_manager = user_make(role=Role.MANAGER)
    assert recipients_for(ticket=ticket, action=SlaAction.NOTIFY_OWNER) == [desk.agent_l1]
    # a team lead: a manager who is a member of the ticket's team
    assert recipients_for(ticket=ticket, action=SlaAction.NOTIFY_TEAM_LEAD) == [desk.manager]
    assert set(recipients_for(ticket=ticket, action=SlaAction.NOTIFY_MANAGER)) == {
        desk.manager,
        other_manager,
    }
    desk.agent_l1.is_active = False
    desk.agent_l1.save()
    ticket.refresh_from_db()
    assert recipients_for(ticket=ticket, action=SlaAction.NOTIFY_OWNER) == []


def test_breach_raises_priority_through_the_service(committed, desk, always):
    policy_make(
        always, first_response_minutes=10, on_breach=[SlaAction.RAISE_PRIORITY], warn_percent=None
    )
    ticket = create(committed, desk)
    committed(sla_check, now=at(20))
    ticket.refresh_from_db()
    assert ticket.priority == Priority.HIGH
    assert ticket.events.filter(field="priority", actor__isnull=True).count() == 1
    committed(sla_check, now=at(21))  # once
    assert Ticket.objects.get(pk=ticket.pk).priority == Priority.HIGH


def test_breach_escalates_to_the_categorys_level_2_team(committed, desk, always):
    category = category_make(name="Network", default_team=desk.l2_team)
    policy_make(always, first_response_minutes=10, on_breach=[SlaAction.ESCALATE])
    ticket = create(committed, desk, category=category)
    committed(sla_check, now=at(20))
    ticket.refresh_from_db()
    assert (ticket.level, ticket.team) == (Level.L2, desk.l2_team)


def test_escalation_not_possible_is_noted(committed, desk, always):
    policy_make(always, first_response_minutes=10, on_breach=[SlaAction.ESCALATE])
    ticket = create(committed, desk)  # no category, no level 2 team to go to
    committed(sla_check, now=at(20))
    ticket.refresh_from_db()
    assert ticket.level == Level.L1
    assert SlaEvent.objects.filter(data__skipped="no_next_level").count() == 1


def test_courtesy_update_once_in_the_customers_language(committed, desk, always):
    desk.requester.language = "es"
    desk.requester.save()
    policy_make(always, next_update_minutes=100, courtesy_updates=True)
    ticket = create(committed, desk)
    committed(sla_check, now=at(85))  # next update warns at 80
    system = Article.objects.filter(ticket=ticket, sender_role=SenderRole.SYSTEM)
    assert system.count() == 1
    assert "sigue" in system.get().body
    assert not system.get().internal
    committed(sla_check, now=at(86))
    assert system.count() == 1
    # it counted as an update: the next-update target restarted from it
    ticket.refresh_from_db()
    assert ticket.next_update_due_at == at(85 + 100)


def test_no_courtesy_update_without_the_policy(committed, desk, always):
    policy_make(always, next_update_minutes=100)
    ticket = create(committed, desk)
    committed(sla_check, now=at(85))
    assert not Article.objects.filter(ticket=ticket, sender_role=SenderRole.SYSTEM).exists()


@pytest.mark.parametrize(
    ("language", "words"), [("es", "sigue"), ("it", "ancora"), ("en", "still")]
)
def test_courtesy_text_languages(committed, desk, language, words):
    ticket = create(committed, desk)
    assert words in courtesy_text(ticket=ticket, language=language)


@pytest.mark.django_db(transaction=True)
def test_two_workers_claim_each_breach_once(always):
    # On PostgreSQL the two checks interleave; SQLite serialises writers (its in-memory test
    # database refuses a second one outright), so there they run one after the other.
    together = connection.vendor == "postgresql"
    from ayuda.tickets.tests.factories import desk_make, states_ensure

    states_ensure()  # an earlier transactional test emptied the tables the migrations filled

    desk = desk_make()
    policy_make(always, first_response_minutes=10, warn_percent=None)
    for _ in range(30):
        ticket_make(requester=desk.requester, team=desk.l1_team, at=at(0))
    # transaction=True: the handlers ran on commit
    assert SlaTarget.objects.filter(kind=K.FIRST_RESPONSE).count() == 30
    results, barrier = [], threading.Barrier(2)

    def work():
        try:
            if together:
                barrier.wait()
            results.append(sla_check(now=at(100)))
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
        if not together:
            thread.join()
    for thread in threads:
        thread.join()
    assert sum(r["breached"] for r in results) == 30  # each first response, by one worker
    assert SlaTarget.objects.filter(breached_at__isnull=False).count() == 30
    assert SlaEvent.objects.filter(kind="breached").count() == 30


def test_stale_breaches_and_overdue_warnings_alert_nobody(committed, desk, always):
    policy_make(
        always,
        first_response_minutes=10,
        on_warning=[SlaAction.RAISE_PRIORITY],
        on_breach=[SlaAction.RAISE_PRIORITY],
    )
    ticket = create(committed, desk)
    # found two days late: warned and breached, recorded, no action
    assert committed(sla_check, now=at(3 * 24 * 60)) == {"warned": 3, "breached": 3}
    ticket.refresh_from_db()
    assert ticket.priority == Priority.NORMAL
    assert ticket.sla_breached_at == at(10)


def test_a_policy_matching_later_starts_the_clock(committed, desk, always):
    policy_make(always, priority=Priority.URGENT)
    ticket = create(committed, desk)
    assert not SlaTarget.objects.exists()
    committed(
        services.ticket_qualify,
        ticket=ticket,
        actor=desk.agent_l1,
        category=None,
        type=ticket.type,
        priority=Priority.URGENT,
        at=at(30),
    )
    ticket.refresh_from_db()
    assert ticket.first_response_due_at == at(90)


def test_a_breach_reaches_the_owner_once_in_the_bell_in_their_language(committed, desk, always):
    # given: a policy that tells the owner of a breach, a ticket owned by a Spanish agent
    from django.utils import translation

    from ayuda.notifications.inapp import notification_text
    from ayuda.notifications.models import Notification

    policy_make(
        always, first_response_minutes=10, warn_percent=None, on_breach=[SlaAction.NOTIFY_OWNER]
    )
    ticket = create(committed, desk)
    owner = desk.agent_l1
    owner.language = "es"
    owner.save(update_fields=["language"])
    committed(
        services.ticket_assign, ticket=ticket, actor=desk.agent_l2, team=desk.l1_team, owner=owner
    )

    # when: the check finds the breach, twice
    assert sla_check(now=at(12))["breached"] == 1
    assert sla_check(now=at(13))["breached"] == 0

    # then: one notification for the owner, which names the target and its due time
    note = Notification.objects.get(user=owner, kind="sla_breach")
    assert note.ticket_id == ticket.pk
    with translation.override("es"):
        text = notification_text(note)
    assert f"#{ticket.pk}" in text and "primera respuesta" in text.lower(), text


def test_a_broker_outage_runs_the_actions_in_the_check_itself(committed, desk, always, monkeypatch):
    # given: a breach whose policy raises the priority, and a broker that refuses tasks
    from ayuda.sla import tasks

    def refuse(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.sla_actions, "delay", refuse)
    policy_make(
        always, first_response_minutes=10, warn_percent=None, on_breach=[SlaAction.RAISE_PRIORITY]
    )
    ticket = create(committed, desk)

    # when
    assert sla_check(now=at(12))["breached"] == 1

    # then: the action ran anyway, once
    ticket.refresh_from_db()
    assert ticket.priority == Priority.HIGH
