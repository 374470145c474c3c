"""Take one mail in, exactly once: the filter pipeline, then a ticket or an article.

``mail_ingest`` writes the ``InboundMail`` row in the same transaction as the ticket or
article the mail makes. Its ``dedup_key`` is unique: the Message-ID (plus a content digest
when two different mails share one), or the mailbox UID for mail without a Message-ID. A second
delivery, a concurrent poller or a restart after a crash finds the row and does nothing.

Outcomes (``InboundMail.status``):
- processed: a new ticket, or an article on an existing one;
- ignored: an auto-reply, bounce or loop (kept, never answered);
- quarantined: a policy said no (unknown sender, non-participant, vendor mail matching no
  ticket, sender over the rate limit); an administrator can release it;
- failed: the mail cannot be parsed or a service refused it; kept with the reason, retryable.
"""

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import timedelta
from email.utils import formataddr

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ayuda.core.errors import AyudaError, PermissionDeniedError, ValidationError
from ayuda.notifications.services import outgoing_mark_bounced
from ayuda.tickets import services
from ayuda.tickets.attachments import IncomingFile, attachment_check
from ayuda.tickets.models import (
    Article,
    ArticleKind,
    Channel,
    SenderRole,
    StateCategory,
    Ticket,
)

from ..models import (
    InboundMail,
    InboundMailStatus,
    Mailbox,
    NonParticipantReplyPolicy,
    UnknownSenderPolicy,
)
from .filters import mail_classify
from .parsing import MailParseError, ParsedMail, mail_parse
from .senders import Directory, Sender, directory_load, requester_create, sender_identify
from .threading import is_participant, ticket_find, vendor_case_number
from .trimming import html_trim, text_trim

logger = logging.getLogger(__name__)

FORCE_NEW_TICKET = "new_ticket"
FORCE_APPEND = "append"


class TransientMailError(Exception):
    """Leave the mail on the server and try again at the next poll."""


@dataclass(frozen=True)
class Outcome:
    status: str
    reason: str = ""
    ticket: Ticket | None = None
    article: Article | None = None


@dataclass
class IngestContext:
    """Read once per poll (addresses, directory) or once per fetched chunk (which keys are
    already taken in, how much each sender wrote lately) rather than once per mail."""

    own_addresses: set[str]
    directory: Directory
    known: dict[str, int | None] = field(default_factory=dict)  # dedup key -> row pk
    sender_counts: dict[str, int] = field(default_factory=dict)

    def prefetch(self, mails: list[tuple[ParsedMail | None, str]]) -> None:
        """Look up a chunk's dedup keys and senders in two queries."""
        keys = [key for _mail, key in mails]
        self.known = dict.fromkeys(keys)
        for key, pk in InboundMail.objects.filter(dedup_key__in=keys).values_list(
            "dedup_key", "pk"
        ):
            self.known[key] = pk
        senders = {m.from_address for m, _key in mails if m is not None}
        self.sender_counts = dict.fromkeys(senders, 0)
        if senders:
            since = timezone.now() - timedelta(seconds=settings.AYUDA_EMAIL_SENDER_LIMIT[1])
            rows = (
                InboundMail.objects.filter(
                    from_address__in=senders,
                    received_at__gte=since,
                    status=InboundMailStatus.PROCESSED,
                )
                .values("from_address")
                .annotate(n=Count("pk"))
            )
            for row in rows:
                self.sender_counts[row["from_address"]] = row["n"]


def context_load() -> IngestContext:
    return IngestContext(own_addresses=own_addresses(), directory=directory_load())


def own_addresses() -> set[str]:
    addresses = {a.lower() for a in Mailbox.objects.values_list("email_address", flat=True)}
    default_from = getattr(settings, "AYUDA_EMAIL_FROM", "") or settings.DEFAULT_FROM_EMAIL
    from email.utils import parseaddr

    addresses.add(parseaddr(default_from)[1].lower())
    return {a for a in addresses if a}


def dedup_key_for(
    *, mail: ParsedMail | None, raw: bytes, mailbox: Mailbox | None, uid, uidvalidity
) -> str:
    if mail is not None and mail.message_id:
        return f"mid:{mail.message_id}"[:600]
    if mailbox is not None and uid is not None:
        return f"uid:{mailbox.pk}:{uidvalidity}:{uid}"
    return f"sha:{hashlib.sha256(raw).hexdigest()}"


def _existing(key: str, context: IngestContext | None = None) -> InboundMail | None:
    if context is not None and key in context.known:
        pk = context.known[key]
        return None if pk is None else InboundMail.objects.filter(pk=pk).first()
    return InboundMail.objects.filter(dedup_key=key).first()


def mail_parse_safe(raw: bytes) -> tuple[ParsedMail | None, str]:
    """The parsed mail, or None and why not."""
    try:
        return mail_parse(raw), ""
    except MailParseError as exc:
        return None, str(exc)
    except Exception as exc:  # the email package should not raise, but never lose the mail
        logger.exception("Unexpected error parsing a mail")
        return None, f"{exc.__class__.__name__}: {exc}"


def mail_ingest(
    *,
    raw: bytes,
    mailbox: Mailbox | None,
    uid: int | None = None,
    uidvalidity: int | None = None,
    context: IngestContext | None = None,
    parsed: tuple[ParsedMail | None, str] | None = None,
) -> tuple[InboundMail, bool]:
    """Ingest one mail. Returns the row and whether this call created it.

    ``parsed`` is ``mail_parse_safe(raw)`` when the caller already has it.
    Raises TransientMailError when the database is unavailable; the caller must then leave
    the mail on the server.
    """
    mail, parse_error = parsed if parsed is not None else mail_parse_safe(raw)
    key = dedup_key_for(mail=mail, raw=raw, mailbox=mailbox, uid=uid, uidvalidity=uidvalidity)
    existing = _existing(key, context)
    if (
        existing is not None
        and mail is not None
        and mail.message_id
        and existing.digest
        and existing.digest != mail.digest()
    ):
        # A different mail reusing a Message-ID (broken mailers do): its own key.
        key = f"mid:{mail.message_id}#{mail.digest()[:16]}"[:600]
        existing = _existing(key)
    if existing is not None:
        return existing, False

    row = InboundMail(
        mailbox=mailbox,
        dedup_key=key,
        uid=uid,
        uidvalidity=uidvalidity,
        raw=raw,
        size=len(raw),
        message_id=mail.message_id if mail else "",
        from_address=mail.from_address[:500] if mail else "",
        subject=mail.subject[:500] if mail else "",
        digest=mail.digest() if mail else "",
    )
    if mail is None:
        return _save_failed(row, _("The mail cannot be read: %(e)s") % {"e": parse_error})

    try:
        with transaction.atomic():
            outcome = mail_route(mail=mail, mailbox=mailbox, context=context)
            _apply(row, outcome)
            row.save()  # unique dedup_key: a concurrent twin rolls this whole block back
            if context is not None:
                context.known[key] = row.pk
                if row.status == InboundMailStatus.PROCESSED:
                    counts = context.sender_counts
                    counts[row.from_address] = counts.get(row.from_address, 0) + 1
    except IntegrityError:
        existing = _existing(key)
        if existing is not None:
            return existing, False  # another poller took it at the same moment
        return _transient(row, "integrity error")
    except AyudaError as exc:
        return _save_failed(row, exc.message)
    except DatabaseError as exc:
        return _transient(row, f"{exc.__class__.__name__}: {exc}")
    except Exception as exc:
        logger.exception("Mail %s could not be ingested", key)
        return _save_failed(row, f"{exc.__class__.__name__}: {exc}")
    return row, True


def _apply(row: InboundMail, outcome: Outcome) -> None:
    row.status = outcome.status
    row.reason = outcome.reason
    row.ticket = outcome.ticket
    row.article = outcome.article
    row.processed_at = timezone.now()


def _save_failed(row: InboundMail, reason: str) -> tuple[InboundMail, bool]:
    row.pk = None
    row.status = InboundMailStatus.FAILED
    row.reason = reason
    row.ticket = row.article = None
    row.processed_at = timezone.now()
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        existing = _existing(row.dedup_key)
        if existing is not None:
            return existing, False
        raise
    except DatabaseError as exc:
        raise TransientMailError(str(exc)) from exc
    return row, True


def _transient(row: InboundMail, reason: str) -> tuple[InboundMail, bool]:
    """A database error: leave the mail on the server, unless it keeps failing."""
    counter = f"ayuda:inmail-transient:{row.dedup_key}"
    try:
        failures = cache.get_or_set(counter, 0, 86400)
        failures = cache.incr(counter)
    except Exception:
        failures = 1
    if failures >= settings.AYUDA_EMAIL_TRANSIENT_TRIES:
        return _save_failed(row, _("Kept failing with a database error: %(e)s") % {"e": reason})
    raise TransientMailError(reason)


# -- the pipeline -------------------------------------------------------------------------------


def _email_meta(mail: ParsedMail) -> services.EmailMeta:
    return services.EmailMeta(
        message_id=mail.message_id,
        in_reply_to=mail.in_reply_to[0] if mail.in_reply_to else "",
        references=" ".join(mail.references),
        email_from=formataddr((mail.from_name, mail.from_address))[:500],
        email_to=", ".join(mail.to),
        email_cc=", ".join(mail.cc),
    )


def _rate_limited(address: str, context: IngestContext | None = None) -> bool:
    limit, seconds = settings.AYUDA_EMAIL_SENDER_LIMIT
    if context is not None and address in context.sender_counts:
        return context.sender_counts[address] >= limit
    since = timezone.now() - timedelta(seconds=seconds)
    recent = InboundMail.objects.filter(
        from_address=address, received_at__gte=since, status=InboundMailStatus.PROCESSED
    )
    return recent.count() >= limit


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
    if not force:
        verdict = mail_classify(
            mail, own_addresses=own, instance_id=settings.AYUDA_EMAIL_INSTANCE_ID
        )
        if not verdict.ok:
            if verdict.kind == "bounce" and verdict.bounced_message_ids:
                outgoing_mark_bounced(
                    message_ids=verdict.bounced_message_ids, reason=mail.text[:2000]
                )
            return Outcome(InboundMailStatus.IGNORED, f"{verdict.kind}: {verdict.reason}")
        if _rate_limited(mail.from_address, context):
            return Outcome(
                InboundMailStatus.QUARANTINED,
                _("Rate limit: too many mails from %(a)s in a short time (a loop?).")
                % {"a": mail.from_address},
            )

    sender = sender_identify(
        address=mail.from_address, name=mail.from_name, directory=context.directory
    )
    ticket, _how = (None, "") if force == FORCE_NEW_TICKET else ticket_find(mail, sender)

    if ticket is not None:
        if ticket.state_category == StateCategory.CLOSED:
            return _new_ticket(mail, mailbox, sender, follow_up_of=ticket)
        if force == FORCE_APPEND or is_participant(ticket, sender, own=own):
            return _append(mail, ticket, sender, mailbox)
        policy = (
            mailbox.non_participant_replies if mailbox else NonParticipantReplyPolicy.NEW_TICKET
        )
        if policy == NonParticipantReplyPolicy.QUARANTINE:
            return Outcome(
                InboundMailStatus.QUARANTINED,
                _("%(a)s answered ticket #%(n)s without taking part in it.")
                % {"a": mail.from_address, "n": ticket.pk},
                ticket=ticket,
            )
        return _new_ticket(mail, mailbox, sender)

    if sender.vendor is not None and sender.user is None and not force:
        return Outcome(
            InboundMailStatus.QUARANTINED,
            _("Mail from vendor %(v)s that matches no ticket (no reference or case number).")
            % {"v": sender.vendor.name},
        )
    return _new_ticket(mail, mailbox, sender, force=force)


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
    follow_up_of: Ticket | None = None,
    force: str = "",
) -> Outcome:
    requester = _requester(sender, mailbox, accept=force == FORCE_NEW_TICKET)
    if requester is None:
        return Outcome(
            InboundMailStatus.QUARANTINED,
            _("Unknown sender %(a)s, and this mailbox does not accept unknown senders.")
            % {"a": mail.from_address},
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
        email=_email_meta(mail),
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
    return Outcome(InboundMailStatus.PROCESSED, "new ticket", ticket=ticket)


def _append(mail: ParsedMail, ticket: Ticket, sender: Sender, mailbox: Mailbox | None) -> Outcome:
    body = text_trim(mail.text) or _("(The mail had no text.)")
    body_html = html_trim(mail.raw_html) if mail.raw_html else ""
    accepted, refused = attachments_split(mail.attachments)
    meta = _email_meta(mail)
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
        article = services.article_add_note(
            ticket=ticket,
            actor=sender.user if sender.user and sender.user.is_vendor_agent else None,
            body=body,
            body_html=body_html,
            attachments=accepted,
            sender_role=SenderRole.VENDOR,
            kind=ArticleKind.EMAIL,
            email=meta,
        )
        how = "vendor mail"
    elif sender.is_helpdesk:
        # An agent writing from their mail client: kept internal, never sent on by itself.
        article = services.article_add_note(
            ticket=ticket,
            actor=sender.user,
            body=body,
            body_html=body_html,
            attachments=accepted,
            sender_role=SenderRole.AGENT,
            kind=ArticleKind.EMAIL,
            email=meta,
        )
        how = "agent mail (internal)"
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
            how = "customer reply"
        except PermissionDeniedError:
            # Someone copied on the ticket's mail whom the portal would not let answer (a
            # colleague of the requester): kept for the agents, not published in their name.
            article = services.article_add_note(
                ticket=ticket,
                actor=None,
                body=body,
                body_html=body_html,
                attachments=accepted,
                sender_role=SenderRole.CUSTOMER,
                kind=ArticleKind.EMAIL,
                email=meta,
            )
            how = "copied participant (internal)"
    _refused_note(ticket, refused, ORIGINAL_HINT)
    return Outcome(InboundMailStatus.PROCESSED, how, ticket=ticket, article=article)


# -- administrators' actions --------------------------------------------------------------------


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
        except MailParseError as exc:
            row.reason = str(exc)
            row.save(update_fields=["attempts", "reason"])
            return row
        try:
            with transaction.atomic():
                outcome = mail_route(mail=mail, mailbox=row.mailbox, force=force)
        except AyudaError as exc:
            row.status, row.reason = InboundMailStatus.FAILED, exc.message
            row.save(update_fields=["attempts", "status", "reason"])
            return row
        _apply(row, outcome)
        row.save()
    return row
