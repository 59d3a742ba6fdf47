"""The events the households service publishes, built from its documents."""
from services.households import rules
from services.households.config import SETTINGS
from shared import clock
from shared.events import Event, new_event

SOURCE = "households"


def _address(h) -> dict:
    return {"building": h.address.building, "unit": h.address.unit, "room": h.address.room}


def _snapshot(h) -> dict:
    today = clock.today()
    return {
        "household_id": str(h.pk),
        "address": _address(h),
        "residency": h.residency,
        "residents": [
            {"resident_id": r.resident_id, "name": r.name, "gender": r.gender, "relation": r.relation,
             "birth_year": r.birth_date.year if r.birth_date else None,
             "care_tags": [t.tag for t in r.care_tags if t.active_on(today)]}
            for r in h.residents
        ],
    }


def _at(h, event_type: str, data: dict) -> Event:
    return new_event(event_type, version=1, data=data, source=SOURCE, community_id=h.community_id, grid_id=h.grid_id)


def grid_created(grid) -> Event:
    return new_event("grid.created", version=1, source=SOURCE, community_id=grid.community_id, grid_id=grid.pk,
                     data={"grid_id": grid.pk, "code": grid.pk, "name": grid.name, "community_id": grid.community_id})


def grid_redrawn(redraw, community_id: str) -> Event:
    return new_event("grid.redrawn", version=1, source=SOURCE, community_id=community_id, grid_id=redraw.to_grid_id,
                     data={"redraw_id": str(redraw.pk), "from_grid_id": redraw.from_grid_id,
                           "to_grid_id": redraw.to_grid_id, "household_ids": redraw.household_ids,
                           "reason": redraw.reason})


def household_registered(h) -> Event:
    return _at(h, "household.registered", _snapshot(h))


def household_updated(h) -> Event:
    return _at(h, "household.updated", _snapshot(h))


def household_moved(h, *, from_grid_id: str, from_community_id: str) -> Event:
    return _at(h, "household.moved", {
        "household_id": str(h.pk), "from_grid_id": from_grid_id, "from_community_id": from_community_id,
        "to_grid_id": h.grid_id, "to_community_id": h.community_id, "address": _address(h)})


def household_left(h, reason: str | None) -> Event:
    return _at(h, "household.left", {"household_id": str(h.pk), "moved_out_on": h.moved_out_on.isoformat(),
                                      "reason": reason})


def care_changed(h, resident, tag, *, flagged: bool) -> Event:
    data = {"household_id": str(h.pk), "resident_id": resident.resident_id, "name": resident.name, "tag": tag.tag,
            "since": tag.since.isoformat() if tag.since else None,
            "until": tag.until.isoformat() if tag.until else None}
    if flagged:
        data["cadence_days"] = cadence_table()[tag.tag]
    return _at(h, "resident.care_flagged" if flagged else "resident.care_cleared", data)


def cadence_table() -> dict[str, int]:
    """Days between visits of every care tag, as the settings say now."""
    return rules.cadence_table(SETTINGS.VISIT_CADENCE_DAYS_BY_TAG, default=SETTINGS.VISIT_CADENCE_DAYS)


def cadences_set(cadences: dict[str, int]) -> Event:
    """Every tag's cadence, for the services that plan visits by it (volunteers' standing care needs)."""
    return new_event("care.cadences_set", version=1, source=SOURCE,
                     data={"cadences": dict(cadences), "default_days": SETTINGS.VISIT_CADENCE_DAYS})


def visit_logged(v) -> Event:
    return new_event("visit.logged", version=1, source=SOURCE, community_id=v.community_id, grid_id=v.grid_id, data={
        "visit_id": str(v.pk), "household_id": v.household_id, "visited_at": v.visited_at.isoformat(),
        "visitor_id": v.visitor_id, "follow_up_needed": v.follow_up_needed})


def building_head_changed(head) -> Event:
    return _at(head, "building_head.changed", {
        "head_id": str(head.pk), "grid_id": head.grid_id, "building": head.building,
        "name": None if head.removed else head.name, "household_id": None if head.removed else head.household_id,
        "removed": bool(head.removed)})


def household_group_changed(group) -> Event:
    return _at(group, "household_group.changed", {
        "group_id": str(group.pk), "grid_id": group.grid_id, "name": group.name,
        "household_ids": list(group.household_ids), "lead_household_id": group.lead_household_id,
        "dissolved": bool(group.dissolved)})
