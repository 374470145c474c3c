"""Writes of problems and bulletins (R21, R31).

Who does what (docs/knowledge.md, "Bulletins and problems"):

- every help-desk member records a problem, edits its title, description and workaround, and
  links or unlinks tickets (the front line groups what it sees);
- level 2, managers and administrators (``PROBLEM_MANAGERS``) write the root cause and the fix,
  publish, change and close bulletins, and resolve problems, because those speak to every
  customer and touch every linked ticket.

Linking records ``problem_linked`` / ``problem_unlinked`` in the ticket's history through
``ticket_write``. A ticket belongs to one problem: linking it elsewhere moves it (one
``problem_linked`` event naming the previous problem).

Resolving a problem or closing a bulletin only records a ``ProblemUpdate`` and returns: the
linked tickets are resolved or answered after commit by ``tasks.problem_update_batch``, in
batches of ``AYUDA_PROBLEM_BATCH`` tickets, each in its own transaction through the ticket
services (``problem_delivery.problem_update_deliver``).
"""

import logging
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ayuda.accounts.models import Role, User
from ayuda.core.cache import lookups_changed
from ayuda.core.errors import PermissionDeniedError, ValidationError
from ayuda.tickets import permissions
from ayuda.tickets.history import Step
from ayuda.tickets.models import Category, Channel, EventAction, Ticket
from ayuda.tickets.services import ticket_create
from ayuda.tickets.services._base import ticket_lock, ticket_write

from .models import (
    Bulletin,
    BulletinStatus,
    LinkVia,
    Problem,
    ProblemLink,
    ProblemStatus,
    ProblemUpdate,
    UpdateKind,
)
from .problems_selectors import bulletin_active_get, requester_linked_ticket

logger = logging.getLogger(__name__)

PROBLEM_MANAGERS = frozenset({Role.AGENT_L2, Role.MANAGER, Role.ADMIN})
LINK_MANY_MAX = 500
MESSAGE_MAX = 10_000


def is_problem_manager(user: User) -> bool:
    return user.is_authenticated and user.is_active and user.role in PROBLEM_MANAGERS


def _check_helpdesk(actor: User) -> None:
    if not (actor.is_authenticated and actor.is_active and actor.is_helpdesk):
        raise PermissionDeniedError(_("Only the help desk works on problems."))


def _check_manager(actor: User) -> None:
    if not is_problem_manager(actor):
        raise PermissionDeniedError(
            _("Only level 2, managers and administrators do that on a problem.")
        )


def _text(value: str, *, field: str, required: str | None = None, limit: int = MESSAGE_MAX):
    value = (value or "").strip()
    if required and not value:
        raise ValidationError(required, field=field)
    if len(value) > limit:
        raise ValidationError(_("Keep it under %(n)s characters.") % {"n": limit}, field=field)
    return value


def _i18n(values: dict | None) -> dict:
    return {k: v.strip() for k, v in (values or {}).items() if isinstance(v, str) and v.strip()}


# -- problems -----------------------------------------------------------------------------------


@transaction.atomic
def problem_create(
    *,
    actor: User,
    title: str,
    description: str = "",
    workaround: str = "",
    category: Category | None = None,
    owner: User | None = None,
    at: datetime | None = None,
) -> Problem:
    _check_helpdesk(actor)
    title = _text(title, field="title", required=_("Give the problem a title."), limit=300)
    if owner is not None and not owner.is_helpdesk:
        raise ValidationError(_("The owner must be on the help desk."), field="owner")
    at = at or timezone.now()
    return Problem.objects.create(
        title=title,
        description=_text(description, field="description"),
        workaround=_text(workaround, field="workaround"),
        category=category,
        owner=owner,
        created_by=actor,
        created_at=at,
        updated_at=at,
    )


@transaction.atomic
def problem_update(
    *,
    problem: Problem,
    actor: User,
    title: str,
    description: str,
    workaround: str,
    cause: str,
    fix: str,
    status: str,
    category: Category | None,
    owner: User | None,
    at: datetime | None = None,
) -> Problem:
    """Edit the record. The root cause and the fix are level 2's, managers' and
    administrators'; a problem is resolved with ``problem_resolve`` (it updates the tickets)."""
    _check_helpdesk(actor)
    problem = Problem.objects.select_for_update().get(pk=problem.pk)
    title = _text(title, field="title", required=_("Give the problem a title."), limit=300)
    cause, fix = _text(cause, field="cause"), _text(fix, field="fix")
    if (cause != problem.cause or fix != problem.fix) and not is_problem_manager(actor):
        raise PermissionDeniedError(
            _("Only level 2, managers and administrators write the root cause and the fix.")
        )
    if status not in ProblemStatus.values:
        raise ValidationError(_("Choose a status."), field="status")
    if status == ProblemStatus.RESOLVED and problem.status != ProblemStatus.RESOLVED:
        raise ValidationError(
            _("Use “Resolve the problem”: it also resolves the linked tickets."), field="status"
        )
    if owner is not None and not owner.is_helpdesk:
        raise ValidationError(_("The owner must be on the help desk."), field="owner")
    problem.title, problem.description = title, _text(description, field="description")
    problem.workaround = _text(workaround, field="workaround")
    problem.cause, problem.fix, problem.status = cause, fix, status
    problem.category, problem.owner = category, owner
    problem.updated_at = at or timezone.now()
    if status != ProblemStatus.RESOLVED:
        problem.resolved_at = None
    problem.save()
    return problem


# -- links --------------------------------------------------------------------------------------


def _link_step(problem: Problem, *, via: str, previous: Problem | None) -> Step:
    return Step(
        EventAction.PROBLEM_LINKED,
        old=previous.title if previous is not None else "",
        new=problem.title,
        data={
            "problem_id": problem.pk,
            "via": via,
            "from_problem_id": previous.pk if previous is not None else None,
        },
    )


def _link(*, problem: Problem, ticket: Ticket, actor: User, via: str, at: datetime) -> ProblemLink:
    """Link a locked ticket, moving it from another problem; records the event."""
    link = (
        ProblemLink.objects.select_for_update(of=("self",))
        .select_related("problem")
        .filter(ticket=ticket)
        .first()
    )
    if link is not None and link.problem_id == problem.pk:
        return link
    previous = link.problem if link is not None else None
    if link is None:
        link = ProblemLink(ticket=ticket)
    link.problem, link.via, link.linked_by, link.linked_at = problem, via, actor, at
    link.last_update = None
    link.save()
    ticket_write(
        ticket, actor=actor, steps=[_link_step(problem, via=via, previous=previous)], at=at
    )
    return link


@transaction.atomic
def problem_link(
    *,
    problem: Problem,
    ticket: Ticket,
    actor: User,
    via: str = LinkVia.AGENT,
    at: datetime | None = None,
) -> ProblemLink:
    """Link a ticket to a problem (help desk). Already linked elsewhere: moved."""
    _check_helpdesk(actor)
    if via != LinkVia.AGENT:
        raise ValidationError(_("Agents link tickets as agents."), field="via")
    ticket = ticket_lock(ticket)
    permissions.check(actor, ticket, permissions.Action.NOTE)
    problem = Problem.objects.get(pk=problem.pk)
    return _link(problem=problem, ticket=ticket, actor=actor, via=via, at=at or timezone.now())


@transaction.atomic
def problem_unlink(*, ticket: Ticket, actor: User, at: datetime | None = None) -> None:
    _check_helpdesk(actor)
    ticket = ticket_lock(ticket)
    permissions.check(actor, ticket, permissions.Action.NOTE)
    link = (
        ProblemLink.objects.select_for_update(of=("self",))
        .select_related("problem")
        .filter(ticket=ticket)
        .first()
    )
    if link is None:
        raise ValidationError(_("This ticket is not linked to a problem."))
    problem = link.problem
    link.delete()
    ticket_write(
        ticket,
        actor=actor,
        steps=[
            Step(
                EventAction.PROBLEM_UNLINKED,
                old=problem.title,
                data={"problem_id": problem.pk},
            )
        ],
        at=at,
    )


@transaction.atomic
def link_many(
    *, problem: Problem, ticket_ids: list[int], actor: User, at: datetime | None = None
) -> int:
    """Link up to ``LINK_MANY_MAX`` tickets at once (the queue's "Link selected"): the tickets
    and their links are read and locked in two queries, new links written in one; each ticket
    still gets its ``problem_linked`` event. Returns how many were linked or moved."""
    _check_helpdesk(actor)
    ids = sorted({int(i) for i in ticket_ids})
    if not ids:
        raise ValidationError(_("Select the tickets to link."), field="tickets")
    if len(ids) > LINK_MANY_MAX:
        raise ValidationError(
            _("Link at most %(n)s tickets at once.") % {"n": LINK_MANY_MAX}, field="tickets"
        )
    problem = Problem.objects.get(pk=problem.pk)
    at = at or timezone.now()
    tickets = list(
        Ticket.objects.select_for_update(of=("self",))
        .select_related("state", "team")
        .filter(pk__in=ids)
        .order_by("pk")
    )
    existing = {
        link.ticket_id: link
        for link in ProblemLink.objects.select_for_update(of=("self",))
        .select_related("problem")
        .filter(ticket_id__in=ids)
    }
    created, moved = [], []
    for ticket in tickets:
        link = existing.get(ticket.pk)
        if link is not None and link.problem_id == problem.pk:
            continue
        previous = link.problem if link is not None else None
        if link is None:
            link = ProblemLink(ticket=ticket)
            created.append(link)
        else:
            moved.append(link)
        link.problem, link.via, link.linked_by, link.linked_at = problem, LinkVia.AGENT, actor, at
        link.last_update = None
        step = _link_step(problem, via=LinkVia.AGENT, previous=previous)
        ticket_write(ticket, actor=actor, steps=[step], at=at)
    ProblemLink.objects.bulk_create(created)
    ProblemLink.objects.bulk_update(
        moved, ["problem", "via", "linked_by", "linked_at", "last_update"]
    )
    return len(created) + len(moved)


# -- bulletins ----------------------------------------------------------------------------------


def _bulletin_fields(
    *,
    title: str,
    agreed_answer: str,
    public_notice: str,
    is_public: bool,
    starts_at: datetime | None,
    ends_at: datetime | None,
    at: datetime,
) -> dict:
    title = _text(title, field="title", required=_("Give the bulletin a title."), limit=300)
    agreed_answer = _text(
        agreed_answer,
        field="agreed_answer",
        required=_("Write the answer the front line gives."),
    )
    public_notice = _text(public_notice, field="public_notice")
    if is_public and not public_notice:
        raise ValidationError(
            _("A public bulletin needs the notice customers read."), field="public_notice"
        )
    starts_at = starts_at or at
    if ends_at is not None and ends_at <= starts_at:
        raise ValidationError(_("The end must come after the start."), field="ends_at")
    return {
        "title": title,
        "agreed_answer": agreed_answer,
        "public_notice": public_notice,
        "is_public": bool(is_public),
        "starts_at": starts_at,
        "ends_at": ends_at,
    }


@transaction.atomic
def bulletin_create(
    *,
    actor: User,
    title: str,
    agreed_answer: str,
    public_notice: str = "",
    is_public: bool = False,
    problem: Problem | None = None,
    categories: list | tuple = (),
    organisations: list | tuple = (),
    translations: dict[str, dict] | None = None,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    at: datetime | None = None,
) -> Bulletin:
    """Publish a bulletin; without ``problem`` a problem of the same title is recorded for it.
    ``translations`` maps ``title``, ``agreed_answer``, ``public_notice`` to ``{lang: text}``.
    """
    _check_manager(actor)
    at = at or timezone.now()
    fields = _bulletin_fields(
        title=title,
        agreed_answer=agreed_answer,
        public_notice=public_notice,
        is_public=is_public,
        starts_at=starts_at,
        ends_at=ends_at,
        at=at,
    )
    if problem is None:
        problem = problem_create(actor=actor, title=fields["title"], at=at)
    elif problem.status == ProblemStatus.RESOLVED:
        raise ValidationError(_("That problem is resolved."), field="problem")
    translations = translations or {}
    bulletin = Bulletin.objects.create(
        problem=problem,
        created_by=actor,
        created_at=at,
        title_i18n=_i18n(translations.get("title")),
        agreed_answer_i18n=_i18n(translations.get("agreed_answer")),
        public_notice_i18n=_i18n(translations.get("public_notice")),
        **fields,
    )
    bulletin.categories.set(categories)
    bulletin.organisations.set(organisations)
    transaction.on_commit(lookups_changed)
    return bulletin


@transaction.atomic
def bulletin_update(
    *,
    bulletin: Bulletin,
    actor: User,
    title: str,
    agreed_answer: str,
    public_notice: str = "",
    is_public: bool = False,
    categories: list | tuple = (),
    organisations: list | tuple = (),
    translations: dict[str, dict] | None = None,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
) -> Bulletin:
    _check_manager(actor)
    bulletin = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
    if bulletin.status != BulletinStatus.ACTIVE:
        raise ValidationError(_("This bulletin is closed."))
    fields = _bulletin_fields(
        title=title,
        agreed_answer=agreed_answer,
        public_notice=public_notice,
        is_public=is_public,
        starts_at=starts_at or bulletin.starts_at,
        ends_at=ends_at,
        at=timezone.now(),
    )
    for name, value in fields.items():
        setattr(bulletin, name, value)
    if translations is not None:
        bulletin.title_i18n = _i18n(translations.get("title"))
        bulletin.agreed_answer_i18n = _i18n(translations.get("agreed_answer"))
        bulletin.public_notice_i18n = _i18n(translations.get("public_notice"))
    bulletin.save()
    bulletin.categories.set(categories)
    bulletin.organisations.set(organisations)
    transaction.on_commit(lookups_changed)
    return bulletin


def _update_start(
    *, problem: Problem, actor: User, kind: str, message: str, bulletin=None, at: datetime
) -> ProblemUpdate:
    """Record the update and start its first batch after commit. Constant queries, however
    many tickets are linked: the batches do the work."""
    total = ProblemLink.objects.filter(problem=problem).count()
    update = ProblemUpdate.objects.create(
        problem=problem,
        bulletin=bulletin,
        kind=kind,
        message=message,
        actor=actor,
        created_at=at,
        total=total,
        finished_at=at if total == 0 else None,
    )
    if total:
        transaction.on_commit(lambda: problem_update_enqueue(update_id=update.pk, after=0))
    return update


def problem_update_enqueue(*, update_id: int, after: int) -> None:
    """Queue the batch after ``after`` (a ticket number). A broker outage is logged; the
    problem page offers to continue an update that stopped (``problem_update_resume``)."""
    from .tasks import problem_update_batch

    try:
        problem_update_batch.delay(update_id, after)
    except Exception:
        logger.exception("Could not enqueue the batch of problem update %s", update_id)


def _close_bulletins(problem: Problem, at: datetime, *, but: Bulletin | None = None) -> None:
    rows = Bulletin.objects.filter(problem=problem, status=BulletinStatus.ACTIVE)
    if but is not None:
        rows = rows.exclude(pk=but.pk)
    if rows.update(status=BulletinStatus.CLOSED, closed_at=at):
        transaction.on_commit(lookups_changed)


@transaction.atomic
def bulletin_close(
    *,
    bulletin: Bulletin,
    actor: User,
    message: str = "",
    resolve: bool = False,
    at: datetime | None = None,
) -> ProblemUpdate | None:
    """Close a bulletin. With ``resolve`` the problem is resolved and every linked ticket is
    resolved with ``message`` as its solution; otherwise a ``message`` is sent to every linked
    ticket as a public reply (none: the bulletin just closes). Returns the update, if any."""
    _check_manager(actor)
    bulletin = (
        Bulletin.objects.select_for_update(of=("self",))
        .select_related("problem")
        .get(pk=bulletin.pk)
    )
    if bulletin.status != BulletinStatus.ACTIVE:
        raise ValidationError(_("This bulletin is already closed."))
    message = _text(
        message,
        field="message",
        required=_("Write the solution the linked tickets receive.") if resolve else None,
    )
    at = at or timezone.now()
    bulletin.status, bulletin.closed_at = BulletinStatus.CLOSED, at
    bulletin.save(update_fields=["status", "closed_at"])
    transaction.on_commit(lookups_changed)
    problem = bulletin.problem
    if resolve:
        if problem.status == ProblemStatus.RESOLVED:
            raise ValidationError(_("That problem is already resolved."))
        _mark_resolved(problem, at=at)
        _close_bulletins(problem, at)
        kind = UpdateKind.RESOLVE
    elif message:
        kind = UpdateKind.UPDATE
    else:
        return None
    return _update_start(
        problem=problem, actor=actor, kind=kind, message=message, bulletin=bulletin, at=at
    )


def _mark_resolved(problem: Problem, *, at: datetime, fix: str | None = None) -> None:
    problem.status, problem.resolved_at, problem.updated_at = ProblemStatus.RESOLVED, at, at
    fields = ["status", "resolved_at", "updated_at"]
    if fix:
        problem.fix = fix
        fields.append("fix")
    problem.save(update_fields=fields)


@transaction.atomic
def problem_resolve(
    *, problem: Problem, actor: User, message: str, fix: str = "", at: datetime | None = None
) -> ProblemUpdate:
    """Resolve the problem, close its bulletins and resolve every linked ticket with
    ``message`` as the solution (in the background)."""
    _check_manager(actor)
    problem = Problem.objects.select_for_update().get(pk=problem.pk)
    if problem.status == ProblemStatus.RESOLVED:
        raise ValidationError(_("That problem is already resolved."))
    message = _text(
        message, field="message", required=_("Write the solution the linked tickets receive.")
    )
    at = at or timezone.now()
    _mark_resolved(problem, at=at, fix=_text(fix, field="fix"))
    _close_bulletins(problem, at)
    return _update_start(
        problem=problem, actor=actor, kind=UpdateKind.RESOLVE, message=message, at=at
    )


@transaction.atomic
def problem_message(*, problem: Problem, actor: User, message: str) -> ProblemUpdate:
    """Send an update (a public reply) to every ticket linked to the problem."""
    _check_manager(actor)
    message = _text(message, field="message", required=_("Write the message to send."))
    return _update_start(
        problem=problem,
        actor=actor,
        kind=UpdateKind.UPDATE,
        message=message,
        at=timezone.now(),
    )


def problem_update_resume(*, update: ProblemUpdate, actor: User) -> None:
    """Queue again an update that stopped (a broker outage): tickets it reached are skipped."""
    _check_manager(actor)
    if update.finished_at is None:
        problem_update_enqueue(update_id=update.pk, after=0)


# -- "This is my problem" (portal) ---------------------------------------------------------------


@transaction.atomic
def bulletin_affected(*, bulletin_id: int, user: User) -> tuple[Ticket, bool]:
    """A requester says a live public bulletin is their problem: a ticket of theirs linked to
    it (channel portal, the bulletin's title as subject in their language), or the one they
    already have. Returns the ticket and whether it is new."""
    if not (user.is_authenticated and user.is_active and user.is_customer):
        raise PermissionDeniedError(_("Only customers say a bulletin is their problem."))
    bulletin = bulletin_active_get(bulletin_id)
    if (
        bulletin is None
        or not bulletin.is_public
        or (bulletin.organisation_ids and user.organisation_id not in bulletin.organisation_ids)
    ):
        raise PermissionDeniedError(_("That bulletin is not open to you."))
    existing = requester_linked_ticket(user=user, problem_id=bulletin.problem_id)
    if existing is not None:
        return existing, False
    category = None
    if bulletin.single_category_id is not None:
        category = Category.objects.filter(pk=bulletin.single_category_id, is_active=True).first()
        if category is not None and (category.is_software or category.extra_fields):
            category = None  # its form asks for more than a bulletin knows
    with translation.override(user.language or settings.LANGUAGE_CODE):
        subject = bulletin.display_title
        description = _("I am affected by this known problem: %(title)s") % {"title": subject}
        notice = bulletin.display_public_notice
        if notice:
            description = f"{description}\n\n{notice}"
    ticket = ticket_create(
        requester=user,
        actor=user,
        channel=Channel.PORTAL,
        subject=subject,
        description=description,
        category=category,
    )
    ticket = ticket_lock(ticket)
    problem = Problem.objects.get(pk=bulletin.problem_id)
    _link(problem=problem, ticket=ticket, actor=user, via=LinkVia.REQUESTER, at=timezone.now())
    return ticket, True
