"""Ticket events that become agents' notifications (R23): the ticket_events_inapp handler,
run after commit as every ticket service runs it."""

import pytest

from ayuda.accounts.models import Level, Role
from ayuda.accounts.tests.factories import team_make, user_make
from ayuda.notifications.handlers import ticket_events_inapp
from ayuda.notifications.models import Notification, NotificationKind
from ayuda.tickets import services
from ayuda.tickets.models import EscalationMode, StateCategory
from ayuda.tickets.tests.factories import desk_make, ticket_in, ticket_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk():
    return desk_make()


def alerts(kind=None) -> list[tuple[int, str]]:
    rows = Notification.objects.order_by("pk")
    if kind:
        rows = rows.filter(kind=kind)
    return list(rows.values_list("user_id", "kind"))


def test_the_new_owner_is_notified_of_an_assignment(desk, committed):
    # given
    ticket = ticket_make(requester=desk.requester, site=desk.site)

    # when
    committed(
        services.ticket_assign,
        ticket=ticket,
        actor=desk.manager,
        team=desk.l1_team,
        owner=desk.agent_l1,
    )

    # then
    note = Notification.objects.get()
    assert (note.user_id, note.kind, note.ticket_id) == (desk.agent_l1.pk, "assigned", ticket.pk)
    assert note.actor_id == desk.manager.pk


def test_taking_a_ticket_oneself_notifies_no_one(desk, committed):
    ticket = ticket_make(requester=desk.requester, site=desk.site)

    committed(
        services.ticket_assign,
        ticket=ticket,
        actor=desk.agent_l1,
        team=desk.l1_team,
        owner=desk.agent_l1,
    )

    assert alerts() == []


def test_the_level2_team_but_not_the_actor_hears_of_an_escalation(desk, committed):
    # given: the manager who escalates is in the level 2 team too
    colleague = user_make(role=Role.AGENT_L2, teams=[desk.l2_team])
    ticket = ticket_in(StateCategory.OPEN, desk=desk)

    # when
    committed(
        services.ticket_escalate,
        ticket=ticket,
        actor=desk.manager,
        team=desk.l2_team,
        mode=EscalationMode.TRANSFER,
        reason="Needs a specialist",
    )

    # then
    got = alerts(NotificationKind.TEAM_ESCALATION)
    assert sorted(got) == sorted(
        [(desk.agent_l2.pk, "team_escalation"), (colleague.pk, "team_escalation")]
    )
    note = Notification.objects.filter(kind="team_escalation").first()
    assert note.data["team"] == desk.l2_team.name


def test_a_forward_notifies_the_receiving_team(desk, committed):
    # given
    other = team_make(level=Level.L1)
    member = user_make(role=Role.AGENT_L1, teams=[other])
    ticket = ticket_in(StateCategory.OPEN, desk=desk)

    # when
    committed(
        services.ticket_forward, ticket=ticket, actor=desk.agent_l1, team=other, reason="Billing"
    )

    # then
    assert alerts() == [(member.pk, "team_escalation")]
    assert Notification.objects.get().data["forwarded"] is True


def test_the_owner_hears_of_a_customers_message_but_not_of_their_own_reply(desk, committed):
    # given
    ticket = ticket_make(requester=desk.requester, site=desk.site)
    committed(
        services.ticket_assign,
        ticket=ticket,
        actor=desk.agent_l1,
        team=desk.l1_team,
        owner=desk.agent_l1,
    )
    committed(services.article_add_reply, ticket=ticket, actor=desk.agent_l1, body="On it")

    # when
    ticket.refresh_from_db()
    committed(
        services.article_add_customer, ticket=ticket, author=desk.requester, body="Still broken"
    )

    # then
    assert alerts() == [(desk.agent_l1.pk, "customer_replied")]


def test_a_customers_message_on_a_ticket_without_owner_notifies_no_one(desk, committed):
    ticket = ticket_make(requester=desk.requester, site=desk.site)

    committed(services.article_add_customer, ticket=ticket, author=desk.requester, body="Hello?")

    assert alerts() == []


def test_running_the_handler_twice_notifies_once(desk, committed):
    # given
    ticket = ticket_make(requester=desk.requester, site=desk.site)
    committed(
        services.ticket_assign,
        ticket=ticket,
        actor=desk.manager,
        team=desk.l1_team,
        owner=desk.agent_l1,
    )
    events = list(ticket.events.order_by("seq"))

    # when: the same batch again (a retried after-commit call)
    ticket_events_inapp(events)

    # then
    assert alerts() == [(desk.agent_l1.pk, "assigned")]


def test_the_handler_costs_a_few_queries_and_never_raises(desk, django_assert_max_num_queries):
    # given a team of 15 and an escalation event
    for _ in range(15):
        user_make(role=Role.AGENT_L2, teams=[desk.l2_team])
    ticket = ticket_in(StateCategory.OPEN, desk=desk)
    services.ticket_escalate(
        ticket=ticket,
        actor=desk.manager,
        team=desk.l2_team,
        mode=EscalationMode.REFERRAL,
        reason="Specialist",
    )
    events = list(ticket.events.order_by("seq"))
    # the mails of the escalation are off for these users: only in-app rows
    from ayuda.notifications.preferences import preferences_save

    for member in desk.l2_team.members.all():
        preferences_save(user=member, choices={"team_escalation": (True, False)})

    # when: ticket, users with their teams, dedup, preferences, insert
    with django_assert_max_num_queries(7):
        ticket_events_inapp(events)

    # then
    assert len(alerts()) == 16
    ticket_events_inapp([object()])  # a broken batch is logged, not raised
