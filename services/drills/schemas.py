"""What the drills API accepts and returns. Every drill response carries `exercise: true` and `marker: "演练"`."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.drills.models import KINDS, MARKER
from shared.events.drills import HAZARDS, LEVELS, TICK_STATUSES

CODE = validate.Regexp(r"^[A-Za-z0-9_-]{1,40}$", error="use 1–40 letters, digits, - or _")
REF = validate.Regexp(r"^[A-Za-z0-9_-]{1,64}$", error="use 1–64 letters, digits, - or _")
OID = validate.Regexp(r"^[0-9a-f]{24}$", error="not an id")
CLIENT_ID = validate.Regexp(r"^[A-Za-z0-9_-]{8,64}$", error="use 8–64 letters, digits, - or _")
SKILL = validate.Regexp(r"^[a-z_]{1,40}$", error="a skill code: lower-case letters and _")
Text = lambda n, **kw: fields.String(validate=validate.Length(min=1, max=n), **kw)  # noqa: E731

DUTIES = ("commander", "caller", "grid_check", "evacuation", "shelter", "supplies", "medical", "security", "other")
CATEGORIES = ("food", "water", "medical", "rescue_equipment", "communication", "lighting", "shelter_gear",
              "clothing_bedding", "fire", "other")
PROBLEMS = ("missing", "expired", "damaged", "short")


class StrictSchema(Schema):
    class Meta:
        unknown = "raise"


class Marked(Schema):
    """Says plainly that this is an exercise, so no one takes it for a real emergency."""

    exercise = fields.Constant(True, dump_only=True)
    marker = fields.Constant(MARKER, dump_only=True, metadata={"description": "演练: show it on every drill screen"})


def _ids(validator=CODE, **kw):
    return fields.List(fields.String(validate=validator), load_default=list, validate=validate.Length(max=100), **kw)


# ---- plans -----------------------------------------------------------------------------------------

class PlanRoleSchema(StrictSchema):
    duty = fields.String(required=True, validate=validate.OneOf(DUTIES),
                         metadata={"description": "commander 总指挥, caller 通知联络, grid_check 网格清点, evacuation 疏散引导, "
                                                  "shelter 避难场所, supplies 物资保障, medical 医疗救护, security 治安警戒"})
    person_name = Text(40, required=True)
    user_id = fields.String(load_default=None, allow_none=True, validate=REF)
    grid_ids = _ids(metadata={"description": "the grids this person checks (grid_check) or covers"})
    note = Text(200, load_default=None, allow_none=True)


class AssemblyPointSchema(StrictSchema):
    name = Text(60, required=True)
    location = Text(200, required=True)
    grid_ids = _ids()
    capacity = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=0))


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
    shelter_ids = _ids(OID)


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
    status = fields.String()
    version = fields.Integer()
    updated_at = fields.AwareDateTime()
    updated_by = fields.String(allow_none=True)


class CommunityQuery(Schema):
    community_id = fields.String(validate=CODE)


class PlanQuery(CommunityQuery):
    hazard = fields.String(validate=validate.OneOf(HAZARDS))


# ---- shelters and supplies ---------------------------------------------------------------------------

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
    version = fields.Integer(required=True)


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


# ---- roster ------------------------------------------------------------------------------------------

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


# ---- drills ------------------------------------------------------------------------------------------

class DrillCreate(StrictSchema):
    community_id = fields.String(required=True, validate=CODE)
    grid_ids = _ids(metadata={"description": "some of the community's grids; empty means all of them"})
    title = Text(100, required=True)
    hazard = fields.String(required=True, validate=validate.OneOf(HAZARDS))
    level = fields.String(required=True, validate=validate.OneOf(LEVELS))
    kind = fields.String(required=True, validate=validate.OneOf(KINDS),
                         metadata={"description": "comprehensive 综合演练, shelter 避难场所启用演练, special 专项演练"})
    scenario = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=4000))
    plan_id = fields.String(load_default=None, allow_none=True, validate=OID)
    starts_at = fields.AwareDateTime(required=True)
    ends_at = fields.AwareDateTime(required=True)
    shelter_ids = _ids(OID, metadata={"description": "shelters to open in the drill"})
    helpers_wanted = fields.Integer(load_default=0, validate=validate.Range(min=0, max=10000))
    skills = fields.List(fields.String(validate=SKILL), load_default=list, validate=validate.Length(max=20))

    @validates_schema
    def _times(self, data, **kwargs):
        if "starts_at" in data and "ends_at" in data:
            if data["ends_at"] <= data["starts_at"]:
                raise ValidationError("must be after starts_at", "ends_at")
            if (data["ends_at"] - data["starts_at"]).total_seconds() > 3 * 86400:
                raise ValidationError("a drill lasts at most 3 days", "ends_at")


class ShelterOpenedRead(Schema):
    shelter_id = fields.String()
    name = fields.String(allow_none=True)
    opened_at = fields.AwareDateTime()
    people = fields.Integer(allow_none=True)


class ProblemRead(Schema):
    text = fields.String()
    grid_id = fields.String(allow_none=True)
    by = fields.String(allow_none=True)
    at = fields.AwareDateTime()


class RecordedResult(Schema):
    """What the drill recorded when it ended (kept current by ticks synced late)."""

    total = fields.Integer()
    accounted = fields.Integer()
    share = fields.Float(allow_none=True)
    needs_help = fields.Integer()
    by_status = fields.Dict(keys=fields.String(), values=fields.Integer())
    reached_90_at = fields.AwareDateTime(allow_none=True)
    reached_100_at = fields.AwareDateTime(allow_none=True)
    time_to_90_s = fields.Float(allow_none=True)
    time_to_100_s = fields.Float(allow_none=True)


class DrillRead(Marked):
    id = fields.String()
    community_id = fields.String()
    grid_ids = fields.List(fields.String())
    title = fields.String()
    hazard = fields.String()
    level = fields.String()
    kind = fields.String()
    scenario = fields.String(allow_none=True)
    plan_id = fields.String(allow_none=True)
    starts_at = fields.AwareDateTime()
    ends_at = fields.AwareDateTime()
    shelter_ids = fields.List(fields.String())
    helpers_wanted = fields.Integer()
    skills = fields.List(fields.String())
    year = fields.Integer()
    status = fields.String()
    started_at = fields.AwareDateTime(allow_none=True)
    ended_at = fields.AwareDateTime(allow_none=True)
    households = fields.Integer(allow_none=True)
    result = fields.Nested(RecordedResult)
    shelters_opened = fields.List(fields.Nested(ShelterOpenedRead))
    problems = fields.List(fields.Nested(ProblemRead))
    version = fields.Integer()


class DrillQuery(CommunityQuery):
    grid_id = fields.String(validate=CODE)
    status = fields.String(validate=validate.OneOf(("planned", "live", "completed")))
    year = fields.Integer(validate=validate.Range(min=2000, max=2100))


class EndRequest(StrictSchema):
    problems = fields.List(Text(1000), load_default=list, validate=validate.Length(max=50),
                           metadata={"description": "problems found, added to the report"})


class _Figures(Schema):
    total = fields.Integer()
    accounted = fields.Integer()
    share = fields.Float(allow_none=True)
    needs_help = fields.Integer()
    by_status = fields.Dict(keys=fields.String(), values=fields.Integer())
    time_to_90_s = fields.Float(allow_none=True)
    time_to_100_s = fields.Float(allow_none=True)


class BoardGrid(_Figures):
    grid_id = fields.String()
    name = fields.String(allow_none=True)
    last_tick_at = fields.AwareDateTime(allow_none=True)


class Board(Marked, _Figures):
    """The live board: small enough to poll every few seconds."""

    drill_id = fields.String()
    title = fields.String()
    status = fields.String()
    started_at = fields.AwareDateTime(allow_none=True)
    ended_at = fields.AwareDateTime(allow_none=True)
    elapsed_s = fields.Float(allow_none=True, metadata={"description": "seconds since the start (to the end once ended)"})
    reached_90_at = fields.AwareDateTime(allow_none=True)
    reached_100_at = fields.AwareDateTime(allow_none=True)
    as_of = fields.AwareDateTime()
    grids = fields.List(fields.Nested(BoardGrid))


class RollEntry(RosterHousehold):
    status = fields.String(allow_none=True, metadata={"description": "null until accounted for"})
    at = fields.AwareDateTime(allow_none=True)


class DrillRoster(Marked):
    drill_id = fields.String()
    grid_id = fields.String()
    drill_status = fields.String()
    started_at = fields.AwareDateTime(allow_none=True)
    frozen = fields.Boolean(metadata={"description": "false before the start: a preview from the current register"})
    total = fields.Integer()
    accounted = fields.Integer()
    households = fields.List(fields.Nested(RollEntry))


class GridStatus(Marked):
    """What a phone needs to refresh its list: the status of every accounted household. Send the ETag back in
    If-None-Match: 304 when nothing changed."""

    drill_status = fields.String()
    total = fields.Integer()
    accounted = fields.Integer()
    statuses = fields.Dict(keys=fields.String(), values=fields.String())


class TickItem(StrictSchema):
    client_id = fields.String(required=True, validate=CLIENT_ID,
                              metadata={"description": "the phone's id for this tick: a resend is stored once"})
    household_id = fields.String(required=True, validate=REF)
    status = fields.String(required=True, validate=validate.OneOf(TICK_STATUSES))
    at = fields.AwareDateTime(load_default=None, allow_none=True, metadata={"description": "phone's clock"})
    note = Text(200, load_default=None, allow_none=True)


class TickBatch(StrictSchema):
    sent_at = fields.AwareDateTime(load_default=None, allow_none=True, metadata={
        "description": "the phone's clock when sending: ticks' times are corrected by its offset from the server"})
    ticks = fields.List(fields.Nested(TickItem), required=True, validate=validate.Length(min=1, max=500))


class SingleTick(StrictSchema):
    client_id = fields.String(required=True, validate=CLIENT_ID)
    status = fields.String(required=True, validate=validate.OneOf(TICK_STATUSES))
    at = fields.AwareDateTime(load_default=None, allow_none=True)
    sent_at = fields.AwareDateTime(load_default=None, allow_none=True)
    note = Text(200, load_default=None, allow_none=True)


class TickOutcome(Schema):
    client_id = fields.String()
    household_id = fields.String()
    outcome = fields.String(metadata={"description": "stored, duplicate (already stored) or rejected"})
    status = fields.String(allow_none=True, metadata={"description": "the household's current status"})
    error = fields.String(allow_none=True)


class TickResults(Marked):
    drill_status = fields.String()
    total = fields.Integer()
    accounted = fields.Integer()
    results = fields.List(fields.Nested(TickOutcome))


class TickRead(Marked):
    client_id = fields.String()
    household_id = fields.String()
    status = fields.String()
    at = fields.AwareDateTime()
    received_at = fields.AwareDateTime()
    by_name = fields.String(allow_none=True)
    note = fields.String(allow_none=True)


class HouseholdTicks(Marked):
    household_id = fields.String()
    status = fields.String(allow_none=True)
    ticks = fields.List(fields.Nested(TickRead))


class CheckinCreate(StrictSchema):
    volunteer_id = fields.String(required=True, validate=REF)
    at = fields.AwareDateTime(load_default=None, allow_none=True)


class CheckoutRequest(StrictSchema):
    at = fields.AwareDateTime(load_default=None, allow_none=True)


class CheckinRead(Marked):
    drill_id = fields.String()
    volunteer_id = fields.String()
    name = fields.String(allow_none=True)
    checked_in_at = fields.AwareDateTime()
    checked_out_at = fields.AwareDateTime(allow_none=True)
    hours = fields.Float()


class ShelterOpenRequest(StrictSchema):
    at = fields.AwareDateTime(load_default=None, allow_none=True)
    people = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=0))


class ProblemCreate(StrictSchema):
    text = Text(1000, required=True)
    grid_id = fields.String(load_default=None, allow_none=True, validate=CODE)


# ---- corrective actions and compliance -------------------------------------------------------------------

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


class Requirement(Schema):
    status = fields.String(metadata={"description": "held, planned, due or overdue"})
    held = fields.Boolean()
    drill_ids = fields.List(fields.String())
    planned_drill_ids = fields.List(fields.String())


class ComplianceRow(Schema):
    community_id = fields.String()
    year = fields.Integer()
    due_by = fields.Date()
    drills_held = fields.Integer()
    hazards_drilled = fields.List(fields.String())
    comprehensive = fields.Nested(Requirement)
    shelter = fields.Nested(Requirement)
    overdue = fields.List(fields.String())


class ComplianceQuery(CommunityQuery):
    year = fields.Integer(validate=validate.Range(min=2000, max=2100))


# ---- the after-action report -------------------------------------------------------------------------------

class ReportGrid(_Figures):
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


class Report(Marked, _Figures):
    drill = fields.Nested(DrillRead)
    duration_s = fields.Float(allow_none=True)
    reached_90_at = fields.AwareDateTime(allow_none=True)
    reached_100_at = fields.AwareDateTime(allow_none=True)
    grids = fields.List(fields.Nested(ReportGrid))
    never_accounted = fields.List(fields.Nested(NeverAccounted))
    special_care = fields.List(fields.Nested(SpecialCareTiming))
    volunteers = fields.List(fields.Nested(ReportVolunteer))
    shelters = fields.List(fields.Nested(ReportShelter))
    problems = fields.List(fields.Nested(ProblemRead))
    supplies_flagged = fields.List(fields.Nested(SupplyRead))
    actions = fields.List(fields.Nested(ActionRead))

