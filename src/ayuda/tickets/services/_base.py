"""What every ticket service shares: locking, the state machine, writing and the history."""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from ayuda.accounts.models import User
from ayuda.core.cache import cached_list
from ayuda.core.errors import ConflictError, ValidationError

from ..attachments import IncomingFile, attachment_filename, attachments_check
from ..history import Step, events_record
from ..models import (
    Article,
    Attachment,
    EventAction,
    StateCategory,
    Ticket,
    TicketEvent,
    TicketState,
)

logger = logging.getLogger(__name__)

S = StateCategory
TRANSITIONS: dict[str, frozenset[str]] = {
    S.NEW: frozenset({S.OPEN, S.PENDING_CUSTOMER, S.PENDING_VENDOR, S.RESOLVED}),
    S.OPEN: frozenset({S.OPEN, S.PENDING_CUSTOMER, S.PENDING_VENDOR, S.RESOLVED}),
    S.PENDING_CUSTOMER: frozenset({S.OPEN, S.PENDING_CUSTOMER, S.PENDING_VENDOR, S.RESOLVED}),
    S.PENDING_VENDOR: frozenset({S.OPEN, S.PENDING_VENDOR, S.RESOLVED}),
    S.RESOLVED: frozenset({S.OPEN, S.RESOLVED, S.CLOSED}),
    S.CLOSED: frozenset({S.CLOSED}),
}


@dataclass(frozen=True)
class EmailMeta:
    """Mail headers kept on an article so replies thread (R2)."""

    message_id: str = ""
    in_reply_to: str = ""
    references: str = ""
    email_from: str = ""
    email_to: str = ""
    email_cc: str = ""
    no_auto_response: bool = False  # RFC 3834: never acknowledge this mail
    sender_unverified: bool = False  # a staff address the receiving server did not verify


def _states() -> list[TicketState]:
    return list(TicketState.objects.order_by("position", "pk"))


def state_default(category: str) -> TicketState:
    """The state a ticket enters in ``category``: the one marked default, else the first by
    position. From the cached state list (``ayuda.core.cache``; the admin refreshes it)."""
    states = [s for s in cached_list("ticket_states", _states) if s.category == category]
    state = next((s for s in states if s.is_default), states[0] if states else None)
    if state is None:
        raise ValidationError(_("No ticket state is configured for “%(c)s”.") % {"c": category})
    return state


def transition_check(ticket: Ticket, to_category: str) -> None:
    if to_category not in TRANSITIONS[ticket.state_category]:
        raise ValidationError(
            _("A ticket that is “%(from)s” cannot become “%(to)s”.")
            % {
                "from": StateCategory(ticket.state_category).label,
                "to": StateCategory(to_category).label,
            }
        )


def ticket_lock(ticket: Ticket | int, expected_version: int | None = None) -> Ticket:
    """Load the ticket row for update and check nobody changed it since the form was shown."""
    pk = ticket if isinstance(ticket, int) else ticket.pk
    locked = (
        Ticket.objects.select_for_update(of=("self",)).select_related("state", "team").get(pk=pk)
    )
    if expected_version is not None and locked.version != expected_version:
        raise ConflictError(
            _(
                "Someone else changed this ticket while you were working on it. "
                "Nothing was saved: reload the ticket to see their change, then try again."
            )
        )
    return locked


def require_open(ticket: Ticket) -> None:
    if ticket.state_category == StateCategory.CLOSED:
        raise ValidationError(_("This ticket is closed; open a new ticket instead."))


def require_text(value: str, *, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError(message, field=field)
    return value


def run_handlers(events: list[TicketEvent]) -> None:
    """Call the configured after-commit handlers, in order; one failing doesn't stop the rest."""
    for path in settings.TICKET_EVENT_HANDLERS:
        try:
            import_string(path)(events)
        except Exception:
            logger.exception("Ticket event handler %s failed", path)


def ticket_write(
    ticket: Ticket,
    *,
    actor: User | None,
    steps: Iterable[Step],
    updates: dict | None = None,
    at: datetime | None = None,
) -> list[TicketEvent]:
    """Apply ``updates`` to a locked ticket, bump its version, and append ``steps`` to its history.

    The one way a ticket row changes after creation.
    """
    at = at or timezone.now()
    events = events_record(
        ticket=ticket, actor_id=actor.pk if actor else None, at=at, steps=list(steps)
    )
    updates = dict(updates or {})
    updates["updated_at"] = at
    updates["version"] = ticket.version + 1
    updates["history_seq"] = ticket.history_seq
    updates["history_head"] = ticket.history_head
    for name, value in updates.items():
        setattr(ticket, name, value)
    Ticket.objects.filter(pk=ticket.pk).update(**updates)
    transaction.on_commit(lambda: run_handlers(events))
    return events


def change_step(ticket: Ticket, field: str, new, *, display=str) -> Step | None:
    """A CHANGED step for ``field`` if ``new`` differs from the ticket's current value."""
    old = getattr(ticket, field)
    if old == new:
        return None
    data = {}
    if hasattr(old, "pk") or hasattr(new, "pk"):
        data = {"from_id": getattr(old, "pk", None), "to_id": getattr(new, "pk", None)}
    return Step(
        EventAction.CHANGED,
        field=field,
        old=display(old) if old is not None else "",
        new=display(new) if new is not None else "",
        data=data,
    )


def state_step(ticket: Ticket, state: TicketState) -> Step | None:
    if ticket.state_id == state.pk:
        return None
    return Step(
        EventAction.CHANGED,
        field="state",
        old=ticket.state.name,
        new=state.name,
        data={
            "from_category": ticket.state_category,
            "to_category": state.category,
            # the names above are the configured ones; readers see them translated by id
            "from_id": ticket.state_id,
            "to_id": state.pk,
        },
    )


def state_updates(ticket: Ticket, state: TicketState, at: datetime) -> dict:
    """Field updates for moving into ``state``, including the timestamps it sets or clears."""
    updates = {"state": state, "state_category": state.category}
    if state.category == StateCategory.RESOLVED and ticket.resolved_at is None:
        updates["resolved_at"] = at
    elif state.category == StateCategory.CLOSED:
        updates["closed_at"] = at
    elif state.category in (StateCategory.OPEN, StateCategory.NEW):
        updates["resolved_at"] = None
        updates["closed_at"] = None
    return updates


def attachments_store(
    *, ticket: Ticket, article: Article | None, files: Iterable[IncomingFile]
) -> tuple[list[Attachment], list[Step]]:
    """Save already-checked files. Returns the attachments and their history steps."""
    saved, steps = [], []
    for file in files:
        content_type = attachments_check([file])[0]
        name = attachment_filename(name=file.name, content_type=content_type)
        attachment = Attachment(
            ticket=ticket,
            article=article,
            filename=name,
            content_type=content_type,
            size=file.size,
            sha256=file.digest(),
            inline=file.inline,
            content_id=file.content_id[:255],
        )
        attachment.file.save(name, ContentFile(file.content), save=False)
        attachment.save()
        saved.append(attachment)
        steps.append(
            Step(
                EventAction.ATTACHMENT_ADDED,
                new=name,
                data={"attachment_id": attachment.pk, "article_id": getattr(article, "pk", None)},
            )
        )
    return saved, steps
