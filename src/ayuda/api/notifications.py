"""The caller's own in-app notifications (R23): newest first by keyset, and marking them read.
The same selectors as the workspace's bell (``notifications.inapp``); another user's
notification is 404. ``text`` is written in the caller's language and time zone."""

from datetime import datetime
from urllib.parse import urlencode

from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from ayuda.notifications import inapp

from .problems import ERRORS, WRITE_ERRORS
from .schemas import PathId

router = Router(tags=["notifications"])


class NotificationQuery(Schema):
    cursor: str = Field("", max_length=100)
    limit: int = Field(30, ge=1, le=100)


class NotificationOut(Schema):
    id: int
    kind: str = Field(
        description="`assigned`, `team_escalation`, `customer_replied`, `sla_warning`, "
        "`sla_breach` or `next_update_due`."
    )
    text: str = Field(description="What happened, in the caller's language and time zone.")
    ticket_id: int | None
    actor_id: int | None
    data: dict
    created_at: datetime
    read_at: datetime | None


class NotificationPage(Schema):
    items: list[NotificationOut]
    unread: int
    next: str | None = Field(description="The next page's URL; null on the last page.")


class MarkedOut(Schema):
    marked: int


def _out(note, user) -> dict:
    with timezone.override(user.timezone or "UTC"):
        text = inapp.notification_text(note)
    return {
        "id": note.pk,
        "kind": note.kind,
        "text": text,
        "ticket_id": note.ticket_id,
        "actor_id": note.actor_id,
        "data": note.data,
        "created_at": note.created_at,
        "read_at": note.read_at,
    }


@router.get(
    "",
    response={200: NotificationPage, **ERRORS},
    url_name="notification_list",
    summary="My notifications",
    description="The caller's notifications, newest first, with the unread count. Follow `next`.",
)
def notification_list(request, query: Query[NotificationQuery]):
    user = request.auth
    page = inapp.notifications_list(user=user, cursor=query.cursor or None, limit=query.limit)
    following = None
    if page.next_cursor:
        params = {"limit": query.limit, "cursor": page.next_cursor}
        following = reverse("api-v1:notification_list") + "?" + urlencode(params)
    return {
        "items": [_out(n, user) for n in page.items],
        "unread": inapp.notifications_unread_count(user=user),
        "next": following,
    }


@router.post(
    "/read",
    response={200: MarkedOut, **WRITE_ERRORS},
    url_name="notifications_read_all",
    summary="Mark all my notifications read",
)
def notifications_read_all(request):
    return {"marked": inapp.notifications_mark_all_read(user=request.auth)}


@router.post(
    "/{notification_id}/read",
    response={200: NotificationOut, **WRITE_ERRORS},
    url_name="notification_read",
    summary="Mark one of my notifications read",
    description="404 for a notification that is not the caller's.",
)
def notification_read(request, notification_id: PathId):
    note = inapp.notification_mark_read(user=request.auth, pk=notification_id)
    if note is None:
        raise Http404
    return _out(note, request.auth)
