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
        ],
    }


class RevealRecord(me.Document):
    """Every time someone looked at an unmasked ID number or phone, or found a household by one: who, when, why."""

    household_id = me.StringField(required=True)
    grid_id = me.StringField(required=True)
    user_id = me.StringField(required=True)
    role = me.StringField(required=True)
    reason = me.StringField(required=True, max_length=200)
    kind = me.StringField(choices=("reveal", "lookup"), default="reveal")
    at = me.DateTimeField(default=now)
    meta = {"collection": "reveal_records", "indexes": ["household_id", "user_id"]}


class Visit(Aggregate):
    """走访: a grid worker's visit to a household."""

    id = me.ObjectIdField(primary_key=True, default=ObjectId)

    household_id = me.StringField(required=True)
    community_id = me.StringField(required=True)
    grid_id = me.StringField(required=True)
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


class GridSummary(me.Document):
    """Read model kept by the worker from events: a grid's counts for reports and metrics."""

    id = me.StringField(primary_key=True)
    community_id = me.StringField(required=True)
    households = me.IntField(default=0)
    care_residents = me.DictField()
    care_households_overdue = me.IntField(default=0)
    refreshed_at = me.DateTimeField(default=now)
    meta = {"collection": "grid_summaries", "indexes": ["community_id"]}
