"""The background part of a problem's update (R21, R31): the linked tickets resolved or
answered in batches of ``AYUDA_PROBLEM_BATCH``, each in its own transaction through the ticket
services, once per ticket (``ProblemLink.last_update``). ``tasks.problem_update_batch`` calls
``problem_update_deliver``; ``problems.py`` records the update and queues the first batch.
"""

import logging

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation

from ayuda.core.errors import AyudaError, ValidationError
from ayuda.tickets.models import StateCategory, Ticket
from ayuda.tickets.services import article_add_reply, ticket_resolve
from ayuda.tickets.services._base import ticket_lock

from .models import ProblemLink, ProblemUpdate, UpdateKind

logger = logging.getLogger(__name__)


def _deliver(update: ProblemUpdate, ticket: Ticket) -> str:
    """Resolve or answer one locked ticket; "done" or "skipped"."""
    if ticket.state_category in (StateCategory.RESOLVED, StateCategory.CLOSED):
        return "skipped"
    actor = update.actor
    try:
        if update.kind == UpdateKind.RESOLVE:
            try:
                ticket_resolve(ticket=ticket, actor=actor, solution=update.message)
                return "done"
            except ValidationError:
                # In a referral (level 2 answers, level 1 resolves): tell the requester anyway.
                pass
        article_add_reply(ticket=ticket, actor=actor, body=update.message)
        return "done"
    except AyudaError as err:
        logger.info("Problem update %s skipped ticket %s: %s", update.pk, ticket.pk, err.message)
        return "skipped"


def _deliver_one(update: ProblemUpdate, ticket_id: int) -> str | None:
    """One ticket in its own transaction. The link's ``last_update`` says whether this update
    (or a newer one) already reached it: a retried or duplicated batch sends nothing twice."""
    with transaction.atomic():
        ticket = ticket_lock(ticket_id)  # the ticket first, as linking does: no deadlock
        link = (
            ProblemLink.objects.select_for_update()
            .filter(ticket_id=ticket_id, problem_id=update.problem_id)
            .first()
        )
        if link is None:
            return None  # unlinked or moved meanwhile
        if link.last_update_id is not None and link.last_update_id >= update.pk:
            return None
        outcome = _deliver(update, ticket)
        link.last_update = update
        link.save(update_fields=["last_update"])
        ProblemUpdate.objects.filter(pk=update.pk).update(**{outcome: F(outcome) + 1})
        return outcome


def problem_update_deliver(*, update_id: int, after: int = 0) -> int | None:
    """Deliver the update to the next ``AYUDA_PROBLEM_BATCH`` linked tickets after ticket
    ``after`` (keyset on the ticket number). Returns the cursor of the next batch, or None
    when this was the last (the update is then marked finished)."""
    update = ProblemUpdate.objects.select_related("actor").filter(pk=update_id).first()
    if update is None or update.finished_at is not None:
        return None
    size = max(int(settings.AYUDA_PROBLEM_BATCH), 1)
    ticket_ids = list(
        ProblemLink.objects.filter(
            problem_id=update.problem_id,
            ticket_id__gt=after,
            linked_at__lte=update.created_at,
        )
        # not those this update (or a newer one) reached: a retried batch reads, locks nothing
        .filter(Q(last_update__isnull=True) | Q(last_update_id__lt=update.pk))
        .order_by("ticket_id")
        .values_list("ticket_id", flat=True)[:size]
    )
    language = settings.LANGUAGE_CODE
    with translation.override(language):
        for ticket_id in ticket_ids:
            try:
                _deliver_one(update, ticket_id)
            except Ticket.DoesNotExist:
                continue
    if len(ticket_ids) < size:
        update.refresh_from_db(fields=["done", "skipped", "total"])
        ProblemUpdate.objects.filter(pk=update.pk, finished_at__isnull=True).update(
            finished_at=timezone.now(),
            # tickets unlinked meanwhile are not counted: the total is what was reached
            total=update.done + update.skipped,
        )
        return None
    return ticket_ids[-1]
