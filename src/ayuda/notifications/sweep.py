"""The safety net behind the after-commit handler: plan what a lost task did not (R36).

Every minute, beat reads the ticket events written since the last sweep (by id, which only
grows) and plans their notifications with the same idempotent service the fast path uses.
Events younger than ``settle`` seconds are left for the next sweep, so the fast path goes
first and a transaction still committing is not stepped over.
"""

from datetime import timedelta
from itertools import groupby

from django.db import transaction
from django.utils import timezone

from ayuda.tickets.models import TicketEvent

from .handlers import notifying
from .models import EventCursor
from .services import notify_for_events

CURSOR = "notifications"


def cursor_to_end() -> None:
    """Mark every event so far as handled (for made-up history, such as the demo data)."""
    last = TicketEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    EventCursor.objects.update_or_create(name=CURSOR, defaults={"last_event_id": last})


def notifications_sweep(*, settle_seconds: int = 120, batch: int = 2000) -> list[int]:
    """Plan the notifications of events behind the cursor; return the new queued message ids."""
    cutoff = timezone.now() - timedelta(seconds=settle_seconds)
    with transaction.atomic():
        cursor, _created = EventCursor.objects.select_for_update().get_or_create(name=CURSOR)
        events = list(
            TicketEvent.objects.filter(id__gt=cursor.last_event_id)
            .only("id", "ticket_id", "seq", "at", "action", "field", "data")
            .order_by("id")[:batch]
        )
        settled = []
        for event in events:
            if event.at >= cutoff:
                break
            settled.append(event)
        if not settled:
            return []
        queued = []
        relevant = sorted((e for e in settled if notifying(e)), key=lambda e: (e.ticket_id, e.seq))
        for ticket_id, group in groupby(relevant, key=lambda e: e.ticket_id):
            messages = notify_for_events(ticket_id=ticket_id, seqs=[e.seq for e in group])
            queued += [m.pk for m in messages if m.status == "queued" and m.attempts == 0]
        cursor.last_event_id = settled[-1].id
        cursor.save(update_fields=["last_event_id", "updated_at"])
    return queued
