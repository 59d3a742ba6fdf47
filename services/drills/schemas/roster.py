"""What the API takes and gives for the standing roster, who needs help to move, and volunteers."""
from marshmallow import Schema, fields

from services.drills.schemas.base import REF, StrictSchema, Text


class SpecialResident(Schema):
    resident_id = fields.String()
    name = fields.String()
    care_tags = fields.List(fields.String())
    needs_help = fields.Boolean(metadata={"description": "needs help to move in an evacuation"})
    need = fields.String(allow_none=True)
    helper_name = fields.String(allow_none=True)
    helper_volunteer_id = fields.String(allow_none=True)


class RosterHousehold(Schema):
    household_id = fields.String()
    label = fields.String(metadata={"description": "building, unit, room"})
    residents = fields.Integer()
    care_tags = fields.List(fields.String())
    special = fields.List(fields.Nested(SpecialResident))


class GridRead(Schema):
    grid_id = fields.String()
    name = fields.String(allow_none=True)
    community_id = fields.String()
    households = fields.Integer()
    care_households = fields.Integer()


class GridRoster(Schema):
    grid_id = fields.String()
    community_id = fields.String()
    households = fields.List(fields.Nested(RosterHousehold))


class AssistanceWrite(StrictSchema):
    needs_help = fields.Boolean(required=True)
    need = Text(200, load_default=None, allow_none=True, metadata={"description": "e.g. 轮椅, 卧床, 视力障碍"})
    helper_name = Text(40, load_default=None, allow_none=True)
    helper_volunteer_id = fields.String(load_default=None, allow_none=True, validate=REF)
    note = Text(200, load_default=None, allow_none=True)


class VolunteerRead(Schema):
    volunteer_id = fields.String(attribute="id")
    community_id = fields.String()
    grid_id = fields.String(allow_none=True)
    name = fields.String()
    skills = fields.List(fields.String())
