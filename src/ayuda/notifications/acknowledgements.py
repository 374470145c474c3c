"""Acknowledgements that must not go out (RFC 3834 and backscatter; see docs/email.md,
"Bounces"). The mail is still recorded, as "not sent" with the reason, so the delivery log
shows what was held back and why."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.utils import timezone
from django.utils.translation import gettext as _

from ayuda.tickets.models import Article, Ticket

from .models import DeliveryStatus, OutgoingKind, OutgoingMessage


def requester_unknown(user) -> bool:
    """Someone nobody knows: no organisation and never set a password (the requesters the mail
    channel makes for a new address). Acknowledging them is what backscatter is made of."""
    return user.organisation_id is None and not user.has_usable_password()


def acknowledgements_to_unknown_last_hour() -> int:
    return (
        OutgoingMessage.objects.filter(
            kind=OutgoingKind.ACKNOWLEDGEMENT,
            created_at__gte=timezone.now() - timedelta(hours=1),
            ticket__requester__organisation=None,
            ticket__requester__password__startswith=UNUSABLE_PASSWORD_PREFIX,
        )
        .exclude(status=DeliveryStatus.SUPPRESSED)
        .count()
    )


def acknowledgement_withheld(*, kind: str, article: Article | None, ticket: Ticket) -> str:
    """Why this acknowledgement must not be sent, or "" (RFC 3834 and backscatter):

    - the message it answers must never be answered automatically (a null return path, an
      automatic message an administrator let through);
    - the requester is unknown and ``AYUDA_ACK_UNKNOWN_PER_HOUR`` acknowledgements to unknown
      senders went out in the last hour (a flood of forged senders must not make us a
      backscatter source). The ticket is made all the same; only the mail is held back.
    """
    if kind != OutgoingKind.ACKNOWLEDGEMENT:
        return ""
    if article is not None and article.no_auto_response:
        return _(
            "Not sent: the message must not be answered automatically (a null return path or "
            "an automatic message, RFC 3834)."
        )
    limit = settings.AYUDA_ACK_UNKNOWN_PER_HOUR
    if requester_unknown(ticket.requester) and acknowledgements_to_unknown_last_hour() >= limit:
        return _(
            "Not sent: %(limit)s acknowledgements to unknown senders went out in the last hour, "
            "the most allowed (AYUDA_ACK_UNKNOWN_PER_HOUR)."
        ) % {"limit": limit}
    return ""
