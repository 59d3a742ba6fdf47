"""Documents of the grid register: the hierarchy, households with their residents, visits, redraws."""
import mongoengine as me
from bson import ObjectId

from shared.clock import now
from shared.events.contracts import CARE_TAGS
from shared.messaging.outbox import Aggregate

CODE = r"^[A-Za-z0-9_-]{1,40}$"


class Street(me.Document):
    """街道/镇."""

    id = me.StringField(primary_key=True, regex=CODE)
    name = me.StringField(required=True, max_length=60)
    district = me.StringField(required=True, max_length=60)
    meta = {"collection": "streets"}


class Community(me.Document):
    """社区 (urban) or 村 (rural)."""

    id = me.StringField(primary_key=True, regex=CODE)
    name = me.StringField(required=True, max_length=60)
    street_id = me.StringField(required=True, regex=CODE)
    kind = me.StringField(required=True, choices=("urban", "rural"), default="urban")
    meta = {"collection": "communities", "indexes": ["street_id"]}


class Grid(Aggregate):
    """网格: meant to hold 400–500 households."""

    id = me.StringField(primary_key=True, regex=CODE)
    name = me.StringField(required=True, max_length=60)
    community_id = me.StringField(required=True, regex=CODE)
    worker_name = me.StringField(max_length=40)
    # The full-time grid workers assigned (user ids or staff numbers, no personal data): a community's staffing
    # counts them, each once however many grids they serve.
    worker_ids = me.ListField(me.StringField(regex=CODE), max_length=20)
    created_at = me.DateTimeField(default=now)
    created_by = me.StringField()
    meta = {"collection": "grids", "indexes": ["community_id"]}

    @property
    def grid_id(self) -> str:
        """A grid is placed in itself (shared.scope reads `community_id` and `grid_id`)."""
        return self.pk


class CareTag(me.EmbeddedDocument):
    tag = me.StringField(required=True, choices=CARE_TAGS)
    since = me.DateField()
    until = me.DateField()
    note = me.StringField(max_length=200)

    def active_on(self, day) -> bool:
        """`until` is the day the tag ended: it no longer applies from then on."""
        return (self.since is None or self.since <= day) and (self.until is None or self.until > day)


class Resident(me.EmbeddedDocument):
    resident_id = me.StringField(required=True)
    name = me.StringField(required=True, max_length=40)
    gender = me.StringField(choices=("male", "female"))
    birth_date = me.DateField()
    id_number = me.StringField(max_length=18)
    phone = me.StringField(max_length=11)
    relation = me.StringField(required=True, max_length=20)
    care_tags = me.EmbeddedDocumentListField(CareTag)
    # 流动人口 (only in a household whose residency is floating): the permit is personal, so these are per person
    hukou_place = me.StringField(max_length=60)           # 户籍地
    permit_number = me.StringField(max_length=30)         # 居住证号: personal data, masked like an ID number
    permit_expires_on = me.DateField()                    # 居住证有效期至
    arrived_on = me.DateField()                           # 来本地日期
    stay_months = me.IntField(min_value=1, max_value=240)  # 预计居住期限（月）


class Address(me.EmbeddedDocument):
    building = me.StringField(required=True, max_length=40)
    unit = me.StringField(max_length=20)
    room = me.StringField(required=True, max_length=20)


class HistoryEntry(me.EmbeddedDocument):
    at = me.DateTimeField(required=True)
    action = me.StringField(required=True)
    by = me.StringField()
    detail = me.DictField()


class Household(Aggregate):
    """户: residents at one address in one grid; history follows it across grids."""

    id = me.ObjectIdField(primary_key=True, default=ObjectId)

    community_id = me.StringField(required=True)
    grid_id = me.StringField(required=True)
    address = me.EmbeddedDocumentField(Address, required=True)
    address_sort = me.StringField(required=True)
    # Set while the household lives here; unique per grid so one address holds one household.
    active_address = me.StringField(sparse=True, unique=True)
    residency = me.StringField(required=True, choices=("registered", "floating"))
    phone = me.StringField(max_length=11)
    moved_in_on = me.DateField()
    moved_out_on = me.DateField()
    status = me.StringField(required=True, choices=("active", "left"), default="active")
    residents = me.EmbeddedDocumentListField(Resident)
    care = me.BooleanField(default=False)
    search_text = me.StringField()  # address and names only: numbers are found by `lookup_keys`
    lookup_keys = me.ListField(me.StringField())  # keyed hashes of full ID numbers and phones (lookup.py)
    lookup_keyed_with = me.StringField()
    history = me.EmbeddedDocumentListField(HistoryEntry)
    created_at = me.DateTimeField(default=now)
    created_by = me.StringField()
    updated_at = me.DateTimeField(default=now)
    updated_by = me.StringField()
    meta = {
        "collection": "households",
        "indexes": [
            ("grid_id", "status", "address_sort"),
            ("community_id", "status", "address_sort"),
            ("grid_id", "care"),
            "lookup_keys",
            "lookup_keyed_with",  # the API's start looks for households hashed with another key: an index range
            "history.detail.from_grid_id",  # a month's report finds the households that have left a grid since
        ],
    }


class RevealRecord(me.Document):
    """Every time someone looked at an unmasked ID number or phone, or found a household by one: who, when, why."""

    household_id = me.StringField(required=True)
    grid_id = me.StringField(required=True)
    user_id = me.StringField(required=True)
    role = me.StringField(required=True)
    reason = me.StringField(required=True, max_length=200)
    # reveal: a household shown in full; lookup: found by a full number; network: a building head's or a
    # residents' group leader's phone shown in full (household_id: theirs when picked from the register, else the
    # network document's id)
    kind = me.StringField(choices=("reveal", "lookup", "network"), default="reveal")
    at = me.DateTimeField(default=now)
    meta = {"collection": "reveal_records", "indexes": ["household_id", "user_id"]}


# ---- the four-in-one network (居委会、居民小组、楼栋长、网格员) and ten-household groups (十联户) ----------

class ResidentsGroup(me.Document):
    """居民小组: a community's residents' group, the buildings (or households) it covers and its leader."""

    id = me.ObjectIdField(primary_key=True, default=ObjectId)
    community_id = me.StringField(required=True)
    number = me.IntField(required=True, min_value=1)
    name = me.StringField(required=True, max_length=40)
    buildings = me.ListField(me.StringField(max_length=40))
    household_ids = me.ListField(me.StringField())
    leader_name = me.StringField(max_length=40)
    leader_phone = me.StringField(max_length=11)
    updated_at = me.DateTimeField(default=now)
    updated_by = me.StringField()
    meta = {"collection": "residents_groups",
            "indexes": [{"fields": ["community_id", "number"], "unique": True}, "buildings", "household_ids"]}


class BuildingHead(Aggregate):
    """楼栋长: one per building of a grid (the document stays when the head is removed, so events name it)."""

    id = me.ObjectIdField(primary_key=True, default=ObjectId)
    community_id = me.StringField(required=True)
    grid_id = me.StringField(required=True)
    building = me.StringField(required=True, max_length=40)
    name = me.StringField(max_length=40)
    household_id = me.StringField()  # the head's household and resident, when picked from the register
    resident_id = me.StringField()
    phone = me.StringField(max_length=11)
    removed = me.BooleanField(default=False)
    updated_at = me.DateTimeField(default=now)
    updated_by = me.StringField()
    meta = {"collection": "building_heads",
            "indexes": [{"fields": ["grid_id", "building"], "unique": True}, "household_id"]}


class TenHouseholdGroup(Aggregate):
    """十联户: neighbouring households of one grid watching out for each other, one of them the lead (联户长)."""

    id = me.ObjectIdField(primary_key=True, default=ObjectId)
    community_id = me.StringField(required=True)
    grid_id = me.StringField(required=True)
    name = me.StringField(required=True, max_length=40)
    household_ids = me.ListField(me.StringField())  # a household is in at most one group (service/network.py)
    lead_household_id = me.StringField()  # None once the lead household dropped out, until a new one is chosen
    dissolved = me.BooleanField(default=False)
    created_at = me.DateTimeField(default=now)
    updated_at = me.DateTimeField(default=now)
    updated_by = me.StringField()
    # A household is in at most one group, also when two groups are formed at the same moment: unique among the
    # groups not dissolved that have members (an empty list would count as one value shared by all such groups).
    meta = {"collection": "ten_household_groups", "indexes": [
        ("grid_id", "dissolved"),
        {"fields": ["household_ids"], "unique": True, "name": "one_group_per_household",
         "partialFilterExpression": {"dissolved": False, "household_ids.0": {"$exists": True}}}]}


class Visit(Aggregate):
    """走访: a grid worker's visit to a household."""

    id = me.ObjectIdField(primary_key=True, default=ObjectId)

    household_id = me.StringField(required=True)
    # Where the work is now: an open follow-up moves with its household (a move or a redraw); a visit whose
    # follow-up is done (or never needed) keeps the grid it was made in.
    community_id = me.StringField(required=True)
    grid_id = me.StringField(required=True)
    visited_in_grid_id = me.StringField()  # the grid the visit was made in, whatever moves later (unset: grid_id)
    visited_at = me.DateTimeField(required=True)
    visitor_id = me.StringField(required=True)
    visitor_name = me.StringField()
    seen = me.ListField(me.StringField(max_length=40))
    notes = me.StringField(max_length=2000)
    follow_up_needed = me.BooleanField(default=False)
    follow_up = me.StringField(max_length=500)
    follow_up_done_at = me.DateTimeField()
    # The phone's own id for this entry, so a form re-sent from the offline queue is stored once.
    client_id = me.StringField(sparse=True, unique=True)
    created_at = me.DateTimeField(default=now)
    meta = {
        "collection": "visits",
        "indexes": [("household_id", "-visited_at"), ("grid_id", "follow_up_needed")],
    }


class Redraw(Aggregate):
    """A move of buildings or households from one grid to another, done as one operation."""

    id = me.ObjectIdField(primary_key=True, default=ObjectId)

    from_grid_id = me.StringField(required=True)
    to_grid_id = me.StringField(required=True)
    household_ids = me.ListField(me.StringField())
    reason = me.StringField(max_length=500)
    status = me.StringField(choices=("pending", "applied"), default="pending")
    by = me.StringField()
    at = me.DateTimeField(default=now)
    meta = {"collection": "redraws", "indexes": ["from_grid_id", "to_grid_id"]}


class CadenceTable(Aggregate):
    """The visit cadences (days per care tag) last published to other services (care.cadences_set): the worker
    publishes again only when the settings differ from it."""

    id = me.StringField(primary_key=True, default="published")
    cadences = me.DictField()
    published_at = me.DateTimeField(default=now)
    meta = {"collection": "cadence_tables"}


class GridSummary(me.Document):
    """Read model kept by the worker from events: a grid's counts for reports and metrics."""

    id = me.StringField(primary_key=True)
    community_id = me.StringField(required=True)
    households = me.IntField(default=0)
    care_residents = me.DictField()
    care_households_overdue = me.IntField(default=0)
    permits_expiring = me.IntField(default=0)   # residence permits expiring within PERMIT_EXPIRY_NOTICE_DAYS
    permits_expired = me.IntField(default=0)    # residence permits of floating residents past their expiry
    refreshed_at = me.DateTimeField(default=now)
    meta = {"collection": "grid_summaries", "indexes": ["community_id"]}


class MappedColumn(me.EmbeddedDocument):
    header = me.StringField(required=True, max_length=60)     # as the office heads it
    column = me.StringField()                                 # a register column (sheets/register.py KEYS); None: ignored


class ImportMapping(me.Document):
    """A community's own column names in its register sheets, mapped to the register's columns (or ignored):
    set by a successful import or through the API, applied to the community's next uploads."""

    id = me.StringField(primary_key=True)        # the community id
    columns = me.EmbeddedDocumentListField(MappedColumn)
    updated_at = me.DateTimeField(default=now)
    updated_by = me.StringField()
    meta = {"collection": "import_mappings"}
