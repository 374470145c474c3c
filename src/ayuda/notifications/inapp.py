"""Agents' alerts: under the bell in the workspace and by e-mail, as each chooses (R23).

``notify`` is the one way in, for this app's ticket-event handler (assignment, escalation to a
team, a customer's message) and for the service-level check (warnings, breaches, updates due).
A notification stores its kind and data, never words: ``notification_text`` writes it in the
reader's language and time zone when it is shown, and the mail is written in the recipient's.
See docs/notifications.md.
"""

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ayuda.accounts.models import User
from ayuda.tickets import permissions
from ayuda.tickets.models import Ticket

from .models import Notification, NotificationKind, OutgoingMessage
from .preferences import preferences_for
from .services import notice_queue, ticket_subject

#: The service-level targets the check names in ``data["target"]``.
TARGET_LABELS = {
    "first_response": gettext_lazy("first response"),
    "next_update": gettext_lazy("next update"),
    "resolution": gettext_lazy("resolution"),
}

PAGE_SIZE = 30


def _plain(data: dict | None) -> dict:
    """``data`` as stored: JSON types only (datetimes become ISO 8601 strings)."""
    return json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder, sort_keys=True))


def dedup_key(*, kind: str, ticket: Ticket | None, data: dict) -> str:
    """The same kind, ticket and data is the same notification: a retried call (a task run
    twice, two workers) notifies once. Callers put what makes an occurrence distinct (the
    event's number, the target and its due time) in ``data``."""
    digest = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:40]
    return f"{kind}:{ticket.pk if ticket else '-'}:{digest}"


def notify(
    *,
    recipients: Iterable[User],
    kind: str,
    ticket: Ticket | None = None,
    data: dict | None = None,
) -> int:
    """Notify ``recipients`` of ``kind`` (on ``ticket``): a row under the bell for those who want
    it (one INSERT for all), a mail in each one's language and time zone for those who want
    mail. Skips inactive users, users who are not agents, users who may not see the ticket,
    and users this same notification already reached. ``data["actor_id"]`` names who caused it.
    Returns the number of users newly notified."""
    kind = NotificationKind(kind)  # ValueError for an unknown kind: a programming error
    data = _plain(data)
    seen: dict[int, User] = {}
    for user in recipients:
        if user is not None and user.pk not in seen:
            seen[user.pk] = user
    users = [u for u in seen.values() if u.is_active and u.is_agent]
    if ticket is not None:
        users = [u for u in users if permissions.can_view(u, ticket)]
    if not users:
        return 0
    key = dedup_key(kind=kind, ticket=ticket, data=data)
    done = set(
        Notification.objects.filter(user_id__in=[u.pk for u in users], dedup_key=key).values_list(
            "user_id", flat=True
        )
    )
    choices = preferences_for(users=users, kind=kind)
    mail_keys = {u.pk: f"notice:inapp:{key}:{u.pk}" for u in users if choices[u.pk].email}
    if mail_keys:
        mailed = set(
            OutgoingMessage.objects.filter(dedup_key__in=mail_keys.values()).values_list(
                "dedup_key", flat=True
            )
        )
        done |= {pk for pk, mail_key in mail_keys.items() if mail_key in mailed}
    actor_id = data.get("actor_id") if isinstance(data.get("actor_id"), int) else None
    now = timezone.now()
    rows = [
        Notification(
            user=u,
            kind=kind,
            ticket=ticket,
            actor_id=actor_id,
            data=data,
            dedup_key=key,
            created_at=now,
        )
        for u in users
        if u.pk not in done and choices[u.pk].in_app
    ]
    # Two workers at once: the unique (user, dedup_key) keeps one row each.
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    notified = {n.user_id for n in rows}
    mailed = [u for u in users if u.pk not in done and choices[u.pk].email]
    actor = User.objects.filter(pk=actor_id).first() if mailed and actor_id else None
    for user in mailed:
        note = Notification(user=user, kind=kind, ticket=ticket, data=data, actor=actor)
        _mail(user=user, note=note, key=f"inapp:{key}:{user.pk}")
        notified.add(user.pk)
    return len(notified)


def _mail(*, user: User, note: Notification, key: str) -> None:
    ticket = note.ticket
    base = settings.AYUDA_BASE_URL.rstrip("/")
    with (
        translation.override(user.language or settings.LANGUAGE_CODE),
        timezone.override(user.timezone or settings.TIME_ZONE),
    ):
        text = notification_text(note)
        lines = [_("Hello %(name)s,") % {"name": user.first_name or user.display_name()}]
        lines += ["", text, ""]
        if ticket is not None:
            url = base + reverse("agent:ticket", args=[ticket.pk])
            lines.append(_("Open the ticket: %(url)s") % {"url": url})
        lines += [
            "",
            _("You can choose which alerts you get, and how: %(url)s")
            % {"url": base + reverse("preferences")},
        ]
        subject = ticket_subject(ticket, text) if ticket is not None else text
    notice_queue(user=user, subject=subject, body="\n".join(lines), dedup_key=key)


# -- words, written for the reader ---------------------------------------------------------------


def _when(value) -> str:
    moment = parse_datetime(value) if isinstance(value, str) else value
    if not isinstance(moment, datetime):
        return ""
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.UTC)
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def notification_text(note: Notification) -> str:
    """One line saying what happened, in the active language and time zone."""
    data = note.data or {}
    values = {
        "number": note.ticket_id or "",
        "subject": note.ticket.subject if note.ticket_id else "",
        "actor": note.actor.display_name() if note.actor_id and note.actor else "",
        "team": data.get("team", ""),
        "target": str(TARGET_LABELS.get(data.get("target"), data.get("target", ""))),
        "due": _when(data.get("due_at")),
    }
    match note.kind:
        case NotificationKind.ASSIGNED:
            if values["actor"]:
                text = _("%(actor)s assigned ticket #%(number)s to you: %(subject)s")
            else:
                text = _("Ticket #%(number)s was assigned to you: %(subject)s")
        case NotificationKind.TEAM_ESCALATION:
            if data.get("forwarded"):
                text = _("Ticket #%(number)s was sent to %(team)s: %(subject)s")
            else:
                text = _("Ticket #%(number)s was escalated to %(team)s: %(subject)s")
        case NotificationKind.CUSTOMER_REPLIED:
            text = _("The customer wrote on ticket #%(number)s: %(subject)s")
        case NotificationKind.SLA_WARNING:
            if values["due"]:
                text = _("Ticket #%(number)s: the %(target)s target is due at %(due)s")
            else:
                text = _("Ticket #%(number)s: the %(target)s target is near")
        case NotificationKind.SLA_BREACH:
            if values["due"]:
                text = _("Ticket #%(number)s missed its %(target)s target (due at %(due)s)")
            else:
                text = _("Ticket #%(number)s missed its %(target)s target")
        case NotificationKind.NEXT_UPDATE_DUE:
            if values["due"]:
                text = _("Ticket #%(number)s: the customer is due an update by %(due)s")
            else:
                text = _("Ticket #%(number)s: the customer is due an update")
        case _:
            text = str(NotificationKind(note.kind).label) if note.kind in NotificationKind else ""
    return text % values


# -- reading and marking -------------------------------------------------------------------------


def notifications_unread_count(*, user: User) -> int:
    """The bell's number: one COUNT on the partial index of unread rows."""
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


@dataclass(frozen=True)
class NotificationPage:
    items: list[Notification]
    next_cursor: str | None


def notifications_list(
    *, user: User, cursor: str | None = None, limit: int = PAGE_SIZE
) -> NotificationPage:
    """The user's notifications, newest first, ``limit`` at a time (keyset on created_at, id:
    the cursor is the last row's ``<iso time>_<id>``). Bad cursors start from the top."""
    rows = Notification.objects.filter(user=user).select_related("ticket", "actor")
    after = _cursor_parse(cursor)
    if after is not None:
        at, pk = after
        rows = rows.filter(Q(created_at__lt=at) | Q(created_at=at, pk__lt=pk))
    items = list(rows.order_by("-created_at", "-id")[: limit + 1])
    more = len(items) > limit
    items = items[:limit]
    last = items[-1] if items else None
    next_cursor = f"{last.created_at.isoformat()}_{last.pk}" if more and last else None
    return NotificationPage(items=items, next_cursor=next_cursor)


def _cursor_parse(cursor: str | None) -> tuple[datetime, int] | None:
    if not cursor:
        return None
    at_text, _sep, pk_text = cursor.rpartition("_")
    at = parse_datetime(at_text) if at_text else None
    if at is None or not pk_text.isdigit():
        return None
    return at, int(pk_text)


def notification_mark_read(*, user: User, pk: int) -> Notification | None:
    """Mark one of the user's notifications read; None for another user's (or none)."""
    note = Notification.objects.filter(user=user, pk=pk).first()
    if note is None:
        return None
    if note.read_at is None:
        note.read_at = timezone.now()
        Notification.objects.filter(pk=note.pk, read_at__isnull=True).update(read_at=note.read_at)
    return note


def notifications_mark_all_read(*, user: User) -> int:
    """Mark every unread notification of the user read; returns how many."""
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
