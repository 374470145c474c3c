"""Devices from a CSV file (the admin's "Import devices from CSV" and ``manage.py
import_devices``): every row is checked first and reported line by line; if any row is bad,
nothing is imported; otherwise all rows are written in one transaction (new serials created,
known ones updated).

Columns (a header row, in any order; ``serial`` and ``site`` required): serial, site (the
site's code, or "Organisation / Site name"), model, name, location, installed (ISO date,
YYYY-MM-DD), counts_entrance, active (yes/no, true/false, 1/0, sí/no, sì/no; empty: yes for a
new device, unchanged for a known one). UTF-8 (with or without a BOM), comma or semicolon
separated.
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from ayuda.accounts.models import Site

from .models import Device

COLUMNS = (
    "serial",
    "site",
    "model",
    "name",
    "location",
    "installed",
    "counts_entrance",
    "active",
)
REQUIRED = ("serial", "site")
LENGTHS = {"serial": 100, "model": 100, "name": 200, "location": 200}
YES = {"1", "yes", "y", "true", "sí", "si", "sì", "x"}
NO = {"0", "no", "n", "false"}
MAX_ROWS = 100_000


@dataclass(frozen=True)
class RowError:
    line: int  # the file's line (1 is the header); 0: the file as a whole
    message: str


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _text(data: bytes) -> tuple[str | None, RowError | None]:
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, RowError(
            line,
            _("The file is not UTF-8 text (line %(line)s). Save it as “CSV UTF-8” and try again.")
            % {"line": line},
        )


def _delimiter(header: str) -> str:
    return ";" if header.count(";") > header.count(",") else ","


def _flag(value: str) -> bool | None:
    """True, False, None (empty), or raises ValueError."""
    value = value.strip().lower()
    if not value:
        return None
    if value in YES:
        return True
    if value in NO:
        return False
    raise ValueError(value)


class _Sites:
    """The sites a file names, by code and by "Organisation / Site name": one query."""

    def __init__(self) -> None:
        self.by_code: dict[str, list[Site]] = {}
        self.by_path: dict[str, Site] = {}
        for site in Site.objects.select_related("organisation"):
            if site.code:
                self.by_code.setdefault(site.code.strip().lower(), []).append(site)
            self.by_path[self._path(site.organisation.name, site.name)] = site

    @staticmethod
    def _path(organisation: str, name: str) -> str:
        return f"{organisation.strip().lower()} / {name.strip().lower()}"

    def find(self, value: str) -> tuple[Site | None, str | None]:
        value = value.strip()
        if "/" in value:
            organisation, _sep, name = value.rpartition("/")
            site = self.by_path.get(self._path(organisation, name))
            if site is not None:
                return site, None
        found = self.by_code.get(value.lower(), [])
        if len(found) == 1:
            return found[0], None
        if len(found) > 1:
            return None, _(
                "More than one site has the code “%(code)s”: write “Organisation / Site name”."
            ) % {"code": value}
        missing = _("There is no site “%(site)s” (a site code or “Organisation / Site name”).")
        return None, missing % {"site": value}


def _parse(text: str, report: ImportReport) -> list[tuple[int, dict]]:
    """The rows as ``(line, values)``, checked; errors go to ``report``."""
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        report.errors.append(RowError(0, _("The file is empty: it needs a header row.")))
        return []
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(lines[0]))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except csv.Error:
        report.errors.append(RowError(1, _("The header row cannot be read.")))
        return []
    unknown = [h for h in header if h not in COLUMNS]
    missing = [c for c in REQUIRED if c not in header]
    if unknown:
        report.errors.append(
            RowError(
                1,
                _("Unknown columns: %(columns)s. The columns are: %(known)s.")
                % {"columns": ", ".join(unknown), "known": ", ".join(COLUMNS)},
            )
        )
    if missing:
        report.errors.append(
            RowError(1, _("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)})
        )
    if len(set(header)) != len(header):
        report.errors.append(RowError(1, _("A column is named twice.")))
    if report.errors:
        return []
    sites = _Sites()
    seen: dict[str, int] = {}
    rows = []
    try:
        for values in reader:
            line = reader.line_num
            if not any(v.strip() for v in values):
                continue
            if len(rows) >= MAX_ROWS:
                report.errors.append(
                    RowError(line, _("Too many rows: %(max)s at most.") % {"max": MAX_ROWS})
                )
                break
            if len(values) != len(header):
                report.errors.append(
                    RowError(
                        line,
                        _("This row has %(found)s fields; the header has %(expected)s.")
                        % {"found": len(values), "expected": len(header)},
                    )
                )
                continue
            row = {name: value.strip() for name, value in zip(header, values, strict=True)}
            problems = _row_check(row, sites=sites, seen=seen, line=line)
            report.errors += [RowError(line, p) for p in problems]
            if not problems:
                rows.append((line, row))
    except csv.Error as exc:
        report.errors.append(
            RowError(reader.line_num, _("This line cannot be read: %(error)s") % {"error": exc})
        )
    return rows


def _row_check(row: dict, *, sites: _Sites, seen: dict[str, int], line: int) -> list[str]:
    problems = []
    serial = row.get("serial", "")
    if not serial:
        problems.append(_("The serial number is missing."))
    elif serial in seen:
        problems.append(
            _("The serial number %(serial)s is already on line %(line)s.")
            % {"serial": serial, "line": seen[serial]}
        )
    else:
        seen[serial] = line
    for name, limit in LENGTHS.items():
        if len(row.get(name, "")) > limit:
            problems.append(
                _("%(column)s is longer than %(max)s characters.") % {"column": name, "max": limit}
            )
    if not row.get("site"):
        problems.append(_("The site is missing."))
    else:
        site, problem = sites.find(row["site"])
        if problem:
            problems.append(problem)
        row["site"] = site
    installed = row.get("installed", "")
    row["installed"] = None
    if installed:
        try:
            row["installed"] = date.fromisoformat(installed)
        except ValueError:
            problems.append(
                _("“%(value)s” is not a date: write it as YYYY-MM-DD.") % {"value": installed}
            )
    for name in ("counts_entrance", "active"):
        try:
            row[name] = _flag(row.get(name, ""))
        except ValueError:
            problems.append(
                _("%(column)s must be yes or no, not “%(value)s”.")
                % {"column": name, "value": row[name]}
            )
    return problems


def devices_import(*, data: bytes) -> ImportReport:
    """Check every row of the CSV ``data``; import them all (one transaction) or none."""
    report = ImportReport()
    text, problem = _text(data)
    if problem:
        report.errors.append(problem)
        return report
    rows = _parse(text, report)
    if report.errors:
        return report
    if not rows:
        report.errors.append(RowError(0, _("The file has no devices, only a header.")))
        return report
    with transaction.atomic():
        serials = [row["serial"] for _line, row in rows]
        existing = Device.objects.select_for_update().in_bulk(serials, field_name="serial")
        new, changed = [], []
        for _line, row in rows:
            device = existing.get(row["serial"]) or Device(serial=row["serial"])
            device.site = row["site"]
            for column in ("model", "name", "location"):
                if column in row:
                    setattr(device, column, row[column])
            if row.get("installed") is not None:
                device.installed_on = row["installed"]
            if row.get("counts_entrance") is not None:
                device.counts_entrance = row["counts_entrance"]
            if row.get("active") is not None:
                device.is_active = row["active"]
            (changed if device.pk else new).append(device)
        Device.objects.bulk_create(new, batch_size=1000)
        Device.objects.bulk_update(
            changed,
            ["site", "model", "name", "location", "installed_on", "counts_entrance", "is_active"],
            batch_size=1000,
        )
    report.created, report.updated = len(new), len(changed)
    return report
