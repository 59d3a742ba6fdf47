"""Households: registered, edited, moved, leaving, their residents' care tags, and the fields derived from them."""
import uuid
from datetime import date, datetime

import mongoengine as me

from services.households import events, lookup, rules
from services.households.models import Address, CareTag, Grid, HistoryEntry, Household, Resident
from services.households.service.access import grid_in_scope, household_in_scope
from services.households.service.network import drop_from_network
from services.households.service.visits import follow_household
from shared import clock
from shared.clock import now
from shared.db import text_match
from shared.errors import Conflict, Invalid, NotFound
from shared.identity import Principal
from shared.messaging.outbox import commit
from shared.reasons import households as reasons
from shared.reasons.common import CHANGED_MEANWHILE


def _residents(rows: list[dict], existing: list[Resident] = ()) -> list[Resident]:
    known = {r.resident_id: r for r in existing}
    out = []
    for row in rows:
        rid = row.get("resident_id")
        if rid and rid not in known:
            raise Invalid(reasons.NOT_A_RESIDENT_HERE(resident_id=rid), field="residents")
        tags = [CareTag(**t) for t in row.get("care_tags", [])]
        stored = known.get(rid)
        if stored and not row.get("care_tags"):
            tags = stored.care_tags  # care tags change through flag/clear, not through an edit
        # Left out on an edit, what the editor only saw masked (birth date, ID number, phone) is kept.
        kept = {k: row.get(k) if k in row or not stored else getattr(stored, k)
                for k in ("birth_date", "id_number", "phone", "permit_number")}
        floating = {k: row.get(k) for k in ("hukou_place", "permit_expires_on", "arrived_on", "stay_months")}
        out.append(Resident(resident_id=rid or uuid.uuid4().hex[:12], name=row["name"], gender=row.get("gender"),
                            relation=row["relation"], care_tags=tags, **kept, **floating))
    return out


def _only_floating_keep_permits(h: Household) -> None:
    """A household that is not (or no longer) floating keeps no permit, place of registration or stay."""
    if h.residency != "floating":
        for r in h.residents:
            r.hukou_place = r.permit_number = r.permit_expires_on = r.arrived_on = r.stay_months = None


def index_fields(h: Household) -> None:
    """Derived fields: sort key, unique address key, search text (no numbers), look-up hashes, care flag."""
    a = h.address
    h.address_sort = rules.natural_key(a.building, a.unit, a.room)
    h.active_address = rules.active_address(h.grid_id, h.address_sort) if h.status == "active" else None
    h.search_text = rules.search_text(address=a, names=[r.name for r in h.residents])
    h.lookup_keys = lookup.household_keys(h)
    h.lookup_keyed_with = lookup.key_id()
    h.care = bool(rules.care_tags_on(h.residents, clock.today()))


def backfill_derived_fields(*, batch: int = 500) -> int:
    """Give households stored by an older version, or hashed with another key, their derived fields; how many."""
    # the search text and look-up hashes: what an older version or another LOOKUP_HMAC_KEY derived is redone
    collection = Household._get_collection()
    current = lookup.key_id()
    changed = 0
    while True:
        docs = list(collection.find({"lookup_keyed_with": {"$ne": current}},
                                    {"address": 1, "phone": 1, "residents.name": 1, "residents.id_number": 1,
                                     "residents.phone": 1, "residents.permit_number": 1, "version": 1}, limit=batch))
        step = 0
        for doc in docs:
            # matched on the version read: an edit landing meanwhile derived its own fields and wins
            result = collection.update_one({"_id": doc["_id"], "version": doc.get("version")}, {"$set": {
                "search_text": rules.search_text(address=doc.get("address") or {},
                                           names=[r.get("name") for r in doc.get("residents") or []]),
                "lookup_keys": lookup.household_keys(doc), "lookup_keyed_with": current}})
            step += result.modified_count
        changed += step
        if len(docs) < batch or not step:  # not step: another process derives with another key; do not spin
            return changed


def record_history(h: Household, actor: Principal, action: str, **detail) -> None:
    """Add an entry to the household's history and stamp who changed it when."""
    h.history.append(HistoryEntry(at=now(), action=action, by=actor.user_id, detail=detail))
    h.updated_at = now()
    h.updated_by = actor.user_id


def _save(h: Household, *evts) -> Household:
    try:
        return commit(h, *evts)
    except me.NotUniqueError:
        raise Conflict(reasons.ADDRESS_TAKEN(), field="address") from None


def new_household(*, actor: Principal, grid: Grid, data: dict, **history) -> tuple[Household, list]:
    """A household built for registration in `grid`, and the events its registration raises."""
    h = Household(community_id=grid.community_id, grid_id=grid.pk, address=Address(**data["address"]),
                  residency=data["residency"], phone=data.get("phone"), moved_in_on=data.get("moved_in_on"),
                  residents=_residents(data["residents"]), created_by=actor.user_id)
    index_fields(h)
    record_history(h, actor, "registered", grid_id=grid.pk, **history)
    flagged = [events.care_changed(h, r, t, flagged=True) for r in h.residents for t in r.care_tags]
    return h, [events.household_registered(h), *flagged]


def register_household(*, actor: Principal, data: dict) -> Household:
    """Register a household in a grid; a full grid is reported, never refused."""
    grid = grid_in_scope(actor, data["grid_id"], "register.write")
    h, raised = new_household(actor=actor, grid=grid, data=data)
    return _save(h, *raised)


def get_household(*, actor: Principal, household_id: str) -> Household:
    """A household, masked."""
    return household_in_scope(actor, household_id)


def list_households(*, actor: Principal, grid_id=None, community_id=None, q=None, care_tag=None,
                    status="active", page=1, page_size=50) -> dict:
    """A page of households in a grid or community, sorted by address."""
    actor.require("register.read")
    if grid_id:
        where = me.Q(grid_id=grid_in_scope(actor, grid_id).pk)
    else:
        if not actor.covers(community_id=community_id, grid_id=None):
            raise NotFound(reasons.COMMUNITY_NOT_FOUND(), field="community_id")
        where = me.Q(community_id=community_id)
    where &= me.Q(status=status)
    raw = {}
    if q:
        raw["search_text"] = text_match(q.lower())
    if care_tag:
        actor.require("care.read")
        today = datetime.combine(clock.today(), datetime.min.time())
        raw["residents.care_tags"] = {"$elemMatch": {"tag": care_tag, "$or": [
            {"until": None}, {"until": {"$gt": today}}]}}
    query = Household.objects(where).filter(__raw__=raw) if raw else Household.objects(where)
    # One round trip for the page and the total; raw rows, since building documents is the cost of a list.
    [result] = Household.objects.aggregate([
        {"$match": query._query},
        {"$facet": {"total": [{"$count": "n"}],
                    "items": [{"$sort": {"address_sort": 1}}, {"$skip": (page - 1) * page_size}, {"$limit": page_size},
                              {"$project": {f: 0 for f in ("history", "outbox", "outbox_pending", "search_text",
                                                           "active_address")}}]}}])
    items = [{**row, "id": str(row["_id"])} for row in result["items"]]
    total = result["total"][0]["n"] if result["total"] else 0
    return {"items": items, "total": total, "page": page, "page_size": page_size}


def update_household(*, actor: Principal, household_id: str, data: dict) -> Household:
    """Edit address, residency, contact and residents; the version must be the one read."""
    h = household_in_scope(actor, household_id, "register.write")
    if h.status != "active":
        raise Conflict(reasons.LEFT_NO_EDIT())
    if data["version"] != h.version:
        raise Conflict(CHANGED_MEANWHILE(), field="version")
    h.address = Address(**data["address"])
    h.residency = data["residency"]
    if "phone" in data:
        h.phone = data["phone"]
    h.moved_in_on = data.get("moved_in_on")
    h.residents = _residents(data["residents"], h.residents)
    _only_floating_keep_permits(h)
    index_fields(h)
    record_history(h, actor, "updated")
    _save(h, events.household_updated(h))
    drop_from_network(household_id=str(h.pk))  # a building head now living in another building heads it no more
    return h


def move_household(*, actor: Principal, household_id: str, to_grid_id: str, version: int,
                   address: dict | None = None, reason: str | None = None) -> Household:
    """Move a household to another grid; its history goes with it."""
    h = household_in_scope(actor, household_id, "register.write")
    target = grid_in_scope(actor, to_grid_id, "register.write")
    if h.status != "active":
        raise Conflict(reasons.LEFT())
    if target.pk == h.grid_id:
        raise Invalid(reasons.ALREADY_IN_GRID(), field="to_grid_id")
    if version != h.version:
        raise Conflict(CHANGED_MEANWHILE(), field="version")
    from_grid, from_community = h.grid_id, h.community_id
    h.grid_id, h.community_id = target.pk, target.community_id
    if address:
        h.address = Address(**address)
    index_fields(h)
    record_history(h, actor, "moved", from_grid_id=from_grid, to_grid_id=target.pk, reason=reason)
    _save(h, events.household_moved(h, from_grid_id=from_grid, from_community_id=from_community))
    follow_household(household_ids=[str(h.pk)])  # its open follow-ups too (the worker repeats it on the event)
    drop_from_network(household_id=str(h.pk))  # out of its old grid's ten-household group (so does the worker)
    return h


def household_left(*, actor: Principal, household_id: str, moved_out_on: date, version: int,
                   reason: str | None = None) -> Household:
    """Record that a household moved out of the district; it stays on file, marked left."""
    h = household_in_scope(actor, household_id, "register.write")
    if h.status != "active":
        raise Conflict(reasons.ALREADY_LEFT())
    if version != h.version:
        raise Conflict(CHANGED_MEANWHILE(), field="version")
    if moved_out_on > clock.today():
        raise Invalid(reasons.IN_THE_FUTURE(), field="moved_out_on")
    h.status = "left"
    h.moved_out_on = moved_out_on
    index_fields(h)
    record_history(h, actor, "left", reason=reason)
    _save(h, events.household_left(h, reason))
    drop_from_network(household_id=str(h.pk))  # out of its ten-household group (so does the worker)
    return h


def _resident(h: Household, resident_id: str) -> Resident:
    for r in h.residents:
        if r.resident_id == resident_id:
            return r
    raise NotFound(reasons.RESIDENT_NOT_FOUND(resident_id=resident_id))


def flag_care(*, actor: Principal, household_id: str, resident_id: str, tag: str, since=None,
              note=None) -> Household:
    """Put a resident on a special-care list (重点关爱对象)."""
    h = household_in_scope(actor, household_id, "register.write")
    resident = _resident(h, resident_id)
    today = clock.today()
    if any(t.tag == tag and t.active_on(today) for t in resident.care_tags):
        raise Conflict(reasons.ALREADY_CARRIES(tag=tag), field="tag")
    care_tag = CareTag(tag=tag, since=since or today, note=note)
    resident.care_tags.append(care_tag)
    index_fields(h)
    record_history(h, actor, "care_flagged", resident_id=resident_id, tag=tag)
    return _save(h, events.care_changed(h, resident, care_tag, flagged=True))


def clear_care(*, actor: Principal, household_id: str, resident_id: str, tag: str, until=None) -> Household:
    """End a resident's special-care tag; the record of it is kept."""
    h = household_in_scope(actor, household_id, "register.write")
    resident = _resident(h, resident_id)
    today = clock.today()
    active = [t for t in resident.care_tags if t.tag == tag and t.active_on(today)]
    if not active:
        raise NotFound(reasons.CARRIES_NO(tag=tag), field="tag")
    care_tag = active[0]
    care_tag.until = until or today
    if care_tag.since and care_tag.until < care_tag.since:
        raise Invalid(reasons.BEFORE_TAG_START(), field="until")
    index_fields(h)
    record_history(h, actor, "care_cleared", resident_id=resident_id, tag=tag)
    return _save(h, events.care_changed(h, resident, care_tag, flagged=False))
