"""The volunteers service's copy of the households register, kept from its events: grids, households (place,
residents, status), each community's resident count (for the 10% target) and residents' care flags.

Events arrive twice or out of order: each part of a copy carries the time of the event it came from, and only a
newer event changes it (shared.register_copy).
"""
from datetime import datetime

import mongoengine as me

from services.volunteers.models import CareState, CommunityCopy, GridCopy
from services.volunteers.rules import is_stale
from shared.clock import aware, now
from shared.register_copy import event_time, set_unless_newer


def community_copy(community_id: str) -> CommunityCopy:
    """The community as known here (an unsaved blank one when no event named it yet)."""
    return CommunityCopy.objects(pk=community_id).first() or CommunityCopy(id=community_id)


def _households():
    return me.get_db()["household_copies"]


def _apply_household(household_id: str, aspect: str, at: datetime, fields: dict) -> bool:
    """Set one aspect (place, residents, status) of a household copy unless a newer event already did."""
    return set_unless_newer(_households(), household_id, {**fields, "as_of": at}, stamp=f"{aspect}_as_of", at=at)


def recount_community(*, community_id: str) -> CommunityCopy:
    """Recount a community's residents and households from the copies (idempotent)."""
    # The changes seen before counting: a copy changed during the count leaves the community stale.
    seen = (CommunityCopy._get_collection().find_one({"_id": community_id}, {"changes": 1}) or {}).get("changes", 0)
    rows = list(_households().aggregate([
        {"$match": {"community_id": community_id, "status": "active"}},
        {"$group": {"_id": None, "residents": {"$sum": "$residents"}, "households": {"$sum": 1}}}]))
    residents, households = (rows[0]["residents"], rows[0]["households"]) if rows else (0, 0)
    set_unless_newer(CommunityCopy._get_collection(), community_id,
                     {"residents": residents, "households": households, "refreshed_at": now()},
                     stamp="counted_changes", at=seen, ties_win=True)
    return CommunityCopy.objects.get(pk=community_id)


def counted(community_id: str) -> CommunityCopy:
    """The community with its resident count up to date (recounted now if its copies changed since)."""
    c = community_copy(community_id)
    if is_stale(c.changes, c.counted_changes):
        return recount_community(community_id=community_id)
    return c


def _mark_changed(community_ids) -> None:
    """Note that these communities' copies changed; their counts are recounted once per burst, not per event."""
    for community_id in filter(None, community_ids):
        CommunityCopy._get_collection().update_one({"_id": community_id}, {"$inc": {"changes": 1}}, upsert=True)


def recount_stale() -> int:
    """Recount the communities whose copies changed since their last recount; return how many."""
    stale = [row["_id"] for row in CommunityCopy._get_collection().find({}, {"changes": 1, "counted_changes": 1})
             if is_stale(row.get("changes"), row.get("counted_changes"))]
    for community_id in stale:
        recount_community(community_id=community_id)
    return len(stale)


def recount_all() -> None:
    """Recount every community (a periodic safety net)."""
    known = set(CommunityCopy.objects.scalar("id")) | set(_households().distinct("community_id"))
    for community_id in known:
        recount_community(community_id=community_id)


def on_register_event(event) -> None:
    """Keep grids, household copies and community resident counts from households events."""
    data, at = event.data, event_time(event)
    touched = {event.community_id}
    if event.type == "grid.created":
        GridCopy.objects(pk=data["grid_id"]).update_one(set__community_id=data["community_id"],
                                                        set__name=data["name"], upsert=True)
        CommunityCopy.objects(pk=data["community_id"]).update_one(set_on_insert__residents=0, upsert=True)
        touched = {data["community_id"]}
    elif event.type in ("household.registered", "household.updated"):
        hid = data["household_id"]
        _apply_household(hid, "place", at, {"community_id": event.community_id, "grid_id": event.grid_id})
        _apply_household(hid, "residents", at, {"residents": len(data["residents"])})
        if event.type == "household.registered":
            _apply_household(hid, "status", at, {"status": "active"})
    elif event.type == "household.moved":
        _apply_household(data["household_id"], "place", at,
                         {"community_id": data["to_community_id"], "grid_id": data["to_grid_id"]})
        touched |= {data["from_community_id"], data["to_community_id"]}
    elif event.type == "household.left":
        _apply_household(data["household_id"], "status", at, {"status": "left"})
    elif event.type == "grid.redrawn":
        community = community_of_grid(data["to_grid_id"], default=event.community_id)
        touched |= set(_households().distinct("community_id", {"_id": {"$in": data["household_ids"]}}))
        for hid in data["household_ids"]:
            _apply_household(hid, "place", at, {"community_id": community, "grid_id": data["to_grid_id"]})
        touched.add(community)
    _mark_changed(touched)


def community_of_grid(grid_id: str, *, default: str | None) -> str | None:
    """The community a grid lies in, as known here (`default` for a grid not known yet)."""
    grid = GridCopy.objects(pk=grid_id).first()
    return grid.community_id if grid else default


def care_flag_is_newest(*, resident_id: str, tag: str, flagged: bool, at: datetime) -> bool:
    """Record a care flag or clear unless a newer one was seen; True when this one is the newest (or a redelivery)."""
    key = f"{resident_id}|{tag}"
    if set_unless_newer(CareState._get_collection(), key, {"flagged": flagged}, stamp="as_of", at=at):
        return True
    row = CareState._get_collection().find_one({"_id": key})
    return row is not None and aware(row["as_of"]) == at and row["flagged"] == flagged
