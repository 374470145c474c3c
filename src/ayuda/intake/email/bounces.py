"""A delivery report about mail we sent: which ticket it belongs to, and what agents are told.

The report is never answered and never becomes a message of the ticket. When it names a mail
of ours (its Message-ID in the returned part, in a quoted copy or in In-Reply-To/References),
that ``OutgoingMessage`` is marked bounced and the ticket gets one internal system note saying
which address did not receive which mail, since that is something the agents must act on (the
customer never got the answer; the address may be mistyped). A report that names the ticket
only by "[#n]" in a subject is linked to it on the incoming-mail row and changes nothing:
anyone can write "[#n]", but only a mail we sent has one of our Message-IDs.
"""

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from ayuda.notifications.services import outgoing_mark_bounced
from ayuda.tickets import services
from ayuda.tickets.models import ArticleKind, SenderRole, Ticket

from .filters import Verdict
from .parsing import ParsedMail
from .threading import SUBJECT_REFERENCE

_DIAGNOSTIC = re.compile(r"^Diagnostic-Code:[ \t]*(?:[\w-]+;)?[ \t]*(.+)$", re.M | re.I)
_STATUS = re.compile(r"^Status:[ \t]*([245]\.\d{1,3}\.\d{1,3})", re.M | re.I)


@dataclass(frozen=True)
class BounceLink:
    ticket: Ticket | None
    bounced: int  # our messages newly marked bounced


def _diagnostic(mail: ParsedMail) -> str:
    """The remote server's words: Diagnostic-Code (or Status) of the delivery-status part,
    else the first lines of the text."""
    for part in mail.message.walk():
        if part.get_content_type() in ("message/delivery-status", "message/global-delivery-status"):
            payload = part.get_payload()
            text = (
                "\n".join(str(p) for p in payload)
                if isinstance(payload, list)
                else str(payload or "")
            )
            for pattern in (_DIAGNOSTIC, _STATUS):
                match = pattern.search(text)
                if match:
                    return " ".join(match.group(1).split())[:300]
    lines = [line.strip() for line in (mail.text or "").splitlines() if line.strip()]
    return " ".join(lines[:3])[:300]


def _ticket_by_subject(mail: ParsedMail) -> Ticket | None:
    """ "[#n]" in the report's subject or in the subject of the returned mail it quotes."""
    subjects = [mail.subject]
    subjects += re.findall(r"^Subject:[ \t]*(.+)$", mail.text or "", re.M | re.I)
    for part in mail.message.walk():
        if part.get_content_type() in ("text/rfc822-headers", "message/global-headers"):
            payload = (part.get_payload(decode=True) or b"").decode("utf-8", "replace")
            subjects += re.findall(r"^Subject:[ \t]*(.+)$", payload, re.M | re.I)
        elif part.get_content_type() in ("message/rfc822", "message/global"):
            inner = part.get_payload()
            if isinstance(inner, list) and inner:
                subjects.append(str(inner[0].get("Subject", "")))
    for subject in subjects:
        for match in SUBJECT_REFERENCE.finditer(subject):
            ticket = Ticket.objects.filter(pk=int(match.group(1))).first()
            if ticket is not None:
                return ticket
    return None


def bounce_link(*, mail: ParsedMail, verdict: Verdict) -> BounceLink:
    """Mark the mail of ours this report returns as bounced, note it on its ticket, and say
    which ticket the report belongs to. Runs inside the ingestion's transaction."""
    diagnostic = _diagnostic(mail)
    bounced = outgoing_mark_bounced(
        message_ids=verdict.bounced_message_ids, reason=diagnostic or mail.text[:2000]
    )
    tickets = {message.ticket_id: message.ticket for message in bounced if message.ticket_id}
    for message in bounced:
        if message.ticket_id is None:
            continue
        body = _("Our mail “%(subject)s” to %(address)s could not be delivered.") % {
            "subject": message.subject,
            "address": message.to_address,
        }
        if diagnostic:
            body += "\n" + _("The receiving mail server said: %(text)s") % {"text": diagnostic}
        services.article_add_note(
            ticket=message.ticket,
            actor=None,
            body=body,
            sender_role=SenderRole.SYSTEM,
            kind=ArticleKind.SYSTEM,
        )
    ticket = next(iter(tickets.values()), None)
    if ticket is None and verdict.bounced_message_ids:
        ticket = outgoing_ticket(verdict.bounced_message_ids)
    if ticket is None:
        ticket = _ticket_by_subject(mail)
    return BounceLink(ticket=ticket, bounced=len(bounced))


def outgoing_ticket(message_ids: list[str]) -> Ticket | None:
    """The ticket of a mail of ours already marked bounced (a second report of it)."""
    from ayuda.notifications.models import OutgoingMessage

    message = (
        OutgoingMessage.objects.filter(message_id__in=message_ids)
        .exclude(ticket=None)
        .select_related("ticket")
        .first()
    )
    return message.ticket if message is not None else None
