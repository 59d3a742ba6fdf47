"""The drills charts and the report section's arithmetic, from plain data: the roll-call curve's points, steps and
marks, a long roll-call thinned, the history's bars and labels, and a street's figures combined."""
from datetime import datetime, timedelta, timezone

import pytest

from gateway.charts.drills import MOST_POINTS, drill_history, held_drill, roll_call_curve
from gateway.charts.layout import Text, layout
from gateway.reports.sections.drills import combine
from services.drills import rules

pytestmark = pytest.mark.unit
START = datetime(2026, 10, 10, 1, 0, tzinfo=timezone.utc)


def test_the_curve_starts_at_zero_and_rises_at_each_first_accounting():
    times = [START + timedelta(minutes=m) for m in (5, 1, 2.5)]
    assert rules.curve(times, 4, START) == [[0.0, 0, 4], [1.0, 1, 4], [2.5, 2, 4], [5.0, 3, 4]]
    assert (rules.minutes(750.0), rules.minutes(None)) == (12.5, None)


def test_the_roll_call_curve_steps_to_100_percent_with_both_times_marked():
    chart = roll_call_curve({"points": [[0, 0, 4], [1, 1, 4], [2.5, 3, 4], [6, 4, 4]], "minutes_to_90": 6.0,
                             "minutes_to_100": 6.0})
    assert (chart.steps, chart.y_max, chart.xs) == (True, 100, (0.0, 1.0, 2.5, 6.0))
    assert chart.series[0].values == (0.0, 25.0, 75.0, 100.0)
    assert [(m.x, m.label) for m in chart.marks] == [(6.0, "90%: 6 min"), (6.0, "100%: 6 min")]
    assert [r.value for r in chart.rules] == [90, 100]
    assert {"90%: 6 min", "100%: 6 min"} <= {s.text for s in layout(chart).shapes if isinstance(s, Text)}


def test_a_curve_that_never_got_there_has_no_marks():
    chart = roll_call_curve({"points": [[0, 0, 10], [3, 1, 10]], "minutes_to_90": None, "minutes_to_100": None})
    assert chart.marks == ()


def test_a_long_roll_call_is_thinned_but_keeps_its_start_and_end():
    points = [[0.0, 0, 600]] + [[n / 10, n, 600] for n in range(1, 601)]
    chart = roll_call_curve({"points": points, "minutes_to_90": 54.0, "minutes_to_100": 60.0})
    assert len(chart.xs) <= MOST_POINTS + 2
    assert (chart.xs[0], chart.series[0].values[0]) == (0.0, 0.0)
    assert (chart.xs[-1], chart.series[0].values[-1]) == (60.0, 100.0)
    assert list(chart.xs) == sorted(chart.xs)


def test_the_history_has_a_bar_per_drill_oldest_first_and_says_which_never_reached_90_percent():
    drills = [{"title": "消防", "started_at": "2026-10-20T02:00:00+00:00", "minutes_to_90": None},
              {"title": "防汛", "started_at": "2026-10-10T02:00:00+00:00", "minutes_to_90": 14.0,
               "community_id": "c1"}]
    chart = drill_history(drills, {"c1": "幸福社区"})
    assert [(b.label, b.value) for b in chart.bars] == [("幸福社区 10-10 防汛", 14.0),
                                                        ("10-20 消防 (90% not reached)", 0)]
    assert chart.table()[1] == [["幸福社区 10-10 防汛", "14min"], ["10-20 消防 (90% not reached)", "0min"]]


def test_a_listed_drill_becomes_a_held_drill_in_minutes():
    listed = {"id": "d1", "title": "防汛", "kind": "comprehensive", "started_at": "2026-10-10T02:00:00+00:00",
              "households": 12, "result": {"accounted": 12, "time_to_90_s": 840.0, "time_to_100_s": None}}
    assert held_drill(listed) == {"drill_id": "d1", "title": "防汛", "kind": "comprehensive",
                                  "started_at": "2026-10-10T02:00:00+00:00", "households": 12, "accounted": 12,
                                  "minutes_to_90": 14.0, "minutes_to_100": None}


def test_a_street_has_its_communities_drills_together_and_their_counts_summed():
    c1 = {"community_id": "c1", "month": "2026-10", "held": [{"title": "b", "started_at": "2026-10-09T00:00:00Z"}],
          "drills_held": 1, "cancelled": 1, "actions_open": 2, "actions_opened": 1, "actions_closed": 0}
    c2 = {"community_id": "c2", "month": "2026-10", "held": [{"title": "a", "started_at": "2026-10-03T00:00:00Z"}],
          "drills_held": 1, "cancelled": 0, "actions_open": 1, "actions_opened": 3, "actions_closed": 2}
    street = combine([c1, c2])
    assert [(d["title"], d["community_id"]) for d in street["held"]] == [("a", "c2"), ("b", "c1")]
    assert {k: street[k] for k in ("month", "drills_held", "cancelled", "actions_open", "actions_opened",
                                   "actions_closed")} == {"month": "2026-10", "drills_held": 2, "cancelled": 1,
                                                          "actions_open": 3, "actions_opened": 4, "actions_closed": 2}
