"""``manage.py load_demo``: the demo desk ``make run`` loads once (see ``ayuda.demo``).

Two customer organisations with sites, front-line, field and level-2 teams, a device vendor, a
user of every role in Spanish, Italian and English, a category tree and a few hundred tickets
in every state and channel, raised over the past weeks and moved through their lives at
plausible times. Idempotent: if the demo is loaded, it only writes the log-ins again. It sends
no mail. All demo users share the password ``ayuda-demo``; the log-ins are written to
``DATA_DIR/demo-logins.txt``.
"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ayuda.demo.data.desk import DEMO_PASSWORD, USERS
from ayuda.demo.data.plan import TICKET_COUNT
from ayuda.demo.loader import demo_is_loaded, demo_load, logins_text, logins_write


class Command(BaseCommand):
    help = (
        "Load the demo data once (organisations, teams, users of every role, categories and "
        f"{TICKET_COUNT} tickets made through the ticket services). Does nothing if it is "
        f"already loaded. Password for every demo user: {DEMO_PASSWORD}"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Load the demo even with DEBUG off (it creates an administrator whose "
            "password everyone can read in the README).",
        )
        parser.add_argument(
            "--no-logins",
            action="store_true",
            help="Do not print the log-ins, only write them to DATA_DIR/demo-logins.txt "
            "(`make run` uses it: scripts/run.sh prints them once the web app answers).",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError(
                "DEBUG is off: this looks like a production site, and the demo creates an "
                "administrator with a published password. Use --allow-production to load it "
                "anyway."
            )
        started = time.monotonic()
        if demo_is_loaded():
            self.stdout.write("Demo data already loaded; nothing to do.")
        else:
            count = demo_load()
            self.stdout.write(
                self.style.SUCCESS(
                    f"Loaded demo data: {len(USERS)} users, {count} tickets "
                    f"in {time.monotonic() - started:.1f} s."
                )
            )
        path = logins_write(data_dir=settings.DATA_DIR)
        if options["no_logins"]:
            self.stdout.write(f"Demo log-ins written to {path}.")
            return
        self.stdout.write(logins_text())
        self.stdout.write(f"(also written to {path})")
