"""Contracts of the events the households service publishes.

Events carry no ID numbers or phone numbers: personal data stays in the service that owns it.
"""
from marshmallow import fields, validate

from shared.events.base import Contract

CARE_TAGS = (
    "elderly_alone",       # 孤寡老人 / 独居老人
    "empty_nest",          # 空巢老人
    "left_behind_child",   # 留守儿童
    "child_in_difficulty", # 困境儿童
    "disability",          # 残疾人
    "subsistence",         # 低保
    "extreme_poverty",     # 特困
    "entitled_group",      # 优抚对象 / 烈军属
)


class Address(Contract):
    building = fields.String(required=True)
    unit = fields.String(allow_none=True, load_default=None)
    room = fields.String(required=True)


class ResidentSummary(Contract):
    resident_id = fields.String(required=True)
    name = fields.String(required=True)
    gender = fields.String(allow_none=True, load_default=None)
    birth_year = fields.Integer(allow_none=True, load_default=None)
    relation = fields.String(allow_none=True, load_default=None)
    care_tags = fields.List(fields.String(validate=validate.OneOf(CARE_TAGS)), load_default=list)


class GridCreated(Contract):
    grid_id = fields.String(required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)
    community_id = fields.String(required=True)


class GridRedrawn(Contract):
    redraw_id = fields.String(required=True)
    from_grid_id = fields.String(required=True)
    to_grid_id = fields.String(required=True)
    household_ids = fields.List(fields.String(), required=True)
    reason = fields.String(allow_none=True, load_default=None)


class HouseholdSnapshot(Contract):
    household_id = fields.String(required=True)
    address = fields.Nested(Address, required=True)
    residency = fields.String(required=True, validate=validate.OneOf(["registered", "floating"]))
    residents = fields.List(fields.Nested(ResidentSummary), required=True)


class HouseholdMoved(Contract):
    household_id = fields.String(required=True)
    from_grid_id = fields.String(required=True)
    from_community_id = fields.String(required=True)
    to_grid_id = fields.String(required=True)
    to_community_id = fields.String(required=True)
    address = fields.Nested(Address, required=True)


class HouseholdLeft(Contract):
    household_id = fields.String(required=True)
    moved_out_on = fields.Date(required=True)
    reason = fields.String(allow_none=True, load_default=None)


class CareFlag(Contract):
    household_id = fields.String(required=True)
    resident_id = fields.String(required=True)
    name = fields.String(required=True)
    tag = fields.String(required=True, validate=validate.OneOf(CARE_TAGS))
    since = fields.Date(allow_none=True, load_default=None)
    until = fields.Date(allow_none=True, load_default=None)
    # Added in issue 15 (optional, so older events still load): the tag's visit cadence when it was flagged.
    cadence_days = fields.Integer(allow_none=True, load_default=None, validate=validate.Range(min=1, max=366))


class CadencesSet(Contract):
    """The visit cadence of every care tag as households sets it (VISIT_CADENCE_DAYS_BY_TAG): published when the
    worker starts with a table other than the last one published. Consumers keep the newest by occurred_at."""

    cadences = fields.Dict(keys=fields.String(validate=validate.OneOf(CARE_TAGS)),
                           values=fields.Integer(validate=validate.Range(min=1, max=366)), required=True)
    default_days = fields.Integer(required=True, validate=validate.Range(min=1, max=366))


class VisitLogged(Contract):
    visit_id = fields.String(required=True)
    household_id = fields.String(required=True)
    visited_at = fields.AwareDateTime(required=True)
    visitor_id = fields.String(required=True)
    follow_up_needed = fields.Boolean(required=True)


class BuildingHeadChanged(Contract):
    """A building's head (楼栋长) set, changed or removed: the name only, never the phone."""
    head_id = fields.String(required=True)
    grid_id = fields.String(required=True)
    building = fields.String(required=True)
    name = fields.String(allow_none=True, load_default=None)
    household_id = fields.String(allow_none=True, load_default=None)
    removed = fields.Boolean(load_default=False)


class HouseholdGroupChanged(Contract):
    """A ten-household group (十联户) as it now is: its members, its lead household; dissolved when ended."""
    group_id = fields.String(required=True)
    grid_id = fields.String(required=True)
    name = fields.String(required=True)
    household_ids = fields.List(fields.String(), required=True)
    lead_household_id = fields.String(allow_none=True, load_default=None)
    dissolved = fields.Boolean(load_default=False)


CONTRACTS = {
    ("grid.created", 1): GridCreated,
    ("grid.redrawn", 1): GridRedrawn,
    ("household.registered", 1): HouseholdSnapshot,
    ("household.updated", 1): HouseholdSnapshot,
    ("household.moved", 1): HouseholdMoved,
    ("household.left", 1): HouseholdLeft,
    ("resident.care_flagged", 1): CareFlag,
    ("resident.care_cleared", 1): CareFlag,
    ("visit.logged", 1): VisitLogged,
    ("care.cadences_set", 1): CadencesSet,
    ("building_head.changed", 1): BuildingHeadChanged,
    ("household_group.changed", 1): HouseholdGroupChanged,
}
