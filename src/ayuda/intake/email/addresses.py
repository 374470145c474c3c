"""Which of our addresses a ticket's mail goes out from (``AYUDA_EMAIL_FROM_RESOLVER``)."""

from email.utils import formataddr

from ayuda.tickets.models import Ticket

from ..models import InboundMail


def ticket_from_address(ticket: Ticket) -> str:
    """The mailbox that took the ticket's first mail, so replies come back to it; "" if the
    ticket did not come in by mail."""
    mail = (
        InboundMail.objects.filter(ticket=ticket, mailbox__isnull=False)
        .select_related("mailbox")
        .order_by("pk")
        .first()
    )
    if mail is None:
        return ""
    return formataddr((mail.mailbox.name, mail.mailbox.email_address))
