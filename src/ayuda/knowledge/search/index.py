"""Keeping the search documents current: the backend for the database in use, the ticket
event handler, and the rebuild (``manage.py search_rebuild``)."""

import logging
from collections.abc import Callable

from django.db import connection, transaction
from django.db.models import Max, Min

from ayuda.tickets.models import EventAction, Ticket

from ..models import ArticleStatus, KbArticle
from . import postgres, sqlite

logger = logging.getLogger(__name__)

REBUILD_CHUNK = 20_000  # tickets per statement (PostgreSQL) or per batch (SQLite)


def backend():
    """The search module for the database in use: ``postgres`` or ``sqlite``."""
    return postgres if connection.vendor == "postgresql" else sqlite


def setup_sql(vendor: str) -> list[str]:
    return {"postgresql": postgres.SETUP, "sqlite": sqlite.SETUP}.get(vendor, [])


def teardown_sql(vendor: str) -> list[str]:
    return {"postgresql": postgres.TEARDOWN, "sqlite": sqlite.TEARDOWN}.get(vendor, [])


# What changes a ticket's document: its text, or whether it is solved (similar tickets).
TEXT_ACTIONS = frozenset(
    {
        EventAction.CREATED,
        EventAction.ARTICLE_ADDED,
        EventAction.RESOLVED,
        EventAction.CLOSED,
        EventAction.REOPENED,
    }
)
TEXT_FIELDS = frozenset({"subject", "description", "state", "solution"})


def ticket_events_search(events) -> None:
    """After-commit ticket-event handler (settings.TICKET_EVENT_HANDLERS): re-index the
    tickets whose text or solved state changed, in one statement for all of them."""
    ids = sorted(
        {
            e.ticket_id
            for e in events
            if e.action in TEXT_ACTIONS
            or (e.action == EventAction.CHANGED and e.field in TEXT_FIELDS)
        }
    )
    if ids:
        with transaction.atomic():  # SQLite deletes then inserts: together
            backend().tickets_index(ids)


def tickets_rebuild(*, progress: Callable[[int], None] | None = None) -> int:
    """Every ticket's document again, set-based, in chunks by id (one transaction each, so a
    rebuild of a million tickets holds no lock for long; search keeps answering from the
    documents not yet rewritten). Returns the number of tickets indexed."""
    search = backend()
    bounds = Ticket.objects.aggregate(first=Min("pk"), last=Max("pk"))
    done = 0
    if bounds["first"] is not None:
        for first in range(bounds["first"], bounds["last"] + 1, REBUILD_CHUNK):
            with transaction.atomic():
                done += search.tickets_index_range(first, first + REBUILD_CHUNK)
            if progress:
                progress(done)
    with transaction.atomic():
        search.tickets_prune()  # documents of tickets no longer there
    search.analyze()
    return done


def articles_rebuild() -> int:
    """Every published article's document again."""
    search = backend()
    ids = list(
        KbArticle.objects.filter(status=ArticleStatus.PUBLISHED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    with transaction.atomic():
        search.articles_clear()
        for i in range(0, len(ids), 5000):
            search.articles_index(ids[i : i + 5000])
    search.analyze()
    return len(ids)
