"""The after-action report (总结报告) of a drill."""
from bson import ObjectId

from services.drills import rules
from services.drills.models import Action, RollCall, Shelter, Supply
from services.drills.service.actions import action_view
from services.drills.service.areas import covered_grids, load_drill
from services.drills.service.checkins import drill_checkins
from services.drills.service.rollcall import merged, roll_id, states, statuses
from services.drills.service.supplies import supply_view
from shared import clock
from shared.errors import Conflict
from shared.figures import minutes
from shared.identity import Principal
from shared.reasons import drills as reasons


def report(*, actor: Principal, drill_id: str) -> dict:
    """The after-action report: timings per grid, who was never accounted for, special-care residents and how
    long they took, volunteers, shelters, problems, flagged supplies and corrective actions."""
    drill = load_drill(drill_id, actor=actor, permission="roster.read")
    if drill.status == "cancelled":
        raise Conflict(reasons.CANCELLED())
    if drill.status == "planned":
        raise Conflict(reasons.NO_REPORT_YET())
    started = clock.aware(drill.started_at)
    grid_ids = covered_grids(actor, drill)
    by_grid = states(drill, grid_ids)
    rolls = {r["_id"].split(":", 1)[1]: r for r in RollCall._get_collection().find(
        {"_id": {"$in": [roll_id(drill, g) for g in grid_ids]}})}
    grids, never, special = [], [], []
    for grid_id in grid_ids:
        s = by_grid.get(grid_id) or {}
        first, now_status = s.get("first") or {}, statuses(s)
        roll = rolls.get(grid_id) or {"roster": []}
        grids.append({"grid_id": grid_id, "name": roll.get("grid_name"),
                      **rules.summarise(s.get("total", 0), first, s.get("latest") or {}, started)})
        for e in roll["roster"]:
            hid = e["household_id"]
            accounted = clock.aware(first.get(hid))
            if accounted is None:
                never.append({"grid_id": grid_id, "household_id": hid, "label": e.get("label"),
                              "care_tags": e.get("care_tags") or []})
            if e.get("special"):
                special.append({"grid_id": grid_id, "household_id": hid, "label": e.get("label"),
                                "residents": e["special"], "status": now_status.get(hid, (None, None))[1],
                                "accounted_after_s": round((accounted - started).total_seconds(), 1)
                                if accounted else None})
    special.sort(key=lambda r: (r["accounted_after_s"] is not None, -(r["accounted_after_s"] or 0)))
    total, first_all, latest_all = merged(by_grid.values())
    overall = rules.summarise(total, first_all, latest_all, started)
    end = clock.aware(drill.ended_at)
    today = clock.today()
    return {"drill": drill, **overall,
            "duration_s": round((end - started).total_seconds(), 1) if end else None,
            "curve": roll_call_curve(total=total, first=first_all, started=started, figures=overall),
            "grids": grids, "never_accounted": never, "special_care": special, "volunteers": drill_checkins(drill),
            "shelters": _shelters(drill, started), "problems": list(drill.problems),
            "supplies_flagged": [supply_view(s, today)
                                 for s in Supply.objects(flags__drill_id=str(drill.pk)).exclude("outbox")],
            "actions": [action_view(a, today) for a in Action.objects(drill_id=str(drill.pk)).exclude("outbox")
                        .order_by("due_on")]}


def _shelters(drill, started) -> list[dict]:
    """The shelters planned or opened, when each opened and how many people it received."""
    opened = {o.shelter_id: o for o in drill.shelters_opened}
    names = {str(s.pk): s.name for s in Shelter.objects(pk__in=[ObjectId(i) for i in
                                                              set(drill.shelter_ids) | set(opened)])}
    return [{"shelter_id": sid, "name": names.get(sid), "planned": sid in drill.shelter_ids,
             "opened_at": opened[sid].opened_at if sid in opened else None,
             "opened_after_s": round((clock.aware(opened[sid].opened_at) - started).total_seconds(), 1)
             if sid in opened else None,
             "people": opened[sid].people if sid in opened else None}
            for sid in list(dict.fromkeys(list(drill.shelter_ids) + list(opened)))]


def roll_call_curve(*, total: int, first: dict, started, figures: dict) -> dict:
    """The share accounted for over minutes since the start, with the minutes to 90% and 100%."""
    return {"points": rules.curve(list(first.values()), total, started),
            "minutes_to_90": minutes(figures["time_to_90_s"]),
            "minutes_to_100": minutes(figures["time_to_100_s"])}
