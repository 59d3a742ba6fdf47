"""The monthly report's register section: grid sizes at the month's end against the band, care visits due and done,
visits logged and care households overdue per grid (GET households /reports/month); a street's are its
communities' grids side by side (each named with its community) and their counts summed."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from reportlab.lib.units import mm

from gateway.charts import register as charts_of
from gateway.charts.model import number
from gateway.reports.sections import Names, Section
from shared.pdf import BODY, paragraph, table

SUMMED = ("households", "grids_below", "grids_in_band", "grids_above", "visits_logged", "care_due", "care_done")


def combine(communities: list[dict]) -> dict:
    """A street's month from its communities': counts summed, their grids (and overdue per grid) one list."""
    out = {key: sum(c.get(key) or 0 for c in communities) for key in SUMMED}
    first = communities[0] if communities else {}
    out.update(month=first.get("month"), band=first.get("band") or {},
               grids=[{**g, "community_id": c["community_id"]} for c in communities for g in c.get("grids", [])],
               overdue_by_grid=[{**g, "community_id": c["community_id"]} for c in communities
                                for g in c.get("overdue_by_grid", [])])
    return out


def charts(figures: dict, names: Names) -> list:
    """Grid sizes against the band, and care households overdue per grid at the month's end."""
    band = (figures["band"].get("min", 400), figures["band"].get("max", 500))
    return [("report-register-grids", charts_of.grid_sizes(figures["grids"], title=_("Households per grid"),
                                                           names=names, band=band),
             _("Households per grid against the band of %(min)s to %(max)s.", min=band[0], max=band[1])),
            ("report-register-overdue", charts_of.overdue_visits(figures["overdue_by_grid"], names),
             _("Care households overdue a visit, per grid."))]


def care_line(figures: dict) -> str:
    """应访 N 户，已访 M 户: the care visits of the month in one line."""
    return _("Care visits: %(due)s households due, %(done)s visited", due=figures["care_due"],
             done=figures["care_done"])


def pdf(figures: dict, names: Names) -> list:
    """The grids and their households as a table, the band's counts, the care visits and the visits logged."""
    band = figures["band"]
    head = [_("Grid"), _("Households"), _("Care households overdue")]
    overdue = {(g.get("community_id"), g["grid_id"]): g["overdue"] for g in figures["overdue_by_grid"]}
    rows = [[charts_of.grid_label(g, names), number(g["households"]),
             number(overdue.get((g.get("community_id"), g["grid_id"]), 0))] for g in figures["grids"]]
    return [table([head, *rows], widths=[80 * mm, 40 * mm, 50 * mm]),
            paragraph(_("Households: %(n)s", n=figures["households"]), BODY),
            paragraph(_("Grids below %(min)s: %(below)s; within the band: %(within)s; above %(max)s: %(above)s",
                        min=band.get("min"), max=band.get("max"), below=figures["grids_below"],
                        within=figures["grids_in_band"], above=figures["grids_above"]), BODY),
            paragraph(care_line(figures), BODY),
            paragraph(_("Visits logged in the month: %(n)s", n=figures["visits_logged"]), BODY)]


SECTION = Section(key="register", title=_l("Grids and care visits"), service="households",
                  template="reports/_register.html", charts=charts, pdf=pdf, combine=combine)
