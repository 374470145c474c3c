"""Reads of guides, answers and assigned actions (R14, R15)."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Exists, OuterRef, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from ayuda.accounts.models import User
from ayuda.core.cache import cached_list
from ayuda.tickets.models import Channel, EventAction, Ticket
from ayuda.tickets.permissions import ticket_visible_to

from .models import AssignedAction, Guide, GuideAnswers, GuideQuestion, GuideStep, QuestionKind


def guided_category_ids() -> set[int]:
    """The categories that have an active guide, from the select-box lists' cache (the guide
    admin refreshes it): a ticket page of a category without a guide asks nothing more."""
    return set(
        cached_list(
            "guided_categories",
            lambda: list(
                Guide.objects.filter(is_active=True).values_list("category_id", flat=True)
            ),
        )
    )


def guide_for_category(category_id: int | None, *, cached: bool = True) -> Guide | None:
    """The active guide of a category, with its questions and steps in order (three queries).
    ``cached`` first asks the cached list whether the category has one (pages); services
    pass False and read the table."""
    if category_id is None:
        return None
    if cached and category_id not in guided_category_ids():
        return None
    return (
        Guide.objects.filter(category_id=category_id, is_active=True)
        .prefetch_related(
            Prefetch("questions", queryset=GuideQuestion.objects.order_by("position", "id")),
            Prefetch("steps", queryset=GuideStep.objects.order_by("position", "id")),
        )
        .first()
    )


def answer_display(question: GuideQuestion, value) -> str:
    """A stored answer in the reader's language."""
    if value is None or value == "":
        return ""
    if question.kind == QuestionKind.YES_NO:
        return _("Yes") if value == "yes" else _("No")
    if question.kind == QuestionKind.CHOICE:
        return dict(question.display_choices()).get(value, str(value))
    return str(value)


@dataclass
class AnsweredQuestion:
    question: GuideQuestion
    value: object  # the stored value ("" when unanswered)
    display: str

    @property
    def text(self) -> str:
        """The value as a form input shows it."""
        return "" if self.value in (None, "") else str(self.value)


@dataclass
class GuideView:
    """A guide and a ticket's answers to it, ready for a page or a mail."""

    guide: Guide
    questions: list[AnsweredQuestion]
    steps: list[GuideStep]
    answered_by: User | None = None
    answered_at: datetime | None = None

    @property
    def answered(self) -> list[AnsweredQuestion]:
        return [q for q in self.questions if q.display]


def _guide_view(guide: Guide, row: GuideAnswers | None) -> GuideView:
    answers = row.answers if row is not None else {}
    questions = [
        AnsweredQuestion(q, answers.get(q.key, ""), answer_display(q, answers.get(q.key)))
        for q in guide.questions.all()
    ]
    return GuideView(
        guide=guide,
        questions=questions,
        steps=list(guide.steps.all()),
        answered_by=row.updated_by if row is not None else None,
        answered_at=row.updated_at if row is not None else None,
    )


@dataclass
class TicketGuide:
    """The guide of the ticket's category with its answers, and the answers to the guides of
    categories the ticket had before (kept, read-only)."""

    current: GuideView | None
    previous: list[GuideView] = field(default_factory=list)


def _has(events, action: str) -> bool:
    """Whether the ticket's history (as a page already loaded it) holds ``action``; None (not
    loaded) counts as yes."""
    return events is None or any(e.action == action for e in events)


def ticket_guide(*, ticket: Ticket, events=None, previous: bool = True) -> TicketGuide:
    """The current guide with the ticket's answers and, with ``previous``, the answers to
    earlier categories' guides. ``events`` (the history the page loaded) spares the answers'
    query on a ticket nobody answered a guide on."""
    guide = guide_for_category(ticket.category_id)
    if guide is None and not previous:
        return TicketGuide(current=None)
    if not _has(events, EventAction.GUIDE_ANSWERED):
        return TicketGuide(current=_guide_view(guide, None) if guide is not None else None)
    answers = GuideAnswers.objects.filter(ticket_id=ticket.pk)
    if not previous:
        answers = answers.filter(guide=guide)
    rows = list(
        answers.select_related("guide__category", "updated_by")
        .prefetch_related(
            Prefetch("guide__questions", queryset=GuideQuestion.objects.order_by("position", "id")),
            Prefetch("guide__steps", queryset=GuideStep.objects.none()),
        )
        .order_by("-updated_at")
    )
    current_row = next((r for r in rows if guide is not None and r.guide_id == guide.pk), None)
    return TicketGuide(
        current=_guide_view(guide, current_row) if guide is not None else None,
        previous=[_guide_view(r.guide, r) for r in rows if r is not current_row],
    )


def ticket_actions(*, ticket: Ticket, events=None) -> list[AssignedAction]:
    """The ticket's actions, open first; none asked for when ``events`` (the history the page
    loaded) shows that no action was ever assigned."""
    if not _has(events, EventAction.ACTION_ASSIGNED):
        return []
    return list(
        AssignedAction.objects.filter(ticket_id=ticket.pk)
        .select_related("assignee", "assigned_by")
        .order_by("completed_at", "due_at", "pk")
    )


def my_actions(*, user: User, done: bool = False, limit: int = 100) -> list[AssignedAction]:
    """A customer's actions on the tickets they may still see (a site admin moved off a site
    no longer sees that site's actions): open ones by due date, or the latest done."""
    actions = AssignedAction.objects.filter(
        assignee=user,
        completed_at__isnull=not done,
        ticket__in=ticket_visible_to(user).values("pk"),
    ).select_related("ticket")
    order = ("-completed_at", "-pk") if done else ("due_at", "pk")
    return list(actions.order_by(*order)[:limit])


def my_action_get(*, user: User, pk: int) -> AssignedAction:
    """One of the user's own actions, or 404 (someone else's is not told apart)."""
    from django.http import Http404

    action = (
        AssignedAction.objects.filter(pk=pk, assignee=user)
        .select_related("ticket", "ticket__category")
        .first()
    )
    if action is None or not ticket_visible_to(user).filter(pk=action.ticket_id).exists():
        raise Http404
    return action


def overdue_q(*, now: datetime | None = None) -> Exists:
    """Tickets with an open action past its due date (the partial index action_open_ticket):
    a filter, or an annotation marking each line."""
    now = now or timezone.now()
    return Exists(
        AssignedAction.objects.filter(
            ticket_id=OuterRef("pk"), completed_at__isnull=True, due_at__lt=now
        )
    )


def overdue_ticket_ids(ticket_ids: list[int], *, now: datetime | None = None) -> set[int]:
    """Which of these tickets (a queue page) have an overdue action: one query."""
    if not ticket_ids:
        return set()
    now = now or timezone.now()
    return set(
        AssignedAction.objects.filter(
            ticket_id__in=ticket_ids, completed_at__isnull=True, due_at__lt=now
        ).values_list("ticket_id", flat=True)
    )


@dataclass
class EscalationBrief:
    """What a vendor's second line needs about a monitored incident: the device, the figures
    that raised it, and the answers to the category's guide. No requester contact."""

    device: object | None
    figures: dict
    guide: GuideView | None

    @property
    def empty(self) -> bool:
        return self.device is None and not self.figures and not self.guide

    def figure_items(self) -> list[tuple[str, str]]:
        """Labelled in the language active where it is shown (the vendor's, in its mail)."""
        from ayuda.devices.figures import figure_rows_text

        return figure_rows_text(self.figures)


def escalation_brief(*, ticket: Ticket, events=None) -> EscalationBrief:
    """The brief for the vendor (its mail, its view of the ticket): the device with its site
    and location, the incident's figures, the answers to the current guide. It names nobody:
    who answered is left out, so the vendor learns no requester contact from it."""
    device = None
    if ticket.device_id:
        from ayuda.devices.models import Device

        device = Device.objects.select_related("site").filter(pk=ticket.device_id).first()
    figures = {}
    incident = _health_incident(ticket) if ticket.channel == Channel.MONITORING else None
    if incident is not None:
        figures = dict(incident.figures or {})
    guide = ticket_guide(ticket=ticket, events=events, previous=False).current
    if guide is not None:
        guide.answered_by = None
        if not guide.answered:
            guide = None
    return EscalationBrief(device=device, figures=figures, guide=guide)


def _health_incident(ticket: Ticket):
    from django.core.exceptions import ObjectDoesNotExist

    try:
        return ticket.health_incident
    except ObjectDoesNotExist:
        return None
