"""Documents of the drills service: its copy of the register and volunteers, plans, shelters, supplies,
drills with their roll-call, check-ins and corrective actions."""
import re

import mongoengine as me
from bson import ObjectId

from shared.clock import now
from shared.events.drills import HAZARDS, LEVELS, TICK_STATUSES
from shared.messaging.outbox import Aggregate

CODE = r"^[A-Za-z0-9_-]{1,40}$"
KINDS = ("comprehensive", "shelter", "special")  # 综合演练, 避难场所启用演练, 专项演练
MARKER = "演练"  # every drill screen and response says it is an exercise


def natural_key(*parts: str | None) -> str:
    """A sort key where 2栋 comes before 10栋."""
    return "|".join(re.sub(r"\d+", lambda m: m.group().zfill(8), p or "") for p in parts)


# ---- the copy of the register, kept from households events ---------------------------------------

class Grid(me.Document):
    """A grid as the households service announced it."""

    id = me.StringField(primary_key=True)
    community_id = me.StringField(required=True)
    name = me.StringField()
    meta = {"collection": "grids", "indexes": ["community_id"]}


class RosterResident(me.EmbeddedDocument):
    resident_id = me.StringField(required=True)
    name = me.StringField(required=True)
    gender = me.StringField()
    birth_year = me.IntField()
    relation = me.StringField()
    base_tags = me.ListField(me.StringField())  # care tags in the latest snapshot
    care_tags = me.ListField(me.StringField())  # snapshot tags with later flag/clear events applied


class CareChange(me.EmbeddedDocument):
    event_id = me.StringField(required=True)
    resident_id = me.StringField(required=True)
    tag = me.StringField(required=True)
    flagged = me.BooleanField(required=True)
    at = me.DateTimeField(required=True)


class Household(me.Document):
    """A household of the roster, folded from households events in any order (see register_copy.fold)."""

    id = me.StringField(primary_key=True)
    community_id = me.StringField()
    grid_id = me.StringField()
    address = me.DictField()
    label = me.StringField()
    address_sort = me.StringField()
    residency = me.StringField()
    residents = me.EmbeddedDocumentListField(RosterResident)
    care = me.BooleanField(default=False)
    status = me.StringField(choices=("active", "left"), default="active")
    known = me.BooleanField(default=False)  # False until a snapshot (registered/updated) arrived
    snapshot_at = me.DateTimeField()
    address_at = me.DateTimeField()
    placed_at = me.DateTimeField()
    left_at = me.DateTimeField()
    care_changes = me.EmbeddedDocumentListField(CareChange)
    version = me.IntField(default=0)
    meta = {"collection": "households",
            "indexes": [("grid_id", "status", "address_sort"), ("community_id", "status")]}


class Assistance(me.Document):
    """Who needs help to move in an evacuation, and who is assigned to help them (kept by this service)."""

    id = me.StringField(primary_key=True)  # resident_id
    household_id = me.StringField(required=True)
    needs_help = me.BooleanField(required=True)
    need = me.StringField(max_length=200)
    helper_name = me.StringField(max_length=40)
    helper_volunteer_id = me.StringField(max_length=64)
    note = me.StringField(max_length=200)
    updated_by = me.StringField()
    updated_at = me.DateTimeField(default=now)
    meta = {"collection": "assistance", "indexes": ["household_id"]}


class Volunteer(me.Document):
    """A volunteer as the volunteers service announced them."""

    id = me.StringField(primary_key=True)
    community_id = me.StringField(required=True)
    grid_id = me.StringField()
    name = me.StringField(required=True)
    skills = me.ListField(me.StringField())
    team_ids = me.ListField(me.StringField())
    active = me.BooleanField(default=True)
    changed_at = me.DateTimeField()
    meta = {"collection": "volunteers", "indexes": ["community_id"]}


class BuildingHead(me.Document):
    """A building's head (楼栋长) as the households service announced it: a name, never a phone."""

    id = me.StringField(primary_key=True)  # the households service's head id
    grid_id = me.StringField(required=True)
    building = me.StringField(required=True)
    name = me.StringField()
    household_id = me.StringField()
    removed = me.BooleanField(default=False)
    changed_at = me.DateTimeField()
    meta = {"collection": "building_heads", "indexes": [("grid_id", "building")]}


class HouseholdGroup(me.Document):
    """A ten-household group (十联户) as the households service announced it: members and the lead household."""

    id = me.StringField(primary_key=True)  # the households service's group id
    grid_id = me.StringField(required=True)
    name = me.StringField()
    household_ids = me.ListField(me.StringField())
    lead_household_id = me.StringField()
    dissolved = me.BooleanField(default=False)
    changed_at = me.DateTimeField()
    meta = {"collection": "household_groups", "indexes": [("grid_id", "dissolved"), "household_ids"]}


# ---- plans, shelters, supplies -------------------------------------------------------------------

class PlanRole(me.EmbeddedDocument):
    duty = me.StringField(required=True)
    person_name = me.StringField(required=True, max_length=40)
    user_id = me.StringField(max_length=64)
    grid_ids = me.ListField(me.StringField())
    note = me.StringField(max_length=200)


class AssemblyPoint(me.EmbeddedDocument):
    name = me.StringField(required=True, max_length=60)
    location = me.StringField(required=True, max_length=200)
    grid_ids = me.ListField(me.StringField())
    capacity = me.IntField(min_value=0)


class PlanLevel(me.EmbeddedDocument):
    """One response level of a plan: when it is activated (启动条件) and what is done, in order (响应措施)."""

    level = me.StringField(required=True, choices=LEVELS)
    criteria = me.StringField(max_length=1000)
    steps = me.ListField(me.StringField(max_length=300))


class EmergencyPlan(Aggregate):
    """应急预案: one community's plan for one hazard type."""

    id = me.ObjectIdField(primary_key=True, default=ObjectId)
    community_id = me.StringField(required=True, regex=CODE)
    hazard = me.StringField(required=True, choices=HAZARDS)
    title = me.StringField(required=True, max_length=100)
    level = me.StringField(required=True, choices=LEVELS)
    summary = me.StringField(max_length=4000)
    response_steps = me.ListField(me.StringField(max_length=500))
    levels = me.EmbeddedDocumentListField(PlanLevel)  # I–IV, each with its criteria and steps
    roles = me.EmbeddedDocumentListField(PlanRole)
    assembly_points = me.EmbeddedDocumentListField(AssemblyPoint)
    shelter_ids = me.ListField(me.StringField())
    status = me.StringField(choices=("active", "archived"), default="active")
    created_by = me.StringField()
    created_at = me.DateTimeField(default=now)
    updated_by = me.StringField()
    updated_at = me.DateTimeField(default=now)
    meta = {"collection": "plans", "indexes": [("community_id", "hazard")]}


class Shelter(Aggregate):
    """应急避难场所."""

    id = me.ObjectIdField(primary_key=True, default=ObjectId)
    community_id = me.StringField(required=True, regex=CODE)
    name = me.StringField(required=True, max_length=60)
    kind = me.StringField(choices=("indoor", "outdoor"), default="indoor")
    location = me.StringField(required=True, max_length=200)
    latitude = me.FloatField(min_value=-90, max_value=90)
    longitude = me.FloatField(min_value=-180, max_value=180)
    capacity = me.IntField(required=True, min_value=0)
    area_m2 = me.FloatField(min_value=0)
    status = me.StringField(choices=("ready", "limited", "unavailable"), default="ready")
    facilities = me.ListField(me.StringField(max_length=40))
    manager_name = me.StringField(max_length=40)
    notes = me.StringField(max_length=1000)
    updated_by = me.StringField()
    updated_at = me.DateTimeField(default=now)
    meta = {"collection": "shelters", "indexes": ["community_id"]}


class SupplyFlag(me.EmbeddedDocument):
    problem = me.StringField(required=True, choices=("missing", "expired", "damaged", "short"))
    note = me.StringField(max_length=500)
    drill_id = me.StringField()
    by = me.StringField()
    at = me.DateTimeField(required=True)
    cleared_at = me.DateTimeField()
    cleared_by = me.StringField()


class SupplyMovement(me.EmbeddedDocument):
    """One line of a supply item's ledger: booked in (入库) or out (出库); the stock is their sum."""

    direction = me.StringField(required=True, choices=("in", "out"))
    quantity = me.IntField(required=True, min_value=1)
    reason = me.StringField(required=True, max_length=200)
    by = me.StringField()
    by_name = me.StringField()
    at = me.DateTimeField(required=True)
    stock = me.IntField(required=True, min_value=0)  # the stock after this line


class Supply(Aggregate):
    """应急物资/装备: what there is, how much, where it is kept, until when it is good."""

    id = me.ObjectIdField(primary_key=True, default=ObjectId)
    community_id = me.StringField(required=True, regex=CODE)
    name = me.StringField(required=True, max_length=60)
    category = me.StringField(required=True)
    unit = me.StringField(required=True, max_length=10)
    quantity = me.IntField(required=True, min_value=0)  # the stock: the sum of the ledger, changed only with it
    movements = me.EmbeddedDocumentListField(SupplyMovement)
    required_quantity = me.IntField(min_value=0, default=0)
    location = me.StringField(required=True, max_length=200)
    shelter_id = me.StringField()
    expires_on = me.DateField()
    flags = me.EmbeddedDocumentListField(SupplyFlag)
    flagged = me.BooleanField(default=False)  # an open flag exists
    updated_by = me.StringField()
    updated_at = me.DateTimeField(default=now)
    meta = {"collection": "supplies", "indexes": ["community_id", ("community_id", "expires_on")]}


# ---- drills --------------------------------------------------------------------------------------

class ShelterOpened(me.EmbeddedDocument):
    shelter_id = me.StringField(required=True)
    name = me.StringField()
    opened_at = me.DateTimeField(required=True)
    people = me.IntField(min_value=0)
    by = me.StringField()


class Reschedule(me.EmbeddedDocument):
    from_starts_at = me.DateTimeField(required=True)
    starts_at = me.DateTimeField(required=True)
    ends_at = me.DateTimeField(required=True)
    reason = me.StringField(required=True, max_length=200)
    by = me.StringField()
    at = me.DateTimeField(required=True)


class Problem(me.EmbeddedDocument):
    text = me.StringField(required=True, max_length=1000)
    grid_id = me.StringField()
    by = me.StringField()
    at = me.DateTimeField(required=True)


class Drill(Aggregate):
    """An exercise (演练) planned for a community or some of its grids. Never a real emergency."""

    id = me.ObjectIdField(primary_key=True, default=ObjectId)
    community_id = me.StringField(required=True, regex=CODE)
    grid_ids = me.ListField(me.StringField(), required=True)
    title = me.StringField(required=True, max_length=100)
    hazard = me.StringField(required=True, choices=HAZARDS)
    level = me.StringField(required=True, choices=LEVELS)
    kind = me.StringField(required=True, choices=KINDS)
    scenario = me.StringField(max_length=4000)
    plan_id = me.StringField()
    starts_at = me.DateTimeField(required=True)
    ends_at = me.DateTimeField(required=True)
    shelter_ids = me.ListField(me.StringField())
    helpers_wanted = me.IntField(min_value=0, default=0)
    skills = me.ListField(me.StringField())
    year = me.IntField(required=True)  # local year it is (or was) held in, for compliance
    status = me.StringField(choices=("planned", "live", "completed", "cancelled"), default="planned")
    started_at = me.DateTimeField()
    started_by = me.StringField()
    ended_at = me.DateTimeField()
    ended_by = me.StringField()
    cancelled_at = me.DateTimeField()
    cancelled_by = me.StringField()
    cancel_reason = me.StringField(max_length=200)
    reschedules = me.EmbeddedDocumentListField(Reschedule)
    households = me.IntField()  # on the roster when it started
    result = me.DictField()  # the recorded timings: accounted, total, time_to_90_s, time_to_100_s, ...
    shelters_opened = me.EmbeddedDocumentListField(ShelterOpened)
    problems = me.EmbeddedDocumentListField(Problem)
    created_by = me.StringField()
    created_at = me.DateTimeField(default=now)
    meta = {"collection": "drills",
            "indexes": [("community_id", "year", "status"), ("grid_ids", "status"), "status"]}


class RosterEntry(me.EmbeddedDocument):
    household_id = me.StringField(required=True)
    label = me.StringField()
    sort = me.StringField()
    residents = me.IntField(default=0)
    care_tags = me.ListField(me.StringField())
    special = me.ListField(me.DictField())  # [{resident_id, name, care_tags, needs_help, need, helper_name}]


class RollCall(me.Document):
    """One grid's roster for one drill, frozen when the drill started (special-care first)."""

    id = me.StringField(primary_key=True)  # "<drill_id>:<grid_id>"
    drill_id = me.StringField(required=True)
    community_id = me.StringField(required=True)
    grid_id = me.StringField(required=True)
    grid_name = me.StringField()
    total = me.IntField(required=True)
    roster = me.EmbeddedDocumentListField(RosterEntry)
    created_at = me.DateTimeField(default=now)
    meta = {"collection": "roll_calls", "indexes": ["drill_id"]}


class RollState(me.Document):
    """The live state of one grid's roll-call, changed only by commutative, idempotent updates.

    first.<household_id>  earliest time the household was accounted for (set once, then $min)
    latest.<household_id> "<UTC time>|<status>" of its latest tick ($max): the current status
    accounted             how many keys `first` has (incremented by the write that adds a key)
    A tick applied twice, or ticks applied in any order, leave the same state.
    """

    id = me.StringField(primary_key=True)  # "<drill_id>:<grid_id>"
    drill_id = me.StringField(required=True)
    grid_id = me.StringField(required=True)
    total = me.IntField(required=True)
    accounted = me.IntField(default=0)  # len(first), kept in the same write that adds a key to `first`
    first = me.DictField()
    latest = me.DictField()
    last_tick_at = me.DateTimeField()
    meta = {"collection": "roll_states", "indexes": ["drill_id"]}


class Tick(Aggregate):
    """One roll-call tick from a phone; stored once per client_id; it raises drill.household_accounted."""

    id = me.ObjectIdField(primary_key=True, default=ObjectId)
    drill_id = me.StringField(required=True)
    community_id = me.StringField(required=True)
    grid_id = me.StringField(required=True)
    household_id = me.StringField(required=True)
    status = me.StringField(required=True, choices=TICK_STATUSES)
    at = me.DateTimeField(required=True)  # when it happened, on the server's clock
    phone_at = me.DateTimeField()  # when it happened, on the phone's clock
    received_at = me.DateTimeField(required=True)
    client_id = me.StringField(required=True)
    note = me.StringField(max_length=200)
    by = me.StringField()
    by_name = me.StringField()
    meta = {"collection": "ticks",
            "indexes": [{"fields": ["drill_id", "client_id"], "unique": True},
                        ("drill_id", "grid_id", "household_id", "at")]}


class Checkin(me.Document):
    """A volunteer who came to help at a drill."""

    id = me.StringField(primary_key=True)  # "<drill_id>:<volunteer_id>"
    drill_id = me.StringField(required=True)
    community_id = me.StringField(required=True)
    volunteer_id = me.StringField(required=True)
    name = me.StringField()
    checked_in_at = me.DateTimeField(required=True)
    checked_out_at = me.DateTimeField()
    by = me.StringField()
    meta = {"collection": "checkins", "indexes": ["drill_id"]}


class Action(Aggregate):
    """A corrective action found by a drill (整改措施), with an owner and a due date, tracked until closed."""

    id = me.ObjectIdField(primary_key=True, default=ObjectId)
    drill_id = me.StringField(required=True)
    community_id = me.StringField(required=True)
    grid_id = me.StringField()
    title = me.StringField(required=True, max_length=200)
    detail = me.StringField(max_length=2000)
    owner_name = me.StringField(required=True, max_length=40)
    owner_user_id = me.StringField(max_length=64)
    due_on = me.DateField(required=True)
    supply_id = me.StringField()
    shelter_id = me.StringField()
    status = me.StringField(choices=("open", "closed"), default="open")
    opened_by = me.StringField()
    opened_at = me.DateTimeField(default=now)
    closed_by = me.StringField()
    closed_at = me.DateTimeField()
    resolution = me.StringField(max_length=2000)
    meta = {"collection": "actions", "indexes": [("community_id", "status"), "drill_id"]}
