"""After a ticket write commits: enqueue the planning of its webhooks (one task per write)."""

import logging

from .models import Subscription
from .payloads import event_type_of

logger = logging.getLogger(__name__)


def ticket_events_webhooks(events) -> None:
    ids = [e.pk for e in events if event_type_of(e) is not None]
    if not ids or not Subscription.objects.filter(is_active=True).exists():
        return
    from .tasks import webhooks_plan

    try:
        webhooks_plan.delay(ids)
    except Exception:  # a broker outage must not break the request; the sweep plans it
        logger.exception("Could not enqueue webhooks for events %s", ids)
