"""Import a phone system's file (any size) into a source: ``manage.py import_calls FILE
--source NAME [--kind …] [--timezone ZONE]``."""

from pathlib import Path
from zoneinfo import available_timezones

from django.core.management.base import BaseCommand, CommandError

from ayuda.intake.phone.models import CallSource, SourceKind
from ayuda.intake.phone.services import calls_import
from ayuda.intake.reasons import reason_text

SHOWN = 50  # refused lines printed


class Command(BaseCommand):
    help = (
        "Import call records (Asterisk Master.csv, Asterisk queue_log or a mapped CSV) into a "
        "phone system. Lines already imported are not added again."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The file to import.")
        parser.add_argument("--source", required=True, help="The phone system's name.")
        parser.add_argument(
            "--kind",
            choices=[k.value for k in SourceKind],
            help="The file's format: creates the phone system when it does not exist yet.",
        )
        parser.add_argument("--timezone", help="The zone of the file's local times (new source).")

    def handle(self, *args, file, source, kind, timezone, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No file {file}.")
        if timezone and timezone not in available_timezones():
            raise CommandError(f"“{timezone}” is not a time zone (e.g. Europe/Madrid).")
        found = CallSource.objects.filter(name=source).first()
        if found is None:
            if not kind:
                raise CommandError(f"No phone system named “{source}”: give --kind to create it.")
            if kind == SourceKind.CSV:
                raise CommandError(
                    "A CSV source needs its column mapping: create it in the admin first."
                )
            fields = {"name": source, "kind": kind}
            if timezone:
                fields["timezone"] = timezone
            found = CallSource.objects.create(**fields)
            self.stdout.write(f"Created the phone system “{source}” ({kind}).")
        elif kind and kind != found.kind:
            raise CommandError(f"“{source}” reads {found.kind} files, not {kind}.")
        record = calls_import(source=found, data=path.read_bytes(), filename=path.name)
        if record.failure:
            raise CommandError(f"The file was refused: {reason_text(record.failure)}")
        self.stdout.write(
            f"Lines: {record.lines}. Added: {record.added}. Duplicates: {record.duplicates}. "
            f"Refused: {record.refused}. Linked: {record.linked}."
        )
        for error in record.errors[:SHOWN]:
            self.stdout.write(f"  line {error['line']}: {reason_text(error['reason'])}")
            if error.get("text"):
                self.stdout.write(f"    {error['text']}")
        if len(record.errors) > SHOWN:
            self.stdout.write(f"  … and more: see import #{record.pk} in the admin.")
