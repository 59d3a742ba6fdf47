"""The standing roster of each grid (from the copy of the register), who needs help to move, and volunteers."""
from services.drills import rules
from services.drills.models import Assistance, Grid, Household, Volunteer
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
