"""Business figures operators watch, read from the drills database by the background refresh."""
from datetime import datetime

from prometheus_client import Counter

from services.drills import rules
from services.drills.config import SETTINGS
from services.drills.models import Action, Drill, Grid, RollState, Supply
from shared import clock
from shared.metrics_refresh import Figures, refreshed_gauge

DRILLS_HELD = refreshed_gauge(
    "grid_drills_held", "Completed drills that count towards the annual duty (their roll-call reached "
    "DRILL_COMPLETE_SHARE) per community and year (kind: comprehensive, shelter)",
    ["community_id", "year", "kind"])
DRILLS_INCOMPLETE = refreshed_gauge(
    "grid_drills_incomplete", "Completed drills held but incomplete (roll-call below "
    "DRILL_COMPLETE_SHARE), which do not count, per community and year", ["community_id", "year"])
WITHOUT_DRILL = refreshed_gauge(
    "grid_drill_communities_without_drill",
    "Known communities with no completed drill that counts this year", ["year"])
ROLLCALL = refreshed_gauge(
    "grid_drill_rollcall_accounted_ratio", "Share of households accounted for in a live drill",
    ["drill_id", "grid_id"])
TIME_TO_90 = refreshed_gauge(
    "grid_drill_time_to_90_seconds",
    "Seconds to 90% of households accounted for in the community's latest completed drill this year",
    ["community_id"])
ACTIONS_OPEN = refreshed_gauge("grid_drill_actions_open", "Corrective actions still open", ["community_id"])
ACTIONS_OVERDUE = refreshed_gauge(
    "grid_drill_actions_overdue", "Open corrective actions past their due date", ["community_id"])
SUPPLIES_EXPIRED = refreshed_gauge(
    "grid_supplies_expired", "Emergency supplies past their expiry date", ["community_id"])
TICKS = Counter("grid_drill_ticks_total", "Roll-call ticks received (outcome: stored, duplicate, rejected)",
                ["outcome"])

SUPPLIES_SHORT = refreshed_gauge(
    "grid_drills_supplies_short",
    "Emergency supply items whose stock is below the quantity required, per community and category",
    ["community_id", "category"])

GAUGES = (DRILLS_HELD, DRILLS_INCOMPLETE, WITHOUT_DRILL, ROLLCALL, TIME_TO_90, ACTIONS_OPEN, ACTIONS_OVERDUE,
          SUPPLIES_EXPIRED, SUPPLIES_SHORT)


def refresh() -> None:
    """Set the gauges from the database (finished drills and closed actions lose their labels)."""
    today = clock.today()
    out = Figures(*GAUGES)
    communities = set(Grid.objects.distinct("community_id"))
    years = (today.year - 1, today.year)
    held: dict[tuple[str, int, str], int] = {(c, y, k): 0 for c in communities for y in years for k in rules.REQUIREMENTS}
    latest: dict[str, tuple] = {}
    counted: set[str] = set()
    incomplete: dict[tuple[str, int], int] = {}
    for d in Drill.objects(status="completed", year__in=years).only(
            "community_id", "year", "kind", "status", "shelters_opened", "ended_at", "result").as_pymongo():
        communities.add(d["community_id"])
        if not rules.counts(d, SETTINGS.DRILL_COMPLETE_SHARE):
            key = (d["community_id"], d["year"])
            incomplete[key] = incomplete.get(key, 0) + 1
        elif d["year"] == today.year:
            counted.add(d["community_id"])
        for kind in rules.REQUIREMENTS if rules.counts(d, SETTINGS.DRILL_COMPLETE_SHARE) else ():
            key = (d["community_id"], d["year"], kind)
            held[key] = held.get(key, 0) + (1 if rules.satisfies(d, kind) else 0)
        if d["year"] == today.year and (d["community_id"] not in latest or latest[d["community_id"]][0] < d["ended_at"]):
            latest[d["community_id"]] = (d["ended_at"], (d.get("result") or {}).get("time_to_90_s"))
    for (community, year, kind), n in held.items():
        out.set(DRILLS_HELD, (community, str(year), kind), n)
    for (community, year), n in incomplete.items():
        out.set(DRILLS_INCOMPLETE, (community, str(year)), n)
    out.set(WITHOUT_DRILL, (str(today.year),), len(communities - counted))
    for community, (_, seconds) in latest.items():
        if seconds is not None:
            out.set(TIME_TO_90, (community,), seconds)
    live = {str(d["_id"]): d for d in Drill.objects(status="live").only("id", "started_at").as_pymongo()}
    for s in RollState.objects(drill_id__in=list(live)).as_pymongo():
        figures = rules.summarise(s.get("total", 0), s.get("first") or {}, s.get("latest") or {}, None)
        out.set(ROLLCALL, (s["drill_id"], s["grid_id"]), figures["share"] or 0.0)
    for community in communities:  # zero, not absent, where there is nothing open or expired
        out.set(ACTIONS_OPEN, (community,), 0)
        out.set(ACTIONS_OVERDUE, (community,), 0)
        out.set(SUPPLIES_EXPIRED, (community,), 0)
    expired = datetime(today.year, today.month, today.day)
    by_community = [{"$group": {"_id": "$community_id", "n": {"$sum": 1}}}]
    for row in Action.objects(status="open").aggregate(by_community):
        out.set(ACTIONS_OPEN, (row["_id"],), row["n"])
    for row in Action.objects(status="open", due_on__lt=expired).aggregate(by_community):
        out.set(ACTIONS_OVERDUE, (row["_id"],), row["n"])
    for row in Supply.objects(expires_on__lt=expired).aggregate(by_community):
        out.set(SUPPLIES_EXPIRED, (row["_id"],), row["n"])
    short: dict[tuple[str, str], int] = {}  # zero, not absent, for each community and category kept
    for s in Supply.objects.only("community_id", "category", "quantity", "required_quantity").as_pymongo():
        key = (s["community_id"], s["category"])
        short[key] = short.get(key, 0) + (1 if rules.is_short(s) else 0)
    for (community, category), n in short.items():
        out.set(SUPPLIES_SHORT, (community, category), n)
    out.publish()
