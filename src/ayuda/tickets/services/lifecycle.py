"""Creating a ticket and moving it through its states: open, resolve, close, reopen."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ayuda.accounts.models import Level, Role, Site, Team, User
from ayuda.core.errors import PermissionDeniedError, ValidationError

from .. import permissions
from ..attachments import IncomingFile, attachments_check
from ..extra_fields import spec_choices, spec_label, specs_of
from ..history import Step, events_record
from ..models import (
    Article,
    ArticleKind,
    Category,
    Channel,
    EventAction,
    Priority,
    SenderRole,
    StateCategory,
    Ticket,
    TicketState,
    TicketType,
)
from ..permissions import Action
from ._base import (
    EmailMeta,
    attachments_store,
    require_text,
    run_handlers,
    state_default,
    state_step,
    state_updates,
    ticket_lock,
    ticket_write,
    transition_check,
)

CHANNEL_ARTICLE_KIND = {
    Channel.PORTAL: ArticleKind.PORTAL,
    Channel.EMAIL: ArticleKind.EMAIL,
    Channel.PHONE: ArticleKind.PHONE,
    Channel.WALK_IN: ArticleKind.WALK_IN,
    Channel.CHAT: ArticleKind.CHAT,
    Channel.API: ArticleKind.API,
    Channel.MONITORING: ArticleKind.SYSTEM,
}
SOFTWARE_FIELDS = {
    "steps_to_reproduce": gettext_lazy("steps to reproduce"),
    "url": gettext_lazy("URL"),
    "software_version": gettext_lazy("software version"),
    "software_edition": gettext_lazy("edition"),
}
ENVIRONMENT_FIELDS = (
    "url",
    "software_version",
    "software_edition",
    "steps_to_reproduce",
    "browser",
    "operating_system",
)


def _fit(field: str, value: str) -> str:
    """Cut a free-text environment value to its column's length (text columns are unbounded)."""
    max_length = Ticket._meta.get_field(field).max_length
    return value[:max_length] if max_length else value


def _check_creator(*, actor: User | None, requester: User, site: Site | None) -> None:
    if site is not None and requester.organisation_id != site.organisation_id:
        raise ValidationError(_("That site belongs to another organisation."), field="site")
    if actor is None or actor.is_helpdesk:
        return
    if not actor.is_customer or actor.pk != requester.pk:
        raise PermissionDeniedError(_("You can only raise tickets for yourself."))
    if (
        site is not None
        and actor.role == Role.SITE_ADMIN
        and not actor.sites.filter(pk=site.pk).exists()
    ):
        raise PermissionDeniedError(_("You can only raise tickets for your own sites."))


def _check_form(*, category: Category | None, description: str, environment: dict, extra: dict):
    if category is None:
        return
    if not category.is_active:
        raise ValidationError(_("That category is no longer in use."), field="category")
    if category.is_software:
        for name, label in SOFTWARE_FIELDS.items():
            if not str(environment.get(name) or "").strip():
                raise ValidationError(
                    _("Software problems need the %(field)s.") % {"field": label}, field=name
                )
    for spec in specs_of(category):
        label = spec_label(spec)
        if spec.get("required") and not str(extra.get(spec["name"], "")).strip():
            raise ValidationError(
                _("Please fill in “%(label)s”.") % {"label": label}, field=spec["name"]
            )
        values = {value for value, _label in spec_choices(spec)}
        value = extra.get(spec["name"])
        if values and value and value not in values:
            raise ValidationError(
                _("Choose one of the offered values for “%(label)s”.") % {"label": label},
                field=spec["name"],
            )


def _arrival(*, team: Team | None, category: Category | None) -> tuple[Team | None, str]:
    """The team and level a new ticket arrives at. A team chosen by whoever creates the ticket
    (an agent, a mailbox's setting) is kept. Otherwise the front line receives every ticket
    first: the category's default team when it is a level 1 team; a level 2 team only when
    an administrator routes the category straight to level 2; else level 1, no team yet."""
    if team is None and category is not None and category.default_team_id:
        default = category.default_team
        if default.level == Level.L1 or category.routes_to_level_2:
            team = default
    level = team.level if team is not None and team.level in (Level.L1, Level.L2) else Level.L1
    return team, level


@transaction.atomic
def ticket_create(
    *,
    requester: User,
    subject: str,
    description: str,
    channel: str,
    actor: User | None = None,
    type: str = TicketType.INCIDENT,
    category: Category | None = None,
    priority: int = Priority.NORMAL,
    site: Site | None = None,
    device=None,
    team: Team | None = None,
    environment: dict | None = None,
    extra: dict | None = None,
    attachments: list[IncomingFile] | tuple = (),
    article_kind: str | None = None,
    email: EmailMeta | None = None,
    body_html: str = "",
    at: datetime | None = None,
) -> Ticket:
    """Open a ticket with its first message. ``actor`` None means the system (mail, monitoring)."""
    subject = require_text(subject, field="subject", message=_("Please give the ticket a subject."))
    subject = subject.replace("\r", " ").replace("\n", " ")[:255]
    description = require_text(
        description, field="description", message=_("Please describe the problem.")
    )
    environment = {k: str(v or "").strip() for k, v in (environment or {}).items()}
    unknown = set(environment) - set(ENVIRONMENT_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown environment fields: %(f)s") % {"f": ", ".join(unknown)})
    extra = extra or {}
    if device is not None:  # a device belongs to a site: the ticket's site is the device's
        if site is None:
            site = device.site
        elif device.site_id != site.pk:
            raise ValidationError(_("That device is at another site."), field="device")
    _check_creator(actor=actor, requester=requester, site=site)
    _check_form(category=category, description=description, environment=environment, extra=extra)
    attachments = list(attachments)
    attachments_check(attachments)

    at = at or timezone.now()
    state = state_default(StateCategory.NEW)
    team, level = _arrival(team=team, category=category)
    ticket = Ticket.objects.create(
        subject=subject,
        description=description,
        type=type,
        channel=channel,
        state=state,
        state_category=state.category,
        priority=priority,
        category=category,
        level=level,
        team=team,
        requester=requester,
        organisation_id=requester.organisation_id,
        site=site,
        device=device,
        extra=extra,
        created_at=at,
        updated_at=at,
        **{k: _fit(k, environment.get(k, "")) for k in ENVIRONMENT_FIELDS},
    )
    by_agent = actor is not None and actor.is_helpdesk
    email = email or EmailMeta()
    article = Article.objects.create(
        ticket=ticket,
        kind=article_kind or CHANNEL_ARTICLE_KIND.get(channel, ArticleKind.SYSTEM),
        sender_role=SenderRole.SYSTEM if channel == Channel.MONITORING else SenderRole.CUSTOMER,
        internal=False,
        author=requester,  # the customer's words; who logged them is the event's actor
        body=description,
        body_html=body_html,
        created_at=at,
        message_id=email.message_id,
        in_reply_to=email.in_reply_to,
        email_from=email.email_from,
        email_to=email.email_to,
        email_cc=email.email_cc,
        no_auto_response=email.no_auto_response,
        sender_unverified=email.sender_unverified,
    )
    _saved, attachment_steps = attachments_store(ticket=ticket, article=article, files=attachments)
    steps = [
        Step(
            EventAction.CREATED,
            new=subject,
            data={
                "article_id": article.pk,
                "sender_role": article.sender_role,
                "internal": False,
                "channel": channel,
                "logged_by_agent": by_agent,
            },
        ),
        *attachment_steps,
    ]
    events = events_record(ticket=ticket, actor_id=actor.pk if actor else None, at=at, steps=steps)
    Ticket.objects.filter(pk=ticket.pk).update(
        history_seq=ticket.history_seq, history_head=ticket.history_head
    )
    transaction.on_commit(lambda: run_handlers(events))
    return ticket


@transaction.atomic
def ticket_change_state(
    *,
    ticket: Ticket,
    actor: User,
    state: TicketState,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Ticket:
    """Move to another state. Escalation, resolution and hand-back have their own services."""
    ticket = ticket_lock(ticket, expected_version)
    permissions.check(actor, ticket, Action.CHANGE_STATE)
    if state.category in (StateCategory.PENDING_VENDOR, StateCategory.RESOLVED):
        raise ValidationError(
            _("Use “Escalate to vendor” or “Resolve” for that state."), field="state"
        )
    if (
        ticket.state_category == StateCategory.PENDING_VENDOR
        and state.category != ticket.state_category
    ):
        raise ValidationError(
            _("The ticket is with the vendor: hand it back first."), field="state"
        )
    transition_check(ticket, state.category)
    step = state_step(ticket, state)
    if step is None:
        return ticket
    steps = [step]
    if state.category == StateCategory.CLOSED and ticket.state_category != StateCategory.CLOSED:
        steps.append(Step(EventAction.CLOSED))
    at = at or timezone.now()
    ticket_write(ticket, actor=actor, steps=steps, updates=state_updates(ticket, state, at), at=at)
    return ticket


@transaction.atomic
def ticket_resolve(
    *,
    ticket: Ticket,
    actor: User,
    solution: str,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Ticket:
    """Resolve with a solution, which is also sent to the requester as a public message (R19).

    The solution is required unless the ticket's category says otherwise
    (``Category.solution_required``); a blank one then sends no message."""
    ticket = ticket_lock(ticket, expected_version)
    permissions.check(actor, ticket, Action.RESOLVE)
    if ticket.category is None or ticket.category.solution_required:
        solution = require_text(
            solution,
            field="solution",
            message=_("Write the solution before resolving the ticket."),
        )
    else:
        solution = (solution or "").strip()
    if ticket.in_referral:
        raise ValidationError(
            _(
                "Level 2 is answering this ticket as a referral: it must hand the ticket back "
                "to level 1, which resolves it."
            )
        )
    if ticket.state_category == StateCategory.RESOLVED:
        raise ValidationError(_("This ticket is already resolved."))
    transition_check(ticket, StateCategory.RESOLVED)
    at = at or timezone.now()
    state = state_default(StateCategory.RESOLVED)
    steps = []
    updates = state_updates(ticket, state, at) | {"solution": solution}
    if solution:
        article = Article.objects.create(
            ticket=ticket,
            kind=ArticleKind.WEB,
            sender_role=SenderRole.AGENT,
            internal=False,
            author=actor,
            body=solution,
            created_at=at,
        )
        if ticket.first_response_at is None:
            updates["first_response_at"] = at
        steps.append(
            Step(
                EventAction.ARTICLE_ADDED,
                data={
                    "article_id": article.pk,
                    "sender_role": SenderRole.AGENT,
                    "internal": False,
                },
            )
        )
    steps += [
        state_step(ticket, state),
        Step(EventAction.RESOLVED, field="solution", new=solution),
    ]
    ticket_write(ticket, actor=actor, steps=[s for s in steps if s], updates=updates, at=at)
    return ticket


@transaction.atomic
def ticket_close(
    *, ticket: Ticket, actor: User, expected_version: int | None = None, at: datetime | None = None
) -> Ticket:
    ticket = ticket_lock(ticket, expected_version)
    permissions.check(actor, ticket, Action.CLOSE)
    if ticket.state_category != StateCategory.RESOLVED:
        raise ValidationError(_("Only a resolved ticket can be closed."))
    at = at or timezone.now()
    state = state_default(StateCategory.CLOSED)
    ticket_write(
        ticket,
        actor=actor,
        steps=[state_step(ticket, state), Step(EventAction.CLOSED)],
        updates=state_updates(ticket, state, at),
        at=at,
    )
    return ticket


def reopen_steps_and_updates(ticket: Ticket, at: datetime) -> tuple[list[Step], dict]:
    state = state_default(StateCategory.OPEN)
    return [state_step(ticket, state), Step(EventAction.REOPENED)], state_updates(ticket, state, at)


@transaction.atomic
def ticket_reopen(
    *,
    ticket: Ticket,
    actor: User,
    reason: str = "",
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Ticket:
    ticket = ticket_lock(ticket, expected_version)
    permissions.check(actor, ticket, Action.REOPEN)
    if ticket.state_category != StateCategory.RESOLVED:
        raise ValidationError(_("Only a resolved ticket can be reopened."))
    at = at or timezone.now()
    steps, updates = reopen_steps_and_updates(ticket, at)
    steps[-1] = Step(EventAction.REOPENED, new=reason.strip())
    ticket_write(ticket, actor=actor, steps=steps, updates=updates, at=at)
    return ticket
