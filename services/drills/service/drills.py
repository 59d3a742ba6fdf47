"""Drills (exercises, 演练): planned, started (rosters frozen, roll-call open), ended (timings recorded, volunteers'
hours credited); shelters opened and problems noted on the way."""
from datetime import datetime, timedelta

import mongoengine as me
from bson import ObjectId

from services.drills import events
from services.drills.models import Drill, EmergencyPlan, Grid, Problem, Shelter, ShelterOpened
from services.drills.service.areas import load_drill, manage
from services.drills.service.checkins import drill_checkins
from services.drills.service.rollcall import freeze_roll, reconcile, result
from services.drills.service.roster import grids_of_community
from services.drills.service.shelters import shelters_of
from shared import clock
from shared.errors import Conflict, Invalid
from shared.identity import Principal
from shared.messaging.outbox import commit
from shared.reasons import drills as reasons
from shared.scope import not_found


def plan_drill(*, actor: Principal, data: dict) -> Drill:
    """Plan a drill (an exercise) for a community or some of its grids; drill.planned asks for volunteer helpers."""
    community_id = data["community_id"]
    manage(actor, community_id)
    known = list(Grid.objects(community_id=community_id).order_by("id").scalar("id"))
    if not known:
        raise Invalid(reasons.NO_GRID_KNOWN(), field="community_id")
    grid_ids = list(dict.fromkeys(data["grid_ids"])) or known
    grids_of_community(community_id, grid_ids, field="grid_ids")
    if data["starts_at"] < clock.now() - timedelta(days=1):
        raise Invalid(reasons.STARTS_LONG_AGO(), field="starts_at")
    shelters = shelters_of(community_id, data["shelter_ids"])
    if data["kind"] == "shelter" and not shelters:
        raise Invalid(reasons.SHELTER_DRILL_NEEDS_SHELTER(), field="shelter_ids")
    if data.get("plan_id") and not EmergencyPlan.objects(pk=ObjectId(data["plan_id"]),
                                                         community_id=community_id).only("id").first():
        raise Invalid(reasons.NO_SUCH_PLAN(), field="plan_id")
    drill = Drill(community_id=community_id, grid_ids=grid_ids, title=data["title"], hazard=data["hazard"],
                  level=data["level"], kind=data["kind"], scenario=data.get("scenario"), plan_id=data.get("plan_id"),
                  starts_at=data["starts_at"], ends_at=data["ends_at"], shelter_ids=[str(s.pk) for s in shelters],
                  helpers_wanted=data["helpers_wanted"], skills=list(dict.fromkeys(data["skills"])),
                  year=clock.local(data["starts_at"]).year, created_by=actor.user_id)
    return commit(drill, events.drill_planned(drill))


def list_drills(*, actor: Principal, community_id: str | None = None, grid_id: str | None = None,
                status: str | None = None, year: int | None = None) -> list[Drill]:
    """Drills in scope (a grid worker sees those covering their grids), by start time."""
    actor.require("drills.read")
    query = me.Q()
    if not actor.district_wide:
        query = me.Q(community_id__in=list(actor.community_ids)) | me.Q(grid_ids__in=list(actor.grid_ids))
    if community_id:
        query &= me.Q(community_id=community_id)
    if grid_id:
        query &= me.Q(grid_ids=grid_id)
    if status:
        query &= me.Q(status=status)
    if year:
        query &= me.Q(year=year)
    return list(Drill.objects(query).exclude("outbox").order_by("starts_at"))


def get_drill(*, actor: Principal, drill_id: str) -> Drill:
    """One drill."""
    return load_drill(drill_id, actor=actor)


def start_drill(*, actor: Principal, drill_id: str) -> Drill:
    """Start a drill: each grid's roster is frozen (special-care first) and the roll-call opens."""
    drill = load_drill(drill_id, actor=actor, permission="drills.manage")
    if drill.status != "planned":
        raise Conflict(reasons.ONLY_PLANNED_STARTS(status=drill.status))
    started = clock.now()
    year = clock.local(started).year
    drill.households = sum(freeze_roll(drill, grid_id, year) for grid_id in drill.grid_ids)
    drill.status, drill.started_at, drill.started_by, drill.year = "live", started, actor.user_id, year
    return commit(drill, events.drill_started(drill))


def end_drill(*, actor: Principal, drill_id: str, problems: list[str] = ()) -> Drill:
    """End a running drill: timings are recorded and drill.completed credits the volunteers who checked in."""
    drill = load_drill(drill_id, actor=actor, permission="drills.manage")
    if drill.status != "live":
        raise Conflict(reasons.ONLY_RUNNING_ENDS(status=drill.status))
    ended = clock.now()
    for text in problems:
        _push_problem(drill, Problem(text=text, by=actor.user_id, at=ended))
    drill.reload()
    reconcile(drill)
    drill.status, drill.ended_at, drill.ended_by = "completed", ended, actor.user_id
    drill.result = result(drill)
    hours = [{"volunteer_id": c["volunteer_id"], "hours": c["hours"]} for c in drill_checkins(drill)]
    return commit(drill, events.drill_completed(drill, hours))


def open_shelter(*, actor: Principal, drill_id: str, shelter_id: str, at: datetime | None = None,
                 people: int | None = None) -> Drill:
    """Record that a shelter was opened in the drill (again: updates the number of people received)."""
    drill = load_drill(drill_id, actor=actor, permission="drills.manage")
    if drill.status != "live":
        raise Conflict(reasons.SHELTERS_WHILE_LIVE())
    shelter = Shelter.objects(pk=ObjectId(shelter_id) if ObjectId.is_valid(shelter_id) else None,
                              community_id=drill.community_id).first()
    if shelter is None:
        raise not_found("shelter", shelter_id)
    at = min(max(at or clock.now(), clock.aware(drill.started_at)), clock.now())
    entry = ShelterOpened(shelter_id=str(shelter.pk), name=shelter.name, opened_at=at, people=people,
                          by=actor.user_id).to_mongo().to_dict()
    pushed = Drill._get_collection().update_one({"_id": drill.pk, "shelters_opened.shelter_id": {"$ne": str(shelter.pk)}},
                                                {"$push": {"shelters_opened": entry}}).modified_count
    if not pushed and people is not None:
        Drill._get_collection().update_one({"_id": drill.pk, "shelters_opened.shelter_id": str(shelter.pk)},
                                           {"$set": {"shelters_opened.$.people": people}})
    drill.reload()
    return drill


def _push_problem(drill: Drill, problem: Problem) -> None:
    Drill._get_collection().update_one({"_id": drill.pk}, {"$push": {"problems": problem.to_mongo().to_dict()}})


def add_problem(*, actor: Principal, drill_id: str, text: str, grid_id: str | None = None) -> Drill:
    """Note a problem found during or after a drill (for the after-action report)."""
    drill = load_drill(drill_id, actor=actor, permission="drills.tick")
    if drill.status == "cancelled":
        raise Conflict(reasons.CANCELLED())
    if drill.status == "planned":
        raise Conflict(reasons.NOT_STARTED())
    if grid_id and (grid_id not in drill.grid_ids or not actor.covers(community_id=drill.community_id, grid_id=grid_id)):
        raise Invalid(reasons.NOT_A_DRILL_GRID(), field="grid_id")
    _push_problem(drill, Problem(text=text, grid_id=grid_id, by=actor.user_id, at=clock.now()))
    drill.reload()
    return drill
