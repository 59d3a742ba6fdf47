"""The monthly report's drills section: drills held with their minutes to 90% and 100% of households accounted
for, drills called off, corrective actions opened, closed and open at the month's end (GET drills /reports/month);
a street's are its communities' held drills together (each named by its community) and their counts summed."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from reportlab.lib.units import mm

from gateway.charts import drills as charts_of
from gateway.charts.model import number
from gateway.reports.sections import Names, Section
from shared.pdf import BODY, paragraph, table

SUMMED = ("drills_held", "cancelled", "actions_open", "actions_opened", "actions_closed")


def combine(communities: list[dict]) -> dict:
    """A street's month from its communities': the held drills together, each with its community; counts summed."""
    held = [{**d, "community_id": c["community_id"]} for c in communities for d in c.get("held") or []]
    held.sort(key=lambda d: str(d.get("started_at") or ""))
    first = communities[0] if communities else {}
    return {"month": first.get("month"), "held": held, **{key: sum(c.get(key) or 0 for c in communities)
                                                          for key in SUMMED}}


def charts(figures: dict, names: Names) -> list:
    """The minutes to 90% of the drills held in the month (none when none was held)."""
    if not figures.get("held"):
        return []
    return [("report-drills-history", charts_of.drill_history(figures["held"], names),
             _("Minutes each drill held in the month took to account for %(share)s of the households", share="90%"))]


def pdf(figures: dict, names: Names) -> list:
    """The counts as a table, then the drills held with their times (as the page shows them)."""
    counts = [[_("Drills held"), number(figures["drills_held"])],
              [_("Drills called off"), number(figures["cancelled"])],
              [_("Corrective actions opened in the month"), number(figures["actions_opened"])],
              [_("Corrective actions closed in the month"), number(figures["actions_closed"])],
              [_("Corrective actions open at the month's end"), number(figures["actions_open"])]]
    out = [table(counts, widths=[90 * mm, 80 * mm])]
    if not figures.get("held"):
        return out + [paragraph(_("No drill was held in the month."), BODY)]
    head = [_("Date"), _("Drill"), _("Households"), _("Accounted for"), _("Minutes to %(share)s", share="90%"),
            _("Minutes to %(share)s", share="100%")]
    rows = [[charts_of.day(d.get("started_at")),
             f'{names.get(d["community_id"], d["community_id"])} {d["title"]}' if d.get("community_id") else d["title"],
             number(d["households"]), number(d["accounted"]), number(d["minutes_to_90"]), number(d["minutes_to_100"])]
            for d in figures["held"]]
    return out + [paragraph(_("Drills held and their times"), BODY), table([head] + rows)]


SECTION = Section(key="drills", title=_l("Emergency drills"), service="drills", template="reports/_drills.html",
                  charts=charts, pdf=pdf, combine=combine)
