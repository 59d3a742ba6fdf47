"""A chart laid out as shapes in its own coordinates, the one geometry both renderers draw.

The width (WIDTH units) fits a 360 px phone at about one unit per pixel, so text of FONT units stays legible
there; longer labels are cut with an ellipsis (the text table carries them whole).
"""
from dataclasses import dataclass

from gateway.charts.model import BarChart, Figure, HeatMap, LineChart, number

WIDTH = 340
FONT = 11
ROW = 20  # a bar's row
LABEL = 92  # the labels' column, at least; up to LABEL_MAX where the labels are longer ("community · grid")
LABEL_MAX = 150
PAD = 6
HEAT_LEVELS = 5


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    paint: str  # a name in the palette (bar, bar_out, band, heat0…heat4)


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    paint: str  # axis, rule, mark
    dashed: bool = False


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    text: str
    paint: str = "text"
    anchor: str = "start"  # start, middle, end
    size: float = FONT


@dataclass(frozen=True)
class Path:
    points: tuple[tuple[float, float], ...]
    paint: str  # line0, line1…


def char_width(ch: str, size: float = FONT) -> float:
    """About how wide a character is drawn: a CJK one about one `size`, a Latin one about half."""
    return size if ord(ch) > 0x2E80 else size * 0.6


def text_width(text: str, size: float = FONT) -> float:
    """About how wide `text` is drawn."""
    return sum(char_width(ch, size) for ch in text)


def clip(text: str, room: float, size: float = FONT) -> str:
    """Text cut to about `room` units."""
    used, out = 0.0, []
    for ch in text:
        used += char_width(ch, size)
        if used > room:
            return "".join(out[:-1]) + "…"
        out.append(ch)
    return text


def layout(chart) -> Figure:
    if isinstance(chart, BarChart):
        return _bars(chart)
    if isinstance(chart, LineChart):
        return _lines(chart)
    if isinstance(chart, HeatMap):
        return _heat(chart)
    raise TypeError(f"not a chart: {chart!r}")


def _bars(c: BarChart) -> Figure:
    top = PAD + FONT + 4 + (FONT if c.rules or c.band else 0)
    label_w = min(LABEL_MAX, max([LABEL] + [text_width(b.label) + 10 for b in c.bars]))
    plot_x, plot_w = label_w, WIDTH - label_w - 44
    height = top + ROW * max(len(c.bars), 1) + PAD + FONT
    fig = Figure(WIDTH, height)
    scale = plot_w / c.scale_max()
    bottom = top + ROW * max(len(c.bars), 1)
    fig.shapes.append(Text(PAD, PAD + FONT, c.title, "title"))
    if c.band:
        lo, hi = (plot_x + v * scale for v in c.band)
        fig.shapes.append(Rect(lo, top, hi - lo, bottom - top, "band"))
    for i, bar in enumerate(c.bars):
        y = top + i * ROW
        fig.shapes.append(Text(plot_x - 4, y + ROW / 2 + FONT / 3, clip(bar.label, label_w - 8), anchor="end"))
        fig.shapes.append(Rect(plot_x, y + 3, max(bar.value * scale, 1), ROW - 6,
                               "bar_out" if c.stands_out(bar) else "bar"))
        fig.shapes.append(Text(plot_x + bar.value * scale + 3, y + ROW / 2 + FONT / 3, number(bar.value), size=FONT - 1))
    edges = [(v, number(v)) for v in c.band] if c.band else []
    for value, label in [*edges, *((r.value, r.label) for r in c.rules)]:
        x = plot_x + value * scale
        fig.shapes.append(Line(x, top - 2, x, bottom, "rule", dashed=True))
        fig.shapes.append(Text(x, top - 4, clip(label, 80, FONT - 1), "muted", "middle", FONT - 1))
    fig.shapes.append(Line(plot_x, top, plot_x, bottom, "axis"))
    fig.shapes.append(Text(WIDTH - PAD, bottom + FONT + 2, c.unit, "muted", "end", FONT - 1))
    return fig


def _lines(c: LineChart) -> Figure:
    left, right, top, plot_h = 34, WIDTH - 12, PAD + FONT + 8 + (FONT + 2) * len(c.series), 150
    bottom = top + plot_h
    fig = Figure(WIDTH, bottom + FONT * 2 + 6)
    fig.shapes.append(Text(PAD, PAD + FONT, c.title, "title"))
    for k, s in enumerate(c.series):  # the legend
        y = PAD + FONT * 2 + 6 + k * (FONT + 2)
        fig.shapes.append(Line(PAD, y - FONT / 3, PAD + 16, y - FONT / 3, f"line{k}"))
        fig.shapes.append(Text(PAD + 20, y, s.name, size=FONT - 1))
    y_top = c.top()
    x_lo, x_hi = (min(c.xs), max(c.xs)) if c.xs else (0, 1)
    span = (x_hi - x_lo) or 1

    def px(x):
        return left + (x - x_lo) / span * (right - left)

    def py(v):
        return bottom - v / y_top * plot_h

    fig.shapes.append(Line(left, top, left, bottom, "axis"))
    fig.shapes.append(Line(left, bottom, right, bottom, "axis"))
    for v in (0, y_top / 2, y_top):
        fig.shapes.append(Text(left - 3, py(v) + FONT / 3, number(round(v)), "muted", "end", FONT - 2))
    for rule in c.rules:
        fig.shapes.append(Line(left, py(rule.value), right, py(rule.value), "rule", dashed=True))
        fig.shapes.append(Text(left + 3, py(rule.value) + FONT - 1, rule.label, "muted", size=FONT - 2))
    for k, mark in enumerate(c.marks):  # labels stacked from the bottom, on the side with room
        x, late = px(mark.x), px(mark.x) > (left + right) / 2
        fig.shapes.append(Line(x, top, x, bottom, "mark", dashed=True))
        fig.shapes.append(Text(x - 3 if late else x + 3, bottom - 6 - k * (FONT + 2), clip(mark.label, 120, FONT - 1),
                               "mark", "end" if late else "start", FONT - 1))
    every = max(1, len(c.xs) // 6)  # at most about seven labels under the axis
    for i, x in enumerate(c.xs):
        if i % every == 0 or i == len(c.xs) - 1:
            fig.shapes.append(Text(px(x), bottom + FONT + 2, clip(c.x_text(i), 44, FONT - 2), "muted", "middle",
                                   FONT - 2))
    fig.shapes.append(Text(right, bottom + FONT * 2 + 4, c.x_name, "muted", "end", FONT - 2))
    for k, s in enumerate(c.series):
        points = []
        for x, v in zip(c.xs, s.values):
            if v is None:
                continue
            if c.steps and points:
                points.append((px(x), points[-1][1]))
            points.append((px(x), py(v)))
        if points:
            fig.shapes.append(Path(tuple(points), f"line{k % 2}"))
        if not c.steps:  # a trend's points, so a month standing alone still shows
            fig.shapes.extend(Rect(px(x) - 2.5, py(v) - 2.5, 5, 5, f"line{k % 2}")
                              for x, v in zip(c.xs, s.values) if v is not None)
    return fig


def _heat(c: HeatMap) -> Figure:
    label_w = 84
    cell = min(22, (WIDTH - label_w - PAD) / max(len(c.columns), 1))
    top = PAD + FONT + 6 + FONT
    fig = Figure(WIDTH, top + cell * max(len(c.rows), 1) + PAD)
    fig.shapes.append(Text(PAD, PAD + FONT, c.title, "title"))
    peak = c.top()
    for j, col in enumerate(c.columns):
        fig.shapes.append(Text(label_w + j * cell + cell / 2, top - 4, clip(col, cell + 6, FONT - 2), "muted",
                               "middle", FONT - 2))
    for i, row in enumerate(c.rows):
        y = top + i * cell
        fig.shapes.append(Text(label_w - 4, y + cell / 2 + FONT / 3, clip(row, label_w - 8), anchor="end"))
        for j, value in enumerate(c.cells[i]):
            level = 0 if not value or not peak else 1 + min(HEAT_LEVELS - 2, int((value - 1) / peak * (HEAT_LEVELS - 1)))
            fig.shapes.append(Rect(label_w + j * cell + 1, y + 1, cell - 2, cell - 2, f"heat{level}"))
            if value:
                fig.shapes.append(Text(label_w + j * cell + cell / 2, y + cell / 2 + FONT / 3 - 1, number(value),
                                       "on_dark" if level >= 3 else "text", "middle", FONT - 2))
    return fig
