"""CSV exports of report tables and of the rows behind them, streamed: a million rows go out
without being held in memory."""

import csv
from collections.abc import Iterable

from django.http import StreamingHttpResponse
from django.utils import timezone

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> object:
    """A cell as written: numbers as they are, text with a leading quote when a spreadsheet
    would read it as a formula."""
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_START) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(rows: Iterable[Iterable[object]], name: str) -> StreamingHttpResponse:
    """Stream ``rows`` (the first one the header) as ``<name>-<today>.csv``. Give a generator
    (a queryset's ``.iterator(chunk_size=…)``, not a list) for big exports."""
    writer = csv.writer(_Echo())
    lines = (writer.writerow([csv_cell(v) for v in row]) for row in rows)
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.csv"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
