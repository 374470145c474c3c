"""Take one mail in, exactly once.

``mail_ingest`` writes the ``InboundMail`` row in the same transaction as the ticket or
article the mail makes (``pipeline.mail_route``). Its ``dedup_key`` is unique: a SHA-256 of the
whole Message-ID (plus a content digest when two different mails share one), or the mailbox UID
for mail without a Message-ID. A second delivery, a concurrent poller or a restart after a crash
finds the row and does nothing.

Whatever one mail holds, the failure stays with that mail: anything but a database outage is
kept as a failed row with its reason and the original, and the caller goes on to the next mail.

Outcomes (``InboundMail.status``):
- processed: a new ticket, or an article on an existing one;
- ignored: an auto-reply, bounce or loop (kept, never answered);
- quarantined: a policy said no (unknown sender, non-participant, vendor mail matching no
  ticket, sender over the rate limit); an administrator can release it;
- failed: the mail cannot be parsed or a service refused it; kept with the reason, retryable.
"""

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, DataError, IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from ayuda.core.errors import AyudaError

from ..models import InboundMail, InboundMailStatus, Mailbox
from ..reasons import reason
from .context import IngestContext
from .parsing import MESSAGE_ID_STORED, MailParseError, ParsedMail, mail_parse
from .pipeline import apply_outcome, mail_route

logger = logging.getLogger(__name__)


class TransientMailError(Exception):
    """Leave the mail on the server and try again at the next poll."""


def message_id_key(message_id: str, digest: str = "") -> str:
    """The dedup key of a Message-ID: a hash of all of it, never cut (two ids may differ only
    after their first few hundred characters); ``digest`` tells apart different mails that
    share one."""
    key = "mid:" + hashlib.sha256(message_id.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{key}#{digest[:16]}" if digest else key


def dedup_key_for(
    *, mail: ParsedMail | None, raw: bytes, mailbox: Mailbox | None, uid, uidvalidity
) -> str:
    if mail is not None and mail.message_id:
        return message_id_key(mail.message_id)
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
    try:
        existing = _existing(key, context)
        if (
            existing is not None
            and mail is not None
            and mail.message_id
            and existing.digest
            and existing.digest != mail.digest()
        ):
            # A different mail reusing a Message-ID (broken mailers do): its own key.
            key = message_id_key(mail.message_id, mail.digest())
            existing = _existing(key)
    except DatabaseError as exc:
        raise TransientMailError(f"{exc.__class__.__name__}: {exc}") from exc
    if existing is not None:
        return existing, False

    row = InboundMail(
        mailbox=mailbox,
        dedup_key=key,
        uid=uid,
        uidvalidity=uidvalidity,
        raw=raw,
        size=len(raw),
        message_id=_storable(mail.message_id)[:MESSAGE_ID_STORED] if mail else "",
        from_address=_storable(mail.from_address)[:500] if mail else "",
        subject=_storable(mail.subject)[:500] if mail else "",
        digest=mail.digest() if mail else "",
    )
    if mail is None:
        return _save_failed(
            row, reason(gettext_noop("The mail cannot be read: %(e)s"), e=str(parse_error))
        )

    try:
        with transaction.atomic():
            outcome = mail_route(mail=mail, mailbox=mailbox, context=context)
            apply_outcome(row, outcome)
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
    except DataError as exc:  # this mail's data, not an outage: kept, and the next one goes on
        logger.exception("Mail %s could not be stored", key)
        return _save_failed(row, f"{exc.__class__.__name__}: {exc}")
    except DatabaseError as exc:
        return _transient(row, f"{exc.__class__.__name__}: {exc}")
    except Exception as exc:
        logger.exception("Mail %s could not be ingested", key)
        return _save_failed(row, f"{exc.__class__.__name__}: {exc}")
    return row, True


def _storable(text: str) -> str:
    """Text any database takes: no lone surrogates, no NUL."""
    return text.encode("utf-8", "replace").decode("utf-8").replace("\x00", "")


def _save_failed(row: InboundMail, why: str) -> tuple[InboundMail, bool]:
    row.pk = None
    row.status = InboundMailStatus.FAILED
    row.reason = _storable(why)
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


def _transient(row: InboundMail, error: str) -> tuple[InboundMail, bool]:
    """A database error: leave the mail on the server, unless it keeps failing."""
    counter = f"ayuda:inmail-transient:{row.dedup_key}"
    try:
        failures = cache.get_or_set(counter, 0, 86400)
        failures = cache.incr(counter)
    except Exception:
        failures = 1
    if failures >= settings.AYUDA_EMAIL_TRANSIENT_TRIES:
        return _save_failed(
            row, reason(gettext_noop("Kept failing with a database error: %(e)s"), e=error)
        )
    raise TransientMailError(error)
