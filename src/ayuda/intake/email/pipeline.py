"""What a mail becomes: the filters, the sender, the ticket it belongs to, and the service call
that makes the ticket or the article. Runs inside ``mail_ingest``'s transaction; administrators
re-run it on kept mail (``inbound_mail_retry``).
"""

import logging
from dataclasses import dataclass, replace
from email.headerregistry import Address

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from ayuda.core.errors import AyudaError, PermissionDeniedError, ValidationError
from ayuda.tickets import services
from ayuda.tickets.attachments import IncomingFile, attachment_check
from ayuda.tickets.models import Article, ArticleKind, Channel, SenderRole, StateCategory, Ticket
from ayuda.tickets.permissions import Action, allowed_actions

from ..models import (
    InboundMail,
    InboundMailStatus,
    Mailbox,
    NonParticipantReplyPolicy,
    UnknownSenderPolicy,
)
from ..reasons import reason
from .authentication import authserv_ids_parse, mail_authenticated
from .bounces import bounce_link
from .context import IngestContext, context_load, sender_over_limit
from .filters import Verdict, auto_response_forbidden, mail_classify
from .parsing import MESSAGE_ID_STORED, ParsedMail, mail_parse
from .senders import Sender, requester_create, sender_identify
from .threading import is_participant, ticket_find, vendor_case_number
from .trimming import html_trim, text_trim

logger = logging.getLogger(__name__)

FORCE_NEW_TICKET = "new_ticket"
FORCE_APPEND = "append"


@dataclass(frozen=True)
class Outcome:
    status: str
    reason: str = ""
    ticket: Ticket | None = None
    article: Article | None = None


def apply_outcome(row: InboundMail, outcome: Outcome) -> None:
    row.status = outcome.status
    row.reason = outcome.reason
    row.ticket = outcome.ticket
    row.article = outcome.article
    row.processed_at = timezone.now()


def _address_display(name: str, address: str) -> str:
    """``Name <address>`` for people to read; unlike ``formataddr``, takes internationalised
    addresses (``josé@…``, RFC 6532)."""
    try:
        return str(Address(display_name=name, addr_spec=address))
    except (ValueError, TypeError, IndexError):
        return f"{name} <{address}>" if name else address


def _email_meta(mail: ParsedMail, *, no_auto_response: bool = False) -> services.EmailMeta:
    return services.EmailMeta(
        message_id=mail.message_id[:MESSAGE_ID_STORED],
        in_reply_to=mail.in_reply_to[0][:MESSAGE_ID_STORED] if mail.in_reply_to else "",
        references=" ".join(mail.references),
        email_from=_address_display(mail.from_name, mail.from_address)[:500],
        email_to=", ".join(mail.to),
        email_cc=", ".join(mail.cc),
        no_auto_response=no_auto_response,
    )


def attachments_split(files: list[IncomingFile]) -> tuple[list[IncomingFile], list[str]]:
    """Files that pass the content checks, and a line per refused file with the reason."""
    accepted, refused = [], []
    for file in files:
        if len(accepted) >= settings.AYUDA_ATTACHMENT_MAX_COUNT:
            refused.append(_("“%(name)s”: too many attachments.") % {"name": file.name})
            continue
        try:
            attachment_check(file)
        except ValidationError as exc:
            refused.append(exc.message)
        else:
            accepted.append(file)
    return accepted, refused


def _refused_note(ticket: Ticket, refused: list[str], row_hint: str) -> None:
    if not refused:
        return
    body = "\n".join(
        [
            _("Attachments of this mail were not accepted:"),
            *[f"- {line}" for line in refused],
            _("The original mail, with every attachment, is kept under %(where)s.")
            % {"where": row_hint},
        ]
    )
    services.article_add_note(
        ticket=ticket, actor=None, body=body, sender_role=SenderRole.SYSTEM, kind=ArticleKind.SYSTEM
    )


ORIGINAL_HINT = gettext_lazy("Admin › Intake › Incoming mail")


def mail_route(
    *,
    mail: ParsedMail,
    mailbox: Mailbox | None,
    force: str = "",
    context: IngestContext | None = None,
) -> Outcome:
    """Decide what the mail becomes, and make it. Runs inside the caller's transaction."""
    context = context or context_load()
    own = context.own_addresses
    verdict = mail_classify(mail, own_addresses=own, instance_id=settings.AYUDA_EMAIL_INSTANCE_ID)
    if not force:
        if not verdict.ok:
            return _filtered(mail, verdict)
        if sender_over_limit(mail.from_address, context):
            return Outcome(
                InboundMailStatus.QUARANTINED,
                reason(
                    gettext_noop(
                        "Rate limit: too many mails from %(a)s in a short time (a loop?)."
                    ),
                    a=mail.from_address,
                ),
            )
    if not mail.from_address:
        return Outcome(
            InboundMailStatus.FAILED,
            reason(gettext_noop("The mail has no sender address: it cannot become a ticket.")),
        )
    meta = _email_meta(mail, no_auto_response=auto_response_forbidden(mail, verdict))

    sender = sender_identify(
        address=mail.from_address, name=mail.from_name, directory=context.directory
    )
    # Staff and vendor agents are believed only on the receiving server's word (an
    # administrator's release vouches for the mail too).
    unverified = (
        not force
        and sender.user is not None
        and (sender.user.is_helpdesk or sender.user.is_vendor_agent)
        and not mail_authenticated(
            mail=mail, authserv_ids=authserv_ids_parse(mailbox.authserv_ids if mailbox else "")
        )
    )
    ticket, _how = (None, "") if force == FORCE_NEW_TICKET else ticket_find(mail, sender)

    if unverified:
        if ticket is None or ticket.state_category == StateCategory.CLOSED:
            return Outcome(
                InboundMailStatus.QUARANTINED,
                reason(
                    gettext_noop(
                        "Unverified mail from a staff address (%(a)s): the receiving server "
                        "did not confirm the sender, so it opens no ticket in their name."
                    ),
                    a=mail.from_address,
                ),
                ticket=ticket,
            )
        return _append(mail, ticket, sender, mailbox, replace(meta, sender_unverified=True))

    if ticket is not None:
        if ticket.state_category == StateCategory.CLOSED:
            return _new_ticket(mail, mailbox, sender, meta, follow_up_of=ticket)
        if force == FORCE_APPEND or is_participant(ticket, sender, own=own):
            return _append(mail, ticket, sender, mailbox, meta)
        policy = (
            mailbox.non_participant_replies if mailbox else NonParticipantReplyPolicy.NEW_TICKET
        )
        if policy == NonParticipantReplyPolicy.QUARANTINE:
            return Outcome(
                InboundMailStatus.QUARANTINED,
                reason(
                    gettext_noop("%(a)s answered ticket #%(n)s without taking part in it."),
                    a=mail.from_address,
                    n=ticket.pk,
                ),
                ticket=ticket,
            )
        return _new_ticket(mail, mailbox, sender, meta)

    if sender.vendor is not None and sender.user is None and not force:
        return Outcome(
            InboundMailStatus.QUARANTINED,
            reason(
                gettext_noop(
                    "Mail from vendor %(v)s that matches no ticket (no reference or case number)."
                ),
                v=sender.vendor.name,
            ),
        )
    return _new_ticket(mail, mailbox, sender, meta, force=force)


def _filtered(mail: ParsedMail, verdict: Verdict) -> Outcome:
    """A machine's mail: kept as ignored, never answered; a delivery report of our own mail is
    linked to its ticket (``bounces``)."""
    ticket = None
    if verdict.kind == "bounce":
        ticket = bounce_link(mail=mail, verdict=verdict).ticket
    return Outcome(
        InboundMailStatus.IGNORED, reason(verdict.reason, **verdict.values), ticket=ticket
    )


def _requester(sender: Sender, mailbox: Mailbox | None, *, accept: bool = False):
    if sender.user is not None:
        return sender.user
    policy = mailbox.unknown_senders if mailbox else UnknownSenderPolicy.ACCEPT
    if sender.organisation is None and policy == UnknownSenderPolicy.REJECT and not accept:
        return None
    return requester_create(sender=sender, language=mailbox.language if mailbox else "en")


def _new_ticket(
    mail: ParsedMail,
    mailbox: Mailbox | None,
    sender: Sender,
    meta: services.EmailMeta,
    follow_up_of: Ticket | None = None,
    force: str = "",
) -> Outcome:
    requester = _requester(sender, mailbox, accept=force == FORCE_NEW_TICKET)
    if requester is None:
        return Outcome(
            InboundMailStatus.QUARANTINED,
            reason(
                gettext_noop(
                    "Unknown sender %(a)s, and this mailbox does not accept unknown senders."
                ),
                a=mail.from_address,
            ),
        )
    accepted, refused = attachments_split(mail.attachments)
    ticket = services.ticket_create(
        requester=requester,
        actor=None,
        subject=mail.subject.strip() or _("(no subject)"),
        description=mail.text.strip() or _("(The mail had no text.)"),
        channel=Channel.EMAIL,
        team=mailbox.team if mailbox else None,
        category=mailbox.category if mailbox and mailbox.category_id else None,
        article_kind=ArticleKind.EMAIL,
        email=meta,
        body_html=mail.html,
        attachments=accepted,
    )
    _refused_note(ticket, refused, ORIGINAL_HINT)
    if follow_up_of is not None:
        services.article_add_note(
            ticket=ticket,
            actor=None,
            body=_("This mail answered ticket #%(n)s, which is closed.") % {"n": follow_up_of.pk},
            sender_role=SenderRole.SYSTEM,
            kind=ArticleKind.SYSTEM,
        )
    # The first article is the ticket's own; not looked up here (a query per mail).
    return Outcome(InboundMailStatus.PROCESSED, reason(gettext_noop("New ticket.")), ticket=ticket)


def _append(
    mail: ParsedMail,
    ticket: Ticket,
    sender: Sender,
    mailbox: Mailbox | None,
    meta: services.EmailMeta,
) -> Outcome:
    body = text_trim(mail.text) or _("(The mail had no text.)")
    body_html = html_trim(mail.raw_html) if mail.raw_html else ""
    accepted, refused = attachments_split(mail.attachments)
    unverified = meta.sender_unverified

    def note(actor, role: str) -> Article:
        """The mail kept as an internal article of ``actor`` (None: nobody's) and ``role``."""
        return services.article_add_note(
            ticket=ticket,
            actor=actor,
            body=body,
            body_html=body_html,
            attachments=accepted,
            sender_role=role,
            kind=ArticleKind.EMAIL,
            email=meta,
        )

    if (
        sender.vendor is not None
        and ticket.vendor_id == sender.vendor.pk
        and not sender.is_helpdesk
    ):
        if not ticket.vendor_reference:
            case_number = vendor_case_number(mail, sender.vendor)
            if case_number:
                services.ticket_set_vendor_reference(
                    ticket=ticket, actor=None, reference=case_number
                )
        # The vendor's agent writes in its own name while the ticket is with it; after the
        # hand-back its mail is still the vendor's, recorded by the system (never lost).
        agent = sender.user if sender.user and sender.user.is_vendor_agent else None
        if agent is not None and Action.NOTE not in allowed_actions(agent, ticket):
            agent = None
        article = note(None if unverified else agent, SenderRole.VENDOR)
        how = gettext_noop("Mail from the vendor: kept as an internal note.")
    elif unverified:
        # A staff address the receiving server did not vouch for: kept for the agents, with a
        # warning, as a customer-side message of nobody's (never the agent's words).
        article = note(None, SenderRole.CUSTOMER)
        how = gettext_noop("Unverified mail from a staff address: kept for the agents, flagged.")
    elif sender.is_helpdesk:
        # An agent writing from their mail client: kept internal, never sent on by itself.
        article = note(sender.user, SenderRole.AGENT)
        how = gettext_noop("Mail from an agent: kept as an internal note.")
    else:
        author = sender.user or _requester(sender, mailbox, accept=True)
        try:
            article = services.article_add_customer(
                ticket=ticket,
                author=author,
                body=body,
                body_html=body_html,
                kind=ArticleKind.EMAIL,
                attachments=accepted,
                email=meta,
            )
            how = gettext_noop("Reply from the customer.")
        except PermissionDeniedError:
            # Someone copied on the ticket's mail whom the portal would not let answer (a
            # colleague of the requester): kept for the agents, not published in their name.
            article = note(None, SenderRole.CUSTOMER)
            how = gettext_noop("Mail from someone copied on the ticket: kept as an internal note.")
    _refused_note(ticket, refused, ORIGINAL_HINT)
    return Outcome(InboundMailStatus.PROCESSED, reason(how), ticket=ticket, article=article)


def inbound_mail_retry(*, mail_id: int, force: str = "") -> InboundMail:
    """Run a kept mail through the pipeline again (after a fix, or to release it from
    quarantine with ``force``: "new_ticket" or "append")."""
    with transaction.atomic():
        row = InboundMail.objects.select_for_update().get(pk=mail_id)
        if row.status == InboundMailStatus.PROCESSED:
            return row
        row.attempts += 1
        try:
            mail = mail_parse(bytes(row.raw))
        except Exception as exc:  # MailParseError, or the email package's own surprise
            row.reason = reason(gettext_noop("The mail cannot be read: %(e)s"), e=str(exc))
            row.save(update_fields=["attempts", "reason"])
            return row
        try:
            with transaction.atomic():
                outcome = mail_route(mail=mail, mailbox=row.mailbox, force=force)
        except AyudaError as exc:
            row.status, row.reason = InboundMailStatus.FAILED, exc.message
            row.save(update_fields=["attempts", "status", "reason"])
            return row
        except Exception as exc:  # kept with the reason; an admin action never answers 500
            logger.exception("Retrying incoming mail %s failed", row.pk)
            row.status = InboundMailStatus.FAILED
            row.reason = f"{exc.__class__.__name__}: {exc}".encode("utf-8", "replace").decode()
            row.save(update_fields=["attempts", "status", "reason"])
            return row
        apply_outcome(row, outcome)
        row.save()
    return row
