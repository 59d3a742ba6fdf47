"""What the API takes and gives for shelters and supplies."""
from marshmallow import Schema, fields, validate

from services.drills.schemas.base import CODE, OID, CommunityQuery, Pattern, StrictSchema, Text
from shared.reasons import drills as reasons

CATEGORIES = ("food", "water", "medical", "rescue_equipment", "communication", "lighting", "shelter_gear",
              "clothing_bedding", "fire", "other")
PROBLEMS = ("missing", "expired", "damaged", "short")


class _ShelterBody(StrictSchema):
    name = Text(60, required=True)
    kind = fields.String(load_default="indoor", validate=validate.OneOf(("indoor", "outdoor")))
    location = Text(200, required=True)
    latitude = fields.Float(load_default=None, allow_none=True, validate=validate.Range(-90, 90))
    longitude = fields.Float(load_default=None, allow_none=True, validate=validate.Range(-180, 180))
    capacity = fields.Integer(required=True, validate=validate.Range(min=0, max=1_000_000))
    area_m2 = fields.Float(load_default=None, allow_none=True, validate=validate.Range(min=0))
    status = fields.String(load_default="ready", validate=validate.OneOf(("ready", "limited", "unavailable")))
    facilities = fields.List(Text(40), load_default=list, validate=validate.Length(max=50))
    manager_name = Text(40, load_default=None, allow_none=True)
    notes = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=1000))


class ShelterCreate(_ShelterBody):
    community_id = fields.String(required=True, validate=CODE)


class ShelterUpdate(_ShelterBody):
    version = fields.Integer(required=True)


class ShelterRead(Schema):
    id = fields.String()
    community_id = fields.String()
    name = fields.String()
    kind = fields.String()
    location = fields.String()
    latitude = fields.Float(allow_none=True)
    longitude = fields.Float(allow_none=True)
    capacity = fields.Integer()
    area_m2 = fields.Float(allow_none=True)
    status = fields.String()
    facilities = fields.List(fields.String())
    manager_name = fields.String(allow_none=True)
    notes = fields.String(allow_none=True)
    version = fields.Integer()


class _SupplyBody(StrictSchema):
    name = Text(60, required=True)
    category = fields.String(required=True, validate=validate.OneOf(CATEGORIES))
    unit = Text(10, required=True)
    quantity = fields.Integer(required=True, validate=validate.Range(min=0))
    required_quantity = fields.Integer(load_default=0, validate=validate.Range(min=0),
                                       metadata={"description": "the stock the plan asks for; below it is short"})
    location = Text(200, required=True, metadata={"description": "where it is kept"})
    shelter_id = fields.String(load_default=None, allow_none=True, validate=OID)
    expires_on = fields.Date(load_default=None, allow_none=True)


class SupplyCreate(_SupplyBody):
    community_id = fields.String(required=True, validate=CODE)


class SupplyUpdate(_SupplyBody):
    quantity = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=0), metadata={
        "description": "the stock is booked in and out (POST /supplies/<id>/movements), not set: a quantity other "
                       "than the current stock is refused (422, drills.quantity_by_movements)"})
    version = fields.Integer(required=True)


class MovementCreate(StrictSchema):
    direction = fields.String(required=True, validate=validate.OneOf(("in", "out")),
                              metadata={"description": "in 入库, out 出库"})
    quantity = fields.Integer(required=True, validate=validate.Range(min=1, max=1_000_000))
    reason = Text(200, required=True, validate_also=[Pattern(r"^\s*\S", reasons.NOT_BLANK)],
                  metadata={"description": "why: bought, donated, used in a drill, expired and thrown away..."})


class MovementRead(Schema):
    direction = fields.String()
    quantity = fields.Integer()
    reason = fields.String()
    by = fields.String(allow_none=True)
    by_name = fields.String(allow_none=True)
    at = fields.AwareDateTime()
    stock = fields.Integer(metadata={"description": "the stock after this line"})


class SupplyFlagRead(Schema):
    problem = fields.String()
    note = fields.String(allow_none=True)
    drill_id = fields.String(allow_none=True)
    by = fields.String(allow_none=True)
    at = fields.AwareDateTime()
    cleared_at = fields.AwareDateTime(allow_none=True)


class SupplyRead(Schema):
    id = fields.String()
    community_id = fields.String()
    name = fields.String()
    category = fields.String()
    unit = fields.String()
    quantity = fields.Integer()
    required_quantity = fields.Integer()
    location = fields.String()
    shelter_id = fields.String(allow_none=True)
    expires_on = fields.Date(allow_none=True)
    flags = fields.List(fields.Nested(SupplyFlagRead))
    problems = fields.List(fields.String(), metadata={
        "description": "expired, expiring, missing, short, flagged (an open flag)"})
    movements = fields.List(fields.Nested(MovementRead), metadata={
        "description": "the ledger's latest lines, newest first; quantity is the sum of every line"})
    version = fields.Integer()


class SupplyQuery(CommunityQuery):
    problem = fields.String(validate=validate.OneOf(("expired", "expiring", "missing", "short", "flagged")))


class SupplyFlagRequest(StrictSchema):
    problem = fields.String(required=True, validate=validate.OneOf(PROBLEMS))
    note = Text(500, load_default=None, allow_none=True)
    drill_id = fields.String(load_default=None, allow_none=True, validate=OID,
                             metadata={"description": "the drill that found it, if any"})


class SupplyClearRequest(StrictSchema):
    note = Text(500, load_default=None, allow_none=True)


class SupplyReport(Schema):
    community_id = fields.String()
    expired = fields.List(fields.Nested(SupplyRead))
    expiring = fields.List(fields.Nested(SupplyRead))
    missing = fields.List(fields.Nested(SupplyRead))
    short = fields.List(fields.Nested(SupplyRead))
    flagged = fields.List(fields.Nested(SupplyRead))
