"""Agents' in-app notifications and their mail (R23): notify() and the preferences."""

from datetime import UTC, datetime

import pytest
from django.core import mail

from ayuda.accounts.models import Role
from ayuda.accounts.tests.factories import user_make
from ayuda.core.errors import ValidationError
from ayuda.notifications.inapp import (
    notification_mark_read,
    notification_text,
    notifications_list,
    notifications_mark_all_read,
    notifications_unread_count,
    notify,
)
from ayuda.notifications.models import (
    Notification,
    NotificationKind,
    NotificationPreference,
    OutgoingKind,
    OutgoingMessage,
)
from ayuda.notifications.preferences import preferences_of, preferences_save
from ayuda.tickets.models import StateCategory
from ayuda.tickets.tests.factories import desk_make, ticket_in, ticket_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk():
    return desk_make()


@pytest.fixture
def ticket(desk):
    return ticket_make(requester=desk.requester, site=desk.site, subject="Printer on fire")


def notices() -> list[OutgoingMessage]:
    return list(OutgoingMessage.objects.filter(kind=OutgoingKind.NOTICE).order_by("pk"))


def test_notify_creates_a_row_per_recipient_and_mails_those_who_want_mail(desk, ticket, committed):
    # given: assignment is mailed by default; the manager turned its mail off
    preferences_save(user=desk.manager, choices={NotificationKind.ASSIGNED: (True, False)})

    # when
    count = committed(
        notify,
        recipients=[desk.agent_l1, desk.manager],
        kind=NotificationKind.ASSIGNED,
        ticket=ticket,
        data={"seq": 1},
    )

    # then
    assert count == 2
    rows = Notification.objects.filter(ticket=ticket)
    assert {n.user_id for n in rows} == {desk.agent_l1.pk, desk.manager.pk}
    assert all(n.read_at is None and n.kind == "assigned" for n in rows)
    assert [m.to_address for m in notices()] == [desk.agent_l1.email]
    assert [m.to for m in mail.outbox] == [[desk.agent_l1.email]]


def test_notify_respects_in_app_off_and_mail_defaults_per_kind(desk, ticket):
    # given: no mail for a customer's message by default; in-app off for the agent
    preferences_save(
        user=desk.agent_l1, choices={NotificationKind.CUSTOMER_REPLIED: (False, False)}
    )

    # when
    count = notify(
        recipients=[desk.agent_l1, desk.agent_l2],
        kind=NotificationKind.CUSTOMER_REPLIED,
        ticket=ticket,
        data={"seq": 3},
    )

    # then
    assert count == 1
    assert list(Notification.objects.values_list("user_id", flat=True)) == [desk.agent_l2.pk]
    assert notices() == []


def test_notify_skips_inactive_users_customers_and_those_who_may_not_see_the_ticket(desk, ticket):
    # given
    inactive = user_make(role=Role.AGENT_L1, is_active=False)
    other_vendor_agent = user_make(role=Role.VENDOR_AGENT, vendor=desk.vendor)

    # when
    count = notify(
        recipients=[inactive, desk.requester, desk.site_admin, other_vendor_agent, desk.agent_l2],
        kind=NotificationKind.SLA_WARNING,
        ticket=ticket,
        data={"target": "resolution"},
    )

    # then: the vendor agent does not see a ticket that is not with its vendor
    assert count == 1
    assert list(Notification.objects.values_list("user_id", flat=True)) == [desk.agent_l2.pk]


def test_a_vendor_agent_is_notified_of_a_ticket_with_its_vendor(desk):
    # given
    ticket = ticket_in(StateCategory.PENDING_VENDOR, desk=desk)

    # when
    count = notify(recipients=[desk.vendor_agent], kind="sla_breach", ticket=ticket, data={})

    # then
    assert count == 1


def test_notify_inserts_all_rows_in_one_statement(desk, ticket, django_assert_num_queries):
    # given: twenty agents who want no mail for this kind (the default)
    agents = [user_make(role=Role.AGENT_L1) for _ in range(20)]

    # when: dedup lookup, preferences, one INSERT
    with django_assert_num_queries(3) as captured:
        count = notify(
            recipients=agents, kind=NotificationKind.SLA_WARNING, ticket=ticket, data={"x": 1}
        )

    # then
    assert count == 20
    inserts = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 1
    assert Notification.objects.count() == 20


def test_a_retried_call_notifies_and_mails_once(desk, ticket, committed):
    # given
    due = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    call = dict(
        recipients=[desk.agent_l1],
        kind=NotificationKind.SLA_BREACH,
        ticket=ticket,
        data={"target": "resolution", "due_at": due},
    )
    assert committed(notify, **call) == 1

    # when
    again = committed(notify, **call)

    # then
    assert again == 0
    assert Notification.objects.count() == 1
    assert len(notices()) == 1 and len(mail.outbox) == 1


def test_a_retried_call_for_a_mail_only_user_mails_once(desk, ticket, committed):
    # given
    preferences_save(user=desk.agent_l1, choices={NotificationKind.SLA_BREACH: (False, True)})
    call = dict(recipients=[desk.agent_l1], kind="sla_breach", ticket=ticket, data={"n": 1})

    # when
    first, second = committed(notify, **call), committed(notify, **call)

    # then
    assert (first, second) == (1, 0)
    assert Notification.objects.count() == 0 and len(notices()) == 1


def test_the_mail_is_written_in_the_recipients_language_and_time_zone(desk, ticket, committed):
    # given
    desk.agent_l1.language, desk.agent_l1.timezone = "es", "Europe/Madrid"
    desk.agent_l1.save()
    desk.agent_l2.language, desk.agent_l2.timezone = "it", "America/New_York"
    desk.agent_l2.save()
    due = datetime(2026, 7, 1, 8, 0, tzinfo=UTC)

    # when
    committed(
        notify,
        recipients=[desk.agent_l1, desk.agent_l2],
        kind=NotificationKind.SLA_BREACH,
        ticket=ticket,
        data={"target": "resolution", "due_at": due},
    )

    # then: 10:00 in Madrid (summer time), 04:00 in New York
    by_to = {m.to_address: m for m in notices()}
    spanish, italian = by_to[desk.agent_l1.email], by_to[desk.agent_l2.email]
    assert spanish.language == "es" and italian.language == "it"
    assert "incumplió" in spanish.body_text and "10:00" in spanish.body_text
    assert "ha mancato" in italian.body_text and "4:00" in italian.body_text
    assert spanish.subject.startswith(f"[#{ticket.pk}] ")
    assert f"/agent/tickets/{ticket.pk}/" in spanish.body_text


def test_the_text_is_written_when_read_in_the_readers_language(desk, ticket):
    # given
    notify(
        recipients=[desk.agent_l1],
        kind=NotificationKind.ASSIGNED,
        ticket=ticket,
        data={"seq": 2, "actor_id": desk.manager.pk},
    )
    note = Notification.objects.select_related("ticket", "actor").get()

    # when
    from django.utils import translation

    with translation.override("es"):
        spanish = notification_text(note)
    english = notification_text(note)

    # then: nothing translated is stored
    assert "asignó" in spanish and f"#{ticket.pk}" in spanish
    assert english == (
        f"{desk.manager.display_name()} assigned ticket #{ticket.pk} to you: Printer on fire"
    )
    assert note.actor_id == desk.manager.pk


def test_an_unknown_kind_is_refused(desk, ticket):
    with pytest.raises(ValueError):
        notify(recipients=[desk.agent_l1], kind="birthday", ticket=ticket)
    assert Notification.objects.count() == 0


def test_count_list_keyset_and_mark_read(desk, ticket):
    # given
    for n in range(5):
        notify(
            recipients=[desk.agent_l1, desk.agent_l2],
            kind="sla_warning",
            ticket=ticket,
            data={"n": n},
        )

    # when
    first = notifications_list(user=desk.agent_l1, limit=3)
    second = notifications_list(user=desk.agent_l1, cursor=first.next_cursor, limit=3)

    # then
    assert notifications_unread_count(user=desk.agent_l1) == 5
    assert len(first.items) == 3 and len(second.items) == 2 and second.next_cursor is None
    assert {n.pk for n in first.items}.isdisjoint({n.pk for n in second.items})
    assert [n.data["n"] for n in first.items + second.items] == [4, 3, 2, 1, 0]
    # another user's notification is not found, and stays unread
    theirs = Notification.objects.filter(user=desk.agent_l2).first()
    assert notification_mark_read(user=desk.agent_l1, pk=theirs.pk) is None
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    assert notification_mark_read(user=desk.agent_l1, pk=first.items[0].pk).read_at is not None
    assert notifications_unread_count(user=desk.agent_l1) == 4
    assert notifications_mark_all_read(user=desk.agent_l1) == 4
    assert notifications_unread_count(user=desk.agent_l1) == 0
    assert notifications_unread_count(user=desk.agent_l2) == 5


def test_preferences_default_and_save(desk):
    # given
    defaults = {c.kind: (c.in_app, c.email) for c in preferences_of(user=desk.agent_l1)}
    assert defaults["assigned"] == (True, True)
    assert defaults["customer_replied"] == (True, False)
    assert defaults["sla_breach"] == (True, True)

    # when
    preferences_save(user=desk.agent_l1, choices={"assigned": (False, True)})
    preferences_save(user=desk.agent_l1, choices={"assigned": (False, False)})

    # then
    saved = {c.kind: (c.in_app, c.email) for c in preferences_of(user=desk.agent_l1)}
    assert saved["assigned"] == (False, False) and saved["sla_breach"] == (True, True)
    assert NotificationPreference.objects.filter(user=desk.agent_l1).count() == 1


def test_preferences_refuse_an_unknown_kind_and_save_nothing(desk):
    with pytest.raises(ValidationError):
        preferences_save(user=desk.agent_l1, choices={"assigned": (False, False), "x": (1, 1)})
    assert NotificationPreference.objects.count() == 0
