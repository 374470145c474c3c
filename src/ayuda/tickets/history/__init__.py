"""The ticket history (R25): keyed hash chains per ticket (``chain``), the keys that sign
them (``keys``), and the seals of all chain heads (``seals``)."""

from .chain import (
    BrokenLink,
    Step,
    chain_verify,
    event_content,
    event_hash,
    events_build,
    events_record,
    legacy_event_hash,
)
from .seals import HeadsCheck, history_seal, seals_check

__all__ = [
    "BrokenLink",
    "HeadsCheck",
    "Step",
    "chain_verify",
    "event_content",
    "event_hash",
    "events_build",
    "events_record",
    "history_seal",
    "legacy_event_hash",
    "seals_check",
]
