"""Use cases of the grid register: the only place that changes documents and raises events."""
import uuid
from datetime import date, datetime, timedelta

import mongoengine as me
from bson import ObjectId

from services.households import events, lookup, rules
from services.households.config import SETTINGS
from services.households.models import (
    Address,
    CareTag,
    Community,
    Grid,
    GridSummary,
    HistoryEntry,
    Household,
    Redraw,
    Resident,
    RevealRecord,
    Street,
    Visit,
)
from shared import clock
from shared.clock import now
from shared.db import text_match
from shared.errors import Conflict, Forbidden, Invalid, NotFound
from shared.identity import Principal
from shared.messaging.outbox import commit
from shared.reasons import households as reasons
from shared.reasons.common import CHANGED_MEANWHILE
from shared.register_copy import set_unless_newer
from shared.scope import load_in_scope

# ---- scope -------------------------------------------------------------------------------------

def grid_in_scope(actor: Principal, grid_id: str, permission: str = "register.read") -> Grid:
    """The grid if the caller may see it and holds `permission`, else 404 (on the field grid_id)."""
    return load_in_scope(Grid, grid_id, actor=actor, what="grid", permission=permission, field="grid_id")


def _household(actor: Principal, household_id: str, permission: str = "register.read") -> Household:
    return load_in_scope(Household, household_id, actor=actor, what="household", permission=permission)


def scope_query(actor: Principal, grid_field: str = "grid_id") -> me.Q:
    """The condition that keeps a list within the caller's grids and communities."""
    if actor.district_wide:
        return me.Q()
    return me.Q(**{f"{grid_field}__in": list(actor.grid_ids)}) | me.Q(community_id__in=list(actor.community_ids))


# ---- hierarchy ---------------------------------------------------------------------------------

def create_street(*, actor: Principal, data: dict) -> Street:
    """Add a street or town."""
    if actor.role != "admin":
        raise Forbidden(reasons.ONLY_ADMIN_STREETS())
    street = Street(**data)
    try:
        street.save(force_insert=True)
    except me.NotUniqueError:
        raise Conflict(reasons.STREET_EXISTS(id=data["id"]), field="id") from None
    return street


def create_community(*, actor: Principal, data: dict) -> Community:
    """Add a community or village under a street."""
    if actor.role != "admin":
        raise Forbidden(reasons.ONLY_ADMIN_COMMUNITIES())
    if not Street.objects(pk=data["street_id"]).first():
        raise Invalid(reasons.NO_SUCH_STREET(), field="street_id")
    community = Community(**data)
    try:
        community.save(force_insert=True)
    except me.NotUniqueError:
        raise Conflict(reasons.COMMUNITY_EXISTS(id=data["id"]), field="id") from None
    return community


def list_communities(*, actor: Principal) -> list[Community]:
    """Communities the caller can see."""
    actor.require("register.figures")
    query = Community.objects.order_by("id")
    if actor.district_wide:
        return list(query)
    grid_communities = Grid.objects(pk__in=list(actor.grid_ids)).distinct("community_id")
    return list(query.filter(pk__in=list(set(actor.community_ids) | set(grid_communities))))


def create_grid(*, actor: Principal, data: dict) -> Grid:
    """Draw a new grid in a community."""
    actor.require("grids.manage")
    if not actor.covers(community_id=data["community_id"], grid_id=None):
        raise NotFound(reasons.COMMUNITY_NOT_FOUND(), field="community_id")
    if not Community.objects(pk=data["community_id"]).first():
        raise Invalid(reasons.NO_SUCH_COMMUNITY(), field="community_id")
    grid = Grid(**data, created_by=actor.user_id)
    try:
        commit(grid, events.grid_created(grid))
    except me.NotUniqueError:
        raise Conflict(reasons.GRID_EXISTS(id=data["id"]), field="id") from None
    GridSummary(id=grid.pk, community_id=grid.community_id).save()
    return grid


def list_grids(*, actor: Principal, community_id: str | None = None) -> list[dict]:
    """Grids in scope with their size, band and overdue care visits."""
    actor.require("register.figures")
    where = scope_query(actor, grid_field="pk")
    if community_id:
        where &= me.Q(community_id=community_id)
    grids = Grid.objects(where)
    summaries = {s.pk: s for s in GridSummary.objects(pk__in=[g.pk for g in grids])}
    return [_grid_view(g, summaries.get(g.pk)) for g in grids.order_by("community_id", "id")]


def get_grid(*, actor: Principal, grid_id: str) -> dict:
    """One grid with its figures."""
    grid = load_in_scope(Grid, grid_id, actor=actor, what="grid", permission="register.figures")
    return _grid_view(grid, GridSummary.objects(pk=grid.pk).first())


def _grid_view(grid: Grid, summary: GridSummary | None) -> dict:
    count = summary.households if summary else 0
    return {"id": grid.pk, "name": grid.name, "community_id": grid.community_id, "worker_name": grid.worker_name,
            "households": count, "band": rules.band(count),
            "care_residents": dict(summary.care_residents) if summary else {},
            "care_households_overdue": summary.care_households_overdue if summary else 0}


# ---- households --------------------------------------------------------------------------------

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
                for k in ("birth_date", "id_number", "phone")}
        out.append(Resident(resident_id=rid or uuid.uuid4().hex[:12], name=row["name"], gender=row.get("gender"),
                            relation=row["relation"], care_tags=tags, **kept))
    return out


def _index_fields(h: Household) -> None:
    """Derived fields: sort key, unique address key, search text (no numbers), look-up hashes, care flag."""
    a = h.address
    h.address_sort = rules.natural_key(a.building, a.unit, a.room)
    h.active_address = rules.active_address(h.grid_id, h.address_sort) if h.status == "active" else None
    h.search_text = rules.search_text(address=a, names=[r.name for r in h.residents])
    h.lookup_keys = lookup.household_keys(h)
    h.lookup_keyed_with = lookup.key_id()
    h.care = bool(rules.care_tags_on(h.residents, clock.today()))


def backfill_derived_fields(*, batch: int = 500) -> int:
    """Give households stored by an older version, or hashed with another key, their search text and look-up
    hashes; returns how many changed."""
    collection = Household._get_collection()
    current = lookup.key_id()
    changed = 0
    while True:
        docs = list(collection.find({"lookup_keyed_with": {"$ne": current}},
                                    {"address": 1, "phone": 1, "residents.name": 1, "residents.id_number": 1,
                                     "residents.phone": 1, "version": 1}, limit=batch))
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


def _history(h: Household, actor: Principal, action: str, **detail) -> None:
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
    _index_fields(h)
    _history(h, actor, "registered", grid_id=grid.pk, **history)
    flagged = [events.care_changed(h, r, t, flagged=True) for r in h.residents for t in r.care_tags]
    return h, [events.household_registered(h), *flagged]


def register_household(*, actor: Principal, data: dict) -> Household:
    """Register a household in a grid; a full grid is reported, never refused."""
    grid = grid_in_scope(actor, data["grid_id"], "register.write")
    h, raised = new_household(actor=actor, grid=grid, data=data)
    return _save(h, *raised)


def get_household(*, actor: Principal, household_id: str) -> Household:
    """A household, masked."""
    return _household(actor, household_id)


def reveal_household(*, actor: Principal, household_id: str, reason: str) -> Household:
    """A household with ID numbers and phones in full; the look is recorded."""
    h = _household(actor, household_id, "register.reveal")
    RevealRecord(household_id=str(h.pk), grid_id=h.grid_id, user_id=actor.user_id, role=actor.role,
                 reason=reason).save()
    return h


def lookup_households(*, actor: Principal, number: str, reason: str, grid_id: str | None = None) -> list[Household]:
    """Households in scope (or in one grid) holding this full ID number or phone; each find is recorded."""
    actor.require("register.reveal")
    where = me.Q(grid_id=grid_in_scope(actor, grid_id, "register.reveal").pk) if grid_id else scope_query(actor)
    found = list(Household.objects(where & me.Q(lookup_keys=lookup.lookup_key(number)))
                 .exclude("history", "outbox").order_by("status", "address_sort"))
    for h in found:
        RevealRecord(household_id=str(h.pk), grid_id=h.grid_id, user_id=actor.user_id, role=actor.role,
                     reason=reason, kind="lookup").save()
    return found


def reveal_records(*, actor: Principal, household_id: str) -> list[RevealRecord]:
    """Who looked at this household's personal data, newest first."""
    h = _household(actor, household_id, "register.reveal")
    return list(RevealRecord.objects(household_id=str(h.pk)).order_by("-at"))


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
    h = _household(actor, household_id, "register.write")
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
    _index_fields(h)
    _history(h, actor, "updated")
    return _save(h, events.household_updated(h))


def move_household(*, actor: Principal, household_id: str, to_grid_id: str, version: int,
                   address: dict | None = None, reason: str | None = None) -> Household:
    """Move a household to another grid; its history goes with it."""
    h = _household(actor, household_id, "register.write")
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
    _index_fields(h)
    _history(h, actor, "moved", from_grid_id=from_grid, to_grid_id=target.pk, reason=reason)
    return _save(h, events.household_moved(h, from_grid_id=from_grid, from_community_id=from_community))


def household_left(*, actor: Principal, household_id: str, moved_out_on: date, version: int,
                   reason: str | None = None) -> Household:
    """Record that a household moved out of the district; it stays on file, marked left."""
    h = _household(actor, household_id, "register.write")
    if h.status != "active":
        raise Conflict(reasons.ALREADY_LEFT())
    if version != h.version:
        raise Conflict(CHANGED_MEANWHILE(), field="version")
    if moved_out_on > clock.today():
        raise Invalid(reasons.IN_THE_FUTURE(), field="moved_out_on")
    h.status = "left"
    h.moved_out_on = moved_out_on
    _index_fields(h)
    _history(h, actor, "left", reason=reason)
    return _save(h, events.household_left(h, reason))


def _resident(h: Household, resident_id: str) -> Resident:
    for r in h.residents:
        if r.resident_id == resident_id:
            return r
    raise NotFound(reasons.RESIDENT_NOT_FOUND(resident_id=resident_id))


def flag_care(*, actor: Principal, household_id: str, resident_id: str, tag: str, since=None,
              note=None) -> Household:
    """Put a resident on a special-care list (重点关爱对象)."""
    h = _household(actor, household_id, "register.write")
    resident = _resident(h, resident_id)
    today = clock.today()
    if any(t.tag == tag and t.active_on(today) for t in resident.care_tags):
        raise Conflict(reasons.ALREADY_CARRIES(tag=tag), field="tag")
    care_tag = CareTag(tag=tag, since=since or today, note=note)
    resident.care_tags.append(care_tag)
    _index_fields(h)
    _history(h, actor, "care_flagged", resident_id=resident_id, tag=tag)
    return _save(h, events.care_changed(h, resident, care_tag, flagged=True))


def clear_care(*, actor: Principal, household_id: str, resident_id: str, tag: str, until=None) -> Household:
    """End a resident's special-care tag; the record of it is kept."""
    h = _household(actor, household_id, "register.write")
    resident = _resident(h, resident_id)
    today = clock.today()
    active = [t for t in resident.care_tags if t.tag == tag and t.active_on(today)]
    if not active:
        raise NotFound(reasons.CARRIES_NO(tag=tag), field="tag")
    care_tag = active[0]
    care_tag.until = until or today
    if care_tag.since and care_tag.until < care_tag.since:
        raise Invalid(reasons.BEFORE_TAG_START(), field="until")
    _index_fields(h)
    _history(h, actor, "care_cleared", resident_id=resident_id, tag=tag)
    return _save(h, events.care_changed(h, resident, care_tag, flagged=False))


# ---- visits ------------------------------------------------------------------------------------

def log_visit(*, actor: Principal, household_id: str, data: dict) -> tuple[Visit, bool]:
    """Log a visit; a resend with the same client_id returns the stored one. Returns (visit, created)."""
    h = _household(actor, household_id, "visits.write")
    if data.get("client_id"):
        stored = Visit.objects(client_id=data["client_id"]).first()
        if stored:
            if stored.household_id != str(h.pk):
                raise Conflict(reasons.CLIENT_ID_TAKEN(), field="client_id")
            return stored, False
    if data["visited_at"] > clock.now() + timedelta(minutes=10):
        raise Invalid(reasons.IN_THE_FUTURE(), field="visited_at")
    visit = Visit(household_id=str(h.pk), community_id=h.community_id, grid_id=h.grid_id,
                  visitor_id=actor.user_id, visitor_name=actor.name, **data)
    try:
        commit(visit, events.visit_logged(visit))
    except me.NotUniqueError:
        return Visit.objects(client_id=data["client_id"]).first(), False
    return visit, True


def list_visits(*, actor: Principal, household_id: str) -> list[Visit]:
    """A household's visits, newest first."""
    h = _household(actor, household_id)
    return list(Visit.objects(household_id=str(h.pk)).exclude("outbox").order_by("-visited_at"))


def overdue_visits(*, actor: Principal, grid_id: str) -> list[dict]:
    """Care households in a grid not visited within the cadence, longest-waiting first."""
    return _overdue(grid_in_scope(actor, grid_id, "care.read").pk)


def _overdue(grid_id: str) -> list[dict]:
    today, at = clock.today(), clock.now()
    care = list(Household.objects(grid_id=grid_id, status="active", care=True)
                .only("id", "address", "residents").order_by("address_sort"))
    last = {row["_id"]: row["last"] for row in Visit.objects(household_id__in=[str(h.pk) for h in care])
            .aggregate([{"$group": {"_id": "$household_id", "last": {"$max": "$visited_at"}}}])}
    out = []
    for h in care:
        seen = clock.aware(last.get(str(h.pk)))
        if rules.overdue(seen, at=at, cadence_days=SETTINGS.VISIT_CADENCE_DAYS):
            out.append({"household_id": str(h.pk), "address": h.address,
                        "care_tags": rules.care_tags_on(h.residents, today), "last_visited_at": seen,
                        "days_since": rules.days_since(seen, at=at)})
    return rules.longest_waiting_first(out)


def open_follow_ups(*, actor: Principal, grid_id: str) -> list[Visit]:
    """Visits whose follow-up is still to be done, oldest first."""
    grid = grid_in_scope(actor, grid_id)
    return list(Visit.objects(grid_id=grid.pk, follow_up_needed=True, follow_up_done_at=None)
                .exclude("outbox").order_by("visited_at"))


def complete_follow_up(*, actor: Principal, visit_id: str) -> Visit:
    """Mark a visit's follow-up as done."""
    visit = load_in_scope(Visit, visit_id, actor=actor, what="visit", permission="visits.write")
    if not visit.follow_up_needed or visit.follow_up_done_at:
        raise Conflict(reasons.NO_OPEN_FOLLOW_UP())
    visit.follow_up_done_at = now()
    return commit(visit)


# ---- redraw ------------------------------------------------------------------------------------

def redraw(*, actor: Principal, grid_id: str, to_grid_id: str, buildings: list[str], household_ids: list[str],
           reason: str, new_grid_name: str | None = None) -> Redraw:
    """Move buildings or households to another (or a new) grid in one operation."""
    source = grid_in_scope(actor, grid_id, "grids.manage")
    target = Grid.objects(pk=to_grid_id).first()
    if target is None:
        if not new_grid_name:
            raise NotFound(reasons.NO_GRID_GIVE_NAME(), field="to_grid_id")
    elif not actor.covers(community_id=target.community_id, grid_id=target.pk):
        raise NotFound(reasons.NO_SUCH_GRID(), field="to_grid_id")
    if to_grid_id == source.pk:
        raise Invalid(reasons.SAME_GRID(), field="to_grid_id")
    chosen = Household.objects(grid_id=source.pk, status="active").filter(
        me.Q(address__building__in=buildings) | me.Q(pk__in=[ObjectId(i) for i in household_ids if ObjectId.is_valid(i)]))
    moving = list(chosen.only("id", "address_sort"))
    found = {str(h.pk) for h in moving}
    missing = [i for i in household_ids if i not in found]
    if missing:
        raise Invalid(reasons.NOT_ACTIVE_IN_GRID(id=source.pk, list=", ".join(missing[:10])), field="household_ids")
    if not moving:
        raise Invalid(reasons.NONE_IN_BUILDINGS(), field="buildings")
    clashes = Household.objects(active_address__in=[rules.active_address(to_grid_id, h.address_sort)
                                                    for h in moving]).count()
    if clashes:
        raise Conflict(reasons.ADDRESSES_TAKEN(n=clashes, id=to_grid_id), field="to_grid_id")
    if target is None:
        target = create_grid(actor=actor, data={"id": to_grid_id, "name": new_grid_name,
                                                "community_id": source.community_id})
    op = Redraw(from_grid_id=source.pk, to_grid_id=target.pk, household_ids=sorted(found), reason=reason,
                by=actor.user_id)
    commit(op, events.grid_redrawn(op, target.community_id))
    return apply_redraw(redraw_id=str(op.pk))


def apply_redraw(*, redraw_id: str) -> Redraw:
    """Carry out a stored redraw; safe to run again after a crash part-way."""
    op = Redraw.objects(pk=ObjectId(redraw_id)).first()
    target = Grid.objects(pk=op.to_grid_id).first()
    entry = HistoryEntry(at=now(), action="redrawn", by=op.by,
                         detail={"from_grid_id": op.from_grid_id, "to_grid_id": op.to_grid_id,
                                 "redraw_id": redraw_id}).to_mongo()
    for h in Household.objects(pk__in=[ObjectId(i) for i in op.household_ids], grid_id=op.from_grid_id) \
            .only("id", "address_sort"):
        Household._get_collection().update_one(
            {"_id": h.pk, "grid_id": op.from_grid_id},
            {"$set": {"grid_id": target.pk, "community_id": target.community_id,
                      "active_address": rules.active_address(target.pk, h.address_sort), "updated_at": now(), "updated_by": op.by},
             "$push": {"history": entry}, "$inc": {"version": 1}})
    Redraw.objects(pk=op.pk).update_one(set__status="applied")
    op.reload()
    return op


# ---- read model --------------------------------------------------------------------------------

def refresh_summary(*, grid_id: str, unless_refreshed_after=None) -> GridSummary | None:
    """Recount a grid's households, care residents and overdue visits (idempotent)."""
    started = now()  # stamped with the start: a write landing during a slow recount must not be skipped later
    grid = Grid.objects(pk=grid_id).first()
    if grid is None:
        return None
    if unless_refreshed_after is not None:
        current = GridSummary.objects(pk=grid_id).first()
        if current and current.refreshed_at and current.refreshed_at >= unless_refreshed_after:
            return current
    today = clock.today()
    households = Household.objects(grid_id=grid_id, status="active")
    care: dict[str, int] = {}
    for h in households.filter(care=True).only("residents"):
        for r in h.residents:
            for tag in {t.tag for t in r.care_tags if t.active_on(today)}:
                care[tag] = care.get(tag, 0) + 1
    counts = {"community_id": grid.community_id, "households": households.count(), "care_residents": care,
              "care_households_overdue": len(_overdue(grid_id))}
    # the periodic recount and the event handler overlap: one that started earlier must not overwrite
    set_unless_newer(GridSummary._get_collection(), grid_id, counts, stamp="refreshed_at", at=started, ties_win=True)
    return GridSummary.objects(pk=grid_id).first()
