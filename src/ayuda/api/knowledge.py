"""A ticket's category guide, its answers and its assigned actions (R14, R15; docs/knowledge.md):
the same selectors and services as the ticket pages."""

from datetime import datetime

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from ayuda.accounts.models import User
from ayuda.core.errors import ValidationError
from ayuda.knowledge import selectors as knowledge
from ayuda.knowledge.models import AssignedAction
from ayuda.knowledge.services import (
    AnswersInvalid,
    action_assign,
    assignee_candidates,
    guide_answers_save,
)
from ayuda.tickets import selectors
from ayuda.tickets.models import Ticket

from .problems import ERRORS, WRITE_ERRORS, problem
from .schemas import Id, PathId

router = Router(tags=["guides and actions"])


class Choice(Schema):
    value: str
    label: str


class Question(Schema):
    key: str
    kind: str = Field(description="yes_no, choice, text or number")
    label: str
    help: str
    required: bool
    choices: list[Choice]


class Guide(Schema):
    category_id: int
    intro: str
    questions: list[Question]
    steps: list[str]


class GuideAnswers(Schema):
    guide: Guide | None = Field(description="The guide of the ticket's category, if it has one.")
    answers: dict[str, str | int | float] = Field(description="Stored answers by question key.")
    answered_at: datetime | None


class AnswersIn(Schema):
    answers: dict[str, str | int | float] = Field(
        description='By question key: yes_no takes "yes" or "no"; choice one of its values.'
    )


class Action(Schema):
    id: int
    kind: str
    instructions: str
    assignee_id: int
    due_at: datetime
    completed_at: datetime | None
    overdue: bool


class ActionList(Schema):
    items: list[Action]


class ActionIn(Schema):
    assignee_id: Id
    kind: str = Field(description="questionnaire or task")
    instructions: str = ""
    due_at: datetime


def _guide_body(ticket: Ticket) -> dict:
    view = knowledge.ticket_guide(ticket=ticket, previous=False).current
    if view is None:
        return {"guide": None, "answers": {}, "answered_at": None}
    return {
        "guide": {
            "category_id": view.guide.category_id,
            "intro": view.guide.display_intro,
            "questions": [
                {
                    "key": q.question.key,
                    "kind": q.question.kind,
                    "label": q.question.display_label,
                    "help": q.question.display_help,
                    "required": q.question.required,
                    "choices": [
                        {"value": v, "label": label} for v, label in q.question.display_choices()
                    ],
                }
                for q in view.questions
            ],
            "steps": [s.display_text for s in view.steps],
        },
        "answers": {q.question.key: q.value for q in view.questions if q.display},
        "answered_at": view.answered_at,
    }


@router.get(
    "/{ticket_id}/guide",
    response={200: GuideAnswers, **ERRORS},
    url_name="ticket_guide",
    summary="Read the guide of a ticket's category and its answers",
)
def guide_get(request, ticket_id: PathId):
    ticket = selectors.ticket_get(user=request.auth, pk=ticket_id)
    return _guide_body(ticket)


@router.put(
    "/{ticket_id}/guide",
    response={200: GuideAnswers, **WRITE_ERRORS},
    url_name="ticket_guide",
    summary="Answer the guide",
    description="The help desk, the requester and the site's admins. Every answer is checked "
    "by its question's kind; a refusal lists one error per question key and changes nothing.",
)
def guide_put(request, ticket_id: PathId, payload: AnswersIn):
    ticket = selectors.ticket_get(user=request.auth, pk=ticket_id)
    answers = {k: str(v) for k, v in payload.answers.items()}
    try:
        guide_answers_save(ticket=ticket, actor=request.auth, answers=answers)
    except AnswersInvalid as err:
        errors = [{"field": f"answers.{k}", "detail": v} for k, v in err.errors.items()]
        return problem(request, status=422, kind="validation", detail=err.message, errors=errors)
    return _guide_body(selectors.ticket_get(user=request.auth, pk=ticket_id))


def _action(action: AssignedAction, now) -> dict:
    return {
        "id": action.pk,
        "kind": action.kind,
        "instructions": action.instructions,
        "assignee_id": action.assignee_id,
        "due_at": action.due_at,
        "completed_at": action.completed_at,
        "overdue": action.is_open and action.due_at < now,
    }


@router.get(
    "/{ticket_id}/actions",
    response={200: ActionList, **ERRORS},
    url_name="ticket_actions",
    summary="List a ticket's assigned actions",
    description="The help desk reads all of them; a customer only their own; a vendor none.",
)
def actions_get(request, ticket_id: PathId):
    from django.utils import timezone

    user: User = request.auth
    ticket = selectors.ticket_get(user=user, pk=ticket_id)
    actions = knowledge.ticket_actions(ticket=ticket)
    if not user.is_helpdesk:
        actions = [a for a in actions if a.assignee_id == user.pk]
    now = timezone.now()
    return {"items": [_action(a, now) for a in actions]}


@router.post(
    "/{ticket_id}/actions",
    response={201: Action, **WRITE_ERRORS},
    url_name="ticket_actions",
    summary="Assign an action",
    description="Help desk only: to the requester or an admin of the ticket's site.",
)
def actions_post(request, response: HttpResponse, ticket_id: PathId, payload: ActionIn):
    from django.utils import timezone

    ticket = selectors.ticket_get(user=request.auth, pk=ticket_id)
    assignee = assignee_candidates(ticket).filter(pk=payload.assignee_id).first()
    if assignee is None and request.auth.is_helpdesk:
        raise ValidationError(
            _("Assign the action to the requester or an administrator of the ticket's site."),
            field="assignee",
        )
    action = action_assign(
        ticket=ticket,
        actor=request.auth,
        assignee=assignee or request.auth,  # the service refuses a non-help-desk caller first
        kind=payload.kind,
        instructions=payload.instructions,
        due_at=payload.due_at,
    )
    return Status(201, _action(action, timezone.now()))
