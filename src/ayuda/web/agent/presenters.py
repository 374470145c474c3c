"""How the agent workspace shows things: ages, history events, the merged timeline.

Display only: nothing here decides what a user may see or do.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ayuda.accounts.models import Level, User
from ayuda.knowledge.models import WalkOutcome
from ayuda.tickets.models import (
    Article,
    Channel,
    DelayReason,
    EscalationMode,
    EventAction,
    Priority,
    Ticket,
    TicketEvent,
    TicketType,
)

if TYPE_CHECKING:
    from .lookups import Lookups

AGE_WARN = timedelta(days=1)
AGE_OLD = timedelta(days=3)


def age_text(delta: timedelta) -> str:
    """A short, human age: "3 d 4 h", "5 h 12 min", "7 min"."""
    minutes = max(int(delta.total_seconds() // 60), 0)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return _("%(d)d d %(h)d h") % {"d": days, "h": hours}
    if hours:
        return _("%(h)d h %(m)d min") % {"h": hours, "m": minutes}
    return _("%(m)d min") % {"m": minutes}


def age_class(delta: timedelta) -> str:
    if delta >= AGE_OLD:
        return "age-old"
    if delta >= AGE_WARN:
        return "age-warn"
    return "age-fresh"


@dataclass(frozen=True)
class Age:
    text: str
    css: str


def ticket_age(ticket: Ticket, now: datetime | None = None) -> Age:
    """Age since creation; a finished ticket's age stops when it was resolved or closed."""
    end = now or timezone.now()
    if not ticket.is_active:
        end = ticket.resolved_at or ticket.closed_at or end
    delta = end - ticket.created_at
    return Age(age_text(delta), age_class(delta) if ticket.is_active else "age-done")


# History events ---------------------------------------------------------------------------------

EXTRA_FIELD_LABELS = {
    "level": gettext_lazy("level"),
    "solution": gettext_lazy("solution"),
}


def field_label(name: str) -> str:
    if not name:
        return ""
    try:
        return str(Ticket._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return str(EXTRA_FIELD_LABELS.get(name, name))


def _choice_label(choices, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        try:
            return str(choices(int(value)).label)
        except (ValueError, TypeError):
            return value


def value_label(field: str, value: str) -> str:
    """A stored history value as a person reads it, in the active language."""
    if value in ("", None):
        return ""
    match field:
        case "state":
            return _(value)  # state names are msgids (see the default-states migration)
        case "level":
            return _choice_label(Level, value)
        case "priority":
            return _choice_label(Priority, value)
        case "type":
            return _choice_label(TicketType, value)
        case "channel":
            return _choice_label(Channel, value)
        case "delay_reason":
            return _choice_label(DelayReason, value)
    return value


@dataclass
class EventView:
    event: TicketEvent
    action: str
    field: str
    old: str
    new: str
    detail: str
    steps: tuple[tuple[str, str], ...] = ()  # a decision tree's walk: (question, answer)

    @property
    def at(self) -> datetime:
        return self.event.at


USER_FIELDS = frozenset({"owner"})
CONFIG_FIELDS = frozenset({"state", "category"})  # named by administrators, translated


def config_label(field: str, pk: int | None, stored: str, lookups: "Lookups") -> str | None:
    """A state's or category's name in the reader's language, for a value an event recorded
    under its configured name (by id when the event has it, else by the state's unique name);
    None when it is neither, or no longer exists."""
    if not stored:
        return None
    if field == "state":
        return lookups.state_names.get(pk) or lookups.state_names_by_name.get(stored)
    if field == "category":
        return lookups.category_labels.get(pk)
    return None


def event_view(
    event: TicketEvent,
    user_names: dict[int, str] | None = None,
    *,
    lookups: "Lookups | None" = None,
) -> EventView:
    """``user_names`` turns the stored user name of an owner change into a display name;
    ``lookups`` names states and categories in the reader's language."""
    data = event.data or {}
    old, new = event.old_value, event.new_value
    if event.field in USER_FIELDS and user_names:
        old = user_names.get(data.get("from_id"), old)
        new = user_names.get(data.get("to_id"), new)
    old_label, new_label = value_label(event.field, old), value_label(event.field, new)
    if lookups is not None and event.field in CONFIG_FIELDS:
        old_label = config_label(event.field, data.get("from_id"), old, lookups) or old_label
        new_label = config_label(event.field, data.get("to_id"), new, lookups) or new_label
    details = []
    if mode := data.get("mode"):
        details.append(_choice_label(EscalationMode, mode))
    if vendor := data.get("vendor"):
        details.append(vendor)
    if event.action == EventAction.ARTICLE_ADDED:
        details.append(_("internal") if data.get("internal") else _("public"))
    if reason := data.get("reason"):
        details.append(_("Reason: %(reason)s") % {"reason": reason})
    if event.action == EventAction.ESCALATED and data.get("team"):
        new_label = f"{new_label} · {data['team']}"
    steps = ()
    if event.action == EventAction.TREE_WALKED:
        steps, walk_details = _walk_detail(data)
        details += walk_details
    return EventView(
        event=event,
        action=_choice_label(EventAction, event.action),
        field=field_label(event.field),
        old=old_label,
        new=new_label,
        detail=" · ".join(details),
        steps=steps,
    )


def _walk_detail(data: dict) -> tuple[tuple[tuple[str, str], ...], list[str]]:
    """A decision tree's walk (R18): its questions and answers as the walker read them, and
    how it ended with the solution or escalation reached."""
    path = data.get("path") or []
    steps = tuple((str(s.get("question", "")), str(s.get("answer", ""))) for s in path)
    details = [_choice_label(WalkOutcome, data.get("outcome", ""))]
    details += [f"{q} {a}" for q, a in steps]
    if data.get("result"):
        details.append(data["result"])
    return steps, details


# Timeline ---------------------------------------------------------------------------------------

# Shown through their article already.
EVENTS_NOT_IN_TIMELINE = frozenset({EventAction.ARTICLE_ADDED, EventAction.ATTACHMENT_ADDED})


@dataclass
class TimelineEntry:
    kind: str  # "article" or "event"
    at: datetime
    article: Article | None = None
    event: EventView | None = None
    who: str = ""  # the article's author or the event's actor, as the reader may see them


def person_name(person: User | None, *, contact: bool = True) -> str:
    """A person as a page names them. Without ``contact`` (a vendor reading a requester of an
    organisation that does not share contact details, ``permissions.contact_visible``) a
    customer is named by their name only, never by the e-mail address or the user name
    (often the address too) that stands in for a missing name."""
    if person is None:
        return _("System")
    if contact or not person.is_customer:
        return person.display_name()
    name = person.get_full_name()
    return name if name and "@" not in name else _("Customer")


def article_author_name(article: Article, *, contact: bool = True) -> str:
    """Who wrote an article: its author, or for mail kept without one (an unverified sender,
    someone copied on the ticket) the address it came from, as far as the reader may see it."""
    if article.author_id is None and article.email_from:
        return article.email_from if contact else _("Customer")
    return person_name(article.author, contact=contact)


def timeline_merge(
    articles: list[Article],
    events: list[TicketEvent],
    user_names: dict[int, str] | None = None,
    *,
    contact: bool = True,
    lookups: "Lookups | None" = None,
) -> list[TimelineEntry]:
    """Articles and events in time order; at the same moment, the message comes first."""
    entries = [
        (
            a.created_at,
            0,
            a.pk,
            TimelineEntry(
                "article", a.created_at, article=a, who=article_author_name(a, contact=contact)
            ),
        )
        for a in articles
    ]
    entries += [
        (
            e.at,
            1,
            e.seq,
            TimelineEntry(
                "event",
                e.at,
                event=event_view(e, user_names, lookups=lookups),
                who=person_name(e.actor, contact=contact),
            ),
        )
        for e in events
        if e.action not in EVENTS_NOT_IN_TIMELINE
    ]
    entries.sort(key=lambda row: row[:3])
    return [row[3] for row in entries]
