"""Ticket services: every write to a ticket goes through one of these (see docs/architecture.md).

Each takes keyword-only arguments, checks permissions and invariants, records the history and
returns the object. Views, the API and intake channels call them; nothing else writes tickets.
"""

from ._base import EmailMeta, ticket_lock
from .contacts import contact_log
from .lifecycle import (
    ticket_change_state,
    ticket_close,
    ticket_create,
    ticket_reopen,
    ticket_resolve,
)
from .messages import (
    article_add_customer,
    article_add_note,
    article_add_reply,
    article_add_system,
)
from .routing import (
    ticket_assign,
    ticket_escalate,
    ticket_escalate_to_vendor,
    ticket_forward,
    ticket_hand_back,
    ticket_qualify,
    ticket_set_delay_reason,
    ticket_set_vendor_reference,
)

__all__ = [
    "EmailMeta",
    "article_add_customer",
    "article_add_note",
    "article_add_reply",
    "article_add_system",
    "contact_log",
    "ticket_assign",
    "ticket_change_state",
    "ticket_close",
    "ticket_create",
    "ticket_escalate",
    "ticket_escalate_to_vendor",
    "ticket_forward",
    "ticket_hand_back",
    "ticket_lock",
    "ticket_qualify",
    "ticket_reopen",
    "ticket_resolve",
    "ticket_set_delay_reason",
    "ticket_set_vendor_reference",
]
