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
