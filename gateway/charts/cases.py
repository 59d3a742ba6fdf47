"""Service desk charts from the mediation service's JSON: cases by category × month as a heat map and the on-time
and satisfaction trend (GET /reports/cases-by-month), and a month's cases by category (GET /reports/month, in the
monthly report). The same code draws the hot spots page and the report."""
from flask_babel import format_date
from flask_babel import gettext as _

from gateway.charts.model import Bar, BarChart, HeatMap, LineChart, Series
from gateway.i18n import DISPUTE_CATEGORY_LABELS
from shared import clock


def month_label(month: str) -> str:
    """A month as the reader says it ("11月", "Nov")."""
    return format_date(clock.month_start(month), "MMM")


def category_label(row: dict) -> str:
    """A category as the gateway names disputes' (translated), else as the service names it (Chinese)."""
    if (row.get("kind") or "dispute") == "dispute" and row["category"] in DISPUTE_CATEGORY_LABELS:
        return str(DISPUTE_CATEGORY_LABELS[row["category"]])
    return row.get("category_label") or row["category"]


def kind_label(kind: str | None) -> str:
    """A kind of case as the desk's pages name it (disputes, requests for help, incidents)."""
    from gateway.views.pages import DESK_KINDS  # kept with the desk's figures (a view module imports the charts)

    return str(dict(DESK_KINDS).get(kind or "dispute", kind))


def row_labels(rows: list[dict]) -> list[str]:
    """Each row's ({kind, category, category_label}) category as the reader names it, with its kind where two kinds
    share a label ("Other")."""
    labels = [category_label(row) for row in rows]
    return [f"{label}（{kind_label(row.get('kind'))}）" if labels.count(label) > 1 else label
            for label, row in zip(labels, rows, strict=True)]


def category_heat_map(data: dict, *, title: str | None = None) -> HeatMap:
    """Cases registered per category (rows) and month (columns), from GET /reports/cases-by-month."""
    rows = data["categories"]
    return HeatMap(title=title or _("Cases by category and month"), rows=tuple(row_labels(rows)),
                   columns=tuple(month_label(m) for m in data["months"]),
                   cells=tuple(tuple(row["counts"]) for row in rows), unit="", corner=_("Category"))


def on_time_and_satisfaction(data: dict) -> LineChart:
    """The share of cases closed on time and of answered surveys satisfied, per month (per cent)."""
    months = data["months"]
    return LineChart(title=_("Closed on time and satisfaction"), unit="%", xs=tuple(range(len(months))),
                     series=(Series(_("Closed on time"), tuple(data["on_time_share"])),
                             Series(_("Satisfied"), tuple(data["satisfaction_share"]))),
                     x_name=_("Month"), x_labels=tuple(month_label(m) for m in months), y_max=100)


def history_charts(data: dict, prefix: str) -> list[tuple[str, object, str]]:
    """Both history charts with their ids and one-line summaries: [(id, chart, summary)]."""
    total = sum(sum(row["counts"]) for row in data["categories"])
    return [(f"{prefix}-heat-map", category_heat_map(data),
             _("%(n)s cases in %(months)s months by category.", n=total, months=len(data["months"]))),
            (f"{prefix}-trend", on_time_and_satisfaction(data),
             _("The share of cases closed on time and of satisfied answers, month by month."))]


def month_by_category(figures: dict) -> BarChart:
    """A month's cases registered per category (GET /reports/month, or a street's sum)."""
    rows = [row for row in figures["by_category"] if row["registered"]]
    labels = row_labels(rows)
    return BarChart(title=_("Cases registered by category"), unit="", value_name=_("Registered"),
                    bars=tuple(Bar(label, row["registered"]) for label, row in zip(labels, rows, strict=True)))

