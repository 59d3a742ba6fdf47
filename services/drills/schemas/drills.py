"""What the API takes and gives for drills, the live board, the roll-call, ticks and check-ins."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.drills.models import KINDS
from services.drills.schemas.base import (
    CLIENT_ID,
    CODE,
    OID,
    REF,
    SKILL,
    CommunityQuery,
    Figures,
    Marked,
    Pattern,
    Reached,
    StrictSchema,
    Text,
    ids,
)
from services.drills.schemas.roster import RosterHousehold
from shared.events.drills import HAZARDS, LEVELS, TICK_STATUSES
from shared.reasons import drills as reasons


class DrillCreate(StrictSchema):
    community_id = fields.String(required=True, validate=CODE)
    grid_ids = ids(metadata={"description": "some of the community's grids; empty means all of them"})
    title = Text(100, required=True)
    hazard = fields.String(required=True, validate=validate.OneOf(HAZARDS))
    level = fields.String(required=True, validate=validate.OneOf(LEVELS))
    kind = fields.String(required=True, validate=validate.OneOf(KINDS),
                         metadata={"description": "comprehensive 综合演练, shelter 避难场所启用演练, special 专项演练"})
    scenario = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=4000))
    plan_id = fields.String(load_default=None, allow_none=True, validate=OID)
    starts_at = fields.AwareDateTime(required=True)
    ends_at = fields.AwareDateTime(required=True)
    shelter_ids = ids(OID, metadata={"description": "shelters to open in the drill"})
    helpers_wanted = fields.Integer(load_default=0, validate=validate.Range(min=0, max=10000))
    skills = fields.List(fields.String(validate=SKILL), load_default=list, validate=validate.Length(max=20))

    @validates_schema
    def _times(self, data, **kwargs):
        if "starts_at" in data and "ends_at" in data:
            if data["ends_at"] <= data["starts_at"]:
                raise ValidationError(reasons.ENDS_AFTER_START(), "ends_at")
            if (data["ends_at"] - data["starts_at"]).total_seconds() > 3 * 86400:
                raise ValidationError(reasons.AT_MOST_3_DAYS(), "ends_at")


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


class RescheduleRead(Schema):
    from_starts_at = fields.AwareDateTime()
    starts_at = fields.AwareDateTime()
    ends_at = fields.AwareDateTime()
    reason = fields.String()
    by = fields.String(allow_none=True)
    at = fields.AwareDateTime()


class RecordedResult(Reached):
    """What the drill recorded when it ended (kept current by ticks synced late)."""


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
    cancelled_at = fields.AwareDateTime(allow_none=True)
    cancel_reason = fields.String(allow_none=True)
    reschedules = fields.List(fields.Nested(RescheduleRead), metadata={"description": "each move, oldest first"})
    households = fields.Integer(allow_none=True)
    result = fields.Nested(RecordedResult)
    shelters_opened = fields.List(fields.Nested(ShelterOpenedRead))
    problems = fields.List(fields.Nested(ProblemRead))
    version = fields.Integer()


class DrillQuery(CommunityQuery):
    grid_id = fields.String(validate=CODE)
    status = fields.String(validate=validate.OneOf(("planned", "live", "completed", "cancelled")))
    year = fields.Integer(validate=validate.Range(min=2000, max=2100))


class EndRequest(StrictSchema):
    problems = fields.List(Text(1000), load_default=list, validate=validate.Length(max=50),
                           metadata={"description": "problems found, added to the report"})


WHY = Pattern(r"^\s*\S", reasons.NOT_BLANK)


class CancelRequest(StrictSchema):
    reason = Text(200, required=True, validate_also=[WHY], metadata={"description": "why the drill is called off"})


class RescheduleRequest(StrictSchema):
    starts_at = fields.AwareDateTime(required=True)
    ends_at = fields.AwareDateTime(load_default=None, allow_none=True,
                                   metadata={"description": "absent: the drill keeps its length"})
    reason = Text(200, required=True, validate_also=[WHY], metadata={"description": "why it moves"})


class BoardGrid(Figures):
    grid_id = fields.String()
    name = fields.String(allow_none=True)
    last_tick_at = fields.AwareDateTime(allow_none=True)


class Board(Marked, Reached):
    """The live board: small enough to poll every few seconds."""

    drill_id = fields.String()
    title = fields.String()
    status = fields.String()
    started_at = fields.AwareDateTime(allow_none=True)
    ended_at = fields.AwareDateTime(allow_none=True)
    elapsed_s = fields.Float(allow_none=True, metadata={"description": "seconds since the start (to the end once ended)"})
    as_of = fields.AwareDateTime()
    grids = fields.List(fields.Nested(BoardGrid))


class RollEntry(RosterHousehold):
    status = fields.String(allow_none=True, metadata={"description": "null until accounted for"})
    at = fields.AwareDateTime(allow_none=True)


class RosterQuery(Schema):
    by = fields.String(validate=validate.OneOf(("building", "group")),
                       metadata={"description": "also hand the roll-call out by building or ten-household group"})


class RollSection(Schema):
    """One hand-out of the roll-call: a building with its head, or a ten-household group with its lead household."""

    key = fields.String()
    title = fields.String(allow_none=True, metadata={"description": "the building, or the group's name (null: no group)"})
    buildings = fields.List(fields.String())
    head_names = fields.List(fields.String(), metadata={"description": "the heads (楼栋长) of these buildings"})
    group_id = fields.String(allow_none=True)
    lead_household_id = fields.String(allow_none=True, metadata={"description": "the group's lead household (联户长)"})
    lead_label = fields.String(allow_none=True)
    households = fields.List(fields.Nested(RollEntry))


class DrillRoster(Marked):
    drill_id = fields.String()
    grid_id = fields.String()
    drill_status = fields.String()
    started_at = fields.AwareDateTime(allow_none=True)
    frozen = fields.Boolean(metadata={"description": "false before the start: a preview from the current register"})
    total = fields.Integer()
    accounted = fields.Integer()
    households = fields.List(fields.Nested(RollEntry))
    by = fields.String(allow_none=True)
    sections = fields.List(fields.Nested(RollSection), metadata={"description": "with `by`: the hand-outs"})


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
    reason = fields.Dict(allow_none=True, metadata={"description": "the error's code and parameters"})


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
