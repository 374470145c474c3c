"""Seal the heads of every ticket's history now (what the beat task does every hour)."""

from django.core.management.base import BaseCommand

from ayuda.tickets.history import history_seal
from ayuda.tickets.models import HistorySeal


class Command(BaseCommand):
    help = "Seal the heads of the ticket histories that grew since the last seal (R25)."

    def handle(self, *args, **options):
        before = HistorySeal.objects.order_by("-number").values_list("number", flat=True).first()
        seal = history_seal()
        if seal is None:
            self.stdout.write("No history yet: nothing to seal.")
        elif seal.number == before:
            self.stdout.write(f"Nothing new since seal #{seal.number}.")
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Seal #{seal.number}: the heads of {seal.tickets} ticket(s) up to event "
                    f"{seal.last_event_id}. Digest {seal.hash}."
                )
            )
