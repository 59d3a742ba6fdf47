"""The roll-call: each grid's roster frozen when a drill starts, its live state, the board and the phones' views.

A grid's state (RollState) changes only by commutative, idempotent updates, so ticks applied twice or in any order
leave the same state; the worker's repair re-applies the stored ticks of any grid whose state missed one.
"""
from datetime import datetime

import mongoengine as me
from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from services.drills import rules
from services.drills.models import Drill, Grid, RollCall, RollState, RosterEntry, Tick
from services.drills.service.areas import covered_grids, drill_grid, load_drill
from services.drills.service.roster import network_sections, roster_entries
from shared import clock
from shared.identity import Principal

RESULT_KEYS = ("total", "accounted", "share", "needs_help", "by_status", "reached_90_at", "reached_100_at",
               "time_to_90_s", "time_to_100_s")


def roll_id(drill, grid_id: str) -> str:
    """The id of a grid's roll-call (and its state) in a drill."""
    return f"{drill.pk}:{grid_id}"


def freeze_roll(drill: Drill, grid_id: str, year: int) -> int:
    """Store the grid's roster for this drill once (a second call keeps the first); returns its size."""
    rid = roll_id(drill, grid_id)
    roll = RollCall.objects(pk=rid).only("total").first()
    if roll is None:
        entries = roster_entries(grid_id, year)
        grid = Grid.objects(pk=grid_id).first()
        roll = RollCall(id=rid, drill_id=str(drill.pk), community_id=drill.community_id, grid_id=grid_id,
                        grid_name=grid.name if grid else None, total=len(entries),
                        roster=[RosterEntry(**e) for e in entries])
        try:
            roll.save(force_insert=True)
        except me.NotUniqueError:
            roll = RollCall.objects(pk=rid).only("total").first()
    try:
        RollState._get_collection().update_one({"_id": rid}, {"$setOnInsert": {
            "drill_id": str(drill.pk), "grid_id": grid_id, "total": roll.total, "accounted": 0, "first": {},
            "latest": {}}},
            upsert=True)
    except DuplicateKeyError:
        pass
    return roll.total


def states(drill: Drill, grid_ids=None) -> dict[str, dict]:
    """The roll-call state of the drill's grids (of `grid_ids` only, when given), by grid."""
    query = {"drill_id": str(drill.pk)}
    if grid_ids is not None:
        query["grid_id"] = {"$in": list(grid_ids)}
    return {s["grid_id"]: s for s in RollState._get_collection().find(query)}


def merged(grid_states) -> tuple[int, dict, dict]:
    """Several grids' states as one: (total, first, latest), households keyed by grid."""
    total, first, latest = 0, {}, {}
    for s in grid_states:
        total += s.get("total", 0)
        first.update({f"{s['grid_id']}/{k}": v for k, v in (s.get("first") or {}).items()})
        latest.update({f"{s['grid_id']}/{k}": v for k, v in (s.get("latest") or {}).items()})
    return total, first, latest


def result(drill: Drill) -> dict:
    """The drill's recorded figures: households accounted for and the time to 90% and 100%."""
    figures = rules.summarise(*merged(states(drill).values()), drill.started_at)
    return {k: figures[k] for k in RESULT_KEYS}


def statuses(state: dict | None) -> dict[str, tuple[datetime, str]]:
    """Each accounted household's latest (time, status)."""
    return {hid: rules.unstamp(v) for hid, v in ((state or {}).get("latest") or {}).items()}


def apply_state(rid: str, household_id: str, at: datetime, status: str) -> dict:
    """Fold one tick into the grid's state, idempotent and in any order: the first accounting of a household sets
    its time and counts it in one write; later ones keep the earliest time ($min) and the latest status ($max).
    Returns the grid's total, accounted and this household's latest stamp."""
    collection = RollState._get_collection()
    at, stamp = clock.to_ms(at), rules.stamp(at, status)
    wanted = {"total": 1, "accounted": 1, f"latest.{household_id}": 1}
    latest = {f"latest.{household_id}": stamp, "last_tick_at": at}
    state = collection.find_one_and_update(
        {"_id": rid, f"first.{household_id}": {"$exists": False}},
        {"$set": {f"first.{household_id}": at}, "$max": latest, "$inc": {"accounted": 1}},
        projection=wanted, return_document=ReturnDocument.AFTER)
    if state is None:
        state = collection.find_one_and_update({"_id": rid}, {"$min": {f"first.{household_id}": at}, "$max": latest},
                                               projection=wanted, return_document=ReturnDocument.AFTER)
    return state or {}


def reconcile(drill: Drill) -> int:
    """Re-apply the ticks of any grid whose state misses a household that was ticked (a crash between the
    tick's write and the state's); the state's updates are idempotent, so this is always safe. Returns grids fixed."""
    by_grid = states(drill)
    counted = {row["_id"]: row["n"] for row in Tick._get_collection().aggregate([
        {"$match": {"drill_id": str(drill.pk)}},
        {"$group": {"_id": {"g": "$grid_id", "h": "$household_id"}}},
        {"$group": {"_id": "$_id.g", "n": {"$sum": 1}}}])}
    fixed = 0
    for grid_id, n in counted.items():
        if n != len((by_grid.get(grid_id) or {}).get("first") or {}):
            for t in Tick._get_collection().find({"drill_id": str(drill.pk), "grid_id": grid_id},
                                                 {"household_id": 1, "at": 1, "status": 1}):
                apply_state(roll_id(drill, grid_id), t["household_id"], t["at"], t["status"])
            fixed += 1
    return fixed


def reconcile_live_drills() -> int:
    """For the worker: repair the roll-call state of every running drill (see reconcile)."""
    return sum(reconcile(d) for d in Drill.objects(status="live").exclude("outbox"))


def board(*, actor: Principal, drill_id: str) -> dict:
    """The live board: share accounted per grid, time since start, time to 90% and 100%."""
    drill = load_drill(drill_id, actor=actor)
    grid_ids = covered_grids(actor, drill)
    by_grid = states(drill, grid_ids)
    names = dict(Grid.objects(pk__in=grid_ids).scalar("id", "name"))
    rows = []
    for grid_id in grid_ids:
        s = by_grid.get(grid_id) or {"grid_id": grid_id}
        figures = rules.summarise(s.get("total", 0), s.get("first") or {}, s.get("latest") or {}, drill.started_at)
        rows.append({"grid_id": grid_id, "name": names.get(grid_id), "last_tick_at": clock.aware(s.get("last_tick_at")),
                     **figures})
    overall = rules.summarise(*merged(by_grid.values()), drill.started_at)
    at = clock.now()
    elapsed = ((clock.aware(drill.ended_at) or at) - clock.aware(drill.started_at)).total_seconds() \
        if drill.started_at else None
    return {"drill_id": str(drill.pk), "title": drill.title, "status": drill.status, "started_at": drill.started_at,
            "ended_at": drill.ended_at, "elapsed_s": round(elapsed, 1) if elapsed is not None else None,
            "as_of": at, **overall, "grids": rows}


def drill_roster(*, actor: Principal, drill_id: str, grid_id: str, by: str | None = None) -> dict:
    """A grid's roll-call for a grid worker's phone: frozen at the start (a preview before), with statuses; `by`
    building or group also hands it out in sections (see roster.network_sections)."""
    drill = drill_grid(drill_id, grid_id, actor=actor, permission="roster.read")
    if drill.status == "planned":
        entries, state, frozen = roster_entries(grid_id, clock.today().year), None, False
    else:
        roll = RollCall._get_collection().find_one({"_id": roll_id(drill, grid_id)}) or {"roster": []}
        entries, state, frozen = roll["roster"], states(drill, [grid_id]).get(grid_id), True
    now_status = statuses(state)
    households = []
    for e in entries:
        at, status = now_status.get(e["household_id"], (None, None))
        households.append({**e, "status": status, "at": at})
    return {"drill_id": str(drill.pk), "grid_id": grid_id, "drill_status": drill.status,
            "started_at": drill.started_at, "frozen": frozen, "total": len(entries),
            "accounted": len((state or {}).get("first") or {}), "households": households, "by": by,
            "sections": network_sections(grid_id, households, by) if by else []}


def grid_status(*, actor: Principal, drill_id: str, grid_id: str) -> dict:
    """The compact status of a grid's roll-call: every accounted household's status (for phones to refresh)."""
    drill = drill_grid(drill_id, grid_id, actor=actor, permission="drills.tick")
    state = states(drill, [grid_id]).get(grid_id) or {}
    return {"drill_status": drill.status, "total": state.get("total", 0), "accounted": len(state.get("first") or {}),
            "statuses": {hid: rules.status_of(v) for hid, v in (state.get("latest") or {}).items()}}


def household_ticks(*, actor: Principal, drill_id: str, grid_id: str, household_id: str) -> dict:
    """A household's ticks in a drill, oldest first: its status history."""
    drill = drill_grid(drill_id, grid_id, actor=actor, permission="roster.read")
    ticks = list(Tick.objects(drill_id=str(drill.pk), grid_id=grid_id, household_id=household_id)
                 .exclude("outbox").order_by("at", "received_at"))
    state = states(drill, [grid_id]).get(grid_id)
    return {"household_id": household_id, "status": statuses(state).get(household_id, (None, None))[1],
            "ticks": ticks}
