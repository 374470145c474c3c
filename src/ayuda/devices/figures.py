"""Readable, translated labels for a health incident's figures (``HealthIncident.figures``).

The scan stores figures by name; pages show them as a table of label and value. A name
without a label here is shown as itself, tidied ("hours_idle" -> "Hours idle"), so a new rule
kind never breaks the page; give it a label here when it is added.
"""

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

FIGURE_LABELS = {
    "days_silent": _("Days without a heartbeat"),
    "last_heartbeat": _("Last heartbeat"),
    "last_heartbeat_at": _("Last heartbeat"),
    "last_reading": _("Last reading"),
    "last_reading_at": _("Last reading"),
    "day": _("Day"),
    "in": _("IN"),
    "out": _("OUT"),
    "count_in": _("IN"),
    "count_out": _("OUT"),
    "site_in": _("Site's IN"),
    "site_out": _("Site's OUT"),
    "difference": _("Difference (%)"),
    "difference_pct": _("Difference (%)"),
    "threshold": _("Threshold"),
    "heartbeats": _("Heartbeats"),
    "readings": _("Readings"),
    "open_hours": _("Hours open"),
}


def figure_label(name: str):
    label = FIGURE_LABELS.get(name)
    if label is not None:
        return label
    return name.replace("_", " ").strip().capitalize() or name


def figure_value(value):
    """Dates stored as ISO text are shown as dates; lists joined; the rest as it is."""
    if isinstance(value, str):
        moment = parse_datetime(value)
        return moment if moment is not None else value
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return value


def figure_rows(figures) -> list[tuple[str, object]]:
    """(label, value) for each figure, in the order the scan wrote them."""
    if not isinstance(figures, dict):
        return []
    return [(figure_label(str(name)), figure_value(value)) for name, value in figures.items()]


def figure_rows_text(figures) -> list[tuple[str, str]]:
    """(label, value) as plain text, for mail and system messages: the stored values as they
    are (the scan already wrote times in the site's own time zone)."""
    if not isinstance(figures, dict):
        return []
    return [(str(figure_label(str(name))), _plain(value)) for name, value in figures.items()]


def _plain(value) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)
