"""The IMAP poller: fetch new mail, ingest each message, then mark it processed on the server.

Exactly once, whatever dies when:
- the mail is fetched with BODY.PEEK (nothing changes on the server);
- ``mail_ingest`` commits the InboundMail row together with the ticket or article, under a
  unique ``dedup_key``;
- only after that commit is the message flagged ``$AyudaProcessed`` + ``\\Seen`` (and moved, if
  the mailbox says so). A crash before the commit leaves the mail unflagged: the next poll
  takes it. A crash after the commit but before the flag: the next poll finds the row by its
  key, takes nothing, and flags it.

One poller per mailbox at a time, by a lease on the mailbox row. A lease whose holder died on
this machine is taken over at once (the kill test relies on it); otherwise it expires.
"""

import logging
import os
import secrets
import socket
import ssl
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections
from django.db.models import Q
from django.utils import timezone
from imapclient import IMAPClient

from ..models import Mailbox, MailboxSecurity
from .context import context_load
from .ingest import TransientMailError, dedup_key_for, mail_ingest, mail_parse_safe

logger = logging.getLogger(__name__)

PROCESSED_KEYWORD = "$AyudaProcessed"
LEASE_SECONDS = 300
FETCH_BATCH = 50
FETCH_BATCH_BYTES = 20 * 1024 * 1024


@dataclass
class PollResult:
    mailbox: str
    skipped: str = ""
    seen: int = 0
    ingested: int = 0
    duplicates: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    error: str = ""


# -- lease --------------------------------------------------------------------------------------


def _token() -> str:
    return f"{socket.gethostname()[:12]}:{os.getpid()}:{secrets.token_hex(3)}"


def _holder_dead(token: str) -> bool:
    host, _, rest = token.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname()[:12] or not pid_text.isdigit():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def lease_acquire(mailbox: Mailbox, seconds: int = LEASE_SECONDS) -> str | None:
    now = timezone.now()
    token = _token()
    free = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    row = Mailbox.objects.filter(pk=mailbox.pk).values_list("lease_token", flat=True).first()
    if row and _holder_dead(row):
        free |= Q(lease_token=row)
    updated = Mailbox.objects.filter(free, pk=mailbox.pk).update(
        lease_until=now + timedelta(seconds=seconds), lease_token=token
    )
    return token if updated else None


def lease_renew(mailbox: Mailbox, token: str, seconds: int = LEASE_SECONDS) -> bool:
    return bool(
        Mailbox.objects.filter(pk=mailbox.pk, lease_token=token).update(
            lease_until=timezone.now() + timedelta(seconds=seconds)
        )
    )


def lease_release(mailbox: Mailbox, token: str) -> None:
    Mailbox.objects.filter(pk=mailbox.pk, lease_token=token).update(
        lease_until=None, lease_token=""
    )


# -- IMAP ---------------------------------------------------------------------------------------


def imap_connect(mailbox: Mailbox, timeout: float = 30) -> IMAPClient:
    """Log in. Certificates are always verified: against the system's authorities, or the ones
    in ``AYUDA_EMAIL_CA_FILE`` (a server with a private CA)."""
    context = ssl.create_default_context(cafile=settings.AYUDA_EMAIL_CA_FILE or None)
    client = IMAPClient(
        mailbox.host,
        port=mailbox.port,
        ssl=mailbox.security == MailboxSecurity.SSL,
        ssl_context=context,
        timeout=timeout,
    )
    if mailbox.security == MailboxSecurity.STARTTLS:
        client.starttls(context)
    client.login(mailbox.username, mailbox.get_password())
    return client


def _mark_processed(client: IMAPClient, mailbox: Mailbox, uids: list[int], keyword: bool):
    if not uids:
        return
    flags = [b"\\Seen", PROCESSED_KEYWORD.encode()] if keyword else [b"\\Seen"]
    client.add_flags(uids, flags, silent=True)
    if mailbox.processed_folder:
        if client.has_capability("MOVE"):
            client.move(uids, mailbox.processed_folder)
        else:
            client.copy(uids, mailbox.processed_folder)
            client.delete_messages(uids, silent=True)
            if client.has_capability("UIDPLUS"):
                client.uid_expunge(uids)
            else:
                client.expunge()


def _chunks(uids: list[int], sizes: dict, batch: int):
    """Runs of at most ``batch`` mails and about FETCH_BATCH_BYTES (a big mail goes alone)."""
    chunk: list[int] = []
    total = 0
    for uid in uids:
        size = int(sizes.get(uid, {}).get(b"RFC822.SIZE", 0))
        if chunk and (len(chunk) >= batch or total + size > FETCH_BATCH_BYTES):
            yield chunk
            chunk, total = [], 0
        chunk.append(uid)
        total += size
    if chunk:
        yield chunk


def mailbox_poll(
    mailbox: Mailbox, *, limit: int | None = None, batch: int = FETCH_BATCH
) -> PollResult:
    """Poll one mailbox once. Safe to run anywhere at any time."""
    result = PollResult(mailbox=mailbox.name)
    token = lease_acquire(mailbox)
    if token is None:
        result.skipped = "another poller holds the mailbox"
        return result
    error = ""
    try:
        with imap_connect(mailbox) as client:
            info = client.select_folder(mailbox.folder)
            uidvalidity = int(info.get(b"UIDVALIDITY", 0)) or None
            # Servers without custom keywords (some Exchange set-ups) fall back to \Seen.
            permanent = info.get(b"PERMANENTFLAGS", ())
            keyword = b"\\*" in permanent or PROCESSED_KEYWORD.encode() in permanent
            criteria = ["UNKEYWORD", PROCESSED_KEYWORD] if keyword else ["UNSEEN"]
            uids = sorted(client.search(criteria))
            if limit is not None:
                uids = uids[:limit]
            result.seen = len(uids)
            context = context_load()
            sizes = client.fetch(uids, ["RFC822.SIZE"]) if uids else {}
            for chunk in _chunks(uids, sizes, batch):
                fetched = client.fetch(chunk, ["BODY.PEEK[]"])
                items = []
                for uid in chunk:
                    data = fetched.get(uid)
                    if data is None or b"BODY[]" not in data:
                        continue  # expunged meanwhile
                    raw = bytes(data[b"BODY[]"])
                    parsed = mail_parse_safe(raw)
                    key = dedup_key_for(
                        mail=parsed[0], raw=raw, mailbox=mailbox, uid=uid, uidvalidity=uidvalidity
                    )
                    items.append((uid, raw, parsed, key))
                context.prefetch([(parsed[0], key) for _uid, _raw, parsed, key in items])
                done: list[int] = []
                try:
                    for uid, raw, parsed, _key in items:
                        row, created = mail_ingest(
                            raw=raw,
                            mailbox=mailbox,
                            uid=uid,
                            uidvalidity=uidvalidity,
                            context=context,
                            parsed=parsed,
                        )
                        done.append(uid)
                        if created:
                            result.ingested += 1
                            result.statuses[row.status] = result.statuses.get(row.status, 0) + 1
                        else:
                            result.duplicates += 1
                finally:
                    # Only what is committed is flagged, even when the batch stops half-way.
                    _mark_processed(client, mailbox, done, keyword)
                lease_renew(mailbox, token)
            Mailbox.objects.filter(pk=mailbox.pk).update(uidvalidity=uidvalidity)
    except TransientMailError as exc:
        error = f"database unavailable: {exc}"
    except Exception as exc:
        logger.exception("Polling mailbox %s failed", mailbox.name)
        error = f"{exc.__class__.__name__}: {exc}"
    finally:
        try:
            Mailbox.objects.filter(pk=mailbox.pk).update(
                last_polled_at=timezone.now(), last_error=error[:2000]
            )
            lease_release(mailbox, token)
        except Exception:
            close_old_connections()
    result.error = error
    return result


def mailboxes_poll_all(*, names: list[str] | None = None) -> list[PollResult]:
    mailboxes = Mailbox.objects.filter(is_active=True)
    if names:
        mailboxes = mailboxes.filter(name__in=names)
    return [mailbox_poll(m) for m in mailboxes]
