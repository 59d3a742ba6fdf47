"""What the API takes and gives for corrective actions, annual compliance and the after-action report."""
from marshmallow import Schema, fields, validate

from services.drills.schemas.base import CODE, OID, REF, CommunityQuery, Figures, Marked, Reached, StrictSchema, Text
from services.drills.schemas.drills import DrillRead, ProblemRead
from services.drills.schemas.roster import SpecialResident
from services.drills.schemas.supplies import SupplyRead


class ActionCreate(StrictSchema):
    title = Text(200, required=True)
    detail = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    owner_name = Text(40, required=True)
    owner_user_id = fields.String(load_default=None, allow_none=True, validate=REF,
                                  metadata={"description": "the owner's account, who may then close it"})
    due_on = fields.Date(required=True)
    grid_id = fields.String(load_default=None, allow_none=True, validate=CODE)
    supply_id = fields.String(load_default=None, allow_none=True, validate=OID)
    shelter_id = fields.String(load_default=None, allow_none=True, validate=OID)


class ActionClose(StrictSchema):
    resolution = Text(2000, required=True)


class ActionRead(Marked):
    id = fields.String()
    drill_id = fields.String()
    community_id = fields.String()
    grid_id = fields.String(allow_none=True)
    title = fields.String()
    detail = fields.String(allow_none=True)
    owner_name = fields.String()
    owner_user_id = fields.String(allow_none=True)
    due_on = fields.Date()
    supply_id = fields.String(allow_none=True)
    shelter_id = fields.String(allow_none=True)
    status = fields.String()
    overdue = fields.Boolean()
    opened_at = fields.AwareDateTime()
    closed_at = fields.AwareDateTime(allow_none=True)
    resolution = fields.String(allow_none=True)


class ActionQuery(CommunityQuery):
    drill_id = fields.String(validate=OID)
    status = fields.String(validate=validate.OneOf(("open", "closed")))
    overdue = fields.Boolean()


class IncompleteDrill(Schema):
    drill_id = fields.String()
    share = fields.Float(metadata={"description": "share of households its roll-call accounted for"})


class Requirement(Schema):
    status = fields.String(metadata={"description": "held, incomplete (held but incomplete: its roll-call accounted "
                                                    "for less than complete_share), planned, due or overdue"})
    held = fields.Boolean(metadata={"description": "a drill that counts towards the duty was held"})
    drill_ids = fields.List(fields.String(), metadata={"description": "drills that count"})
    planned_drill_ids = fields.List(fields.String())
    incomplete = fields.List(fields.Nested(IncompleteDrill), metadata={
        "description": "completed drills that do not count: too few households accounted for"})


class ComplianceRow(Schema):
    community_id = fields.String()
    year = fields.Integer()
    due_by = fields.Date()
    drills_held = fields.Integer(metadata={"description": "completed drills, counting or not"})
    drills_counted = fields.Integer(metadata={"description": "completed drills that count towards the duty"})
    complete_share = fields.Float(metadata={"description": "the share of households a drill must account for"})
    hazards_drilled = fields.List(fields.String())
    comprehensive = fields.Nested(Requirement)
    shelter = fields.Nested(Requirement)
    overdue = fields.List(fields.String())


class ComplianceQuery(CommunityQuery):
    year = fields.Integer(validate=validate.Range(min=2000, max=2100))


# ---- the after-action report -------------------------------------------------------------------------------

class ReportGrid(Figures):
    grid_id = fields.String()
    name = fields.String(allow_none=True)
    first_accounted_at = fields.AwareDateTime(allow_none=True)
    last_accounted_at = fields.AwareDateTime(allow_none=True)


class NeverAccounted(Schema):
    grid_id = fields.String()
    household_id = fields.String()
    label = fields.String()
    care_tags = fields.List(fields.String())


class SpecialCareTiming(Schema):
    grid_id = fields.String()
    household_id = fields.String()
    label = fields.String()
    residents = fields.List(fields.Nested(SpecialResident))
    status = fields.String(allow_none=True)
    accounted_after_s = fields.Float(allow_none=True, metadata={"description": "null: never accounted for"})


class ReportVolunteer(Schema):
    volunteer_id = fields.String()
    name = fields.String(allow_none=True)
    checked_in_at = fields.AwareDateTime()
    checked_out_at = fields.AwareDateTime(allow_none=True)
    hours = fields.Float()


class ReportShelter(Schema):
    shelter_id = fields.String()
    name = fields.String(allow_none=True)
    planned = fields.Boolean()
    opened_at = fields.AwareDateTime(allow_none=True)
    opened_after_s = fields.Float(allow_none=True)
    people = fields.Integer(allow_none=True)


class RollCallCurve(Schema):
    points = fields.List(fields.List(fields.Raw()), metadata={
        "description": "[minute since the start, households accounted for by then, households on the roll-call]: "
                       "the start, then each household's first accounting in time order"})
    minutes_to_90 = fields.Float(allow_none=True, metadata={"description": "null: 90% never reached"})
    minutes_to_100 = fields.Float(allow_none=True, metadata={"description": "null: 100% never reached"})


class Report(Marked, Reached):
    drill = fields.Nested(DrillRead)
    curve = fields.Nested(RollCallCurve, metadata={"description": "the roll-call curve of the grids the caller covers"})
    duration_s = fields.Float(allow_none=True)
    grids = fields.List(fields.Nested(ReportGrid))
    never_accounted = fields.List(fields.Nested(NeverAccounted))
    special_care = fields.List(fields.Nested(SpecialCareTiming))
    volunteers = fields.List(fields.Nested(ReportVolunteer))
    shelters = fields.List(fields.Nested(ReportShelter))
    problems = fields.List(fields.Nested(ProblemRead))
    supplies_flagged = fields.List(fields.Nested(SupplyRead))
    actions = fields.List(fields.Nested(ActionRead))
