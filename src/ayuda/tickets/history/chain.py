"""The append-only, keyed hash chain of each ticket's history (R25).

Each event's ``hash`` is an HMAC-SHA256, under the history key named by its ``key_id``, of its
content and the previous event's hash. Events written before keyed chains (``key_id`` empty,
a plain SHA-256 of the same payload) were signed once by migration
``tickets.0010_history_sign_legacy_chains``; an unsigned event no longer verifies.
"""

import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ..models import TicketEvent
from .keys import UnknownKeyError, mac, signing_key, verifying_key


@dataclass(frozen=True)
class Step:
    """One thing that happened, before it is written as a TicketEvent."""

    action: str
    field: str = ""
    old: Any = ""
    new: Any = ""
    data: dict | None = None


def _text(value: Any) -> str:
    if value is None:
        return ""
    return str(value)


def _payload(
    *,
    ticket_id: int,
    seq: int,
    actor_id: int | None,
    at: datetime,
    action: str,
    field: str,
    old_value: str,
    new_value: str,
    data: dict,
    prev_hash: str,
) -> str:
    return json.dumps(
        {
            "ticket": ticket_id,
            "seq": seq,
            "actor": actor_id,
            # In UTC: the database gives times back in UTC whatever offset they were saved with.
            "at": (at.astimezone(UTC) if at.tzinfo else at).isoformat(),
            "action": action,
            "field": field,
            "old": old_value,
            "new": new_value,
            "data": data,
            "prev": prev_hash,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )


def event_hash(*, secret: bytes, **content) -> str:
    """The keyed hash of one event: HMAC-SHA256 of its content and ``prev_hash``."""
    return mac(secret, _payload(**content))


def legacy_event_hash(**content) -> str:
    """The hash events had before keyed chains: anyone could recompute it."""
    return hashlib.sha256(_payload(**content).encode()).hexdigest()


def event_content(event: TicketEvent) -> dict:
    """What an event's hash covers, read from a saved event."""
    return {
        "ticket_id": event.ticket_id,
        "seq": event.seq,
        "actor_id": event.actor_id,
        "at": event.at,
        "action": event.action,
        "field": event.field,
        "old_value": event.old_value,
        "new_value": event.new_value,
        "data": event.data,
        "prev_hash": event.prev_hash,
    }


def events_build(
    *,
    ticket_id: int,
    actor_id: int | None,
    at: datetime,
    steps: Iterable[Step],
    last_seq: int,
    last_hash: str,
) -> list[TicketEvent]:
    """Build (unsaved) events that continue the chain after ``last_seq``/``last_hash``."""
    events = []
    seq, prev = last_seq, last_hash
    kid, secret = signing_key()
    for step in steps:
        seq += 1
        data = json.loads(json.dumps(step.data or {}, default=str))
        fields = {
            "ticket_id": ticket_id,
            "seq": seq,
            "actor_id": actor_id,
            "at": at,
            "action": step.action,
            "field": step.field,
            "old_value": _text(step.old),
            "new_value": _text(step.new),
            "data": data,
            "prev_hash": prev,
        }
        digest = event_hash(secret=secret, **fields)
        events.append(TicketEvent(**fields, key_id=kid, hash=digest))
        prev = digest
    return events


def events_record(*, ticket, actor_id: int | None, at: datetime, steps: list[Step]):
    """Append steps to a ticket's history and move the ticket's head (in memory; the caller
    saves ``history_seq`` and ``history_head``). The caller holds the ticket's row lock."""
    events = events_build(
        ticket_id=ticket.pk,
        actor_id=actor_id,
        at=at,
        steps=steps,
        last_seq=ticket.history_seq,
        last_hash=ticket.history_head,
    )
    if events:
        ticket.history_seq, ticket.history_head = events[-1].seq, events[-1].hash
    return TicketEvent.objects.bulk_create(events)


@dataclass(frozen=True)
class BrokenLink:
    ticket_id: int
    seq: int
    reason: str


def chain_verify(
    events: Iterable[TicketEvent], *, head: tuple[int, str] | None = None
) -> BrokenLink | None:
    """Check one ticket's events in ``seq`` order; return the first broken link, if any.

    ``head`` is the ticket's stored ``(history_seq, history_head)``: the chain must end there,
    so newest events cannot be cut off unnoticed.
    """
    expected_seq, prev = 1, ""
    ticket_id = None
    for event in events:
        if event.seq != expected_seq:
            return BrokenLink(event.ticket_id, expected_seq, "missing event")
        if event.prev_hash != prev:
            return BrokenLink(event.ticket_id, event.seq, "previous hash does not match")
        if not event.key_id:
            return BrokenLink(event.ticket_id, event.seq, "not signed with a history key")
        try:
            secret = verifying_key(event.key_id)
        except UnknownKeyError:
            reason = f"signed with a key that is not configured ({event.key_id})"
            return BrokenLink(event.ticket_id, event.seq, reason)
        digest = event_hash(secret=secret, **event_content(event))
        if not hmac.compare_digest(digest, event.hash):
            return BrokenLink(event.ticket_id, event.seq, "content does not match its hash")
        expected_seq, prev, ticket_id = event.seq + 1, event.hash, event.ticket_id
    if head is not None and (expected_seq - 1, prev) != tuple(head):
        if expected_seq - 1 < head[0]:
            return BrokenLink(ticket_id, expected_seq, "newest events are missing")
        return BrokenLink(ticket_id, expected_seq - 1, "chain does not end at the ticket's head")
    return None
