"""The service desk's charts and report section from the mediation service's JSON (pure): the heat map's cells and
the trend's values as given, a street's month from its communities' (counts summed, shares recomputed from the
sums, never averaged; hot spots merged and ranked again; special reports listed together)."""
from flask import Flask
from flask_babel import Babel, force_locale

from gateway.charts import cases as charts
from gateway.reports.sections.cases import combine, pdf, special_reports

HISTORY = {"community_id": "c1", "months": ["2026-10", "2026-11", "2026-12"],
           "categories": [{"kind": "dispute", "category": "neighbours", "category_label": "邻里纠纷", "counts": [2, 1, 0]},
                          {"kind": "request", "category": "elderly_care", "category_label": "养老服务",
                           "counts": [0, 3, 1]}],
           "on_time_share": [None, 50.0, 100.0], "satisfaction_share": [None, 100.0, None]}


def _month(community_id, *, registered, closed, on_time, overdue, spots, reports, answered, satisfied):
    return {"community_id": community_id, "month": "2026-11", "registered": registered, "closed": closed,
            "on_time": on_time, "overdue": overdue, "on_time_share": round(100 * on_time / closed, 1),
            "by_kind": {"dispute": {"registered": registered, "closed": closed, "on_time": on_time,
                                    "overdue": overdue}},
            "by_category": [{"kind": "dispute", "category": "neighbours", "category_label": "邻里纠纷",
                             "registered": registered, "closed": closed}],
            "hotspots": spots, "special_reports": {"count": len(reports), "items": reports},
            "satisfaction": {"answered": answered, "satisfied": satisfied,
                             "share": round(100 * satisfied / answered, 1)}}


C1 = _month("c1", registered=3, closed=1, on_time=1, overdue=1, answered=1, satisfied=1,
            spots=[{"kind": "dispute", "category": "neighbours", "grid_id": "g1", "count": 2},
                   {"kind": "dispute", "category": "land", "grid_id": "g2", "count": 1}],
            reports=[{"number": "2026-XF-0003", "kind": "dispute", "category": "land", "category_label": "土地纠纷",
                      "households_involved": 6}])
C2 = _month("c2", registered=4, closed=3, on_time=1, overdue=2, answered=3, satisfied=1,
            spots=[{"kind": "dispute", "category": "land", "grid_id": "g2", "count": 3}], reports=[])


def app() -> Flask:
    a = Flask(__name__)
    Babel(a)
    return a


def test_the_heat_map_and_the_trend_carry_the_figures_as_given():
    with app().test_request_context(), force_locale("zh_Hans_CN"):
        heat = charts.category_heat_map(HISTORY)
        trend = charts.on_time_and_satisfaction(HISTORY)
    assert heat.columns == ("10月", "11月", "12月")
    assert heat.cells == ((2, 1, 0), (0, 3, 1)) and heat.rows[1] == "养老服务"
    assert heat.table()[1][1] == [heat.rows[1], "0", "3", "1"]
    assert (trend.y_max, trend.unit) == (100, "%")
    assert [s.values for s in trend.series] == [(None, 50.0, 100.0), (None, 100.0, None)]


def test_a_street_sums_counts_and_recomputes_shares_from_the_sums():
    street = combine([C1, C2])
    assert {k: street[k] for k in ("registered", "closed", "on_time", "overdue")} == {
        "registered": 7, "closed": 4, "on_time": 2, "overdue": 3}
    assert street["on_time_share"] == 50.0  # 2 of 4, not the mean of 100.0 and 33.3
    assert street["satisfaction"] == {"answered": 4, "satisfied": 2, "share": 50.0}  # not the mean of 100 and 33.3
    assert street["by_kind"]["dispute"] == {"registered": 7, "closed": 4, "on_time": 2, "overdue": 3}
    assert street["by_kind"]["incident"] == {"registered": 0, "closed": 0, "on_time": 0, "overdue": 0}
    assert [(r["category"], r["registered"], r["closed"]) for r in street["by_category"]] == [("neighbours", 7, 4)]
    assert [(h["category"], h["grid_id"], h["count"]) for h in street["hotspots"]] == [
        ("land", "g2", 4), ("neighbours", "g1", 2)]  # merged, then ranked again
    assert street["special_reports"] == {"count": 1, "items": [{**C1["special_reports"]["items"][0],
                                                                 "community_id": "c1"}]}
    assert combine([])["on_time_share"] is None


def test_the_pdf_flowables_build_for_a_street():
    with app().test_request_context(), force_locale("zh_Hans_CN"):
        street = combine([C1, C2])
        assert len(pdf(street, {"g1": "一网格", "g2": "二网格"})) == 9
        assert special_reports(street, {"c1": "幸福社区"})[0][0] == "2026-XF-0003（幸福社区）"
        assert special_reports(C1, {"c1": "幸福社区"})[0][0] == "2026-XF-0003"  # a community's own: no name
