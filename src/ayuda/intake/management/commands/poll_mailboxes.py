"""Poll the IMAP mailboxes once (for cron users), or keep polling with --every."""

import time

from django.core.management.base import BaseCommand, CommandError

from ayuda.intake.email.imap import mailboxes_poll_all
from ayuda.intake.models import Mailbox


class Command(BaseCommand):
    help = "Fetch new mail from the active mailboxes and turn it into tickets and articles."

    def add_arguments(self, parser):
        parser.add_argument("names", nargs="*", help="Mailbox names (default: every active one).")
        parser.add_argument(
            "--every", type=float, default=0, help="Keep polling, every this many seconds."
        )

    def handle(self, *args, names, every, **options):
        if names:
            missing = set(names) - set(
                Mailbox.objects.filter(name__in=names).values_list("name", flat=True)
            )
            if missing:
                raise CommandError(f"No mailbox named {', '.join(sorted(missing))}.")
        while True:
            failed = False
            for result in mailboxes_poll_all(names=names or None):
                if result.skipped:
                    line = f"{result.mailbox}: skipped ({result.skipped})"
                else:
                    statuses = ", ".join(f"{k} {v}" for k, v in sorted(result.statuses.items()))
                    line = (
                        f"{result.mailbox}: {result.seen} new, {result.ingested} ingested"
                        f"{' (' + statuses + ')' if statuses else ''}, "
                        f"{result.duplicates} already had"
                    )
                if result.error:
                    failed = True
                    self.stderr.write(f"{line}; error: {result.error}")
                else:
                    self.stdout.write(line)
            if not every:
                if failed:
                    raise CommandError("At least one mailbox could not be polled.")
                return
            time.sleep(every)
