"""Factories for problems and bulletins, and many linked tickets fast (set-based)."""

from datetime import timedelta

from django.utils import timezone

from ayuda.accounts.models import Level
from ayuda.tickets.models import Channel, StateCategory, Ticket, TicketState, TicketType

from ..models import Bulletin, LinkVia, Problem, ProblemLink


def problem_make(**kwargs) -> Problem:
    now = timezone.now()
    kwargs.setdefault("title", "Portal login slow")
    return Problem.objects.create(created_at=now, updated_at=now, **kwargs)


def bulletin_make(*, problem=None, categories=(), organisations=(), **kwargs) -> Bulletin:
    problem = problem or problem_make(title=kwargs.get("title", "Portal login slow"))
    kwargs.setdefault("title", problem.title)
    kwargs.setdefault("agreed_answer", "We know; it is being fixed.")
    kwargs.setdefault("starts_at", timezone.now() - timedelta(minutes=5))
    bulletin = Bulletin.objects.create(problem=problem, created_at=timezone.now(), **kwargs)
    bulletin.categories.set(categories)
    bulletin.organisations.set(organisations)
    return bulletin


def tickets_bulk(count: int, *, requesters, state_category=StateCategory.NEW, **fields):
    """``count`` tickets written with one bulk insert (no first article, no history yet: the
    services append to an empty history like to any other), spread over ``requesters``."""
    state = TicketState.objects.filter(category=state_category).order_by("-is_default").first()
    now = timezone.now()
    rows = [
        Ticket(
            subject=f"Cannot log in {i}",
            description="The portal does not answer.",
            type=TicketType.INCIDENT,
            channel=Channel.PORTAL,
            state=state,
            state_category=state.category,
            level=Level.L1,
            requester=requesters[i % len(requesters)],
            organisation_id=requesters[i % len(requesters)].organisation_id,
            created_at=now,
            updated_at=now,
            **fields,
        )
        for i in range(count)
    ]
    Ticket.objects.bulk_create(rows, batch_size=1000)
    return list(Ticket.objects.order_by("-pk").values_list("pk", flat=True)[:count])


def links_bulk(problem: Problem, ticket_ids, *, linked_by=None) -> None:
    now = timezone.now() - timedelta(seconds=1)
    ProblemLink.objects.bulk_create(
        [
            ProblemLink(
                problem=problem, ticket_id=pk, via=LinkVia.AGENT, linked_by=linked_by, linked_at=now
            )
            for pk in ticket_ids
        ],
        batch_size=1000,
    )
