"""The four-in-one network (居委会、居民小组、楼栋长、网格员) and ten-household groups (十联户) kept in the register.

- residents' groups (居民小组): per community, numbered, the buildings or households they cover, a leader;
- building heads (楼栋长): one per building of a grid, a resident there (or a name) with a phone, masked;
- ten-household groups: neighbouring households of one grid with a lead household (联户长) among them; a household
  is in at most one group, and drops out when it leaves or moves to another grid (`drop_from_groups`).
Building heads and ten-household groups raise events (names and ids, never phones) that drills keep for roll-calls.
"""
import mongoengine as me
from bson import ObjectId
from pymongo.errors import DuplicateKeyError

from services.households import events, rules
from services.households.config import SETTINGS
from services.households.models import (
    BuildingHead,
    Community,
    Grid,
    Household,
    ResidentsGroup,
    RevealRecord,
    TenHouseholdGroup,
)
from services.households.service.access import grid_in_scope, household_in_scope
from shared.clock import now
from shared.errors import Conflict, Invalid, NotFound
from shared.identity import Principal
from shared.messaging.outbox import ConcurrentChange, commit
from shared.reasons import households as reasons
from shared.reasons.common import CHANGED_MEANWHILE
from shared.scope import load_in_scope

GROUP_MIN = 2  # a group of one watches nobody


def label(address) -> str:
    """1栋2单元101."""
    return "".join(p for p in (address.building, address.unit, address.room) if p)


def _active(grid_id: str, **where) -> list[Household]:
    return list(Household.objects(grid_id=grid_id, status="active", **where).only("id", "address", "address_sort",
                                                                                  "residents", "phone"))


# ---- reading ---------------------------------------------------------------------------------------------

def grid_network(*, actor: Principal, grid_id: str, building: str | None = None) -> dict:
    """A grid's buildings with their heads, its ten-household groups and its community's residents' groups;
    with `building`, that building's households and the group each is in (to form groups)."""
    grid = grid_in_scope(actor, grid_id)
    homes = list(Household.objects(grid_id=grid.pk, status="active").only("id", "address", "address_sort",
                                                                          "residents.resident_id", "residents.name")
                 .order_by("address_sort"))
    labels = {str(h.pk): label(h.address) for h in homes}
    heads = {h.building: h for h in BuildingHead.objects(grid_id=grid.pk, removed=False).exclude("outbox")}
    groups = list(TenHouseholdGroup.objects(grid_id=grid.pk, dissolved=False).exclude("outbox").order_by("name"))
    group_of = {hid: g for g in groups for hid in g.household_ids}
    residents_groups = list(ResidentsGroup.objects(community_id=grid.community_id).order_by("number"))
    counts: dict[str, int] = {}
    for h in homes:
        counts[h.address.building] = counts.get(h.address.building, 0) + 1
    buildings = [{"building": b, "households": n, "head": heads.get(b),
                  "residents_group": next((r.name for r in residents_groups if b in r.buildings), None)}
                 for b, n in sorted(counts.items(), key=lambda kv: rules.natural_key(kv[0]))]
    out = {"grid_id": grid.pk, "name": grid.name, "community_id": grid.community_id, "buildings": buildings,
           "building_heads": [heads[b["building"]] for b in buildings if b["head"]],
           "ten_groups": [_group_view(g, labels) for g in groups], "residents_groups": residents_groups,
           "households_total": len(homes), "households_grouped": sum(1 for h in homes if str(h.pk) in group_of),
           "max_group": SETTINGS.TEN_GROUP_MAX_HOUSEHOLDS, "households": []}
    if building:
        out["households"] = [{"household_id": str(h.pk), "label": labels[str(h.pk)],
                              "group_id": str(group_of[str(h.pk)].pk) if str(h.pk) in group_of else None,
                              "group_name": group_of[str(h.pk)].name if str(h.pk) in group_of else None,
                              "residents": [{"resident_id": r.resident_id, "name": r.name} for r in h.residents]}
                             for h in homes if h.address.building == building]
    return out


def _group_view(g: TenHouseholdGroup, labels: dict[str, str]) -> dict:
    return {"id": str(g.pk), "grid_id": g.grid_id, "name": g.name, "household_ids": list(g.household_ids),
            "members": [{"household_id": i, "label": labels.get(i)} for i in g.household_ids],
            "lead_household_id": g.lead_household_id, "lead_label": labels.get(g.lead_household_id),
            "dissolved": g.dissolved, "version": g.version}


def household_network(*, actor: Principal, household_id: str) -> dict:
    """A household's place in the network: its residents' group, its building's head, its ten-household group."""
    h = household_in_scope(actor, household_id)
    hid, building = str(h.pk), h.address.building
    residents_group = (ResidentsGroup.objects(community_id=h.community_id, household_ids=hid).first()
                       or ResidentsGroup.objects(community_id=h.community_id, buildings=building).order_by("number")
                       .first())
    head = None
    group = None
    if h.status == "active":
        head = BuildingHead.objects(grid_id=h.grid_id, building=building, removed=False).exclude("outbox").first()
        group = TenHouseholdGroup.objects(household_ids=hid, dissolved=False, grid_id=h.grid_id) \
            .exclude("outbox").first()
    ten = None
    if group:
        ids = [ObjectId(i) for i in group.household_ids if ObjectId.is_valid(i)]
        labels = {str(x.pk): label(x.address) for x in Household.objects(pk__in=ids).only("id", "address")}
        ten = {**_group_view(group, labels), "is_lead": group.lead_household_id == hid}
    return {"household_id": hid, "building": building, "residents_group": residents_group, "building_head": head,
            "ten_group": ten}


# ---- building heads --------------------------------------------------------------------------------------

def set_building_head(*, actor: Principal, grid_id: str, building: str, resident_id: str | None = None,
                      name: str | None = None, phone: str | None = None) -> BuildingHead:
    """Name a building's head (楼栋长): a resident of a household there, or a name, with a phone."""
    grid = grid_in_scope(actor, grid_id, "network.manage")
    in_building = _active(grid.pk, address__building=building)
    if not in_building:
        raise Invalid(reasons.BUILDING_NOT_IN_GRID(building=building), field="building")
    household_id = None
    if resident_id:
        found = [(h, r) for h in in_building for r in h.residents if r.resident_id == resident_id]
        if not found:
            raise Invalid(reasons.HEAD_NOT_IN_BUILDING(building=building), field="resident_id")
        home, resident = found[0]
        household_id, name = str(home.pk), name or resident.name
        phone = phone or resident.phone or home.phone
    if not name:
        raise Invalid(reasons.HEAD_NAME_NEEDED(), field="name")
    if not phone:
        raise Invalid(reasons.HEAD_PHONE_NEEDED(), field="phone")
    head = BuildingHead.objects(grid_id=grid.pk, building=building).first() or BuildingHead(
        community_id=grid.community_id, grid_id=grid.pk, building=building)
    head.name, head.phone, head.household_id, head.resident_id = name, phone, household_id, resident_id
    head.removed, head.updated_at, head.updated_by = False, now(), actor.user_id
    try:
        return commit(head, events.building_head_changed(head))
    except me.NotUniqueError:  # someone named this building's head at the same moment
        raise Conflict(CHANGED_MEANWHILE(), field="building") from None


def _head(actor: Principal, head_id: str, permission: str) -> BuildingHead:
    head = load_in_scope(BuildingHead, head_id, actor=actor, what="building head", permission=permission)
    if head.removed:
        raise NotFound(reasons.NO_BUILDING_HEAD(building=head.building))
    return head


def remove_building_head(*, actor: Principal, head_id: str) -> BuildingHead:
    """The building has no head any more (the record stays, so drills hear of it)."""
    head = _head(actor, head_id, "network.manage")
    head.removed, head.name, head.phone, head.household_id, head.resident_id = True, None, None, None, None
    head.updated_at, head.updated_by = now(), actor.user_id
    return commit(head, events.building_head_changed(head))


def reveal_building_head(*, actor: Principal, head_id: str, reason: str) -> BuildingHead:
    """A building head with the phone in full; the look is recorded like a household's reveal."""
    head = _head(actor, head_id, "register.reveal")
    RevealRecord(household_id=head.household_id or str(head.pk), grid_id=head.grid_id, user_id=actor.user_id,
                 role=actor.role, reason=reason, kind="network").save()
    return head


# ---- ten-household groups (十联户) ----------------------------------------------------------------------

def _check_members(grid: Grid, household_ids: list[str], lead_household_id: str | None,
                   group_id: str | None = None) -> None:
    if len(set(household_ids)) != len(household_ids):
        raise Invalid(reasons.GROUP_HOUSEHOLD_TWICE(), field="household_ids")
    if len(household_ids) < GROUP_MIN:
        raise Invalid(reasons.GROUP_TOO_SMALL(min=GROUP_MIN), field="household_ids")
    if len(household_ids) > SETTINGS.TEN_GROUP_MAX_HOUSEHOLDS:
        raise Invalid(reasons.GROUP_TOO_LARGE(max=SETTINGS.TEN_GROUP_MAX_HOUSEHOLDS), field="household_ids")
    ids = [ObjectId(i) for i in household_ids if ObjectId.is_valid(i)]
    living = {str(i) for i in Household.objects(pk__in=ids, grid_id=grid.pk, status="active").scalar("id")}
    missing = [i for i in household_ids if i not in living]
    if missing:
        raise Invalid(reasons.NOT_HOUSEHOLDS_OF_GRID(id=grid.pk, list=", ".join(missing[:10])), field="household_ids")
    if lead_household_id not in household_ids:
        raise Invalid(reasons.LEAD_NOT_A_MEMBER(), field="lead_household_id")
    others = TenHouseholdGroup.objects(household_ids__in=household_ids, dissolved=False)
    if group_id:
        others = others.filter(pk__ne=ObjectId(group_id))
    for other in others.only("id", "name", "household_ids"):
        taken = [i for i in household_ids if i in other.household_ids]
        raise Invalid(reasons.IN_ANOTHER_GROUP(group=other.name, list=", ".join(taken[:10])), field="household_ids")


def create_ten_group(*, actor: Principal, grid_id: str, name: str, household_ids: list[str],
                     lead_household_id: str) -> TenHouseholdGroup:
    """Form a ten-household group (十联户) of households of one grid, one of them the lead (联户长)."""
    grid = grid_in_scope(actor, grid_id, "network.manage")
    _check_members(grid, household_ids, lead_household_id)
    group = TenHouseholdGroup(community_id=grid.community_id, grid_id=grid.pk, name=name,
                              household_ids=list(household_ids), lead_household_id=lead_household_id,
                              updated_by=actor.user_id)
    return _commit_group(group, grid)


def _commit_group(group: TenHouseholdGroup, grid: Grid) -> TenHouseholdGroup:
    """Store the group and its event; a household taken by another group meanwhile is the same 422 as before."""
    try:
        return commit(group, events.household_group_changed(group))
    except (me.NotUniqueError, DuplicateKeyError):
        _check_members(grid, group.household_ids, group.lead_household_id,
                       group_id=None if group._created else str(group.pk))
        raise Conflict(CHANGED_MEANWHILE(), field="household_ids") from None


def _group(actor: Principal, group_id: str, permission: str = "network.manage") -> TenHouseholdGroup:
    group = load_in_scope(TenHouseholdGroup, group_id, actor=actor, what="group", permission=permission)
    if group.dissolved:
        raise Conflict(reasons.GROUP_DISSOLVED())
    return group


def update_ten_group(*, actor: Principal, group_id: str, name: str, household_ids: list[str],
                     lead_household_id: str, version: int) -> TenHouseholdGroup:
    """Change a group's name, members or lead; the version must be the one read."""
    group = _group(actor, group_id)
    if version != group.version:
        raise Conflict(CHANGED_MEANWHILE(), field="version")
    grid = Grid.objects(pk=group.grid_id).first()
    _check_members(grid, household_ids, lead_household_id, group_id=str(group.pk))
    group.name, group.household_ids, group.lead_household_id = name, list(household_ids), lead_household_id
    group.updated_at, group.updated_by = now(), actor.user_id
    return _commit_group(group, grid)


def dissolve_ten_group(*, actor: Principal, group_id: str) -> TenHouseholdGroup:
    """End a group: its households are free to join another."""
    group = _group(actor, group_id)
    group.dissolved, group.household_ids, group.lead_household_id = True, [], None
    group.updated_at, group.updated_by = now(), actor.user_id
    return commit(group, events.household_group_changed(group))


def get_ten_group(*, actor: Principal, group_id: str) -> dict:
    """A group with its members' addresses."""
    group = load_in_scope(TenHouseholdGroup, group_id, actor=actor, what="group", permission="register.read")
    ids = [ObjectId(i) for i in group.household_ids if ObjectId.is_valid(i)]
    labels = {str(x.pk): label(x.address) for x in Household.objects(pk__in=ids).only("id", "address")}
    return _group_view(group, labels)


def drop_from_network(*, household_id: str) -> int:
    """Take a household out of what it no longer belongs to: every ten-household group once it left, those of
    another grid once it moved (a lead's group loses its lead); and its resident stops being a building's head
    once the household left or lives elsewhere. Idempotent (use cases and the worker's handlers call it); how
    many groups and heads changed."""
    h = Household.objects(pk=ObjectId(household_id)).only("id", "grid_id", "status", "address").first() \
        if ObjectId.is_valid(household_id) else None
    if h is None:
        return 0
    where = me.Q(household_ids=household_id, dissolved=False)
    if h.status == "active":
        where &= me.Q(grid_id__ne=h.grid_id)
    changed = 0
    for group_id in TenHouseholdGroup.objects(where).scalar("id"):
        changed += _retry(TenHouseholdGroup, group_id, lambda g: _leave_group(g, household_id))
    for head_id in BuildingHead.objects(household_id=household_id, removed=False).scalar("id"):
        changed += _retry(BuildingHead, head_id, lambda b: _head_moved_out(b, h))
    return changed


def _leave_group(group: TenHouseholdGroup, household_id: str) -> bool:
    if group.dissolved or household_id not in group.household_ids:
        return False
    group.household_ids = [i for i in group.household_ids if i != household_id]
    if group.lead_household_id == household_id:
        group.lead_household_id = None
    return True


def _head_moved_out(head: BuildingHead, h: Household) -> bool:
    if head.removed or (h.status == "active" and h.grid_id == head.grid_id and h.address.building == head.building):
        return False
    head.removed, head.name, head.phone, head.household_id, head.resident_id = True, None, None, None, None
    return True


def _retry(document, pk, change) -> int:
    """Apply `change` (True when it changed the document) and commit with its event, again on a concurrent edit."""
    event = events.household_group_changed if document is TenHouseholdGroup else events.building_head_changed
    for _ in range(20):
        doc = document.objects(pk=pk).exclude("outbox").first()
        if doc is None or not change(doc):
            return 0
        doc.updated_at, doc.updated_by = now(), "system"
        try:
            commit(doc, event(doc))
            return 1
        except ConcurrentChange:
            continue
    raise ConcurrentChange(f"{document.__name__} {pk} kept changing")


# ---- residents' groups (居民小组) -------------------------------------------------------------------------

def _community(actor: Principal, community_id: str, permission: str) -> Community:
    actor.require(permission)
    community = Community.objects(pk=community_id).first()
    if community is None or not actor.covers(community_id=community.pk, grid_id=None):
        raise NotFound(reasons.COMMUNITY_NOT_FOUND(), field="community_id")
    return community


def _check_coverage(community_id: str, data: dict) -> None:
    if not data.get("buildings") and not data.get("household_ids"):
        raise Invalid(reasons.GROUP_NEEDS_MEMBERS(), field="buildings")
    known = set(Household.objects(community_id=community_id, status="active").distinct("address.building"))
    for b in data.get("buildings") or []:
        if b not in known:
            raise Invalid(reasons.BUILDING_NOT_IN_COMMUNITY(building=b), field="buildings")
    ids = [ObjectId(i) for i in data.get("household_ids") or [] if ObjectId.is_valid(i)]
    living = {str(i) for i in Household.objects(pk__in=ids, community_id=community_id, status="active").scalar("id")}
    missing = [i for i in data.get("household_ids") or [] if i not in living]
    if missing:
        raise Invalid(reasons.NOT_HOUSEHOLDS_OF_COMMUNITY(id=community_id, list=", ".join(missing[:10])),
                      field="household_ids")


def _save_residents_group(group: ResidentsGroup) -> ResidentsGroup:
    try:
        group.save()
    except me.NotUniqueError:
        raise Conflict(reasons.RESIDENTS_GROUP_NUMBER_TAKEN(number=group.number), field="number") from None
    return group


def list_residents_groups(*, actor: Principal, community_id: str) -> list[ResidentsGroup]:
    """A community's residents' groups by number."""
    community = _community(actor, community_id, "register.read")
    return list(ResidentsGroup.objects(community_id=community.pk).order_by("number"))


def create_residents_group(*, actor: Principal, community_id: str, data: dict) -> ResidentsGroup:
    """Add a residents' group (居民小组) to a community."""
    community = _community(actor, community_id, "network.manage")
    _check_coverage(community.pk, data)
    return _save_residents_group(ResidentsGroup(community_id=community.pk, updated_by=actor.user_id, **data))


def _residents_group(actor: Principal, group_id: str, permission: str) -> ResidentsGroup:
    return load_in_scope(ResidentsGroup, group_id, actor=actor, what="residents' group", permission=permission,
                         place=lambda g: (g.community_id, None))


def update_residents_group(*, actor: Principal, group_id: str, data: dict) -> ResidentsGroup:
    """Change a residents' group: number, name, what it covers, its leader."""
    group = _residents_group(actor, group_id, "network.manage")
    _check_coverage(group.community_id, data)
    for key, value in data.items():
        setattr(group, key, value)
    group.updated_at, group.updated_by = now(), actor.user_id
    return _save_residents_group(group)


def delete_residents_group(*, actor: Principal, group_id: str) -> None:
    """Remove a residents' group."""
    _residents_group(actor, group_id, "network.manage").delete()


def reveal_residents_group_leader(*, actor: Principal, group_id: str, reason: str) -> ResidentsGroup:
    """A residents' group with its leader's phone in full; the look is recorded."""
    group = _residents_group(actor, group_id, "register.reveal")
    # a residents' group is the community's: its id stands where a household's and a grid's would
    RevealRecord(household_id=str(group.pk), grid_id=group.community_id, user_id=actor.user_id, role=actor.role, reason=reason,
                 kind="network").save()
    return group
