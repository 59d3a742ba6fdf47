"""Business figures operators watch, read from the drills database on each scrape."""
from datetime import datetime

from prometheus_client import Counter, Gauge

from services.drills import rules
from services.drills.models import Action, Drill, Grid, RollState, Supply
from shared import clock

DRILLS_HELD = Gauge("grid_drills_held", "Completed drills per community and year (kind: comprehensive, shelter)",
                    ["community_id", "year", "kind"])
WITHOUT_DRILL = Gauge("grid_drill_communities_without_drill", "Known communities with no completed drill this year",
                      ["year"])
ROLLCALL = Gauge("grid_drill_rollcall_accounted_ratio", "Share of households accounted for in a live drill",
                 ["drill_id", "grid_id"])
TIME_TO_90 = Gauge("grid_drill_time_to_90_seconds",
                   "Seconds to 90% of households accounted for in the community's latest completed drill this year",
                   ["community_id"])
ACTIONS_OPEN = Gauge("grid_drill_actions_open", "Corrective actions still open", ["community_id"])
ACTIONS_OVERDUE = Gauge("grid_drill_actions_overdue", "Open corrective actions past their due date", ["community_id"])
SUPPLIES_EXPIRED = Gauge("grid_supplies_expired", "Emergency supplies past their expiry date", ["community_id"])
TICKS = Counter("grid_drill_ticks_total", "Roll-call ticks received (outcome: stored, duplicate, rejected)",
                ["outcome"])

GAUGES = (DRILLS_HELD, WITHOUT_DRILL, ROLLCALL, TIME_TO_90, ACTIONS_OPEN, ACTIONS_OVERDUE, SUPPLIES_EXPIRED)


def refresh() -> None:
    """Set the gauges from the database (cleared first so finished drills and closed actions disappear)."""
    today = clock.today()
    for gauge in GAUGES:
        gauge.clear()
    communities = set(Grid.objects.distinct("community_id"))
    years = (today.year - 1, today.year)
    held: dict[tuple[str, int, str], int] = {(c, y, k): 0 for c in communities for y in years for k in rules.REQUIREMENTS}
    latest: dict[str, tuple] = {}
    for d in Drill.objects(status="completed", year__in=years).only(
            "community_id", "year", "kind", "shelters_opened", "ended_at", "result").as_pymongo():
        communities.add(d["community_id"])
        for kind in rules.REQUIREMENTS:
            key = (d["community_id"], d["year"], kind)
            held[key] = held.get(key, 0) + (1 if rules.satisfies(d, kind) else 0)
        if d["year"] == today.year and (d["community_id"] not in latest or latest[d["community_id"]][0] < d["ended_at"]):
            latest[d["community_id"]] = (d["ended_at"], (d.get("result") or {}).get("time_to_90_s"))
    for (community, year, kind), n in held.items():
        DRILLS_HELD.labels(community, str(year), kind).set(n)
    WITHOUT_DRILL.labels(str(today.year)).set(len(communities - set(latest)))
    for community, (_, seconds) in latest.items():
        if seconds is not None:
            TIME_TO_90.labels(community).set(seconds)
    live = {str(d["_id"]): d for d in Drill.objects(status="live").only("id", "started_at").as_pymongo()}
    for s in RollState.objects(drill_id__in=list(live)).as_pymongo():
        figures = rules.summarise(s.get("total", 0), s.get("first") or {}, s.get("latest") or {}, None)
        ROLLCALL.labels(s["drill_id"], s["grid_id"]).set(figures["share"] or 0.0)
    for community in communities:  # zero, not absent, where there is nothing open or expired
        ACTIONS_OPEN.labels(community).set(0)
        ACTIONS_OVERDUE.labels(community).set(0)
        SUPPLIES_EXPIRED.labels(community).set(0)
    expired = datetime(today.year, today.month, today.day)
    by_community = [{"$group": {"_id": "$community_id", "n": {"$sum": 1}}}]
    for row in Action.objects(status="open").aggregate(by_community):
        ACTIONS_OPEN.labels(row["_id"]).set(row["n"])
    for row in Action.objects(status="open", due_on__lt=expired).aggregate(by_community):
        ACTIONS_OVERDUE.labels(row["_id"]).set(row["n"])
    for row in Supply.objects(expires_on__lt=expired).aggregate(by_community):
        SUPPLIES_EXPIRED.labels(row["_id"]).set(row["n"])
