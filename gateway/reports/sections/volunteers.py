"""The monthly report's volunteers section: volunteers at the month's end against the share target, new sign-ups,
hours served and teams against the teams target (GET volunteers /reports/month); a street's are its communities'
summed, the share recomputed from the sums, each community kept for its bars against the targets."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from reportlab.lib.units import mm

from gateway.charts import volunteers as charts_of
from gateway.charts.model import number
from gateway.reports.sections import Names, Section
from shared.figures import percent
from shared.pdf import BODY, paragraph, table

SUMMED = ("volunteers", "new_signups", "link_signups", "hours", "teams", "residents")
PER_COMMUNITY = ("community_id", "volunteers", "residents", "share", "share_target", "teams", "teams_target")


def combine(communities: list[dict]) -> dict:
    """A street's month from its communities': counts summed, the share from the sums, each community kept."""
    out = {key: round(sum(c.get(key) or 0 for c in communities), 2) for key in SUMMED}
    kinds = sorted({kind for c in communities for kind in (c.get("hours_by_kind") or {})})
    out["hours_by_kind"] = {kind: round(sum((c.get("hours_by_kind") or {}).get(kind, 0) for c in communities), 2)
                            for kind in kinds}
    out["share"] = percent(out["volunteers"], out["residents"])
    first = communities[0] if communities else {}
    out.update(month=first.get("month"), share_target=first.get("share_target"),
               teams_target=first.get("teams_target"),
               communities=[{key: c.get(key) for key in PER_COMMUNITY} for c in communities])
    return out


def charts(figures: dict, names: Names) -> list:
    """The share and teams bars: one per community of a street, or the community's own."""
    return charts_of.target_charts(figures.get("communities") or [figures], names, "report-volunteers")


def _against(value, target, unit: str = "") -> str:
    return f'{number(value, unit)}（{_("Target %(value)s", value=number(target, unit))}）'


def pdf(figures: dict, names: Names) -> list:
    """The section's figures as a table, and a street's communities as another."""
    kinds = figures.get("hours_by_kind") or {}
    rows = [[_("Volunteers at the month's end"), number(figures["volunteers"])],
            [_("Share of residents"), _against(figures["share"], figures["share_target"], "%")],
            [_("Residents (as counted now)"), number(figures["residents"])],
            [_("New volunteers in the month"), number(figures["new_signups"])],
            [_("Sign-ups through links"), number(figures["link_signups"])],
            [_("Hours served"), number(figures["hours"])],
            [_("Hours: tasks / drills / self-reported"),
             " / ".join(number(kinds.get(kind, 0)) for kind in ("task", "drill", "self_report"))],
            [_("Teams at the month's end"), _against(figures["teams"], figures["teams_target"])]]
    out = [table(rows, widths=[70 * mm, 100 * mm])]
    if figures.get("communities"):
        head = [_("Community"), _("Volunteers"), _("Share of residents"), _("Teams")]
        out += [paragraph(_("By community"), BODY),
                table([head] + [[names.get(c["community_id"], c["community_id"]), number(c["volunteers"]),
                                 number(c["share"], "%"), number(c["teams"])] for c in figures["communities"]])]
    return out


SECTION = Section(key="volunteers", title=_l("Volunteers"), service="volunteers",
                  template="reports/_volunteers.html", charts=charts, pdf=pdf, combine=combine)
