"""The bell and the notifications page of the workspace (R23): the unread count, the latest
alerts with links to their tickets, marking them read, and each kind's delivery choice."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ayuda.core.errors import ValidationError
from ayuda.notifications import inapp
from ayuda.notifications.models import NotificationKind
from ayuda.notifications.preferences import preferences_save

from ._access import agent_required


@agent_required
@require_GET
def notifications_bell(request):
    """The bell's badge, loaded by htmx after the page and every minute: pages themselves
    pay no query for it. The poll is not activity: the idle session limit still applies."""
    request.passive = True
    count = inapp.notifications_unread_count(user=request.user)
    return render(request, "agent/_bell.html", {"unread": count})


@agent_required
@require_GET
def notifications_page(request):
    cursor = request.GET.get("after", "").strip()[:100] or None
    page = inapp.notifications_list(user=request.user, cursor=cursor)
    items = [(note, inapp.notification_text(note)) for note in page.items]
    context = {
        "items": items,
        "next_cursor": page.next_cursor,
        "unread": inapp.notifications_unread_count(user=request.user),
        "nav": "notifications",
    }
    return render(request, "agent/notifications.html", context)


@agent_required
@require_POST
def notification_open(request, pk: int):
    """Mark one read and go to its ticket (or back to the list when it has none)."""
    note = inapp.notification_mark_read(user=request.user, pk=pk)
    if note is None:
        raise Http404
    if note.ticket_id:
        return redirect("agent:ticket", note.ticket_id)
    return redirect("agent:notifications")


@agent_required
@require_POST
def notifications_read_all(request):
    count = inapp.notifications_mark_all_read(user=request.user)
    if count:
        messages.success(request, _("All notifications are marked read."))
    return redirect("agent:notifications")


@agent_required
@require_POST
def notification_preferences(request):
    """Each kind's choice from the preferences page: a ticked box is on, an unticked one off."""
    choices = {
        kind: (
            request.POST.get(f"{kind}-in_app") == "on",
            request.POST.get(f"{kind}-email") == "on",
        )
        for kind in NotificationKind.values
    }
    try:
        preferences_save(user=request.user, choices=choices)
    except ValidationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your notification choices are saved."))
    return redirect("preferences")
