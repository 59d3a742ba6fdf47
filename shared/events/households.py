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


class VisitLogged(Contract):
    visit_id = fields.String(required=True)
    household_id = fields.String(required=True)
    visited_at = fields.AwareDateTime(required=True)
    visitor_id = fields.String(required=True)
    follow_up_needed = fields.Boolean(required=True)


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
}
