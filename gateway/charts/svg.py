"""A chart as inline SVG for a page: scales to the screen's width (viewBox), names itself to screen readers
(role img, a title and a description; the template puts the numbers beside it as a table) and needs no script."""
from markupsafe import Markup, escape

from gateway.charts.layout import Line, Path, Rect, Text, layout
from gateway.charts.palette import PAINT

ANCHOR = {"start": "start", "middle": "middle", "end": "end"}


def _shape(s) -> str:
    if isinstance(s, Rect):
        return f'<rect x="{s.x:.1f}" y="{s.y:.1f}" width="{s.w:.1f}" height="{s.h:.1f}" fill="{PAINT[s.paint]}" class="{s.paint}"/>'
    if isinstance(s, Line):
        dash = ' stroke-dasharray="4 3"' if s.dashed else ""
        return (f'<line x1="{s.x1:.1f}" y1="{s.y1:.1f}" x2="{s.x2:.1f}" y2="{s.y2:.1f}" stroke="{PAINT[s.paint]}"'
                f' class="{s.paint}"{dash}/>')
    if isinstance(s, Text):
        weight = ' font-weight="bold"' if s.paint == "title" else ""
        return (f'<text x="{s.x:.1f}" y="{s.y:.1f}" font-size="{s.size:g}" text-anchor="{ANCHOR[s.anchor]}"'
                f' fill="{PAINT[s.paint]}"{weight}>{escape(s.text)}</text>')
    if isinstance(s, Path):
        points = " ".join(f"{x:.1f},{y:.1f}" for x, y in s.points)
        return f'<polyline points="{points}" fill="none" stroke="{PAINT[s.paint]}" stroke-width="2" class="{s.paint}"/>'
    raise TypeError(s)


def svg(chart, *, chart_id: str, description: str = "") -> Markup:
    """The chart as an `<svg>` element; `chart_id` (unique on the page) ties it to its title and description."""
    fig = layout(chart)
    body = "".join(_shape(s) for s in fig.shapes)
    return Markup(
        f'<svg class="chart" viewBox="0 0 {fig.width:g} {fig.height:.0f}" role="img" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" font-family="sans-serif" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-t">{escape(chart.title)}</title><desc id="{chart_id}-d">{escape(description)}</desc>'
        f'{body}</svg>')
