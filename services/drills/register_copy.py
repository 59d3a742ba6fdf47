"""The drills service's copy of the households register and of volunteers, kept from their events.

Events may arrive twice or out of order, so the copy is folded: each part of a household carries the time of the
event it came from, and an event only changes a part it is newer than (shared.register_copy):
    snapshot_at  residents and their care tags as of household.registered/updated
    address_at   the address (snapshots and moves)
    placed_at    the grid and community (any event's envelope, moves, redraws)
Care flags and clears not older than the snapshot are kept by event id and applied on top of it: one in the
same millisecond either came with the snapshot (applying it again changes nothing) or just after it.
Building heads and ten-household groups (the four-in-one network) come whole in each event: the newest one wins.
"""
import re

from pymongo.errors import DuplicateKeyError

from services.drills.models import BuildingHead, Grid, Household, HouseholdGroup, Volunteer, natural_key
from shared.clock import aware
from shared.messaging.outbox import ConcurrentChange
from shared.register_copy import event_time, newer, not_older, set_unless_newer

SAFE_KEY = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
SNAPSHOTS = ("household.registered", "household.updated")
CARE_EVENTS = ("resident.care_flagged", "resident.care_cleared")


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


def apply_volunteer_event(*, event) -> bool:
    """Keep the copy of volunteers (registered, updated, left); an older event never overwrites a newer one."""
    data = event.data
    if event.type == "volunteer.left":
        change = {"community_id": data["community_id"], "active": False}
        change_on_insert = {"name": "", "skills": [], "team_ids": []}
    else:
        change = {"community_id": data["community_id"], "grid_id": data.get("grid_id"), "name": data["name"],
                  "skills": list(data["skills"]), "team_ids": list(data["team_ids"]), "active": True}
        change_on_insert = {}
    return set_unless_newer(Volunteer._get_collection(), data["volunteer_id"], change, stamp="changed_at",
                            at=event_time(event), ties_win=event.type == "volunteer.left",  # leaving wins a tie
                            on_insert=change_on_insert)


def apply_network_event(*, event) -> bool:
    """Keep the copy of building heads and ten-household groups; each event carries the whole of one, and an older
    event never overwrites a newer one (so a redelivery or a late event changes nothing)."""
    data = event.data
    if event.type == "building_head.changed":
        _ensure_grid(data["grid_id"], event.community_id)
        return set_unless_newer(BuildingHead._get_collection(), data["head_id"], {
            "grid_id": data["grid_id"], "building": data["building"], "name": data.get("name"),
            "household_id": data.get("household_id"), "removed": bool(data.get("removed"))},
            stamp="changed_at", at=event_time(event))
    unsafe = [i for i in data["household_ids"] if not SAFE_KEY.match(i)]
    if unsafe:
        raise ValueError(f"household ids unusable as keys: {unsafe[:3]}")
    _ensure_grid(data["grid_id"], event.community_id)
    return set_unless_newer(HouseholdGroup._get_collection(), data["group_id"], {
        "grid_id": data["grid_id"], "name": data["name"], "household_ids": list(data["household_ids"]),
        "lead_household_id": data.get("lead_household_id"), "dissolved": bool(data.get("dissolved"))},
        stamp="changed_at", at=event_time(event))


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
        new = fold(doc, event, household_id)
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


# ---- the fold: pure, on plain dicts ------------------------------------------------------------------------

def label(address: dict) -> str:
    """1栋2单元101."""
    return "".join(p for p in (address.get("building"), address.get("unit"), address.get("room")) if p)


def empty(household_id: str) -> dict:
    return {"_id": household_id, "community_id": None, "grid_id": None, "address": {}, "label": None,
            "address_sort": None, "residency": None, "residents": [], "care": False, "status": "active",
            "known": False, "snapshot_at": None, "address_at": None, "placed_at": None, "left_at": None,
            "care_changes": [], "version": 0}


def fold(doc: dict | None, event, household_id: str, *, sort_key=natural_key) -> dict | None:
    """The household's state after `event`, or None when the event changes nothing (old or seen before)."""
    state = {**empty(household_id), **(doc or {})}
    state["care_changes"] = list(state["care_changes"])
    before = _comparable(state)
    at = event_time(event)
    data = event.data
    kind = event.type
    if kind == "grid.redrawn":
        _place(state, at, event.community_id, data["to_grid_id"])
    elif kind == "household.moved":
        _place(state, at, data["to_community_id"], data["to_grid_id"])
        _address(state, at, data["address"], sort_key)
    else:
        _place(state, at, event.community_id, event.grid_id)
    if kind in SNAPSHOTS and newer(at, state["snapshot_at"]):
        state["snapshot_at"] = at
        state["known"] = True
        state["residency"] = data["residency"]
        state["residents"] = [{"resident_id": r["resident_id"], "name": r["name"], "gender": r.get("gender"),
                               "birth_year": r.get("birth_year"), "relation": r.get("relation"),
                               "base_tags": sorted(r.get("care_tags") or [])} for r in data["residents"]]
        state["care_changes"] = [c for c in state["care_changes"] if not_older(aware(c["at"]), at)]
        _address(state, at, data["address"], sort_key)
    elif kind in CARE_EVENTS and not_older(at, state["snapshot_at"]):
        if all(c["event_id"] != event.id for c in state["care_changes"]):
            state["care_changes"].append({"event_id": event.id, "resident_id": data["resident_id"],
                                          "tag": data["tag"], "flagged": kind == "resident.care_flagged", "at": at})
    elif kind == "household.left" and state["status"] != "left":
        state["status"] = "left"
        state["left_at"] = at
    _apply_care(state)
    return None if _comparable(state) == before else state


def _place(state: dict, at, community_id, grid_id) -> None:
    if grid_id and newer(at, state["placed_at"]):
        state["placed_at"] = at
        state["grid_id"] = grid_id
        state["community_id"] = community_id or state["community_id"]


def _address(state: dict, at, address: dict, sort_key) -> None:
    if newer(at, state["address_at"]):
        state["address_at"] = at
        state["address"] = {"building": address.get("building"), "unit": address.get("unit"),
                            "room": address.get("room")}
        state["label"] = label(address)
        state["address_sort"] = sort_key(address.get("building"), address.get("unit"), address.get("room"))


def _apply_care(state: dict) -> None:
    changes = sorted(state["care_changes"], key=lambda c: aware(c["at"]))
    for resident in state["residents"]:
        tags = set(resident.get("base_tags") or [])
        for c in changes:
            if c["resident_id"] == resident["resident_id"]:
                (tags.add if c["flagged"] else tags.discard)(c["tag"])
        resident["care_tags"] = sorted(tags)
    state["care"] = any(r["care_tags"] for r in state["residents"])


def _comparable(state: dict) -> tuple:
    return tuple(repr(state.get(k)) for k in ("community_id", "grid_id", "address", "residency", "residents",
                                               "status", "known", "care_changes", "care"))
