"""Writes of guides' answers and assigned actions (R14, R15). Each locks the ticket, checks
who may act, and records what happened in the ticket's history through ``ticket_write``."""

import math
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ayuda.accounts.models import Role, User
from ayuda.core.errors import PermissionDeniedError, ValidationError
from ayuda.notifications.services import notice_queue, ticket_subject
from ayuda.tickets import permissions
from ayuda.tickets.attachments import IncomingFile, attachments_check
from ayuda.tickets.history import Step
from ayuda.tickets.models import (
    Article,
    ArticleKind,
    EventAction,
    SenderRole,
    StateCategory,
    Ticket,
)
from ayuda.tickets.permissions import Action
from ayuda.tickets.services._base import (
    attachments_store,
    require_open,
    state_default,
    state_step,
    state_updates,
    ticket_lock,
    ticket_write,
)

from .models import ActionKind, AssignedAction, GuideAnswers, GuideQuestion, QuestionKind
from .selectors import guide_for_category

TEXT_MAX = 2000
YES_NO = ("yes", "no")


class AnswersInvalid(ValidationError):
    """Some answers are wrong: ``errors`` maps each question's key to its message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(_("Some answers need your attention."))
        self.errors = errors


def _number(text: str) -> int | float:
    try:
        value = Decimal(text.replace(",", ".") if text.count(",") == 1 else text)
    except InvalidOperation:
        raise ValueError from None
    if not value.is_finite() or abs(value) >= Decimal("1e12"):
        raise ValueError
    if value == value.to_integral_value():
        return int(value)
    result = float(value)
    if not math.isfinite(result):
        raise ValueError
    return result


def answers_clean(questions: list[GuideQuestion], raw: dict) -> dict:
    """The answers typed (``{key: text}``) as stored values, or ``AnswersInvalid`` with a
    translated message per question. Blank answers are left out; unknown keys are ignored."""
    cleaned, errors = {}, {}
    for question in questions:
        value = raw.get(question.key, "")
        text = (value if isinstance(value, str) else str(value)).strip()
        if not text:
            if question.required:
                errors[question.key] = _("This question needs an answer.")
            continue
        match question.kind:
            case QuestionKind.YES_NO:
                if text not in YES_NO:
                    errors[question.key] = _("Answer yes or no.")
                    continue
                cleaned[question.key] = text
            case QuestionKind.CHOICE:
                if text not in question.choice_values():
                    errors[question.key] = _("Choose one of the choices offered.")
                    continue
                cleaned[question.key] = text
            case QuestionKind.NUMBER:
                try:
                    cleaned[question.key] = _number(text)
                except ValueError:
                    errors[question.key] = _("Enter a number, such as 12 or 3.5.")
            case _:
                if len(text) > TEXT_MAX:
                    errors[question.key] = _("Keep the answer under %(n)s characters.") % {
                        "n": TEXT_MAX
                    }
                    continue
                cleaned[question.key] = text
    if errors:
        raise AnswersInvalid(errors)
    return cleaned


def _check_answerer(actor: User, ticket: Ticket) -> None:
    """The help desk, and the customers who may see the ticket (its requester, its site's
    admins). Vendor agents read the answers; they do not fill them."""
    if actor.is_helpdesk:
        permissions.check(actor, ticket, Action.QUALIFY)
    elif actor.is_customer:
        permissions.check(actor, ticket, Action.CUSTOMER_REPLY)
    else:
        raise PermissionDeniedError(_("You are not allowed to do that on this ticket."))


@transaction.atomic
def guide_answers_save(
    *,
    ticket: Ticket,
    actor: User,
    answers: dict,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> GuideAnswers:
    """Save the answers to the guide of the ticket's category and record them in the history.
    Answering as the assignee of an open "answer the questionnaire" action completes it."""
    ticket = ticket_lock(ticket, expected_version)
    _check_answerer(actor, ticket)
    require_open(ticket)
    guide = guide_for_category(ticket.category_id, cached=False)
    if guide is None:
        raise ValidationError(_("The ticket's category has no guide."))
    questions = list(guide.questions.all())
    cleaned = answers_clean(questions, answers)
    at = at or timezone.now()
    row = GuideAnswers.objects.filter(ticket=ticket, guide=guide).first()
    previous = row.answers if row is not None else {}
    steps = []
    if row is None or previous != cleaned:
        changed = sorted(
            k for k in set(previous) | set(cleaned) if previous.get(k) != cleaned.get(k)
        )
        steps.append(
            Step(
                EventAction.GUIDE_ANSWERED,
                data={
                    "guide_id": guide.pk,
                    "category_id": ticket.category_id,
                    "answers": cleaned,
                    "changed": changed,
                },
            )
        )
        if row is None:
            row = GuideAnswers(ticket=ticket, guide=guide)
        row.answers, row.updated_by, row.updated_at = cleaned, actor, at
        row.save()
    open_actions = list(
        AssignedAction.objects.filter(
            ticket=ticket,
            assignee=actor,
            kind=ActionKind.QUESTIONNAIRE,
            completed_at__isnull=True,
        )
    )
    for action in open_actions:
        action.completed_at = at
        action.save(update_fields=["completed_at"])
        steps.append(_completed_step(action, article=None))
    if steps:
        ticket_write(ticket, actor=actor, steps=steps, at=at)
    return row


# -- assigned actions ---------------------------------------------------------------------------


def assignee_candidates(ticket: Ticket):
    """Who an action on ``ticket`` may be assigned to: its requester, and the active site admins
    of its site (in the ticket's organisation)."""
    who = Q(pk=ticket.requester_id)
    if ticket.site_id is not None:
        who |= Q(
            role=Role.SITE_ADMIN,
            sites=ticket.site_id,
            organisation_id=ticket.organisation_id,
        )
    return User.objects.filter(who, is_active=True).distinct().order_by("first_name", "pk")


def _zone(name: str):
    """The user's time zone for the mail's dates; UTC when it is not a known zone."""
    from ayuda.core.timezones import zone_or_utc

    return zone_or_utc(name)


def _action_mail(action: AssignedAction, *, reminder: bool) -> None:
    user = action.assignee
    with (
        translation.override(user.language or settings.LANGUAGE_CODE),
        timezone.override(_zone(user.timezone)),
    ):
        context = {
            "action": action,
            "ticket": action.ticket,
            "name": user.first_name or user.display_name(),
            "kind": action.get_kind_display(),
            "reminder": reminder,
            "url": f"{settings.AYUDA_BASE_URL.rstrip('/')}/portal/actions/",
        }
        subject = (
            _("Reminder, an action is due: %(s)s") if reminder else _("An action for you: %(s)s")
        ) % {"s": action.ticket.subject}
        body = render_to_string("knowledge/email/action.txt", context)
    notice_queue(
        user=user,
        subject=ticket_subject(action.ticket, subject),
        body=body,
        dedup_key=f"action:{action.pk}:{'reminder' if reminder else 'assigned'}",
    )


@transaction.atomic
def action_assign(
    *,
    ticket: Ticket,
    actor: User,
    assignee: User,
    kind: str,
    instructions: str = "",
    due_at: datetime,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> AssignedAction:
    """Ask the requester or a site admin of the ticket's site to do something by ``due_at``.
    Help desk only; the assignee is told by mail in their language."""
    ticket = ticket_lock(ticket, expected_version)
    if not actor.is_helpdesk:
        raise PermissionDeniedError(_("Only the help desk assigns actions."))
    permissions.check(actor, ticket, Action.NOTE)
    require_open(ticket)
    at = at or timezone.now()
    if kind not in ActionKind.values:
        raise ValidationError(_("Choose what the action is."), field="kind")
    instructions = (instructions or "").strip()
    if kind == ActionKind.TASK and not instructions:
        raise ValidationError(_("Say what is to be done."), field="instructions")
    if (
        kind == ActionKind.QUESTIONNAIRE
        and guide_for_category(ticket.category_id, cached=False) is None
    ):
        raise ValidationError(_("The ticket's category has no guide to answer."), field="kind")
    if due_at <= at:
        raise ValidationError(_("The due date must be in the future."), field="due_at")
    if not assignee_candidates(ticket).filter(pk=assignee.pk).exists():
        raise ValidationError(
            _("Assign the action to the requester or an administrator of the ticket's site."),
            field="assignee",
        )
    action = AssignedAction.objects.create(
        ticket=ticket,
        kind=kind,
        instructions=instructions,
        assignee=assignee,
        assigned_by=actor,
        due_at=due_at,
        created_at=at,
    )
    ticket_write(
        ticket,
        actor=actor,
        steps=[
            Step(
                EventAction.ACTION_ASSIGNED,
                new=action.get_kind_display(),
                data={
                    "action_id": action.pk,
                    "kind": kind,
                    "assignee_id": assignee.pk,
                    "due_at": due_at.isoformat(),
                    "instructions": instructions,
                },
            )
        ],
        at=at,
    )
    _action_mail(action, reminder=False)
    return action


def _completed_step(action: AssignedAction, *, article: Article | None) -> Step:
    return Step(
        EventAction.ACTION_COMPLETED,
        new=action.get_kind_display(),
        data={
            "action_id": action.pk,
            "kind": action.kind,
            "assignee_id": action.assignee_id,
            "article_id": article.pk if article is not None else None,
            "overdue": action.completed_at > action.due_at if action.completed_at else False,
        },
    )


@transaction.atomic
def action_complete(
    *,
    action: AssignedAction,
    actor: User,
    comment: str = "",
    photo: IncomingFile | None = None,
    at: datetime | None = None,
) -> AssignedAction:
    """The assignee confirms an action, with a comment or a photo (checked by content, kept as
    an attachment of a message on the ticket that agents read)."""
    ticket = ticket_lock(action.ticket_id)
    action = AssignedAction.objects.select_for_update().get(pk=action.pk)
    if actor.pk != action.assignee_id or not permissions.can_view(actor, ticket):
        raise PermissionDeniedError(_("Only the person the action is assigned to completes it."))
    if action.completed_at is not None:
        raise ValidationError(_("This action is already done."))
    require_open(ticket)
    comment = (comment or "").strip()
    if action.kind == ActionKind.QUESTIONNAIRE:
        guide = guide_for_category(ticket.category_id, cached=False)
        answered = guide is not None and GuideAnswers.objects.filter(ticket=ticket, guide=guide)
        if guide is not None and not answered.exists():
            raise ValidationError(_("Answer the questionnaire first."))
    elif not comment and photo is None:
        raise ValidationError(_("Write a comment or add a photo."), field="comment")
    files = [photo] if photo is not None else []
    if files and not attachments_check(files)[0].startswith("image/"):
        raise ValidationError(_("The photo must be a PNG, JPEG or GIF image."), field="photo")
    at = at or timezone.now()
    article = None
    steps = []
    if comment or files:
        body = _("Action done: %(what)s") % {
            "what": action.instructions or action.get_kind_display()
        }
        if comment:
            body = f"{body}\n\n{comment}"
        article = Article.objects.create(
            ticket=ticket,
            kind=ArticleKind.PORTAL,
            sender_role=SenderRole.CUSTOMER,
            internal=False,
            author=actor,
            body=body,
            created_at=at,
        )
        _saved, steps = attachments_store(ticket=ticket, article=article, files=files)
    action.completed_at, action.comment, action.article = at, comment, article
    action.save(update_fields=["completed_at", "comment", "article"])
    steps.insert(0, _completed_step(action, article=article))
    updates = {}
    if ticket.state_category == StateCategory.PENDING_CUSTOMER:
        state = state_default(StateCategory.OPEN)
        steps.append(state_step(ticket, state))
        updates = state_updates(ticket, state, at)
    ticket_write(ticket, actor=actor, steps=[s for s in steps if s], updates=updates, at=at)
    return action


def action_reminders_send(*, now: datetime | None = None) -> list[int]:
    """Remind the assignees of open actions due within ``AYUDA_ACTION_REMINDER_HOURS``, once
    each: a row is claimed by setting ``reminder_sent_at`` where it is still empty, so two runs
    at once, or one run twice, send one reminder. Actions assigned already that close to their
    due date are not reminded (the assignment mail said it). Returns the actions reminded."""
    now = now or timezone.now()
    window = timedelta(hours=settings.AYUDA_ACTION_REMINDER_HOURS)
    due = AssignedAction.objects.filter(
        completed_at__isnull=True,
        reminder_sent_at__isnull=True,
        due_at__gt=now,
        due_at__lte=now + window,
    ).values_list("pk", "due_at", "created_at")
    reminded = []
    for pk, due_at, created_at in list(due[:1000]):
        if due_at - created_at <= window:
            # Assigned within the window: the assignment mail is the reminder.
            AssignedAction.objects.filter(pk=pk, reminder_sent_at__isnull=True).update(
                reminder_sent_at=created_at
            )
            continue
        with transaction.atomic():
            claimed = AssignedAction.objects.filter(
                pk=pk, reminder_sent_at__isnull=True, completed_at__isnull=True
            ).update(reminder_sent_at=now)
            if not claimed:
                continue
            action = AssignedAction.objects.select_related("ticket", "assignee").get(pk=pk)
            _action_mail(action, reminder=True)
        reminded.append(pk)
    return reminded
