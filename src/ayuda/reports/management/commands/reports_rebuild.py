"""``manage.py reports_rebuild``: every ticket's report facts from scratch (after an import, a
restore, or a change to how a fact is computed)."""

import time

from django.core.management.base import BaseCommand

from ayuda.reports.facts import facts_rebuild
from ayuda.reports.models import TicketFact


class Command(BaseCommand):
    help = "Recompute the ticket reports' facts (TicketFact) of every ticket."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=20000, help="Tickets per statement.")

    def handle(self, *args, **options):
        started = time.monotonic()
        written = facts_rebuild(batch=options["batch"])
        self.stdout.write(
            f"{written} tickets written, {TicketFact.objects.count()} facts, "
            f"{TicketFact.objects.filter(business_stale=True).count()} business times pending, "
            f"{time.monotonic() - started:.1f} s"
        )
