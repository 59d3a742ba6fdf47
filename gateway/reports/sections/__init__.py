"""The monthly report's sections: one per domain, each owned beside that domain's charts.

A section names the service that answers its figures of one community's month (`GET <service>/reports/month
?community_id=<id>&month=YYYY-MM`, permission reports.read, scope-checked: 404 outside the caller's area), how a
street's figures are made from its communities' (`combine`), the charts drawn from the figures (the same on the
page and in the PDF), the template that shows them on the page and the PDF flowables that print them. Figures are
plain JSON, frozen into the report when it is issued, with `names` (every street, community and grid id of the
report's area -> its name then); nothing here reads a service when a report is shown.
"""
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from gateway.charts.model import Chart

Names = Mapping[str, str]


@dataclass(frozen=True)
class Section:
    key: str  # the figures' key in a report ("cases", "register", "volunteers", "drills")
    title: object  # a lazy gettext string: the section's heading
    service: str  # the service that answers GET /reports/month
    template: str  # "reports/_<key>.html": shows `figures` (this section's), `charts` and `names`
    charts: Callable[[dict, Names], list[tuple[str, Chart, str]]]  # -> [(chart id, chart, one-line summary)]
    pdf: Callable[[dict, Names], list]  # -> reportlab flowables (tables, paragraphs; the charts are added after)
    combine: Callable[[list[dict]], dict]  # the communities' figures of one month -> the street's
