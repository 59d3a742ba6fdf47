"""What the API takes and gives for emergency plans."""
from marshmallow import Schema, fields, validate

from services.drills.schemas.base import CODE, OID, REF, CommunityQuery, Marked, StrictSchema, Text, ids
from shared.events.drills import HAZARDS, LEVELS

DUTIES = ("commander", "caller", "grid_check", "evacuation", "shelter", "supplies", "medical", "security", "other")


class PlanRoleSchema(StrictSchema):
    duty = fields.String(required=True, validate=validate.OneOf(DUTIES),
                         metadata={"description": "commander 总指挥, caller 通知联络, grid_check 网格清点, evacuation 疏散引导, "
                                                  "shelter 避难场所, supplies 物资保障, medical 医疗救护, security 治安警戒"})
    person_name = Text(40, required=True)
    user_id = fields.String(load_default=None, allow_none=True, validate=REF)
    grid_ids = ids(metadata={"description": "the grids this person checks (grid_check) or covers"})
    note = Text(200, load_default=None, allow_none=True)


class AssemblyPointSchema(StrictSchema):
    name = Text(60, required=True)
    location = Text(200, required=True)
    grid_ids = ids()
    capacity = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=0))


class PlanLevelSchema(StrictSchema):
    level = fields.String(required=True, validate=validate.OneOf(LEVELS))
    criteria = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=1000),
                             metadata={"description": "activation criteria (启动条件): when this level is declared"})
    steps = fields.List(Text(300), load_default=list, validate=validate.Length(max=30),
                        metadata={"description": "response steps (响应措施), in order"})


def levels_field(**kw):
    return fields.List(fields.Nested(PlanLevelSchema), validate=validate.Length(max=4), metadata={
        "description": "levels I–IV, each with its activation criteria and ordered response steps; a new plan "
                       "without them gets Chinese defaults for its hazard"}, **kw)


class _PlanBody(StrictSchema):
    hazard = fields.String(required=True, validate=validate.OneOf(HAZARDS))
    title = Text(100, required=True)
    level = fields.String(required=True, validate=validate.OneOf(LEVELS),
                          metadata={"description": "response level, I (most severe) to IV"})
    summary = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=4000))
    response_steps = fields.List(Text(500), load_default=list, validate=validate.Length(max=50))
    roles = fields.List(fields.Nested(PlanRoleSchema), load_default=list, validate=validate.Length(max=100))
    assembly_points = fields.List(fields.Nested(AssemblyPointSchema), load_default=list,
                                  validate=validate.Length(max=50))
    shelter_ids = ids(OID)
    levels = levels_field(load_default=list)


class PlanCreate(_PlanBody):
    community_id = fields.String(required=True, validate=CODE)


class PlanUpdate(_PlanBody):
    status = fields.String(load_default="active", validate=validate.OneOf(("active", "archived")))
    version = fields.Integer(required=True, metadata={"description": "the version you read; 409 if it changed"})


class PlanRead(Schema):
    id = fields.String()
    community_id = fields.String()
    hazard = fields.String()
    title = fields.String()
    level = fields.String()
    summary = fields.String(allow_none=True)
    response_steps = fields.List(fields.String())
    roles = fields.List(fields.Nested(PlanRoleSchema))
    assembly_points = fields.List(fields.Nested(AssemblyPointSchema))
    shelter_ids = fields.List(fields.String())
    levels = fields.List(fields.Nested(PlanLevelSchema))
    status = fields.String()
    version = fields.Integer()
    updated_at = fields.AwareDateTime()
    updated_by = fields.String(allow_none=True)


class PlanQuery(CommunityQuery):
    hazard = fields.String(validate=validate.OneOf(HAZARDS))


class PlanLevelsUpdate(StrictSchema):
    levels = levels_field(required=True)
    version = fields.Integer(required=True, metadata={"description": "the version you read; 409 if it changed"})


class DrillLevel(Marked):
    """The response level a drill exercises, with its criteria and steps: from the drill's plan, else the
    community's active plan for the hazard, else the defaults."""

    drill_id = fields.String()
    level = fields.String()
    criteria = fields.String(allow_none=True)
    steps = fields.List(fields.String())
    source = fields.String(metadata={"description": "plan (the drill's or the community's plan) or default"})
    plan_id = fields.String(allow_none=True)
    plan_title = fields.String(allow_none=True)
