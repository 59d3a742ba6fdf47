"""What a chart shows, as plain data: the views build these from the services' figures (labels already in the
reader's language), `gateway.charts.svg` draws them for a page and `gateway.charts.pdf` for a report's PDF, both
from the same layout, and `table()` gives the same numbers as text for screen readers and the report's tables."""
from dataclasses import dataclass, field


def number(value: float | None, unit: str = "") -> str:
    """A figure as text: whole numbers without a decimal point, others with one; None as a dash."""
    if value is None:
        return "—"
    text = str(int(value)) if float(value).is_integer() else f"{value:.1f}"
    return f"{text}{unit}"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float


@dataclass(frozen=True)
class Rule:
    """A reference line across the chart: a target (10 %, 5 teams) or a mark (90 % accounted for)."""

    value: float
    label: str


@dataclass(frozen=True)
class BarChart:
    """Horizontal bars, one per row (a grid, a community, a drill), against an optional band and reference lines.

    Bars inside the band (or at or above every target when `higher_is_better`) are drawn plainly; the others stand out.
    """

    title: str
    unit: str
    bars: tuple[Bar, ...]
    band: tuple[float, float] | None = None  # the accepted range, shaded (the 400–500 households of a grid)
    rules: tuple[Rule, ...] = ()
    higher_is_better: bool = True
    value_name: str = ""  # the column's heading in the text table (defaults to the unit)

    def scale_max(self) -> float:
        tops = [b.value for b in self.bars] + [r.value for r in self.rules] + ([self.band[1]] if self.band else [])
        return max(tops + [1]) * 1.1

    def stands_out(self, bar: Bar) -> bool:
        if self.band:
            return not self.band[0] <= bar.value <= self.band[1]
        if self.rules:
            target = max(r.value for r in self.rules)
            return bar.value < target if self.higher_is_better else bar.value > target
        return False

    def is_empty(self) -> bool:
        return not self.bars

    def table(self) -> tuple[list[str], list[list[str]]]:
        return ["", self.value_name or self.unit], [[b.label, number(b.value, self.unit)] for b in self.bars]


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float | None, ...]  # one per point of the chart's x axis; None: no figure there


@dataclass(frozen=True)
class Mark:
    """A vertical line at an x value (the minute 90 % were accounted for), labelled."""

    x: float
    label: str


@dataclass(frozen=True)
class LineChart:
    """Lines over an x axis: minutes of a roll-call (`xs` numeric) or months (`x_labels`, one per point)."""

    title: str
    unit: str  # of the y values ("%")
    xs: tuple[float, ...]
    series: tuple[Series, ...]
    x_name: str = ""
    x_labels: tuple[str, ...] = ()  # shown under the points instead of numbers
    y_max: float | None = None
    rules: tuple[Rule, ...] = ()
    marks: tuple[Mark, ...] = ()
    steps: bool = False  # a count that jumps (share accounted for) rather than a trend between points

    def top(self) -> float:
        if self.y_max is not None:
            return self.y_max
        values = [v for s in self.series for v in s.values if v is not None] + [r.value for r in self.rules]
        return max(values + [1]) * 1.1

    def is_empty(self) -> bool:
        return all(v is None for s in self.series for v in s.values)

    def x_text(self, i: int) -> str:
        return self.x_labels[i] if self.x_labels else number(self.xs[i])

    def table(self) -> tuple[list[str], list[list[str]]]:
        head = [self.x_name] + [s.name for s in self.series]
        rows = [[self.x_text(i)] + [number(s.values[i], self.unit) for s in self.series] for i in range(len(self.xs))]
        rows += [[m.label, ""] + [""] * (len(self.series) - 1) for m in self.marks]
        return head, rows


@dataclass(frozen=True)
class HeatMap:
    """Counts by row (a category) × column (a month): the darker the cell, the more."""

    title: str
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    cells: tuple[tuple[int, ...], ...]  # cells[row][column]
    unit: str = ""
    corner: str = ""  # the rows' heading in the text table

    def top(self) -> int:
        return max([v for row in self.cells for v in row] + [0])

    def is_empty(self) -> bool:
        return self.top() == 0

    def table(self) -> tuple[list[str], list[list[str]]]:
        return [self.corner, *self.columns], [[r, *(number(v) for v in self.cells[i])] for i, r in enumerate(self.rows)]


Chart = BarChart | LineChart | HeatMap


@dataclass
class Figure:
    """A chart laid out in its own coordinates (width × height units): what both renderers draw."""

    width: float
    height: float
    shapes: list = field(default_factory=list)
