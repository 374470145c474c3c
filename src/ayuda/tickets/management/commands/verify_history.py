"""Verify every ticket's hash-chained history and report the first broken link of each (R25).

Tickets are read in batches of ids; their events come in one streamed query per batch, ordered
by ticket and seq, so memory stays flat however many tickets there are.
"""

from itertools import groupby

from django.core.management.base import BaseCommand, CommandError

from ayuda.tickets.history import BrokenLink, chain_verify
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
)


class Command(BaseCommand):
    help = "Verify the hash chain of every ticket's history; fail if any link is broken."

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
        tickets = events = 0
        broken: list[BrokenLink] = []
        last_pk = 0
        while True:
            heads = {
                pk: (seq, head)
                for pk, seq, head in Ticket.objects.filter(pk__gt=last_pk)
                .order_by("pk")
                .values_list("pk", "history_seq", "history_head")[:batch_size]
            }
            ids = list(heads)
            if not ids:
                break
            last_pk = ids[-1]
            tickets += len(ids)
            seen: set[int] = set()
            rows = (
                TicketEvent.objects.filter(ticket_id__gte=ids[0], ticket_id__lte=last_pk)
                .order_by("ticket_id", "seq")
                .only(*EVENT_FIELDS)
                .iterator(chunk_size=2000)
            )
            for ticket_id, chain in groupby(rows, key=lambda event: event.ticket_id):
                seen.add(ticket_id)
                counted = _Counter(chain)
                link = chain_verify(counted, head=heads.get(ticket_id))
                for _rest in counted:  # count the events after a break too
                    pass
                events += counted.count
                if link is not None:
                    broken.append(link)
            broken += [BrokenLink(pk, 1, "no history") for pk in ids if pk not in seen]

        broken.sort(key=lambda link: link.ticket_id)
        for link in broken:
            self.stderr.write(
                f"Ticket #{link.ticket_id}: first broken link at event {link.seq} ({link.reason})."
            )
        summary = (
            f"Checked {tickets} ticket(s) and {events} event(s): {len(broken)} broken chain(s)."
        )
        if broken:
            raise CommandError(summary)
        self.stdout.write(self.style.SUCCESS(summary))


class _Counter:
    """Wraps an iterator and counts what passes through it."""

    def __init__(self, iterable):
        self._iterator = iter(iterable)
        self.count = 0

    def __iter__(self):
        return self

    def __next__(self):
        item = next(self._iterator)
        self.count += 1
        return item
