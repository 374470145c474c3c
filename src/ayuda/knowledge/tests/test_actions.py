"""Assigned actions (R15): who assigns and to whom, the mail in the assignee's language,
completion with a comment or a photo, the reminder sent once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from ayuda.accounts.models import Role
from ayuda.accounts.tests.factories import user_make
from ayuda.core.errors import PermissionDeniedError, ValidationError
from ayuda.knowledge.models import ActionKind, AssignedAction
from ayuda.knowledge.services import (
    action_assign,
    action_complete,
    action_reminders_send,
    guide_answers_save,
)
from ayuda.notifications.models import OutgoingKind, OutgoingMessage
from ayuda.tickets.attachments import IncomingFile
from ayuda.tickets.models import Article, EventAction, TicketEvent
from ayuda.tickets.tests.factories import desk_make, footprint

from .factories import guided_ticket

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 17 + b"\x00\x00\x00\x00IEND\xaeB`\x82"


def _assign(desk, ticket, *, assignee=None, kind=ActionKind.TASK, days=3, actor=None):
    return action_assign(
        ticket=ticket,
        actor=actor or desk.agent_l1,
        assignee=assignee or desk.site_admin,
        kind=kind,
        instructions="Check that the device's cable is plugged in and confirm.",
        due_at=timezone.now() + timedelta(days=days),
    )


def test_an_agent_assigns_an_action_recorded_and_mailed_in_the_assignees_language():
    desk = desk_make()
    desk.site_admin.language = "it"
    desk.site_admin.save()
    ticket, _guide = guided_ticket(desk)

    action = _assign(desk, ticket)

    event = TicketEvent.objects.filter(ticket=ticket).latest("seq")
    assert event.action == EventAction.ACTION_ASSIGNED
    assert event.data["action_id"] == action.pk
    assert event.data["assignee_id"] == desk.site_admin.pk
    mail = OutgoingMessage.objects.get(kind=OutgoingKind.NOTICE)
    assert mail.to_address == desk.site_admin.email
    assert mail.language == "it"
    assert "Un'azione per te" in mail.subject
    assert "/portal/actions/" in mail.body_text
    assert "cable is plugged in" in mail.body_text


@pytest.mark.parametrize("role", ["requester", "site_admin", "vendor_agent"])
def test_only_the_help_desk_assigns(role):
    desk = desk_make()
    ticket, _guide = guided_ticket(desk)
    before = footprint(ticket)
    with pytest.raises(PermissionDeniedError):
        _assign(desk, ticket, actor=getattr(desk, role))
    ticket.refresh_from_db()
    assert footprint(ticket) == before
    assert not AssignedAction.objects.exists()


def test_the_assignee_is_the_requester_or_an_admin_of_the_tickets_site():
    desk = desk_make()
    ticket, _guide = guided_ticket(desk)
    _assign(desk, ticket, assignee=desk.requester)
    admin_elsewhere = user_make(role=Role.SITE_ADMIN, organisation=desk.organisation, sites=[])
    for wrong in (desk.other_site_admin, admin_elsewhere, desk.agent_l2):
        with pytest.raises(ValidationError) as error:
            _assign(desk, ticket, assignee=wrong)
        assert error.value.field == "assignee"
    assert AssignedAction.objects.count() == 1


def test_a_due_date_in_the_past_and_a_task_without_instructions_are_refused():
    desk = desk_make()
    ticket, _guide = guided_ticket(desk)
    with pytest.raises(ValidationError) as error:
        _assign(desk, ticket, days=-1)
    assert error.value.field == "due_at"
    with pytest.raises(ValidationError) as error:
        action_assign(
            ticket=ticket,
            actor=desk.agent_l1,
            assignee=desk.site_admin,
            kind=ActionKind.TASK,
            instructions="  ",
            due_at=timezone.now() + timedelta(days=1),
        )
    assert error.value.field == "instructions"


def test_the_assignee_completes_with_a_photo_that_becomes_a_ticket_attachment():
    desk = desk_make()
    ticket, _guide = guided_ticket(desk)
    action = _assign(desk, ticket)

    action_complete(
        action=action,
        actor=desk.site_admin,
        comment="Cable was loose, plugged it back.",
        photo=IncomingFile(name="cable.png", content=PNG),
    )

    action.refresh_from_db()
    assert action.completed_at is not None
    article = Article.objects.get(pk=action.article_id)
    assert not article.internal and "Cable was loose" in article.body
    assert [a.content_type for a in article.attachments.all()] == ["image/png"]
    actions = list(
        TicketEvent.objects.filter(ticket=ticket).order_by("seq").values_list("action", flat=True)
    )
    assert actions[-2:] == [EventAction.ACTION_COMPLETED, EventAction.ATTACHMENT_ADDED]


def test_a_disguised_file_is_refused_as_a_photo_and_nothing_changes():
    desk = desk_make()
    ticket, _guide = guided_ticket(desk)
    action = _assign(desk, ticket)
    ticket.refresh_from_db()
    before = footprint(ticket)
    for name, content in (("photo.jpg", b"MZ\x90\x00 not an image"), ("log.png", b"just text")):
        with pytest.raises(ValidationError):
            action_complete(
                action=action,
                actor=desk.site_admin,
                photo=IncomingFile(name=name, content=content),
            )
    ticket.refresh_from_db()
    action.refresh_from_db()
    assert footprint(ticket) == before and action.completed_at is None


def test_only_the_assignee_completes_and_only_once():
    desk = desk_make()
    ticket, _guide = guided_ticket(desk)
    action = _assign(desk, ticket)
    for other in (desk.requester, desk.agent_l1, desk.other_site_admin):
        with pytest.raises(PermissionDeniedError):
            action_complete(action=action, actor=other, comment="done")
    with pytest.raises(ValidationError):
        action_complete(action=action, actor=desk.site_admin, comment="")
    action_complete(action=action, actor=desk.site_admin, comment="done")
    with pytest.raises(ValidationError):
        action_complete(action=action, actor=desk.site_admin, comment="again")


def test_answering_the_questionnaire_completes_the_questionnaire_action():
    desk = desk_make()
    ticket, _guide = guided_ticket(desk)
    action = _assign(desk, ticket, kind=ActionKind.QUESTIONNAIRE)
    with pytest.raises(ValidationError):
        action_complete(action=action, actor=desk.site_admin)

    guide_answers_save(ticket=ticket, actor=desk.site_admin, answers={"powered": "no"})

    action.refresh_from_db()
    assert action.completed_at is not None
    last = list(TicketEvent.objects.filter(ticket=ticket).order_by("-seq")[:2])
    assert {e.action for e in last} == {EventAction.GUIDE_ANSWERED, EventAction.ACTION_COMPLETED}


def test_the_reminder_is_sent_once_before_the_due_date(settings):
    settings.AYUDA_ACTION_REMINDER_HOURS = 24
    desk = desk_make()
    desk.site_admin.language = "es"
    desk.site_admin.save()
    ticket, _guide = guided_ticket(desk)
    action = _assign(desk, ticket, days=3)
    assert action_reminders_send() == []  # not yet due within a day
    later = action.due_at - timedelta(hours=10)

    first = action_reminders_send(now=later)
    second = action_reminders_send(now=later + timedelta(minutes=15))

    assert first == [action.pk] and second == []
    reminders = OutgoingMessage.objects.filter(dedup_key__contains="reminder")
    assert reminders.count() == 1
    assert reminders.get().subject.startswith(f"[#{ticket.pk}] Recordatorio")


def test_no_reminder_for_done_actions_or_ones_assigned_close_to_their_due_date(settings):
    settings.AYUDA_ACTION_REMINDER_HOURS = 24
    desk = desk_make()
    ticket, _guide = guided_ticket(desk)
    done = _assign(desk, ticket, days=3)
    action_complete(action=done, actor=desk.site_admin, comment="ok")
    soon = action_assign(
        ticket=ticket,
        actor=desk.agent_l1,
        assignee=desk.requester,
        kind=ActionKind.TASK,
        instructions="Look",
        due_at=timezone.now() + timedelta(hours=5),
    )
    assert action_reminders_send(now=timezone.now() + timedelta(hours=1)) == []
    assert action_reminders_send(now=done.due_at - timedelta(hours=2)) == []
    soon.refresh_from_db()
    assert soon.reminder_sent_at is not None  # settled: the assignment mail was the reminder
    assert not OutgoingMessage.objects.filter(dedup_key__contains="reminder").exists()
