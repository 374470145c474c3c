"""Reads of problems and bulletins (R21, R31).

Active bulletins are few and every workspace page shows them: the list is kept in the
select-box lists' cache (``core.cache.cached_list``) as plain values, refreshed by every
bulletin write (``problems.py``) and the admin, so a page costs no query for it once cached.
Whether a bulletin is live now (``starts_at``, ``ends_at``) is worked out on each read.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q
from django.utils import timezone

from ayuda.core.cache import cached_list
from ayuda.core.i18n import translated
from ayuda.tickets.models import StateCategory, Ticket

from .models import (
    Bulletin,
    BulletinStatus,
    Problem,
    ProblemLink,
    ProblemStatus,
    ProblemUpdate,
)

LINKS_PAGE = 50


@dataclass(frozen=True)
class ActiveBulletin:
    """An active bulletin as cached: its texts with their translations and what it matches."""

    pk: int
    problem_id: int
    title: str
    title_i18n: dict
    agreed_answer: str
    agreed_answer_i18n: dict
    is_public: bool
    public_notice: str
    public_notice_i18n: dict
    category_ids: frozenset[int]
    organisation_ids: frozenset[int]
    starts_at: datetime
    ends_at: datetime | None

    @property
    def display_title(self) -> str:
        return translated(self.title_i18n, self.title)

    @property
    def display_agreed_answer(self) -> str:
        return translated(self.agreed_answer_i18n, self.agreed_answer)

    @property
    def display_public_notice(self) -> str:
        return translated(self.public_notice_i18n, self.public_notice)

    def live(self, now: datetime) -> bool:
        return self.starts_at <= now and (self.ends_at is None or self.ends_at > now)

    def matches(self, *, category_id: int | None, organisation_id: int | None) -> bool:
        """None chosen means every one; a ticket without a category matches only a bulletin
        for every category (likewise the organisation)."""
        return (not self.category_ids or category_id in self.category_ids) and (
            not self.organisation_ids or organisation_id in self.organisation_ids
        )

    @property
    def single_category_id(self) -> int | None:
        return next(iter(self.category_ids)) if len(self.category_ids) == 1 else None


def _load_active() -> list[ActiveBulletin]:
    rows = list(
        Bulletin.objects.filter(status=BulletinStatus.ACTIVE)
        .prefetch_related("categories", "organisations")
        .order_by("-starts_at", "-id")
    )
    return [
        ActiveBulletin(
            pk=b.pk,
            problem_id=b.problem_id,
            title=b.title,
            title_i18n=dict(b.title_i18n or {}),
            agreed_answer=b.agreed_answer,
            agreed_answer_i18n=dict(b.agreed_answer_i18n or {}),
            is_public=b.is_public,
            public_notice=b.public_notice,
            public_notice_i18n=dict(b.public_notice_i18n or {}),
            category_ids=frozenset(c.pk for c in b.categories.all()),
            organisation_ids=frozenset(o.pk for o in b.organisations.all()),
            starts_at=b.starts_at,
            ends_at=b.ends_at,
        )
        for b in rows
    ]


def bulletins_active(*, now: datetime | None = None) -> list[ActiveBulletin]:
    """The bulletins live now, newest first, from the cache: no query once cached, and one
    small one (three with the prefetch when any is active) when not."""
    now = now or timezone.now()
    return [b for b in cached_list("bulletins_active", _load_active) if b.live(now)]


def bulletins_of_request(request) -> list[ActiveBulletin]:
    """``bulletins_active()`` once per request: the banner, the ticket's card and the queue
    share it (it matters when the cache is off, as in the tests)."""
    held = getattr(request, "_bulletins_active", None)
    if held is None:
        held = bulletins_active()
        if request is not None:
            request._bulletins_active = held
    return held


def bulletins_matching(
    ticket: Ticket, *, public_only: bool = False, active: list[ActiveBulletin] | None = None
) -> list[ActiveBulletin]:
    """The live bulletins a ticket matches (its category and organisation); ``active``: the
    live list already read."""
    return [
        b
        for b in (bulletins_active() if active is None else active)
        if (b.is_public or not public_only)
        and b.matches(category_id=ticket.category_id, organisation_id=ticket.organisation_id)
    ]


def bulletin_notices_for(ticket: Ticket) -> list[ActiveBulletin]:
    """The public bulletins whose notice goes in a new ticket's acknowledgement."""
    return [b for b in bulletins_matching(ticket, public_only=True) if b.public_notice.strip()]


def bulletins_for_requester(user, *, category_id: int | None = None) -> list[ActiveBulletin]:
    """The live public bulletins a customer sees in the portal: of their organisation (or of
    every one), and of the category they chose, when they chose one."""
    if not user.is_authenticated or not user.is_customer:
        return []
    found = []
    for b in bulletins_active():
        if not b.is_public:
            continue
        if b.organisation_ids and user.organisation_id not in b.organisation_ids:
            continue
        if category_id is not None and b.category_ids and category_id not in b.category_ids:
            continue
        found.append(b)
    return found


def bulletin_active_get(pk: int) -> ActiveBulletin | None:
    return next((b for b in bulletins_active() if b.pk == pk), None)


# -- problems -----------------------------------------------------------------------------------


def problem_list(*, status: str | None = None) -> list[Problem]:
    """Problems, newest first, with their number of linked tickets and active bulletins
    (one query)."""
    problems = Problem.objects.select_related("owner", "category").annotate(
        links_count=Count("links", distinct=True),
        active_bulletins=Count(
            "bulletins", filter=Q(bulletins__status=BulletinStatus.ACTIVE), distinct=True
        ),
    )
    if status in ProblemStatus.values:
        problems = problems.filter(status=status)
    return list(problems.order_by("-created_at", "-id")[:200])


def problem_get(pk: int) -> Problem:
    return Problem.objects.select_related("owner", "category", "created_by").get(pk=pk)


def problem_links_page(
    *, problem: Problem, after: int | None = None, limit: int = LINKS_PAGE
) -> tuple[list[ProblemLink], int | None]:
    """A page of the problem's linked tickets by ticket number (keyset on ``ticket_id``), and
    the cursor of the next page (None on the last)."""
    links = ProblemLink.objects.filter(problem=problem).select_related(
        "ticket", "ticket__state", "ticket__requester", "linked_by"
    )
    if after is not None:
        links = links.filter(ticket_id__gt=after)
    rows = list(links.order_by("ticket_id")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].ticket_id if more and rows else None)


def problem_updates(problem: Problem) -> list[ProblemUpdate]:
    return list(problem.updates.select_related("actor", "bulletin").order_by("-created_at", "-id"))


def problem_bulletins(problem: Problem) -> list[Bulletin]:
    return list(
        problem.bulletins.prefetch_related("categories", "organisations").order_by(
            "-starts_at", "-id"
        )
    )


def ticket_problem_link(ticket: Ticket) -> ProblemLink | None:
    return ProblemLink.objects.select_related("problem").filter(ticket=ticket).first()


def requester_linked_ticket(*, user, problem_id: int) -> Ticket | None:
    """The requester's own ticket, not closed, already linked to the problem (a second
    "this is my problem" finds it instead of opening another)."""
    return (
        Ticket.objects.filter(requester=user, problem_link__problem_id=problem_id)
        .exclude(state_category=StateCategory.CLOSED)
        .order_by("-created_at", "-id")
        .first()
    )
