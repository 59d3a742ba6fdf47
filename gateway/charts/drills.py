"""Drills as charts: a drill's roll-call curve and a community's drill history, from the drills service's JSON
(the after-action report's `curve`, the month figures' `held` drills); the same on staff pages and in reports."""
from datetime import datetime

from flask_babel import gettext as _

from gateway.charts.model import Bar, BarChart, LineChart, Mark, Rule, Series, number
from shared import clock
from shared.figures import minutes

MOST_POINTS = 60  # a long roll-call is thinned to about this many steps (the page stays light, the table short)


def roll_call_curve(data: dict) -> LineChart:
    """The share of households accounted for over minutes since the start, with the 90% and 100% minutes marked
    (`data`: {points: [[minute, accounted, total]], minutes_to_90, minutes_to_100})."""
    points = _thinned(data.get("points") or [[0, 0, 0]])
    marks = tuple(Mark(x=data[key], label=_("%(share)s: %(minutes)s min", share=share, minutes=number(data[key])))
                  for key, share in (("minutes_to_90", "90%"), ("minutes_to_100", "100%"))
                  if data.get(key) is not None)
    return LineChart(title=_("Households accounted for over time"), unit="%",
                     xs=tuple(float(m) for m, _n, _t in points),
                     series=(Series(_("Share accounted for"), tuple(_percent(n, t) for _m, n, t in points)),),
                     x_name=_("minutes since the start"), y_max=100,
                     rules=(Rule(90, "90%"), Rule(100, "100%")), marks=marks, steps=True)


def held_drill(drill: dict) -> dict:
    """A drill as the drills service lists it, in the shape of the month figures' `held` drills."""
    result = drill.get("result") or {}

    return {"drill_id": drill["id"], "title": drill["title"], "kind": drill.get("kind"),
            "started_at": drill.get("started_at"), "households": drill.get("households") or 0,
            "accounted": result.get("accounted", 0), "minutes_to_90": minutes(result.get("time_to_90_s")),
            "minutes_to_100": minutes(result.get("time_to_100_s"))}


def drill_history(drills: list[dict], names: dict | None = None) -> BarChart:
    """A bar per held drill, oldest first, labelled by month-day and title: minutes until 90% of the households were
    accounted for (a drill that never got there shows 0 and says so first). Drills carrying a community_id are
    labelled with its name."""
    names = names or {}
    bars = []
    for d in sorted(drills, key=lambda d: str(d.get("started_at") or "")):
        label = f"{day(d.get('started_at'))[5:]} {d['title']}"  # month-day: the title keeps its room at 360 px
        if d.get("community_id"):
            label = f"{names.get(d['community_id'], d['community_id'])} {label}"
        if d.get("minutes_to_90") is None:
            label = _("%(drill)s (%(share)s not reached)", drill=label, share="90%")
        bars.append(Bar(label=label, value=d.get("minutes_to_90") or 0))
    return BarChart(title=_("Minutes to account for %(share)s of households, per drill", share="90%"), unit=_("min"),
                    bars=tuple(bars), higher_is_better=False, value_name=_("Minutes to %(share)s", share="90%"))


def _percent(accounted: int, total: int) -> float:
    return round(accounted * 100 / total, 1) if total else 0.0


def day(value) -> str:
    if not value:
        return ""
    at = value if isinstance(value, datetime) else datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return clock.local(at).strftime("%Y-%m-%d")


def _thinned(points: list) -> list:
    """At most about MOST_POINTS points: the last of each time slice (a step curve keeps its shape), and the end."""
    if len(points) <= MOST_POINTS:
        return points
    span = (points[-1][0] - points[0][0]) or 1
    kept: dict[int, list] = {}
    for point in points[1:]:
        kept[int((point[0] - points[0][0]) * MOST_POINTS / span)] = point
    return [points[0], *kept.values()]
