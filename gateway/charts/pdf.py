"""A chart as a reportlab Drawing for a report's PDF: the page's layout, turned upside down (PDF's y grows upwards),
its text in the CID font every PDF reader carries."""
from reportlab.graphics.shapes import Drawing, PolyLine, String
from reportlab.graphics.shapes import Line as PdfLine
from reportlab.graphics.shapes import Rect as PdfRect
from reportlab.lib.colors import HexColor
from reportlab.lib.units import mm

from gateway.charts.layout import Line, Path, Rect, Text, layout
from gateway.charts.palette import PAINT
from shared.pdf import FONT

ANCHOR = {"start": "start", "middle": "middle", "end": "end"}


def drawing(chart, *, width_mm: float = 170) -> Drawing:
    """The chart scaled to `width_mm` across."""
    fig = layout(chart)
    k = width_mm * mm / fig.width
    d = Drawing(fig.width * k, fig.height * k)

    def y(v):
        return (fig.height - v) * k

    for s in fig.shapes:
        if isinstance(s, Rect):
            d.add(PdfRect(s.x * k, y(s.y + s.h), s.w * k, s.h * k, fillColor=HexColor(PAINT[s.paint]), strokeColor=None))
        elif isinstance(s, Line):
            d.add(PdfLine(s.x1 * k, y(s.y1), s.x2 * k, y(s.y2), strokeColor=HexColor(PAINT[s.paint]),
                          strokeDashArray=[4, 3] if s.dashed else None, strokeWidth=0.6))
        elif isinstance(s, Text):
            d.add(String(s.x * k, y(s.y), s.text, fontName=FONT, fontSize=s.size * k,
                         fillColor=HexColor(PAINT[s.paint]), textAnchor=ANCHOR[s.anchor]))
        elif isinstance(s, Path):
            d.add(PolyLine([c for x, yy in s.points for c in (x * k, y(yy))], strokeColor=HexColor(PAINT[s.paint]),
                           strokeWidth=1.5))
    return d
