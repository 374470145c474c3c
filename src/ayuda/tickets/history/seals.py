"""Seals of the history heads: rolling a ticket's history back is found (R25).

A chain alone cannot show that its newest events were cut off when the ticket's stored head
was moved back with them. A seal records, at a moment, the head (seq and hash) of every ticket
as of the newest event then (``last_event_id``), HMAC'd with the history key and chained to
the previous seal. ``verify_history`` recomputes those heads from the events that are there
now; a removed head, or a ticket gone whole, no longer matches.

Sealing is incremental and set-based: the heads are kept per block of ``SEAL_BLOCK`` ticket
ids, each as one SHA-256 over its tickets' heads in ticket order, and a seal stores only the
blocks whose history grew since the previous seal (the first seal stores them all). A block's
heads are read in one query on the ``(ticket, seq)`` index, so a seal costs a query per
changed block, however many tickets there are.
"""

import hashlib
import hmac
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone

from ..models import HistorySeal, TicketEvent
from .keys import UnknownKeyError, mac, signing_key, verifying_key

SEAL_BLOCK = 1000  # ticket ids per block; changing it invalidates the seals already made
LOCK_TIMEOUT = "10s"

logger = logging.getLogger(__name__)


def head_line(ticket_id: int, seq: int, digest: str) -> bytes:
    return f"{ticket_id} {seq} {digest}\n".encode()


def block_range(block: int) -> tuple[int, int]:
    return block * SEAL_BLOCK, (block + 1) * SEAL_BLOCK - 1


def seal_hash(*, secret: bytes, seal: HistorySeal) -> str:
    payload = json.dumps(
        {
            "number": seal.number,
            "at": seal.sealed_at.astimezone(UTC).isoformat(),
            "last_event": seal.last_event_id,
            "tickets": seal.tickets,
            "buckets": seal.buckets,
            "prev": seal.prev_hash,
        },
        sort_keys=True,
        separators=(",", ":"),
    )
    return mac(secret, payload)


def _newest_event_id() -> int:
    """The newest event id such that every event with a lower id is committed.

    On PostgreSQL an id is taken from a sequence before its transaction commits, so a lower id
    may still appear after a higher one is visible; a SHARE lock waits for the transactions
    writing events to finish (and holds new ones back for that moment only). SQLite has one
    writer at a time, and ids grow with it.
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
                cursor.execute(
                    f"LOCK TABLE {connection.ops.quote_name(TicketEvent._meta.db_table)}"
                    " IN SHARE MODE"
                )
        return TicketEvent.objects.aggregate(m=Max("pk"))["m"] or 0


def block_heads(block: int, last_event_id: int) -> tuple[str, int]:
    """The digest of one block's heads as of ``last_event_id``, and how many tickets it has."""
    first, last = block_range(block)
    rows = (
        TicketEvent.objects.filter(ticket_id__gte=first, ticket_id__lte=last, pk__lte=last_event_id)
        .order_by("ticket_id", "seq")
        .values_list("ticket_id", "seq", "hash")
    )
    digest = hashlib.sha256()
    current = None
    tickets = 0
    for row in rows.iterator(chunk_size=5000):
        if current is not None and row[0] != current[0]:
            digest.update(head_line(*current))
            tickets += 1
        current = row
    if current is not None:
        digest.update(head_line(*current))
        tickets += 1
    return digest.hexdigest(), tickets


def history_seal() -> HistorySeal | None:
    """Seal the heads of every ticket whose history grew since the last seal.

    Idempotent: with nothing new since the last seal, it returns that seal (``None`` while
    there is no history at all). Two running at once make one seal.
    """
    previous = HistorySeal.objects.order_by("-number").first()
    since = previous.last_event_id if previous else 0
    newest = _newest_event_id()
    if newest <= since:
        return previous
    changed = (
        TicketEvent.objects.filter(pk__gt=since, pk__lte=newest)
        .values_list("ticket_id", flat=True)
        .distinct()
    )
    blocks = sorted({ticket_id // SEAL_BLOCK for ticket_id in changed.iterator()})
    buckets, tickets = {}, 0
    for block in blocks:
        buckets[str(block)], count = block_heads(block, newest)
        tickets += count
    kid, secret = signing_key()
    seal = HistorySeal(
        number=(previous.number if previous else 0) + 1,
        sealed_at=timezone.now(),
        last_event_id=newest,
        tickets=tickets,
        buckets=buckets,
        prev_hash=previous.hash if previous else "",
        key_id=kid,
    )
    seal.hash = seal_hash(secret=secret, seal=seal)
    try:
        with transaction.atomic():
            seal.save()
    except IntegrityError:  # another seal took this number first: that one stands
        return HistorySeal.objects.order_by("-number").first()
    # Logged for copying where the database's administrators cannot write (see the docs).
    logger.info("History seal #%s up to event %s: %s", seal.number, seal.last_event_id, seal.hash)
    return seal


@dataclass(frozen=True)
class SealedBlock:
    block: int
    seal: HistorySeal
    digest: str


@dataclass
class SealsReport:
    seals: int
    problems: list[str]
    blocks: dict[int, SealedBlock]
    newest: HistorySeal | None


def seals_check() -> SealsReport:
    """Walk the seals' own chain; return its problems and, per block, the newest sealed heads
    (from seals whose hash verifies) for ``HeadsCheck``."""
    problems: list[str] = []
    blocks: dict[int, SealedBlock] = {}
    expected, prev, count, newest = 1, "", 0, None
    for seal in HistorySeal.objects.order_by("number").iterator(chunk_size=500):
        count += 1
        newest = seal
        if seal.number != expected:
            problems += [f"Seal #{n}: missing." for n in range(expected, seal.number)]
        elif seal.prev_hash != prev:
            problems.append(f"Seal #{seal.number}: previous hash does not match.")
        expected, prev = seal.number + 1, seal.hash
        try:
            secret = verifying_key(seal.key_id)
        except UnknownKeyError:
            problems.append(
                f"Seal #{seal.number}: signed with a key that is not configured ({seal.key_id})."
            )
            continue
        if not hmac.compare_digest(seal_hash(secret=secret, seal=seal), seal.hash):
            problems.append(f"Seal #{seal.number}: content does not match its hash.")
            continue
        for block, digest in seal.buckets.items():
            blocks[int(block)] = SealedBlock(int(block), seal, digest)
    return SealsReport(count, problems, blocks, newest)


class HeadsCheck:
    """Recomputes the sealed heads from the events as ``verify_history`` streams them, one
    ticket at a time in ticket order, and names the blocks that no longer match."""

    def __init__(self, blocks: dict[int, SealedBlock]):
        self.blocks = blocks
        self.digests: dict[int, Any] = {}  # block -> running SHA-256

    def add(self, ticket_id: int, events: Iterable[TicketEvent]) -> None:
        sealed = self.blocks.get(ticket_id // SEAL_BLOCK)
        if sealed is None:
            return
        head = None
        for event in events:
            if event.pk <= sealed.seal.last_event_id:
                head = event
        if head is not None:
            digest = self.digests.setdefault(sealed.block, hashlib.sha256())
            digest.update(head_line(head.ticket_id, head.seq, head.hash))

    def problems(self) -> list[str]:
        problems = []
        for block, sealed in sorted(self.blocks.items()):
            found = self.digests.get(block, hashlib.sha256()).hexdigest()
            if not hmac.compare_digest(found, sealed.digest):
                first, last = block_range(block)
                problems.append(
                    f"Seal #{sealed.seal.number} ({sealed.seal.sealed_at:%Y-%m-%d %H:%M} UTC): "
                    f"the ticket heads it sealed are not all in the history any more "
                    f"(tickets #{first}–#{last}): newest events removed or a history rolled "
                    f"back."
                )
        return problems
