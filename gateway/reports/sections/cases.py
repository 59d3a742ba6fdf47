"""The monthly report's service desk section (情况报告制's first subject): cases registered, closed, on time and
overdue, by kind and category, the month's hot spots, special reports (个案专报) and satisfaction (GET mediation
/reports/month); a street's are its communities' summed, the shares recomputed from the sums, hot spots merged and
ranked again, special reports listed together."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from reportlab.lib.units import mm

from gateway.charts import cases as charts_of
from gateway.charts.model import number
from gateway.reports.sections import Names, Section
from shared.figures import percent
from shared.pdf import BODY, paragraph, table

FIGURES = ("registered", "closed", "on_time", "overdue")
KINDS = ("dispute", "request", "incident")
HOT_SPOTS_SHOWN = 5


def _summed(rows: list[dict], keys: tuple[str, ...], counts: tuple[str, ...]) -> list[dict]:
    """`rows` merged by `keys`, their `counts` added up (the first row's other fields kept)."""
    out: dict[tuple, dict] = {}
    for row in rows:
        kept = out.setdefault(tuple(row.get(k) for k in keys), {**row, **dict.fromkeys(counts, 0)})
        for count in counts:
            kept[count] += row.get(count) or 0
    return list(out.values())


def combine(communities: list[dict]) -> dict:
    """A street's month from its communities': counts summed, shares from the sums, lists merged."""
    def total(key: str) -> int:
        return sum(c.get(key) or 0 for c in communities)

    out = {key: total(key) for key in FIGURES}
    out["on_time_share"] = percent(out["on_time"], out["closed"])
    out["by_kind"] = {kind: {key: sum((c.get("by_kind") or {}).get(kind, {}).get(key, 0) for c in communities)
                             for key in FIGURES} for kind in KINDS}
    categories = _summed([row for c in communities for row in c.get("by_category") or ()], ("kind", "category"),
                         ("registered", "closed"))
    out["by_category"] = sorted(categories, key=lambda r: (-r["registered"], -r["closed"], r["kind"], r["category"]))
    spots = _summed([row for c in communities for row in c.get("hotspots") or ()], ("kind", "category", "grid_id"),
                    ("count",))
    out["hotspots"] = sorted(spots, key=lambda r: (-r["count"], r["kind"], r["category"], r.get("grid_id") or ""))
    items = [{**item, "community_id": c.get("community_id")} for c in communities
             for item in (c.get("special_reports") or {}).get("items") or ()]
    out["special_reports"] = {"count": len(items), "items": items}
    answered = sum((c.get("satisfaction") or {}).get("answered", 0) for c in communities)
    satisfied = sum((c.get("satisfaction") or {}).get("satisfied", 0) for c in communities)
    out["satisfaction"] = {"answered": answered, "satisfied": satisfied, "share": percent(satisfied, answered)}
    out["month"] = communities[0].get("month") if communities else None
    return out


def charts(figures: dict, names: Names) -> list:
    """The month's cases registered per category."""
    registered = figures["registered"]
    return [("report-cases-by-category", charts_of.month_by_category(figures),
             _("%(n)s cases registered in the month, by category.", n=registered))]


def hot_spots(figures: dict, names: Names) -> list[list[str]]:
    """The month's first hot spots as rows: category, grid, count."""
    shown = figures.get("hotspots", [])[:HOT_SPOTS_SHOWN]
    return [[label, names.get(row.get("grid_id") or "", row.get("grid_id") or "—"), number(row["count"])]
            for label, row in zip(charts_of.row_labels(shown), shown, strict=True)]


def kinds(figures: dict) -> list[list[str]]:
    """Each kind's figures as rows: kind, registered, closed, on time, overdue."""
    by_kind = figures.get("by_kind") or {}
    return [[charts_of.kind_label(kind), *(number(by_kind.get(kind, {}).get(key, 0)) for key in FIGURES)]
            for kind in KINDS]


def categories(figures: dict) -> list[list[str]]:
    """Each category as a row: category (kind), registered, closed."""
    return [[f'{charts_of.category_label(row)}（{charts_of.kind_label(row["kind"])}）', number(row["registered"]),
             number(row["closed"])] for row in figures.get("by_category") or []]


def special_reports(figures: dict, names: Names) -> list[list[str]]:
    """Each special report as a row: number (and a street's community), category, households involved."""
    items = (figures.get("special_reports") or {}).get("items") or []
    def where(item: dict) -> str:  # a street's list says whose each is
        return f'（{names.get(item["community_id"], item["community_id"])}）' if item.get("community_id") else ""

    return [[item["number"] + where(item), charts_of.category_label(item), number(item["households_involved"])]
            for item in items]


def counts_head() -> list[str]:
    return [_("Kind"), _("Registered"), _("Closed"), _("Closed on time"), _("Overdue")]


def pdf(figures: dict, names: Names) -> list:
    """The section's figures as tables: the month, each kind, each category, hot spots, special reports."""
    satisfaction = figures.get("satisfaction") or {}
    rows = [[_("Cases registered"), number(figures["registered"])], [_("Cases closed"), number(figures["closed"])],
            [_("Closed on time"), f'{number(figures["on_time"])}（{number(figures["on_time_share"], "%")}）'],
            [_("Overdue"), number(figures["overdue"])],
            [_("Satisfaction"), _("%(satisfied)s of %(answered)s answers satisfied (%(share)s)",
                                  satisfied=satisfaction.get("satisfied", 0), answered=satisfaction.get("answered", 0),
                                  share=number(satisfaction.get("share"), "%"))]]
    out = [table(rows, widths=[70 * mm, 100 * mm]), paragraph(_("By kind of case"), BODY),
           table([counts_head()] + kinds(figures))]
    if figures.get("by_category"):
        out += [paragraph(_("By category"), BODY),
                table([[_("Category"), _("Registered"), _("Closed")]] + categories(figures))]
    if figures.get("hotspots"):
        out += [paragraph(_("Hot spots of the month"), BODY),
                table([[_("Category"), _("Grid"), _("Cases")]] + hot_spots(figures, names))]
    reports = special_reports(figures, names)
    out += [paragraph(_("Special reports (%(n)s)", n=len(reports)), BODY)]
    if reports:
        out += [table([[_("Case number"), _("Category"), _("Households involved")]] + reports)]
    return out


SECTION = Section(key="cases", title=_l("Cases at the service desk"), service="mediation",
                  template="reports/_cases.html", charts=charts, pdf=pdf, combine=combine)
