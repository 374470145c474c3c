"""``manage.py simulate_devices``: some days of readings for every demo device, sent through
the real API (``ayuda.demo.devices``). In-process by default; ``--url`` and ``--token`` send
them over HTTP to a running server instead. Re-running it re-sends the same figures
(duplicates: nothing changes) plus the hours since the last run."""

from django.core.management.base import BaseCommand, CommandError

from ayuda.demo.data.devices import SIMULATED_DAYS
from ayuda.demo.devices import (
    ApiError,
    devices_create,
    http_send,
    readings_simulate,
    readings_simulate_in_process,
)
from ayuda.demo.loader import demo_is_loaded


class Command(BaseCommand):
    help = (
        "Send some days of hourly readings and heartbeats for every demo device through "
        "POST /api/v1/devices/readings: two devices go silent, one site's IN and OUT drift "
        "apart on the last closed day, one device counts nothing that day."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=SIMULATED_DAYS, help="Days back.")
        parser.add_argument(
            "--url",
            help="Send over HTTP to this running Ayuda (e.g. http://127.0.0.1:8000), which "
            "must use this database; needs --token.",
        )
        parser.add_argument(
            "--token",
            help="An API token with the devices scope (an administrator's reports every "
            "device; an organisation's user only that organisation's).",
        )

    def handle(self, *args, **options):
        if options["days"] < 1 or options["days"] > 90:
            raise CommandError("--days must be between 1 and 90.")
        if bool(options["url"]) != bool(options["token"]):
            raise CommandError("--url and --token go together.")
        if not demo_is_loaded():
            raise CommandError(
                "The demo is not loaded (manage.py load_demo): the simulator feeds the demo's "
                "devices only."
            )
        created = devices_create()
        if created:
            self.stdout.write(f"Created {len(created)} demo devices.")
        try:
            if options["url"]:
                send = http_send(url=options["url"], token=options["token"])
                result = readings_simulate(send=send, days=options["days"])
            else:
                result = readings_simulate_in_process(days=options["days"])
        except ApiError as exc:
            raise CommandError(f"The API refused the batch: {exc}") from exc
        totals = result.totals
        self.stdout.write(
            self.style.SUCCESS(
                f"Sent {result.batches} batches: {totals['accepted']} accepted, "
                f"{totals['duplicate']} duplicates, {totals['refused']} refused."
            )
        )
        for code, count in sorted(result.refusals.items()):
            self.stdout.write(f"  refused ({code}): {count}")
