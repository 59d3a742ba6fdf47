"""PDF documents with Chinese text (certificates, mediation agreements), built with reportlab.

STSong-Light is one of the CID fonts PDF readers carry, so no font file ships with the product.
"""
from io import BytesIO

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

TITLE = ParagraphStyle("title", fontName=FONT, fontSize=20, leading=28, alignment=1, spaceAfter=8 * mm)
BODY = ParagraphStyle("body", fontName=FONT, fontSize=12, leading=20)
SMALL = ParagraphStyle("small", fontName=FONT, fontSize=9, leading=13)


def escape(text) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def paragraph(text, style=BODY) -> Paragraph:
    return Paragraph(escape(text), style)


def table(rows: list[list], widths=None) -> Table:
    """A bordered table of plain text cells."""
    t = Table([[paragraph(c) for c in row] for row in rows], colWidths=widths)
    t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, "#555555"), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return t


def png(data: bytes, size_mm: float = 30) -> Image:
    return Image(BytesIO(data), width=size_mm * mm, height=size_mm * mm)


def render(*, title: str, flowables: list, author: str = "城乡社区网格化治理") -> bytes:
    """A4 PDF bytes with a title followed by the given flowables."""
    buf = BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, title=title, author=author,
                            leftMargin=20 * mm, rightMargin=20 * mm, topMargin=20 * mm, bottomMargin=20 * mm)
    doc.build([Paragraph(escape(title), TITLE), *flowables])
    return buf.getvalue()


__all__ = ["render", "paragraph", "table", "png", "Spacer", "BODY", "SMALL", "mm"]
