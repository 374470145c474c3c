"""Messages on a ticket: customer messages, public replies, internal notes."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ayuda.accounts.models import User
from ayuda.core.errors import PermissionDeniedError

from .. import permissions
from ..attachments import IncomingFile, attachments_check
from ..history import Step
from ..models import Article, ArticleKind, EventAction, SenderRole, StateCategory, Ticket
from ..permissions import Action
from ._base import (
    EmailMeta,
    attachments_store,
    require_open,
    require_text,
    state_default,
    state_step,
    state_updates,
    ticket_lock,
    ticket_write,
    transition_check,
)
from .lifecycle import reopen_steps_and_updates


def _article_create(
    *, ticket, kind, sender_role, internal, author, body, body_html, email, at, vendor_id=None
) -> Article:
    email = email or EmailMeta()
    return Article.objects.create(
        ticket=ticket,
        kind=kind,
        sender_role=sender_role,
        internal=internal,
        author=author,
        vendor_id=vendor_id,
        body=body,
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


def _article_step(article: Article) -> Step:
    return Step(
        EventAction.ARTICLE_ADDED,
        data={
            "article_id": article.pk,
            "sender_role": article.sender_role,
            "internal": article.internal,
            "kind": article.kind,
        },
    )


@transaction.atomic
def article_add_customer(
    *,
    ticket: Ticket,
    author: User,
    body: str,
    kind: str = ArticleKind.PORTAL,
    attachments: list[IncomingFile] | tuple = (),
    email: EmailMeta | None = None,
    body_html: str = "",
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Article:
    """A message from the requester's side. It reopens a resolved ticket and ends a wait on
    the customer; a closed ticket takes no more messages."""
    ticket = ticket_lock(ticket, expected_version)
    if author.is_customer:
        permissions.check(author, ticket, Action.CUSTOMER_REPLY)
    elif not author.is_helpdesk:  # help desk staff may log what a customer said (phone)
        raise PermissionDeniedError(_("You are not allowed to do that on this ticket."))
    else:
        permissions.check(author, ticket, Action.REPLY)
    require_open(ticket)
    body = require_text(body, field="body", message=_("Please write a message."))
    attachments = list(attachments)
    attachments_check(attachments)
    at = at or timezone.now()
    article = _article_create(
        ticket=ticket,
        kind=kind,
        sender_role=SenderRole.CUSTOMER,
        internal=False,
        # An agent logging a call writes the customer's words; the event records the agent.
        author=author if author.is_customer else ticket.requester,
        body=body,
        body_html=body_html,
        email=email,
        at=at,
    )
    _saved, attachment_steps = attachments_store(ticket=ticket, article=article, files=attachments)
    steps, updates = [_article_step(article), *attachment_steps], {}
    if ticket.state_category == StateCategory.RESOLVED:
        reopen_steps, updates = reopen_steps_and_updates(ticket, at)
        steps += reopen_steps
    elif ticket.state_category == StateCategory.PENDING_CUSTOMER:
        state = state_default(StateCategory.OPEN)
        steps.append(state_step(ticket, state))
        updates = state_updates(ticket, state, at)
    ticket_write(ticket, actor=author, steps=[s for s in steps if s], updates=updates, at=at)
    return article


@transaction.atomic
def article_add_reply(
    *,
    ticket: Ticket,
    actor: User,
    body: str,
    attachments: list[IncomingFile] | tuple = (),
    ask_customer: bool = False,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Article:
    """A public reply from the help desk. ``ask_customer`` waits for the customer's answer (R9)."""
    ticket = ticket_lock(ticket, expected_version)
    permissions.check(actor, ticket, Action.REPLY)
    require_open(ticket)
    body = require_text(body, field="body", message=_("Please write a message."))
    if ask_customer:
        transition_check(ticket, StateCategory.PENDING_CUSTOMER)
    attachments = list(attachments)
    attachments_check(attachments)
    at = at or timezone.now()
    article = _article_create(
        ticket=ticket,
        kind=ArticleKind.WEB,
        sender_role=SenderRole.AGENT,
        internal=False,
        author=actor,
        body=body,
        body_html="",
        email=None,
        at=at,
    )
    _saved, attachment_steps = attachments_store(ticket=ticket, article=article, files=attachments)
    steps, updates = [_article_step(article), *attachment_steps], {}
    if ticket.first_response_at is None:
        updates["first_response_at"] = at
    target = None
    if ask_customer:
        target = state_default(StateCategory.PENDING_CUSTOMER)
    elif ticket.state_category == StateCategory.NEW:
        target = state_default(StateCategory.OPEN)
    if target is not None:
        steps.append(state_step(ticket, target))
        updates |= state_updates(ticket, target, at)
    ticket_write(ticket, actor=actor, steps=[s for s in steps if s], updates=updates, at=at)
    return article


@transaction.atomic
def article_add_note(
    *,
    ticket: Ticket,
    actor: User | None,
    body: str,
    attachments: list[IncomingFile] | tuple = (),
    sender_role: str = SenderRole.AGENT,
    kind: str = ArticleKind.NOTE,
    email: EmailMeta | None = None,
    body_html: str = "",
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Article:
    """An internal article: never shown to the requester, never sent by mail."""
    ticket = ticket_lock(ticket, expected_version)
    permissions.check(actor, ticket, Action.NOTE)
    body = require_text(body, field="body", message=_("Please write a note."))
    vendor_id = None
    if actor is not None and actor.is_vendor_agent:
        sender_role, vendor_id = SenderRole.VENDOR, actor.vendor_id
    elif sender_role == SenderRole.VENDOR:
        vendor_id = ticket.vendor_id  # the vendor's own mail, matched to the ticket it works on
    attachments = list(attachments)
    attachments_check(attachments)
    at = at or timezone.now()
    article = _article_create(
        ticket=ticket,
        kind=kind,
        sender_role=sender_role,
        internal=True,
        author=actor,
        body=body,
        body_html=body_html,
        email=email,
        at=at,
        vendor_id=vendor_id,
    )
    _saved, attachment_steps = attachments_store(ticket=ticket, article=article, files=attachments)
    ticket_write(ticket, actor=actor, steps=[_article_step(article), *attachment_steps], at=at)
    return article


@transaction.atomic
def article_add_system(
    *,
    ticket: Ticket,
    body: str,
    internal: bool = False,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Article:
    """A message from Ayuda itself (a health check's new figures): written by no one, public
    unless ``internal``; it changes no state. A closed ticket takes no more messages."""
    ticket = ticket_lock(ticket, expected_version)
    require_open(ticket)
    body = require_text(body, field="body", message=_("Please write a message."))
    at = at or timezone.now()
    article = _article_create(
        ticket=ticket,
        kind=ArticleKind.SYSTEM,
        sender_role=SenderRole.SYSTEM,
        internal=internal,
        author=None,
        body=body,
        body_html="",
        email=None,
        at=at,
    )
    ticket_write(ticket, actor=None, steps=[_article_step(article)], at=at)
    return article
