"""Verify every ticket's keyed history chain and the seals of the chain heads (R25).

Reports the first broken link of each ticket, then whatever is wrong with the seals: their
own chain (a seal missing, edited, or signed with a key no longer listed) and the ticket heads
they sealed that are no longer in the history (newest events cut off and the head rolled
back, or a ticket removed whole).

Tickets are read in batches of ids; their events come in one streamed query per batch, ordered
by ticket and seq, so memory stays flat however many tickets there are. The sealed heads are
recomputed from the same stream: no extra query per ticket.
"""

from datetime import timedelta
from itertools import groupby

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ayuda.tickets.history import BrokenLink, HeadsCheck, chain_verify, seals_check
from ayuda.tickets.models import Ticket, TicketEvent

EVENT_FIELDS = (
    "ticket_id",
    "seq",
    "actor_id",
    "at",
    "action",
    "field",
    "old_value",
    "new_value",
    "data",
    "prev_hash",
    "hash",
    "key_id",
)


class Command(BaseCommand):
    help = (
        "Verify the keyed hash chain of every ticket's history and the seals of the chain "
        "heads; fail if anything is broken."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size",
            type=int,
            default=1000,
            help="Tickets checked per database round trip (default 1000).",
        )

    def handle(self, *args, batch_size: int, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        seals = seals_check()
        heads = HeadsCheck(seals.blocks)
        tickets, events, broken = self.chains(batch_size, heads)

        broken.sort(key=lambda link: link.ticket_id)
        for link in broken:
            self.stderr.write(
                f"Ticket #{link.ticket_id}: first broken link at event {link.seq} ({link.reason})."
            )
        seal_problems = seals.problems + heads.problems()
        for problem in seal_problems:
            self.stderr.write(problem)
        summary = (
            f"Checked {tickets} ticket(s) and {events} event(s): {len(broken)} broken chain(s); "
            f"{seals.seals} seal(s) checked: {len(seal_problems)} broken."
        )
        if broken or seal_problems:
            raise CommandError(summary)
        self.seal_notes(seals.newest)
        self.stdout.write(self.style.SUCCESS(summary))

    def chains(self, batch_size: int, heads: HeadsCheck) -> tuple[int, int, list[BrokenLink]]:
        tickets = events = 0
        broken: list[BrokenLink] = []
        last_pk = 0
        while True:
            ticket_heads = {
                pk: (seq, head)
                for pk, seq, head in Ticket.objects.filter(pk__gt=last_pk)
                .order_by("pk")
                .values_list("pk", "history_seq", "history_head")[:batch_size]
            }
            ids = list(ticket_heads)
            if not ids:
                return tickets, events, broken
            last_pk = ids[-1]
            tickets += len(ids)
            seen: set[int] = set()
            rows = (
                TicketEvent.objects.filter(ticket_id__gte=ids[0], ticket_id__lte=last_pk)
                .order_by("ticket_id", "seq")
                .only(*EVENT_FIELDS)
                .iterator(chunk_size=2000)
            )
            for ticket_id, group in groupby(rows, key=lambda event: event.ticket_id):
                seen.add(ticket_id)
                chain = list(group)
                events += len(chain)
                heads.add(ticket_id, chain)
                link = chain_verify(chain, head=ticket_heads.get(ticket_id))
                if link is not None:
                    broken.append(link)
            broken += [BrokenLink(pk, 1, "no history") for pk in ids if pk not in seen]

    def seal_notes(self, newest) -> None:
        if newest is None:
            self.stdout.write(
                "No seals yet: rolling back the newest events of a ticket would go unseen "
                "(run manage.py seal_history, or the Celery beat that seals every hour)."
            )
            return
        overdue = timezone.now() - timedelta(seconds=2 * settings.AYUDA_HISTORY_SEAL_SECONDS)
        unsealed = TicketEvent.objects.filter(pk__gt=newest.last_event_id, at__lt=overdue)
        if newest.sealed_at < overdue and unsealed.exists():
            self.stdout.write(
                self.style.WARNING(
                    f"The newest seal (#{newest.number}) is from "
                    f"{newest.sealed_at:%Y-%m-%d %H:%M} UTC: is the Celery beat running?"
                )
            )
