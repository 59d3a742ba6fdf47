"""The register's charts and report section as pure functions: a bar per grid against the band (in it drawn
plainly, outside it standing out), a street's grids named "community · grid", overdue bars with no target, and a
street's figures combined from its communities' (counts summed, grids side by side)."""
import pytest

from gateway.charts.layout import Rect, layout
from gateway.charts.register import grid_sizes, overdue_visits, street_grid_sizes
from gateway.reports.sections.register import combine

pytestmark = pytest.mark.unit
NAMES = {"c1": "幸福社区", "c2": "和平社区", "g1": "一网格", "g2": "二网格", "g3": "三网格"}


def _paints(chart) -> list[str]:
    return [s.paint for s in layout(chart).shapes if isinstance(s, Rect) and s.paint in ("bar", "bar_out")]


def test_grids_in_the_band_are_plain_and_the_others_stand_out():
    rows = [{"grid_id": "g1", "households": 399}, {"grid_id": "g2", "households": 450},
            {"grid_id": "g3", "households": 501}]
    chart = grid_sizes(rows, title="各网格户数", names=NAMES, band=(400, 500))
    assert _paints(chart) == ["bar_out", "bar", "bar_out"]
    assert [row[0] for row in chart.table()[1]] == ["一网格", "二网格", "三网格"]


def test_overdue_bars_have_no_target():
    chart = overdue_visits([{"grid_id": "g1", "overdue": 3}, {"grid_id": "g2", "overdue": 0}], NAMES)
    assert chart.band is None and not chart.rules and not chart.higher_is_better
    assert _paints(chart) == ["bar", "bar"]


def test_a_street_chart_names_each_grid_with_its_community():
    street = {"name": "城关街道", "communities": [
        {"id": "c1", "name": "幸福社区", "band_min": 400, "band_max": 500,
         "grid_sizes": [{"grid_id": "g1", "name": "一网格", "households": 420}]},
        {"id": "c2", "name": "和平社区", "grid_sizes": [{"grid_id": "g3", "name": "三网格", "households": 12}]}]}
    chart = street_grid_sizes(street)
    assert [row[0] for row in chart.table()[1]] == ["幸福社区 · 一网格", "和平社区 · 三网格"]
    assert chart.band == (400, 500) and _paints(chart) == ["bar", "bar_out"]


def test_a_street_sums_its_communities_and_keeps_their_grids():
    c1 = {"community_id": "c1", "month": "2026-11", "band": {"min": 400, "max": 500}, "households": 870,
          "grids": [{"grid_id": "g1", "households": 420}, {"grid_id": "g2", "households": 450}],
          "grids_below": 0, "grids_in_band": 2, "grids_above": 0, "visits_logged": 9, "care_due": 4, "care_done": 3,
          "overdue_by_grid": [{"grid_id": "g1", "overdue": 1}, {"grid_id": "g2", "overdue": 0}]}
    c2 = {"community_id": "c2", "month": "2026-11", "band": {"min": 400, "max": 500}, "households": 12,
          "grids": [{"grid_id": "g3", "households": 12}], "grids_below": 1, "grids_in_band": 0, "grids_above": 0,
          "visits_logged": 1, "care_due": 1, "care_done": 0, "overdue_by_grid": [{"grid_id": "g3", "overdue": 1}]}
    street = combine([c1, c2])
    assert {k: street[k] for k in ("households", "grids_below", "grids_in_band", "visits_logged", "care_due",
                                   "care_done")} == {"households": 882, "grids_below": 1, "grids_in_band": 2,
                                                     "visits_logged": 10, "care_due": 5, "care_done": 3}
    assert [(g["community_id"], g["grid_id"]) for g in street["grids"]] == [("c1", "g1"), ("c1", "g2"), ("c2", "g3")]
    assert street["band"] == {"min": 400, "max": 500} and street["month"] == "2026-11"
