"""What ingestion reads once per poll (our addresses, the sender directory) or once per fetched
chunk (which dedup keys are taken, how much each sender wrote lately) instead of once per mail."""

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from email.utils import parseaddr

from django.conf import settings
from django.db import DatabaseError
from django.db.models import Count
from django.utils import timezone

from ..models import InboundMail, InboundMailStatus, Mailbox
from .parsing import ParsedMail
from .senders import Directory, directory_load

logger = logging.getLogger(__name__)


@dataclass
class IngestContext:
    """Read once per poll (addresses, directory) or once per fetched chunk (which keys are
    already taken in, how much each sender wrote lately) rather than once per mail."""

    own_addresses: set[str]
    directory: Directory
    known: dict[str, int | None] = field(default_factory=dict)  # dedup key -> row pk
    sender_counts: dict[str, int] = field(default_factory=dict)

    def prefetch(self, mails: list[tuple[ParsedMail | None, str]]) -> None:
        """Look up a chunk's dedup keys and senders in two queries. Should a look-up fail,
        each mail looks itself up instead, so that one mail cannot stop the chunk."""
        try:
            self._prefetch(mails)
        except (DatabaseError, ValueError) as exc:
            logger.warning("Prefetch failed, looking mails up one by one: %s", exc)
            self.known, self.sender_counts = {}, {}

    def _prefetch(self, mails: list[tuple[ParsedMail | None, str]]) -> None:
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
    addresses.add(parseaddr(default_from)[1].lower())
    return {a for a in addresses if a}


def sender_over_limit(address: str, context: IngestContext | None = None) -> bool:
    limit, seconds = settings.AYUDA_EMAIL_SENDER_LIMIT
    if context is not None and address in context.sender_counts:
        return context.sender_counts[address] >= limit
    since = timezone.now() - timedelta(seconds=seconds)
    recent = InboundMail.objects.filter(
        from_address=address, received_at__gte=since, status=InboundMailStatus.PROCESSED
    )
    return recent.count() >= limit
