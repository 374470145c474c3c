"""``manage.py import_devices FILE``: devices from a CSV file, all or nothing
(``ayuda.devices.imports``; the admin's "Import devices from CSV" does the same)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from ayuda.devices.imports import COLUMNS, devices_import


class Command(BaseCommand):
    help = (
        f"Import devices from a CSV file (columns: {', '.join(COLUMNS)}). Known serials are "
        "updated. If any row is wrong, every wrong row is listed and nothing is imported."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--language", default="en", help="Language of the messages.")

    def handle(self, *args, **options):
        path: Path = options["file"]
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}") from exc
        with translation.override(options["language"]):
            report = devices_import(data=data)
            if not report.ok:
                for error in report.errors:
                    where = f"line {error.line}" if error.line else "file"
                    self.stderr.write(f"{path}, {where}: {error.message}")
                raise CommandError(f"Nothing imported: {len(report.errors)} problem(s) in {path}.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {report.created + report.updated} devices from {path}: "
                f"{report.created} created, {report.updated} updated."
            )
        )
