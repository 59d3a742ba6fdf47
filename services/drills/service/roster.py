"""The standing roster of each grid (from the copy of the register), who needs help to move, and volunteers;
the roll-call handed out by building or ten-household group."""
from services.drills import rules
from services.drills.models import Assistance, BuildingHead, Grid, Household, HouseholdGroup, Volunteer, natural_key
from services.drills.service.areas import community_query
from shared import clock
from shared.errors import Invalid
from shared.identity import Principal
from shared.reasons import drills as reasons
from shared.scope import load_in_scope, not_found


def list_grids(*, actor: Principal, community_id: str | None = None) -> list[dict]:
    """Grids known to the drills service, with households and special-care households."""
    actor.require("drills.read")
    grids = list(Grid.objects(community_query(actor, community_id)).order_by("community_id", "id"))
    counts = {row["_id"]: row for row in Household.objects(
        grid_id__in=[g.pk for g in grids], status="active", known=True).aggregate([
            {"$group": {"_id": "$grid_id", "n": {"$sum": 1}, "care": {"$sum": {"$cond": ["$care", 1, 0]}}}}])}
    return [{"grid_id": g.pk, "name": g.name, "community_id": g.community_id,
             "households": counts.get(g.pk, {}).get("n", 0), "care_households": counts.get(g.pk, {}).get("care", 0)}
            for g in grids]


def grid_roster(*, actor: Principal, grid_id: str) -> dict:
    """A grid's standing roster: special-care households first (those needing help to move at the top)."""
    grid = load_in_scope(Grid, grid_id, actor=actor, what="grid", permission="roster.read",
                         place=lambda g: (g.community_id, g.pk))
    return {"grid_id": grid.pk, "community_id": grid.community_id,
            "households": roster_entries(grid.pk, clock.today().year)}


def roster_entries(grid_id: str, year: int) -> list[dict]:
    """The grid's households living there now, in roster order, with who needs care or help to move."""
    rows = list(Household._get_collection().find({"grid_id": grid_id, "status": "active", "known": True},
                                                 {"label": 1, "address_sort": 1, "residents": 1}))
    plans = {a["_id"]: a for a in Assistance._get_collection().find({"household_id": {"$in": [h["_id"] for h in rows]}})}
    entries = []
    for h in rows:
        residents = h.get("residents") or []
        entries.append({"household_id": h["_id"], "label": h.get("label"), "sort": h.get("address_sort"),
                        "residents": len(residents),
                        "care_tags": sorted({t for r in residents for t in r.get("care_tags") or []}),
                        "special": rules.special_residents(h, plans, year)})
    return rules.roster_order(entries)


def network_sections(grid_id: str, entries: list[dict], by: str) -> list[dict]:
    """The roll-call `entries` handed out by building (with its head, 楼栋长) or by ten-household group (with its
    lead household, 联户长, and the heads of its buildings); households in no group come last. Each section keeps
    the roll-call's order; groups and buildings are read now, so a household that changed group shows in its new one."""
    ids = [e["household_id"] for e in entries]
    building_of = {h["_id"]: (h.get("address") or {}).get("building") or ""
                   for h in Household._get_collection().find({"_id": {"$in": ids}}, {"address.building": 1})}
    heads = {h["building"]: h.get("name") for h in BuildingHead._get_collection().find(
        {"grid_id": grid_id, "removed": False}, {"building": 1, "name": 1})}
    labels = {e["household_id"]: e.get("label") for e in entries}
    keyed: dict = {}
    if by == "building":
        for e in entries:
            keyed.setdefault(building_of.get(e["household_id"], ""), []).append(e)
        return [{"key": b, "title": b, "buildings": [b], "head_names": [heads[b]] if heads.get(b) else [],
                 "group_id": None, "lead_household_id": None, "lead_label": None, "households": keyed[b]}
                for b in sorted(keyed, key=natural_key)]
    groups = {}
    group_of = {}
    # the newest wins should one household show in two groups for a moment (events out of order)
    for g in HouseholdGroup._get_collection().find({"grid_id": grid_id, "dissolved": False}).sort("changed_at", 1):
        groups[g["_id"]] = g
        group_of.update({hid: g["_id"] for hid in g.get("household_ids") or []})
    for e in entries:
        keyed.setdefault(group_of.get(e["household_id"]), []).append(e)
    sections = []
    for group_id in sorted(keyed, key=lambda k: (k is None, natural_key(groups[k].get("name")) if k else "")):
        members = keyed[group_id]
        buildings = sorted({building_of.get(e["household_id"], "") for e in members}, key=natural_key)
        group = groups.get(group_id) or {}
        lead = group.get("lead_household_id")
        sections.append({"key": group_id or "", "title": group.get("name"), "buildings": buildings,
                         "head_names": [heads[b] for b in buildings if heads.get(b)], "group_id": group_id,
                         "lead_household_id": lead, "lead_label": labels.get(lead), "households": members})
    return sections


def grids_of_community(community_id: str, grid_ids, *, field: str) -> None:
    """Refuse grids that are not `community_id`'s."""
    grid_ids = set(grid_ids)
    if not grid_ids:
        return
    known = set(Grid.objects(pk__in=list(grid_ids), community_id=community_id).scalar("id"))
    missing = sorted(grid_ids - known)
    if missing:
        raise Invalid(reasons.NOT_GRIDS_OF_COMMUNITY(community_id=community_id, list=", ".join(missing[:10])),
                      field=field)


def set_assistance(*, actor: Principal, resident_id: str, data: dict) -> dict:
    """Record whether a resident needs help to move in an evacuation, and who helps them."""
    actor.require("roster.write")
    household = Household.objects(residents__resident_id=resident_id, status="active").first()
    if household is None or not actor.covers(community_id=household.community_id, grid_id=household.grid_id):
        raise not_found("resident", resident_id)
    if data.get("helper_volunteer_id"):
        volunteer = Volunteer.objects(pk=data["helper_volunteer_id"], active=True).first()
        if volunteer is None:
            raise Invalid(reasons.NO_ACTIVE_VOLUNTEER(), field="helper_volunteer_id")
        data = {**data, "helper_name": data.get("helper_name") or volunteer.name}
    Assistance(id=resident_id, household_id=household.pk, updated_by=actor.user_id, updated_at=clock.now(),
               **data).save()
    resident = next(r for r in household.residents if r.resident_id == resident_id)
    return {"resident_id": resident_id, "name": resident.name, "care_tags": list(resident.care_tags), **data}


def list_volunteers(*, actor: Principal, community_id: str | None = None) -> list[Volunteer]:
    """Active volunteers known from the volunteers service (to check them in at a drill)."""
    actor.require("drills.checkin")
    return list(Volunteer.objects(community_query(actor, community_id), active=True).order_by("name"))
