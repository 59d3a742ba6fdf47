"""Use cases of the drills service: the only place that changes documents and raises events.

Everything about a drill is an exercise (演练): events say `exercise: true`, responses carry the marker.
"""
import re
from datetime import date, datetime, timedelta, timezone

import mongoengine as me
from bson import ObjectId
from bson.errors import InvalidId
from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from services.drills import events, roster, rules
from services.drills.metrics import TICKS
from services.drills.models import (Action, AssemblyPoint, Assistance, Checkin, Drill, EmergencyPlan, Grid,
                                    Household, PlanRole, Problem, RollCall, RollState, RosterEntry, Shelter,
                                    ShelterOpened, Supply, SupplyFlag, Tick, Volunteer, natural_key, now)
from shared.register_copy import set_unless_newer
from shared.errors import Conflict, Forbidden, Invalid, NotFound
from shared.identity import Principal
from shared.messaging.outbox import ConcurrentChange, commit

SAFE_KEY = re.compile(r"^[A-Za-z0-9_-]{1,64}$")

# The drills service's own permissions (shared.identity knows the register's).
PERMISSIONS = {
    "drills.read": {"grid_worker", "community_staff", "team_leader", "operator", "admin"},
    "drills.manage": {"community_staff", "admin"},
    "drills.tick": {"grid_worker", "community_staff", "admin"},
    "drills.checkin": {"grid_worker", "community_staff", "team_leader", "admin"},
    "roster.read": {"grid_worker", "community_staff", "admin"},
    "roster.write": {"grid_worker", "community_staff", "admin"},
}


# ---- scope -------------------------------------------------------------------------------------------

def require(actor: Principal, permission: str) -> None:
    """Refuse unless the caller's role carries `permission` (deny by default: unknown roles carry nothing)."""
    if actor.role not in PERMISSIONS[permission]:
        raise Forbidden(f"role {actor.role} may not {permission}")


def visible_communities(actor: Principal) -> set[str] | None:
    """Communities the caller may read about (theirs and those of their grids); None means all of them."""
    if actor.district_wide:
        return None
    grids = set(Grid.objects(pk__in=list(actor.grid_ids)).distinct("community_id")) if actor.grid_ids else set()
    return set(actor.community_ids) | grids


def _sees_community(actor: Principal, community_id: str) -> bool:
    seen = visible_communities(actor)
    return seen is None or community_id in seen


def _community_q(actor: Principal, community_id: str | None) -> me.Q:
    seen = visible_communities(actor)
    if community_id:
        if seen is not None and community_id not in seen:
            raise NotFound("community not found", field="community_id")
        return me.Q(community_id=community_id)
    return me.Q() if seen is None else me.Q(community_id__in=sorted(seen))


def _manage(actor: Principal, community_id: str) -> None:
    require(actor, "drills.manage")
    if not actor.covers(community_id=community_id, grid_id=None):
        raise NotFound("community not found", field="community_id")


def _load(cls, object_id: str, what: str, fields: tuple[str, ...] = ()):
    try:
        oid = ObjectId(object_id)
    except (InvalidId, TypeError):
        raise NotFound(f"{what} {object_id} not found") from None
    query = cls.objects(pk=oid)
    obj = (query.only(*fields) if fields else query).first()
    if obj is None:
        raise NotFound(f"{what} {object_id} not found")
    return obj


def _community_object(actor: Principal, cls, object_id: str, what: str, permission: str):
    require(actor, permission)
    obj = _load(cls, object_id, what)
    if permission == "drills.manage":
        ok = actor.covers(community_id=obj.community_id, grid_id=None)
    else:
        ok = _sees_community(actor, obj.community_id)
    if not ok:
        raise NotFound(f"{what} {object_id} not found")
    return obj


def _drill(actor: Principal, drill_id: str, permission: str = "drills.read", *, manage: bool = False,
           fields: tuple[str, ...] = ()) -> Drill:
    require(actor, permission)
    drill = _load(Drill, drill_id, "drill", fields)
    whole = actor.covers(community_id=drill.community_id, grid_id=None)
    if not (whole if manage else whole or any(g in actor.grid_ids for g in drill.grid_ids)):
        raise NotFound(f"drill {drill_id} not found")
    return drill


def _drill_grid(actor: Principal, drill_id: str, grid_id: str, permission: str, fields: tuple[str, ...] = ()) -> Drill:
    """The drill, if `grid_id` is one of its grids and within the caller's scope (404 otherwise)."""
    drill = _drill(actor, drill_id, permission, fields=fields)
    if grid_id not in drill.grid_ids or not actor.covers(community_id=drill.community_id, grid_id=grid_id):
        raise NotFound(f"grid {grid_id} not found in this drill")
    return drill


def _covered_grids(actor: Principal, drill: Drill) -> list[str]:
    if actor.covers(community_id=drill.community_id, grid_id=None):
        return list(drill.grid_ids)
    return [g for g in drill.grid_ids if g in actor.grid_ids]


def _aware(at: datetime | None) -> datetime | None:
    if at is None:
        return None
    return at.replace(tzinfo=timezone.utc) if at.tzinfo is None else at


def today_in(tz: str) -> date:
    return rules.local_date(now(), tz)


# ---- the copy of the register (from households events) -------------------------------------------------

def apply_household_event(*, event) -> int:
    """Fold one households event into the roster copy (idempotent, any order); returns households changed."""
    data = event.data
    if event.type == "grid.created":
        Grid._get_collection().update_one({"_id": data["grid_id"]}, {"$set": {
            "community_id": data["community_id"], "name": data["name"]}}, upsert=True)
        return 0
    ids = data["household_ids"] if event.type == "grid.redrawn" else [data["household_id"]]
    unsafe = [i for i in ids if not SAFE_KEY.match(i)]
    if unsafe:  # they become keys of the roll-call state: refuse (the event ends in the dead letters, to be seen)
        raise ValueError(f"household ids unusable as keys: {unsafe[:3]}")
    if event.type == "household.moved":
        _ensure_grid(data["to_grid_id"], data["to_community_id"])
    elif event.type == "grid.redrawn":
        _ensure_grid(data["to_grid_id"], event.community_id)
    else:
        _ensure_grid(event.grid_id, event.community_id)
    return sum(_fold_one(household_id, event) for household_id in ids)


def _ensure_grid(grid_id: str | None, community_id: str | None) -> None:
    if grid_id and community_id:
        try:
            Grid._get_collection().update_one({"_id": grid_id}, {"$setOnInsert": {"community_id": community_id}},
                                              upsert=True)
        except DuplicateKeyError:
            pass


def _fold_one(household_id: str, event) -> bool:
    collection = Household._get_collection()
    for _ in range(20):
        doc = collection.find_one({"_id": household_id})
        new = roster.fold(doc, event, household_id, sort_key=natural_key)
        if new is None:
            return False
        if doc is None:
            new["version"] = 1
            try:
                collection.insert_one(new)
                return True
            except DuplicateKeyError:
                continue
        new["version"] = doc.get("version", 0) + 1
        if collection.replace_one({"_id": household_id, "version": doc.get("version", 0)}, new).matched_count:
            return True
    raise ConcurrentChange(f"household {household_id} kept changing")


def apply_volunteer_event(*, event) -> bool:
    """Keep the copy of volunteers (registered, updated, left); an older event never overwrites a newer one."""
    data = event.data
    at = roster.ms(event.occurred_at)
    if event.type == "volunteer.left":
        change = {"community_id": data["community_id"], "active": False}
        change_on_insert = {"name": "", "skills": [], "team_ids": []}
    else:
        change = {"community_id": data["community_id"], "grid_id": data.get("grid_id"), "name": data["name"],
                  "skills": list(data["skills"]), "team_ids": list(data["team_ids"]), "active": True}
        change_on_insert = {}
    return set_unless_newer(Volunteer._get_collection(), data["volunteer_id"], change, stamp="changed_at", at=at,
                            ties_win=event.type == "volunteer.left",  # leaving wins a tie
                            on_insert=change_on_insert)


def list_grids(*, actor: Principal, community_id: str | None = None) -> list[dict]:
    """Grids known to the drills service, with households and special-care households."""
    require(actor, "drills.read")
    grids = list(Grid.objects(_community_q(actor, community_id)).order_by("community_id", "id"))
    counts = {row["_id"]: row for row in Household.objects(
        grid_id__in=[g.pk for g in grids], status="active", known=True).aggregate([
            {"$group": {"_id": "$grid_id", "n": {"$sum": 1}, "care": {"$sum": {"$cond": ["$care", 1, 0]}}}}])}
    return [{"grid_id": g.pk, "name": g.name, "community_id": g.community_id,
             "households": counts.get(g.pk, {}).get("n", 0), "care_households": counts.get(g.pk, {}).get("care", 0)}
            for g in grids]


def grid_roster(*, actor: Principal, grid_id: str, tz: str) -> dict:
    """A grid's standing roster: special-care households first (those needing help to move at the top)."""
    require(actor, "roster.read")
    grid = Grid.objects(pk=grid_id).first()
    if grid is None or not actor.covers(community_id=grid.community_id, grid_id=grid.pk):
        raise NotFound(f"grid {grid_id} not found")
    return {"grid_id": grid.pk, "community_id": grid.community_id,
            "households": _roster_entries(grid.pk, today_in(tz).year)}


def _roster_entries(grid_id: str, year: int) -> list[dict]:
    rows = list(Household._get_collection().find({"grid_id": grid_id, "status": "active", "known": True},
                                                 {"label": 1, "address_sort": 1, "residents": 1}))
    plans = {a["_id"]: a for a in Assistance._get_collection().find({"household_id": {"$in": [h["_id"] for h in rows]}})}
    entries = []
    for h in rows:
        residents = h.get("residents") or []
        entries.append({"household_id": h["_id"], "label": h.get("label"), "sort": h.get("address_sort"),
                        "residents": len(residents),
                        "care_tags": sorted({t for r in residents for t in r.get("care_tags") or []}),
                        "special": roster.special_residents(h, plans, year)})
    return roster.roster_order(entries)


def set_assistance(*, actor: Principal, resident_id: str, data: dict, tz: str) -> dict:
    """Record whether a resident needs help to move in an evacuation, and who helps them."""
    require(actor, "roster.write")
    household = Household.objects(residents__resident_id=resident_id, status="active").first()
    if household is None or not actor.covers(community_id=household.community_id, grid_id=household.grid_id):
        raise NotFound(f"resident {resident_id} not found")
    if data.get("helper_volunteer_id"):
        volunteer = Volunteer.objects(pk=data["helper_volunteer_id"], active=True).first()
        if volunteer is None:
            raise Invalid("no such active volunteer", field="helper_volunteer_id")
        data = {**data, "helper_name": data.get("helper_name") or volunteer.name}
    Assistance(id=resident_id, household_id=household.pk, updated_by=actor.user_id, updated_at=now(), **data).save()
    resident = next(r for r in household.residents if r.resident_id == resident_id)
    return {"resident_id": resident_id, "name": resident.name, "care_tags": list(resident.care_tags), **data}


def list_volunteers(*, actor: Principal, community_id: str | None = None) -> list[Volunteer]:
    """Active volunteers known from the volunteers service (to check them in at a drill)."""
    require(actor, "drills.checkin")
    return list(Volunteer.objects(_community_q(actor, community_id), active=True).order_by("name"))


# ---- plans -----------------------------------------------------------------------------------------------

def _check_grids(community_id: str, grid_ids, field: str) -> None:
    grid_ids = set(grid_ids)
    if not grid_ids:
        return
    known = set(Grid.objects(pk__in=list(grid_ids), community_id=community_id).scalar("id"))
    missing = sorted(grid_ids - known)
    if missing:
        raise Invalid(f"not grids of community {community_id}: {', '.join(missing[:10])}", field=field)


def _check_shelters(community_id: str, shelter_ids, field: str = "shelter_ids") -> list[Shelter]:
    shelter_ids = list(dict.fromkeys(shelter_ids))
    found = {str(s.pk): s for s in Shelter.objects(pk__in=[ObjectId(i) for i in shelter_ids], community_id=community_id)}
    missing = [i for i in shelter_ids if i not in found]
    if missing:
        raise Invalid(f"not shelters of community {community_id}: {', '.join(missing[:10])}", field=field)
    return [found[i] for i in shelter_ids]


def _plan_fields(community_id: str, data: dict) -> dict:
    for n, role in enumerate(data["roles"]):
        _check_grids(community_id, role["grid_ids"], f"roles.{n}.grid_ids")
    for n, point in enumerate(data["assembly_points"]):
        _check_grids(community_id, point["grid_ids"], f"assembly_points.{n}.grid_ids")
    shelters = _check_shelters(community_id, data["shelter_ids"])
    return {"hazard": data["hazard"], "title": data["title"], "level": data["level"], "summary": data.get("summary"),
            "response_steps": data["response_steps"], "roles": [PlanRole(**r) for r in data["roles"]],
            "assembly_points": [AssemblyPoint(**a) for a in data["assembly_points"]],
            "shelter_ids": [str(s.pk) for s in shelters]}


def create_plan(*, actor: Principal, data: dict) -> EmergencyPlan:
    """Write a community's emergency plan (应急预案) for one hazard type."""
    _manage(actor, data["community_id"])
    plan = EmergencyPlan(community_id=data["community_id"], **_plan_fields(data["community_id"], data),
                         created_by=actor.user_id, updated_by=actor.user_id)
    return commit(plan)


def list_plans(*, actor: Principal, community_id: str | None = None, hazard: str | None = None) -> list[EmergencyPlan]:
    """Emergency plans of the communities in scope."""
    require(actor, "drills.read")
    query = EmergencyPlan.objects(_community_q(actor, community_id)).exclude("outbox")
    if hazard:
        query = query.filter(hazard=hazard)
    return list(query.order_by("community_id", "hazard", "-updated_at"))


def get_plan(*, actor: Principal, plan_id: str) -> EmergencyPlan:
    """One emergency plan."""
    return _community_object(actor, EmergencyPlan, plan_id, "plan", "drills.read")


def update_plan(*, actor: Principal, plan_id: str, data: dict) -> EmergencyPlan:
    """Revise an emergency plan; the version must be the one read."""
    plan = _community_object(actor, EmergencyPlan, plan_id, "plan", "drills.manage")
    if data["version"] != plan.version:
        raise Conflict("changed by someone else; reload and try again", field="version")
    for key, value in _plan_fields(plan.community_id, data).items():
        setattr(plan, key, value)
    plan.status = data["status"]
    plan.updated_by, plan.updated_at = actor.user_id, now()
    return commit(plan)


# ---- shelters and supplies ---------------------------------------------------------------------------------

def create_shelter(*, actor: Principal, data: dict) -> Shelter:
    """Record a shelter (应急避难场所) of a community."""
    _manage(actor, data["community_id"])
    return commit(Shelter(**data, updated_by=actor.user_id))


def list_shelters(*, actor: Principal, community_id: str | None = None) -> list[Shelter]:
    """Shelters of the communities in scope."""
    require(actor, "drills.read")
    return list(Shelter.objects(_community_q(actor, community_id)).exclude("outbox").order_by("community_id", "name"))


def get_shelter(*, actor: Principal, shelter_id: str) -> Shelter:
    """One shelter."""
    return _community_object(actor, Shelter, shelter_id, "shelter", "drills.read")


def update_shelter(*, actor: Principal, shelter_id: str, data: dict) -> Shelter:
    """Change a shelter's details or status; the version must be the one read."""
    shelter = _community_object(actor, Shelter, shelter_id, "shelter", "drills.manage")
    if data.pop("version") != shelter.version:
        raise Conflict("changed by someone else; reload and try again", field="version")
    for key, value in data.items():
        setattr(shelter, key, value)
    shelter.updated_by, shelter.updated_at = actor.user_id, now()
    return commit(shelter)


def _supply_view(s: Supply, today: date, expiring_days: int) -> dict:
    flags = [{"problem": f.problem, "note": f.note, "drill_id": f.drill_id, "by": f.by, "at": f.at,
              "cleared_at": f.cleared_at} for f in s.flags]
    view = {"id": str(s.pk), "community_id": s.community_id, "name": s.name, "category": s.category, "unit": s.unit,
            "quantity": s.quantity, "required_quantity": s.required_quantity, "location": s.location,
            "shelter_id": s.shelter_id, "expires_on": s.expires_on, "flags": flags, "version": s.version}
    view["problems"] = rules.supply_state(view, today=today, expiring_days=expiring_days)
    return view


def _supply_refs(community_id: str, data: dict) -> None:
    if data.get("shelter_id"):
        _check_shelters(community_id, [data["shelter_id"]], "shelter_id")


def create_supply(*, actor: Principal, data: dict, tz: str, expiring_days: int) -> dict:
    """Record emergency supplies or equipment: how much, where kept, until when good."""
    _manage(actor, data["community_id"])
    _supply_refs(data["community_id"], data)
    supply = commit(Supply(**data, updated_by=actor.user_id))
    return _supply_view(supply, today_in(tz), expiring_days)


def list_supplies(*, actor: Principal, community_id: str | None = None, problem: str | None = None, tz: str,
                  expiring_days: int) -> list[dict]:
    """Supplies in scope, each with what is wrong with it; `problem` keeps only those with that problem."""
    require(actor, "drills.read")
    today = today_in(tz)
    views = [_supply_view(s, today, expiring_days) for s in
             Supply.objects(_community_q(actor, community_id)).exclude("outbox").order_by("community_id", "name")]
    return [v for v in views if problem is None or problem in v["problems"]]


def supplies_report(*, actor: Principal, community_id: str, tz: str, expiring_days: int) -> dict:
    """A community's supplies that are expired, expiring, missing, short or flagged."""
    views = list_supplies(actor=actor, community_id=community_id, tz=tz, expiring_days=expiring_days)
    out = {"community_id": community_id}
    for problem in ("expired", "expiring", "missing", "short", "flagged"):
        out[problem] = [v for v in views if problem in v["problems"]]
    return out


def get_supply(*, actor: Principal, supply_id: str, tz: str, expiring_days: int) -> dict:
    """One supply item with its problems."""
    supply = _community_object(actor, Supply, supply_id, "supply", "drills.read")
    return _supply_view(supply, today_in(tz), expiring_days)


def update_supply(*, actor: Principal, supply_id: str, data: dict, tz: str, expiring_days: int) -> dict:
    """Change a supply item (a count, a new expiry date); the version must be the one read."""
    supply = _community_object(actor, Supply, supply_id, "supply", "drills.manage")
    if data.pop("version") != supply.version:
        raise Conflict("changed by someone else; reload and try again", field="version")
    _supply_refs(supply.community_id, data)
    for key, value in data.items():
        setattr(supply, key, value)
    supply.updated_by, supply.updated_at = actor.user_id, now()
    return _supply_view(commit(supply), today_in(tz), expiring_days)


def flag_supply(*, actor: Principal, supply_id: str, problem: str, note: str | None = None,
                drill_id: str | None = None, tz: str, expiring_days: int) -> dict:
    """Flag a supply item as missing, expired, damaged or short (during a drill, or any time)."""
    supply = _community_object(actor, Supply, supply_id, "supply", "drills.tick")
    if drill_id:
        drill = Drill.objects(pk=ObjectId(drill_id), community_id=supply.community_id).only("id").first()
        if drill is None:
            raise Invalid("no such drill in this supply's community", field="drill_id")
    supply.flags.append(SupplyFlag(problem=problem, note=note, drill_id=drill_id, by=actor.user_id, at=now()))
    supply.flagged = True
    supply.updated_by, supply.updated_at = actor.user_id, now()
    return _supply_view(commit(supply), today_in(tz), expiring_days)


def clear_supply_flags(*, actor: Principal, supply_id: str, note: str | None = None, tz: str,
                       expiring_days: int) -> dict:
    """Close a supply item's open flags once the problem is put right."""
    supply = _community_object(actor, Supply, supply_id, "supply", "drills.manage")
    open_flags = [f for f in supply.flags if f.cleared_at is None]
    if not open_flags:
        raise Conflict("this item has no open flag")
    for flag in open_flags:
        flag.cleared_at, flag.cleared_by = now(), actor.user_id
        if note:
            flag.note = f"{flag.note or ''} / {note}".strip(" /")
    supply.flagged = False
    supply.updated_by, supply.updated_at = actor.user_id, now()
    return _supply_view(commit(supply), today_in(tz), expiring_days)


# ---- drills: plan, start, end ----------------------------------------------------------------------------

def plan_drill(*, actor: Principal, data: dict, tz: str) -> Drill:
    """Plan a drill (an exercise) for a community or some of its grids; drill.planned asks for volunteer helpers."""
    community_id = data["community_id"]
    _manage(actor, community_id)
    known = list(Grid.objects(community_id=community_id).order_by("id").scalar("id"))
    if not known:
        raise Invalid("no grid of this community is known to the drills service yet", field="community_id")
    grid_ids = list(dict.fromkeys(data["grid_ids"])) or known
    _check_grids(community_id, grid_ids, "grid_ids")
    if data["starts_at"] < now() - timedelta(days=1):
        raise Invalid("must not be more than a day in the past", field="starts_at")
    shelters = _check_shelters(community_id, data["shelter_ids"])
    if data["kind"] == "shelter" and not shelters:
        raise Invalid("a shelter drill opens at least one shelter", field="shelter_ids")
    if data.get("plan_id") and not EmergencyPlan.objects(pk=ObjectId(data["plan_id"]),
                                                         community_id=community_id).only("id").first():
        raise Invalid("no such plan in this community", field="plan_id")
    drill = Drill(community_id=community_id, grid_ids=grid_ids, title=data["title"], hazard=data["hazard"],
                  level=data["level"], kind=data["kind"], scenario=data.get("scenario"), plan_id=data.get("plan_id"),
                  starts_at=data["starts_at"], ends_at=data["ends_at"], shelter_ids=[str(s.pk) for s in shelters],
                  helpers_wanted=data["helpers_wanted"], skills=list(dict.fromkeys(data["skills"])),
                  year=rules.local_date(data["starts_at"], tz).year, created_by=actor.user_id)
    return commit(drill, events.drill_planned(drill))


def list_drills(*, actor: Principal, community_id: str | None = None, grid_id: str | None = None,
                status: str | None = None, year: int | None = None) -> list[Drill]:
    """Drills in scope (a grid worker sees those covering their grids), by start time."""
    require(actor, "drills.read")
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
    return _drill(actor, drill_id)


def _roll_id(drill, grid_id: str) -> str:
    return f"{drill.pk}:{grid_id}"


def _freeze_roll(drill: Drill, grid_id: str, year: int) -> int:
    """Store the grid's roster for this drill once (a second call keeps the first); returns its size."""
    rid = _roll_id(drill, grid_id)
    roll = RollCall.objects(pk=rid).only("total").first()
    if roll is None:
        entries = _roster_entries(grid_id, year)
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


def start_drill(*, actor: Principal, drill_id: str, tz: str) -> Drill:
    """Start a drill: each grid's roster is frozen (special-care first) and the roll-call opens."""
    drill = _drill(actor, drill_id, "drills.manage", manage=True)
    if drill.status != "planned":
        raise Conflict(f"the drill is {drill.status}; only a planned drill can start")
    started = now()
    year = rules.local_date(started, tz).year
    drill.households = sum(_freeze_roll(drill, grid_id, year) for grid_id in drill.grid_ids)
    drill.status, drill.started_at, drill.started_by, drill.year = "live", started, actor.user_id, year
    return commit(drill, events.drill_started(drill))


def end_drill(*, actor: Principal, drill_id: str, problems: list[str] = ()) -> Drill:
    """End a running drill: timings are recorded and drill.completed credits the volunteers who checked in."""
    drill = _drill(actor, drill_id, "drills.manage", manage=True)
    if drill.status != "live":
        raise Conflict(f"the drill is {drill.status}; only a running drill can end")
    ended = now()
    for text in problems:
        _push_problem(drill, Problem(text=text, by=actor.user_id, at=ended))
    drill.reload()
    _reconcile(drill)
    drill.status, drill.ended_at, drill.ended_by = "completed", ended, actor.user_id
    drill.result = _result(drill)
    hours = [{"volunteer_id": c["volunteer_id"], "hours": c["hours"]} for c in _checkins(drill)]
    return commit(drill, events.drill_completed(drill, hours))


def _states(drill: Drill, grid_ids=None) -> dict[str, dict]:
    query = {"drill_id": str(drill.pk)}
    if grid_ids is not None:
        query["grid_id"] = {"$in": list(grid_ids)}
    return {s["grid_id"]: s for s in RollState._get_collection().find(query)}


def _merged(states) -> tuple[int, dict, dict]:
    total, first, latest = 0, {}, {}
    for s in states:
        total += s.get("total", 0)
        first.update({f"{s['grid_id']}/{k}": v for k, v in (s.get("first") or {}).items()})
        latest.update({f"{s['grid_id']}/{k}": v for k, v in (s.get("latest") or {}).items()})
    return total, first, latest


RESULT_KEYS = ("total", "accounted", "share", "needs_help", "by_status", "reached_90_at", "reached_100_at",
               "time_to_90_s", "time_to_100_s")


def _result(drill: Drill) -> dict:
    """The drill's recorded figures: households accounted for and the time to 90% and 100%."""
    figures = roster.summarise(*_merged(_states(drill).values()), drill.started_at)
    return {k: figures[k] for k in RESULT_KEYS}


def _reconcile(drill: Drill) -> int:
    """Re-apply the ticks of any grid whose state misses a household that was ticked (a crash between the
    tick's write and the state's); the state's updates are idempotent, so this is always safe. Returns grids fixed."""
    states = _states(drill)
    counted = {row["_id"]: row["n"] for row in Tick._get_collection().aggregate([
        {"$match": {"drill_id": str(drill.pk)}},
        {"$group": {"_id": {"g": "$grid_id", "h": "$household_id"}}},
        {"$group": {"_id": "$_id.g", "n": {"$sum": 1}}}])}
    fixed = 0
    for grid_id, n in counted.items():
        if n != len((states.get(grid_id) or {}).get("first") or {}):
            for t in Tick._get_collection().find({"drill_id": str(drill.pk), "grid_id": grid_id},
                                                 {"household_id": 1, "at": 1, "status": 1}):
                _apply_state(_roll_id(drill, grid_id), t["household_id"], t["at"], t["status"])
            fixed += 1
    return fixed


def reconcile_live_drills() -> int:
    """For the worker: repair the roll-call state of every running drill (see _reconcile)."""
    return sum(_reconcile(d) for d in Drill.objects(status="live").exclude("outbox"))


# ---- the live roll-call ----------------------------------------------------------------------------------

def board(*, actor: Principal, drill_id: str) -> dict:
    """The live board: share accounted per grid, time since start, time to 90% and 100%."""
    drill = _drill(actor, drill_id)
    grid_ids = _covered_grids(actor, drill)
    states = _states(drill, grid_ids)
    names = dict(Grid.objects(pk__in=grid_ids).scalar("id", "name"))
    rows = []
    for grid_id in grid_ids:
        s = states.get(grid_id) or {"grid_id": grid_id}
        figures = roster.summarise(s.get("total", 0), s.get("first") or {}, s.get("latest") or {}, drill.started_at)
        rows.append({"grid_id": grid_id, "name": names.get(grid_id), "last_tick_at": _aware(s.get("last_tick_at")),
                     **figures})
    overall = roster.summarise(*_merged(states.values()), drill.started_at)
    at = now()
    elapsed = ((_aware(drill.ended_at) or at) - _aware(drill.started_at)).total_seconds() if drill.started_at else None
    return {"drill_id": str(drill.pk), "title": drill.title, "status": drill.status, "started_at": drill.started_at,
            "ended_at": drill.ended_at, "elapsed_s": round(elapsed, 1) if elapsed is not None else None,
            "as_of": at, **overall, "grids": rows}


def _statuses(state: dict | None) -> dict[str, tuple[datetime, str]]:
    return {hid: roster.unstamp(v) for hid, v in ((state or {}).get("latest") or {}).items()}


def drill_roster(*, actor: Principal, drill_id: str, grid_id: str, tz: str) -> dict:
    """A grid's roll-call for a grid worker's phone: frozen at the start (a preview before), with statuses."""
    drill = _drill_grid(actor, drill_id, grid_id, "roster.read")
    if drill.status == "planned":
        entries, state, frozen = _roster_entries(grid_id, today_in(tz).year), None, False
    else:
        roll = RollCall._get_collection().find_one({"_id": _roll_id(drill, grid_id)}) or {"roster": []}
        entries, state, frozen = roll["roster"], _states(drill, [grid_id]).get(grid_id), True
    statuses = _statuses(state)
    households = []
    for e in entries:
        at, status = statuses.get(e["household_id"], (None, None))
        households.append({**e, "status": status, "at": at})
    return {"drill_id": str(drill.pk), "grid_id": grid_id, "drill_status": drill.status,
            "started_at": drill.started_at, "frozen": frozen, "total": len(entries),
            "accounted": len((state or {}).get("first") or {}), "households": households}


def grid_status(*, actor: Principal, drill_id: str, grid_id: str) -> dict:
    """The compact status of a grid's roll-call: every accounted household's status (for phones to refresh)."""
    drill = _drill_grid(actor, drill_id, grid_id, "drills.tick")
    state = _states(drill, [grid_id]).get(grid_id) or {}
    return {"drill_status": drill.status, "total": state.get("total", 0), "accounted": len(state.get("first") or {}),
            "statuses": {hid: roster.status_of(v) for hid, v in (state.get("latest") or {}).items()}}


TICK_FIELDS = ("id", "community_id", "grid_ids", "status", "started_at", "ended_at")
_ROLLS: dict[str, frozenset] = {}  # roll id -> households on it; a roll never changes once frozen


def _on_roll(drill: Drill, grid_id: str) -> frozenset:
    rid = _roll_id(drill, grid_id)
    if rid not in _ROLLS:
        roll = RollCall._get_collection().find_one({"_id": rid}, {"roster.household_id": 1})
        if roll is None:
            raise Conflict("this grid's roll-call is not ready; try again")
        if len(_ROLLS) > 1000:
            _ROLLS.clear()
        _ROLLS[rid] = frozenset(e["household_id"] for e in roll["roster"])
    return _ROLLS[rid]


def _apply_state(roll_id: str, household_id: str, at: datetime, status: str) -> dict:
    """Fold one tick into the grid's state, idempotent and in any order: the first accounting of a household sets
    its time and counts it in one write; later ones keep the earliest time ($min) and the latest status ($max).
    Returns the grid's total, accounted and this household's latest stamp."""
    collection = RollState._get_collection()
    at, stamp = roster.ms(at), roster.stamp(at, status)
    wanted = {"total": 1, "accounted": 1, f"latest.{household_id}": 1}
    latest = {f"latest.{household_id}": stamp, "last_tick_at": at}
    state = collection.find_one_and_update(
        {"_id": roll_id, f"first.{household_id}": {"$exists": False}},
        {"$set": {f"first.{household_id}": at}, "$max": latest, "$inc": {"accounted": 1}},
        projection=wanted, return_document=ReturnDocument.AFTER)
    if state is None:
        state = collection.find_one_and_update({"_id": roll_id}, {"$min": {f"first.{household_id}": at}, "$max": latest},
                                               projection=wanted, return_document=ReturnDocument.AFTER)
    return state or {}


def _accepting(drill: Drill, received: datetime, late_minutes: int) -> None:
    if drill.status == "planned":
        raise Conflict("the drill has not started")
    if drill.status == "completed" and received > _aware(drill.ended_at) + timedelta(minutes=late_minutes):
        raise Conflict("the drill has ended; its roll-call is closed")


def _tick_batch(actor, drill, grid_id, items, sent_at, received) -> tuple[dict, list]:
    on_roll = _on_roll(drill, grid_id)
    skew = (received - sent_at) if sent_at else timedelta(0)
    results, errors, state = [], [], {}
    for item in items:
        result, error, after = _one_tick(actor, drill, grid_id, on_roll, item, skew, received)
        if after:
            state = after
            result["status"] = roster.status_of(after["latest"][item["household_id"]])
        results.append(result)
        errors.append(error)
    if drill.status == "completed" and any(r["outcome"] == "stored" for r in results):
        Drill._get_collection().update_one({"_id": drill.pk}, {"$set": {"result": _result(drill)}})
    if not state:
        state = RollState._get_collection().find_one({"_id": _roll_id(drill, grid_id)},
                                                     {"total": 1, "accounted": 1}) or {}
    return {"drill_status": drill.status, "total": state.get("total", 0), "accounted": state.get("accounted", 0),
            "results": results}, errors


def record_ticks(*, actor: Principal, drill_id: str, grid_id: str, ticks: list[dict], sent_at: datetime | None = None,
                 late_minutes: int = 30) -> dict:
    """Store roll-call ticks from a grid worker's phone; a tick sent again (same client_id) is stored once."""
    drill = _drill_grid(actor, drill_id, grid_id, "drills.tick", TICK_FIELDS)
    received = now()
    _accepting(drill, received, late_minutes)
    return _tick_batch(actor, drill, grid_id, ticks, sent_at, received)[0]


def record_tick(*, actor: Principal, drill_id: str, grid_id: str, household_id: str, data: dict,
                late_minutes: int = 30) -> tuple[dict, bool]:
    """Store one tick (the online path); returns (outcome, stored now). A rejected tick is an error."""
    data = dict(data)
    sent_at = data.pop("sent_at", None)
    drill = _drill_grid(actor, drill_id, grid_id, "drills.tick", TICK_FIELDS)
    received = now()
    _accepting(drill, received, late_minutes)
    out, [error] = _tick_batch(actor, drill, grid_id, [{**data, "household_id": household_id}], sent_at, received)
    if error:
        raise error
    return out, out["results"][0]["outcome"] == "stored"


def _phone_time(at: datetime, skew: timedelta, received: datetime) -> datetime:
    """A phone's time corrected by its clock's offset; a clock near year 1 or 9999 lands past an end of the clamp."""
    try:
        return at + skew
    except OverflowError:
        return received if skew > timedelta(0) else datetime.min.replace(tzinfo=timezone.utc)


def _one_tick(actor, drill, grid_id, on_roll, item, skew, received):
    """(result, error to raise on the single-tick path or None, the grid's state after it or None)."""
    household_id, client_id = item["household_id"], item["client_id"]
    out = {"client_id": client_id, "household_id": household_id}
    roll_id = _roll_id(drill, grid_id)

    def rejected(error):
        TICKS.labels("rejected").inc()
        return {**out, "outcome": "rejected", "error": error.message}, error, None

    if household_id not in on_roll:
        return rejected(NotFound("this household is not on the grid's roll-call", field="household_id"))
    at = _phone_time(item["at"], skew, received) if item.get("at") else received
    at = min(max(at, _aware(drill.started_at)), received)
    if drill.ended_at and at > _aware(drill.ended_at):
        stored = _stored_tick(drill, client_id)  # a resend of a tick made in time is still that tick
        if stored is None:
            return rejected(Conflict("made after the drill ended", field="at"))
    else:
        tick = Tick(drill_id=str(drill.pk), community_id=drill.community_id, grid_id=grid_id,
                    household_id=household_id, status=item["status"], at=roster.ms(at), phone_at=item.get("at"),
                    received_at=received, client_id=client_id, note=item.get("note"), by=actor.user_id,
                    by_name=actor.name)
        try:  # stored first, checked after: the usual tick is new, so it costs one write and no read
            commit(tick, events.household_accounted(tick))
        except me.NotUniqueError:  # sent before (or twice at once): the stored one stands
            stored = _stored_tick(drill, client_id)
        else:
            TICKS.labels("stored").inc()
            return {**out, "outcome": "stored"}, None, _apply_state(roll_id, household_id, tick.at, tick.status)
    if stored is None or stored.household_id != household_id or stored.grid_id != grid_id:
        return rejected(Conflict("this client_id belongs to another tick", field="client_id"))
    TICKS.labels("duplicate").inc()  # applied again: heals a first try that stopped before the state's write
    return {**out, "outcome": "duplicate"}, None, _apply_state(roll_id, stored.household_id, stored.at, stored.status)


def _stored_tick(drill: Drill, client_id: str) -> Tick | None:
    return Tick.objects(drill_id=str(drill.pk), client_id=client_id).only(
        "household_id", "grid_id", "at", "status").first()


def household_ticks(*, actor: Principal, drill_id: str, grid_id: str, household_id: str) -> dict:
    """A household's ticks in a drill, oldest first: its status history."""
    drill = _drill_grid(actor, drill_id, grid_id, "roster.read")
    ticks = list(Tick.objects(drill_id=str(drill.pk), grid_id=grid_id, household_id=household_id)
                 .exclude("outbox").order_by("at", "received_at"))
    state = _states(drill, [grid_id]).get(grid_id)
    return {"household_id": household_id, "status": _statuses(state).get(household_id, (None, None))[1],
            "ticks": ticks}


# ---- volunteers, shelters and problems during a drill -------------------------------------------------------

def _checkin_view(c: Checkin, drill: Drill) -> dict:
    return {"drill_id": c.drill_id, "volunteer_id": c.volunteer_id, "name": c.name, "checked_in_at": c.checked_in_at,
            "checked_out_at": c.checked_out_at,
            "hours": rules.hours(_aware(c.checked_in_at), _aware(c.checked_out_at), _aware(drill.ended_at), now())}


def _checkins(drill: Drill) -> list[dict]:
    return [_checkin_view(c, drill) for c in Checkin.objects(drill_id=str(drill.pk)).order_by("checked_in_at")]


def check_in(*, actor: Principal, drill_id: str, volunteer_id: str, at: datetime | None = None) -> tuple[dict, bool]:
    """Check a volunteer in at a drill (again: the first check-in stands). Returns (check-in, created)."""
    drill = _drill(actor, drill_id, "drills.checkin")
    if drill.status == "completed":
        raise Conflict("the drill has ended")
    volunteer = Volunteer.objects(pk=volunteer_id, active=True).first()
    if volunteer is None:
        raise Invalid("no such active volunteer", field="volunteer_id")
    at = min(at or now(), now())
    checkin = Checkin(id=f"{drill.pk}:{volunteer_id}", drill_id=str(drill.pk), community_id=drill.community_id,
                      volunteer_id=volunteer_id, name=volunteer.name, checked_in_at=at, by=actor.user_id)
    try:
        checkin.save(force_insert=True)
        created = True
    except me.NotUniqueError:
        checkin, created = Checkin.objects.get(pk=checkin.pk), False
    return _checkin_view(checkin, drill), created


def check_out(*, actor: Principal, drill_id: str, volunteer_id: str, at: datetime | None = None) -> dict:
    """Check a volunteer out (once: a second check-out keeps the first)."""
    drill = _drill(actor, drill_id, "drills.checkin")
    checkin = Checkin.objects(pk=f"{drill.pk}:{volunteer_id}").first()
    if checkin is None:
        raise NotFound("this volunteer has not checked in", field="volunteer_id")
    at = min(at or now(), now(), _aware(drill.ended_at) or now())
    if at < _aware(checkin.checked_in_at):
        raise Invalid("must not be before the check-in", field="at")
    Checkin._get_collection().update_one({"_id": checkin.pk, "checked_out_at": None}, {"$set": {"checked_out_at": at}})
    checkin.reload()
    return _checkin_view(checkin, drill)


def list_checkins(*, actor: Principal, drill_id: str) -> list[dict]:
    """Volunteers checked in at a drill, with their hours so far."""
    return _checkins(_drill(actor, drill_id))


def open_shelter(*, actor: Principal, drill_id: str, shelter_id: str, at: datetime | None = None,
                 people: int | None = None) -> Drill:
    """Record that a shelter was opened in the drill (again: updates the number of people received)."""
    drill = _drill(actor, drill_id, "drills.manage", manage=True)
    if drill.status != "live":
        raise Conflict("shelters are opened while the drill runs")
    shelter = Shelter.objects(pk=ObjectId(shelter_id) if ObjectId.is_valid(shelter_id) else None,
                              community_id=drill.community_id).first()
    if shelter is None:
        raise NotFound(f"shelter {shelter_id} not found")
    at = min(max(at or now(), _aware(drill.started_at)), now())
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
    drill = _drill(actor, drill_id, "drills.tick")
    if drill.status == "planned":
        raise Conflict("the drill has not started")
    if grid_id and (grid_id not in drill.grid_ids or not actor.covers(community_id=drill.community_id, grid_id=grid_id)):
        raise Invalid("not one of this drill's grids", field="grid_id")
    _push_problem(drill, Problem(text=text, grid_id=grid_id, by=actor.user_id, at=now()))
    drill.reload()
    return drill


# ---- the after-action report ----------------------------------------------------------------------------

def report(*, actor: Principal, drill_id: str, tz: str, expiring_days: int) -> dict:
    """The after-action report: timings per grid, who was never accounted for, special-care residents and how
    long they took, volunteers, shelters, problems, flagged supplies and corrective actions."""
    drill = _drill(actor, drill_id, "roster.read")
    if drill.status == "planned":
        raise Conflict("the drill has not started; there is no report yet")
    started = _aware(drill.started_at)
    grid_ids = _covered_grids(actor, drill)
    states = _states(drill, grid_ids)
    rolls = {r["_id"].split(":", 1)[1]: r for r in RollCall._get_collection().find(
        {"_id": {"$in": [_roll_id(drill, g) for g in grid_ids]}})}
    grids, never, special = [], [], []
    for grid_id in grid_ids:
        s = states.get(grid_id) or {}
        first, statuses = s.get("first") or {}, _statuses(s)
        roll = rolls.get(grid_id) or {"roster": []}
        grids.append({"grid_id": grid_id, "name": roll.get("grid_name"),
                      **roster.summarise(s.get("total", 0), first, s.get("latest") or {}, started)})
        for e in roll["roster"]:
            hid = e["household_id"]
            accounted = _aware(first.get(hid))
            if accounted is None:
                never.append({"grid_id": grid_id, "household_id": hid, "label": e.get("label"),
                              "care_tags": e.get("care_tags") or []})
            if e.get("special"):
                special.append({"grid_id": grid_id, "household_id": hid, "label": e.get("label"),
                                "residents": e["special"], "status": statuses.get(hid, (None, None))[1],
                                "accounted_after_s": round((accounted - started).total_seconds(), 1)
                                if accounted else None})
    special.sort(key=lambda r: (r["accounted_after_s"] is not None, -(r["accounted_after_s"] or 0)))
    overall = roster.summarise(*_merged(states.values()), started)
    opened = {o.shelter_id: o for o in drill.shelters_opened}
    names = {str(s.pk): s.name for s in Shelter.objects(pk__in=[ObjectId(i) for i in
                                                              set(drill.shelter_ids) | set(opened)])}
    shelters = [{"shelter_id": sid, "name": names.get(sid), "planned": sid in drill.shelter_ids,
                 "opened_at": opened[sid].opened_at if sid in opened else None,
                 "opened_after_s": round((_aware(opened[sid].opened_at) - started).total_seconds(), 1)
                 if sid in opened else None,
                 "people": opened[sid].people if sid in opened else None}
                for sid in list(dict.fromkeys(list(drill.shelter_ids) + list(opened)))]
    today = today_in(tz)
    end = _aware(drill.ended_at)
    return {"drill": drill, **overall,
            "duration_s": round((end - started).total_seconds(), 1) if end else None,
            "grids": grids, "never_accounted": never, "special_care": special, "volunteers": _checkins(drill),
            "shelters": shelters, "problems": list(drill.problems),
            "supplies_flagged": [_supply_view(s, today, expiring_days)
                                 for s in Supply.objects(flags__drill_id=str(drill.pk)).exclude("outbox")],
            "actions": [_action_view(a, today) for a in Action.objects(drill_id=str(drill.pk)).exclude("outbox")
                        .order_by("due_on")]}


# ---- corrective actions ----------------------------------------------------------------------------------

def _action_view(a: Action, today: date) -> dict:
    view = {k: getattr(a, k) for k in ("drill_id", "community_id", "grid_id", "title", "detail", "owner_name",
                                      "owner_user_id", "due_on", "supply_id", "shelter_id", "status", "opened_at",
                                      "closed_at", "resolution")}
    return {"id": str(a.pk), **view, "overdue": a.status == "open" and a.due_on < today}


def open_action(*, actor: Principal, drill_id: str, data: dict, tz: str) -> dict:
    """Open a corrective action from a drill, with an owner and a due date."""
    drill = _drill(actor, drill_id, "drills.manage", manage=True)
    if drill.status == "planned":
        raise Conflict("the drill has not started")
    if data.get("grid_id") and data["grid_id"] not in drill.grid_ids:
        raise Invalid("not one of this drill's grids", field="grid_id")
    if data.get("shelter_id"):
        _check_shelters(drill.community_id, [data["shelter_id"]], "shelter_id")
    if data.get("supply_id") and not Supply.objects(pk=ObjectId(data["supply_id"]),
                                                    community_id=drill.community_id).only("id").first():
        raise Invalid("no such supply item in this community", field="supply_id")
    today = today_in(tz)
    if data["due_on"] < today:
        raise Invalid("must not be in the past", field="due_on")
    action = Action(drill_id=str(drill.pk), community_id=drill.community_id, opened_by=actor.user_id, **data)
    return _action_view(commit(action, events.action_opened(action)), today)


def list_actions(*, actor: Principal, community_id: str | None = None, drill_id: str | None = None,
                 status: str | None = None, overdue: bool | None = None, tz: str) -> list[dict]:
    """Corrective actions in scope, soonest due first."""
    require(actor, "drills.read")
    query = Action.objects(_community_q(actor, community_id)).exclude("outbox")
    if drill_id:
        query = query.filter(drill_id=drill_id)
    if status:
        query = query.filter(status=status)
    today = today_in(tz)
    actions = list(query.order_by("due_on"))
    drill_grids = {str(d["_id"]): d.get("grid_ids", []) for d in Drill.objects(
        pk__in=list({a.drill_id for a in actions if ObjectId.is_valid(a.drill_id)})).only("grid_ids").as_pymongo()}
    views = [_action_view(a, today) for a in actions if _sees_action(actor, a, drill_grids.get(a.drill_id, []))]
    return [v for v in views if overdue is None or v["overdue"] == overdue]


def _sees_action(actor: Principal, action: Action, drill_grid_ids: list[str]) -> bool:
    """Community staff see their community's actions; a grid worker those of their grid's drills; owners their own."""
    if actor.covers(community_id=action.community_id, grid_id=None) or action.owner_user_id == actor.user_id:
        return True
    grids = [action.grid_id] if action.grid_id else drill_grid_ids
    return any(g in actor.grid_ids for g in grids)


def close_action(*, actor: Principal, action_id: str, resolution: str, tz: str) -> dict:
    """Close a corrective action (community staff, or the owner named on it)."""
    require(actor, "drills.read")
    action = _load(Action, action_id, "action")
    drill = Drill.objects(pk=action.drill_id).only("grid_ids").first() if ObjectId.is_valid(action.drill_id) else None
    if not _sees_action(actor, action, drill.grid_ids if drill else []):
        raise NotFound(f"action {action_id} not found")
    staff = actor.role in PERMISSIONS["drills.manage"] and actor.covers(community_id=action.community_id, grid_id=None)
    owner = bool(action.owner_user_id) and action.owner_user_id == actor.user_id
    if not (staff or owner):
        raise Forbidden("only community staff or the action's owner may close it")
    if action.status == "closed":
        raise Conflict("the action is already closed")
    action.status, action.closed_at, action.closed_by, action.resolution = "closed", now(), actor.user_id, resolution
    return _action_view(commit(action, events.action_closed(action)), today_in(tz))


# ---- annual compliance ----------------------------------------------------------------------------------

def compliance(*, actor: Principal, year: int | None = None, community_id: str | None = None, tz: str,
               due_month: int) -> list[dict]:
    """Per community and year: comprehensive and shelter drills held, planned, due or overdue."""
    require(actor, "drills.read")
    today = today_in(tz)
    year = year or today.year
    seen = visible_communities(actor)
    if community_id:
        if seen is not None and community_id not in seen:
            raise NotFound("community not found", field="community_id")
        communities = [community_id]
    else:
        known = set(Grid.objects.distinct("community_id")) | set(Drill.objects(year=year).distinct("community_id"))
        communities = sorted(known if seen is None else known & seen)
    drills: dict[str, list[dict]] = {c: [] for c in communities}
    for d in Drill.objects(community_id__in=communities, year=year).only(
            "id", "community_id", "kind", "status", "hazard", "shelters_opened", "shelter_ids").as_pymongo():
        drills[d["community_id"]].append({**d, "id": str(d["_id"])})
    return [{"community_id": c, **rules.compliance(drills[c], year=year, today=today, due_month=due_month)}
            for c in communities]
