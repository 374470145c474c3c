"""Which ticket a mail belongs to, and whether its sender may write into it.

Order of evidence: the Message-IDs it answers (In-Reply-To, then References, newest first)
matched against the articles we received and the mail we sent; then the "[#<number>]"
reference in the subject; for vendor mail, the vendor's own case number.
"""

import logging
import re
from email.utils import getaddresses

from ayuda.accounts.models import Role, Vendor
from ayuda.notifications.models import OutgoingMessage
from ayuda.tickets.models import Article, Ticket

from .parsing import ParsedMail
from .senders import Sender

logger = logging.getLogger(__name__)

SUBJECT_REFERENCE = re.compile(r"\[#(\d{1,12})\]")


def ticket_find_by_headers(mail: ParsedMail) -> Ticket | None:
    ids = mail.thread_ids
    if not ids:
        return None
    found: dict[str, int] = {}
    for mid, ticket_id in (
        OutgoingMessage.objects.filter(message_id__in=ids)
        .exclude(ticket=None)
        .values_list("message_id", "ticket_id")
    ):
        found.setdefault(mid, ticket_id)
    for mid, ticket_id in Article.objects.filter(message_id__in=ids).values_list(
        "message_id", "ticket_id"
    ):
        found.setdefault(mid, ticket_id)
    for mid in ids:
        if mid in found:
            return Ticket.objects.select_related("requester", "site").get(pk=found[mid])
    return None


def ticket_find_by_subject(mail: ParsedMail) -> Ticket | None:
    for match in SUBJECT_REFERENCE.finditer(mail.subject):
        ticket = (
            Ticket.objects.select_related("requester", "site")
            .filter(pk=int(match.group(1)))
            .first()
        )
        if ticket is not None:
            return ticket
    return None


def vendor_case_number(mail: ParsedMail, vendor: Vendor) -> str:
    """The vendor's case number in the subject or text, by the vendor's pattern."""
    if not vendor.case_number_pattern:
        return ""
    try:
        pattern = re.compile(vendor.case_number_pattern)
    except re.error:
        logger.warning("Vendor %s has an invalid case number pattern", vendor.pk)
        return ""
    for text in (mail.subject, mail.text):
        match = pattern.search(text or "")
        if match:
            return (match.group(1) if pattern.groups else match.group(0)).strip()[:100]
    return ""


def ticket_find_by_case_number(case_number: str, vendor: Vendor) -> Ticket | None:
    if not case_number:
        return None
    return (
        Ticket.objects.select_related("requester", "site")
        .filter(vendor=vendor, vendor_reference=case_number)
        .order_by("-pk")
        .first()
    )


def ticket_find(mail: ParsedMail, sender: Sender) -> tuple[Ticket | None, str]:
    """The ticket and how it was found ("header", "subject", "case_number")."""
    ticket = ticket_find_by_headers(mail)
    if ticket is not None:
        return ticket, "header"
    ticket = ticket_find_by_subject(mail)
    if ticket is not None:
        return ticket, "subject"
    if sender.vendor is not None:
        ticket = ticket_find_by_case_number(vendor_case_number(mail, sender.vendor), sender.vendor)
        if ticket is not None:
            return ticket, "case_number"
    return None, ""


def ticket_participant_addresses(ticket: Ticket, *, own: set[str]) -> set[str]:
    """Addresses taking part in a ticket: its requester and whoever was on its mail."""
    addresses = {(ticket.requester.email or "").lower()}
    rows = Article.objects.filter(ticket=ticket).exclude(email_from="")
    for email_from, email_to, email_cc in rows.values_list("email_from", "email_to", "email_cc"):
        for _name, address in getaddresses([email_from, email_to, email_cc]):
            addresses.add(address.lower())
    addresses.update(
        a.lower()
        for a in OutgoingMessage.objects.filter(ticket=ticket).values_list("to_address", flat=True)
    )
    return {a for a in addresses if a and "@" in a} - own


def is_participant(ticket: Ticket, sender: Sender, *, own: set[str]) -> bool:
    user = sender.user
    if user is not None:
        if user.is_helpdesk or user.pk == ticket.requester_id:
            return True
        if (
            user.role == Role.SITE_ADMIN
            and ticket.site_id
            and user.sites.filter(pk=ticket.site_id).exists()
        ):
            return True
    if sender.vendor is not None and ticket.vendor_id == sender.vendor.pk:
        return True
    return sender.address in ticket_participant_addresses(ticket, own=own)
