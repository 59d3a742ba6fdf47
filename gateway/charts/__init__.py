"""Charts drawn by the server: inline SVG on pages, reportlab drawings in PDFs, the numbers as text for both."""
from gateway.charts.model import Bar, BarChart, HeatMap, LineChart, Mark, Rule, Series, number
from gateway.charts.pdf import drawing
from gateway.charts.svg import svg

__all__ = ["Bar", "BarChart", "HeatMap", "LineChart", "Mark", "Rule", "Series", "drawing", "number", "svg"]
