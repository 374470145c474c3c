"""What a figure is: a table of cells, each with the number, how it reads and where its tickets
(or calls) are. One Table serves the page (an accessible table beside its chart), the chart
(``chart_data``) and the CSV export (``csv_rows``)."""

from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Cell:
    value: object  # the number (or label) as exported to CSV; None for "no data"
    text: str = ""  # how the page shows it ("12.5 %", "3 h 20 min"); empty: str(value)
    link: str = ""  # the queue (or calls list) filtered to what is behind it
    shade: int = 0  # heat maps: 0 (none) … 9 (the most), see ``shade()``

    def __str__(self) -> str:
        if self.text:
            return self.text
        return "—" if self.value is None else str(self.value)


@dataclass
class Table:
    """One figure. ``chart`` tells the page how to draw it: "bar", "stacked", "line",
    "heatmap" (rows x columns, the cell values as shades) or "" (a table only). The first
    column labels the rows; ``series`` names the columns a chart draws (default: all but
    the first)."""

    key: str  # stable, used in URLs: /agent/reports/<page>/<key>.csv
    title: str
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    chart: str = ""
    series: list[int] | None = None
    note: str = ""  # a line under the title (how a figure is computed, when it was refreshed)
    # Heat maps as wide as a day (24 hour columns) show on the page with the hours as rows, so
    # they fit a laptop and a phone; the CSV keeps the table as built.
    transpose_on_page: bool = False

    @property
    def width_class(self) -> str:
        """How the page lays out a table too wide for the screen: "wide" (more than 8 columns:
        one card per row below a tablet's width) or "widest" (more than 12: also on a
        laptop); see ayuda.css."""
        columns = len(self.page_columns)
        return "widest" if columns > 12 else "wide" if columns > 8 else ""

    @property
    def page_columns(self) -> list[str]:
        if self.transpose_on_page:
            return [self.columns[0], *(str(row[0]) for row in self.rows)]
        return self.columns

    @property
    def page_rows(self) -> list[list[tuple[str, Cell]]]:
        """The rows as the page shows them, each cell with its column's name (the label a
        card shows before the value on a narrow screen)."""
        if self.transpose_on_page:
            rows = [
                [Cell(self.columns[i]), *(row[i] for row in self.rows)]
                for i in range(1, len(self.columns))
            ]
        else:
            rows = self.rows
        columns = self.page_columns
        return [list(zip(columns, row, strict=False)) for row in rows]

    @property
    def chart_id(self) -> str:
        return f"figure-{self.key}-data"

    def chart_data(self) -> dict:
        """The chart's data for the page's script (json_script): labels, and one dataset per
        charted column."""
        series = self.series if self.series is not None else list(range(1, len(self.columns)))
        return {
            "type": self.chart,
            "labels": [str(row[0]) for row in self.rows],
            "datasets": [
                {
                    "label": self.columns[i],
                    "data": [_number(row[i].value) for row in self.rows],
                }
                for i in series
            ],
        }

    def csv_rows(self) -> Iterator[list[object]]:
        yield list(self.columns)
        for row in self.rows:
            yield [("" if cell.value is None else cell.value) for cell in row]


def _number(value: object) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return value
    return None


def shade(value: float | None, top: float | None) -> int:
    """A heat-map shade from 0 (nothing) to 9 (the table's largest value)."""
    if not value or not top:
        return 0
    return max(1, min(9, round(9 * value / top)))
