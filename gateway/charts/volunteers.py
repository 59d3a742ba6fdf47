"""Volunteer charts from the volunteers service's JSON (a community's figures, or its month's figures in a report):
the share of residents against VOLUNTEER_SHARE_TARGET and teams against VOLUNTEER_TEAMS_TARGET, one bar per
community, and new volunteers per month. The same code draws the staff pages and the monthly report."""
from collections.abc import Mapping

from flask_babel import gettext as _

from gateway.charts.model import Bar, BarChart, LineChart, Rule, Series, number


def as_month_row(figures: dict) -> dict:
    """A community's current figures (GET /communities/<id>/figures) under the month figures' names."""
    return {"community_id": figures.get("community_id"), "volunteers": figures.get("volunteers"),
            "residents": figures.get("residents"), "share": figures.get("share"), "teams": figures.get("teams"),
            "share_target": round(100 * (figures.get("volunteer_share_target") or 0), 1),
            "teams_target": figures.get("team_target")}


def _target(rows: list[dict], key: str) -> float:
    return max((row[key] for row in rows if row.get(key) is not None), default=0)


def volunteer_shares(rows: list[dict], names: Mapping[str, str]) -> BarChart:
    """Each community's volunteers as a share of its residents, against the share target (from the figures)."""
    target = _target(rows, "share_target")
    return BarChart(title=_("Volunteers as a share of residents"), unit="%", value_name=_("Share of residents"),
                    bars=tuple(Bar(names.get(row["community_id"], row["community_id"]), row.get("share") or 0)
                               for row in rows),
                    rules=(Rule(target, _("Target %(value)s", value=number(target, "%"))),))


def teams(rows: list[dict], names: Mapping[str, str]) -> BarChart:
    """Each community's volunteer teams against the teams target (from the figures)."""
    target = _target(rows, "teams_target")
    return BarChart(title=_("Volunteer teams"), unit="", value_name=_("Teams"),
                    bars=tuple(Bar(names.get(row["community_id"], row["community_id"]), row.get("teams") or 0)
                               for row in rows),
                    rules=(Rule(target, _("Target %(value)s", value=number(target))),))


def target_charts(rows: list[dict], names: Mapping[str, str], prefix: str) -> list[tuple[str, BarChart, str]]:
    """Both bar charts with their ids and one-line summaries: [(id, chart, summary)]."""
    shares, counts = volunteer_shares(rows, names), teams(rows, names)
    under_share = sum(shares.stands_out(bar) for bar in shares.bars)
    under_teams = sum(counts.stands_out(bar) for bar in counts.bars)
    return [
        (f"{prefix}-volunteer-share", shares,
         _("%(n)s of %(total)s communities below the volunteer target.", n=under_share, total=len(rows))),
        (f"{prefix}-volunteer-teams", counts,
         _("%(n)s of %(total)s communities below the teams target.", n=under_teams, total=len(rows))),
    ]


def signups_by_month(rows: list[dict]) -> LineChart:
    """New volunteers per month (GET /communities/<id>/signups-by-month), oldest first."""
    return LineChart(title=_("New volunteers per month"), unit="", xs=tuple(range(len(rows))),
                     series=(Series(_("New volunteers"), tuple(row["new_signups"] for row in rows)),),
                     x_name=_("Month"), x_labels=tuple(row["month"][2:] for row in rows))
