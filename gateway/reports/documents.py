"""A report as a PDF: its title, number, place, month, version and issue, then each section's flowables and charts.

Always in Chinese (the report goes up to the street and the district as it is), whatever the reader's language;
the text is in STSong-Light, a CID font every PDF reader carries (shared/pdf.py).
"""
from flask_babel import force_locale
from flask_babel import gettext as _

from gateway.charts import drawing
from gateway.reports.catalog import SECTIONS
from gateway.reports.labels import month_label, report_title
from gateway.reports.models import MONTHLY_RUN, Report
from shared import clock
from shared.pdf import BODY, SMALL, Spacer, mm, paragraph, render, table
from shared.pdf import TITLE as TITLE_STYLE

LOCALE = "zh_Hans_CN"
HEADING = TITLE_STYLE.clone("report-section", fontSize=15, leading=22, alignment=0, spaceBefore=6 * mm,
                            spaceAfter=3 * mm)


def issued_by(report: Report) -> str:
    """Who issued the report, in words: the monthly run or the person."""
    return _("The monthly run") if report.issued_by == MONTHLY_RUN else (report.issued_by_name or report.issued_by)


def report_pdf(report: Report) -> bytes:
    """The report's PDF bytes, from what it stored only."""
    with force_locale(LOCALE):
        title = report_title(place_name=report.place_name, month=report.month)
        issued = clock.local(report.issued_at).strftime("%Y-%m-%d %H:%M")
        head = [[_("Report number"), report.number],
                [_("Street") if report.kind == "street" else _("Community"), report.place_name],
                [_("Month"), month_label(report.month)],
                [_("Version"), str(report.report_version)],
                [_("Issued at"), issued],
                [_("Issued by"), issued_by(report)]]
        flowables = [table(head, widths=[40 * mm, 130 * mm])]
        for section in SECTIONS:
            flowables.append(paragraph(str(section.title), HEADING))
            figures = report.figures.get(section.key)
            if figures is None:
                flowables.append(paragraph(_("This section was not part of the report when it was issued."), BODY))
                continue
            flowables.extend(section.pdf(figures, report.names))
            for _id, chart, summary in section.charts(figures, report.names):
                shown = paragraph(f"{chart.title}：{_('Nothing to draw for this period.')}", BODY) \
                    if chart.is_empty() else drawing(chart)
                flowables += [Spacer(1, 4 * mm), shown, paragraph(summary, SMALL)]
        return render(title=title, flowables=flowables)
