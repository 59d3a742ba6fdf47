"""What the mediation API accepts and returns. Phones are masked on every read but the logged reveal."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.mediation.notices import OUTCOME_LABELS, category_label
from shared.events.mediation import (
    CATEGORIES,
    CHANNELS,
    ESCALATION_REASONS,
    KINDS,
    REFERRAL_KINDS,
    REFERRAL_RESULTS,
    STATUSES,
    URGENCIES,
)
from shared.reasons import mediation as reasons
from shared.schemas import CODE, Choice, Pattern, StrictSchema, Text
from shared.validators import mask_phone, validate_phone

MONTH = Pattern(r"^\d{4}-(0[1-9]|1[0-2])$", reasons.MONTH_FORM)
OneOf = Choice



# ---- intake ------------------------------------------------------------------------------------

class PartyWrite(StrictSchema):
    role = OneOf(("applicant", "respondent", "other"), required=True)
    kind = OneOf(("household", "person"), required=True,
                 metadata={"description": "household: from the register (household_id); person: anyone else"})
    household_id = fields.String(load_default=None, validate=validate.Length(min=1, max=40))
    resident_id = fields.String(load_default=None, validate=validate.Length(min=1, max=40),
                                metadata={"description": "which resident of the household (default: its head)"})
    name = Text(60, load_default=None, metadata={"description": "required for a person; optional override otherwise"})
    address = Text(200, load_default=None, allow_none=True)
    phone = fields.String(load_default=None, allow_none=True, validate=validate_phone)
    organisation = fields.Boolean(load_default=False, metadata={"description": "a company or body, e.g. 物业公司"})
    vulnerable = fields.Boolean(load_default=False,
                                metadata={"description": "a vulnerable party (care tags in the register count anyway)"})

    @validates_schema
    def _kind(self, data, **kwargs):
        if data["kind"] == "household":
            if not data.get("household_id"):
                raise ValidationError(reasons.HOUSEHOLD_ID_NEEDED(), "household_id")
            if data.get("phone") or data.get("address") or data.get("organisation"):
                raise ValidationError(reasons.DETAILS_FROM_REGISTER(), "kind")
        else:
            if not data.get("name"):
                raise ValidationError(reasons.NAME_NEEDED(), "name")
            if data.get("household_id") or data.get("resident_id"):
                raise ValidationError(reasons.PERSON_WITHOUT_HOUSEHOLD(), "household_id")


class DisputeCreate(StrictSchema):
    community_id = fields.String(load_default=None, validate=CODE)
    grid_id = fields.String(load_default=None, validate=CODE,
                            metadata={"description": "default: the grid of the first household party"})
    category = OneOf(CATEGORIES, required=True)
    description = Text(5000, required=True)
    urgency = OneOf(URGENCIES, load_default="normal")
    channel = OneOf(CHANNELS, required=True, metadata={"description": "walk_in, phone, grid_report, referral"})
    referred_from = Text(100, load_default=None, allow_none=True)
    received_on = fields.Date(load_default=None, metadata={"description": "default today; a paper intake entered later"})
    violence_risk = fields.Boolean(load_default=False)
    households_involved = fields.Integer(load_default=None, validate=validate.Range(min=0, max=100000))
    parties = fields.List(fields.Nested(PartyWrite), required=True, validate=validate.Length(min=1, max=50))

    @validates_schema
    def _rules(self, data, **kwargs):
        if not any(p["role"] == "applicant" for p in data.get("parties", [])):
            raise ValidationError(reasons.APPLICANT_NEEDED(), "parties")
        if data.get("channel") == "referral" and not data.get("referred_from"):
            raise ValidationError(reasons.REFERRED_FROM_NEEDED(), "referred_from")
        ids = [(p.get("household_id"), p.get("resident_id")) for p in data.get("parties", []) if p.get("household_id")]
        if len(ids) != len(set(ids)):
            raise ValidationError(reasons.HOUSEHOLD_TWICE(), "parties")


class DisputeUpdate(StrictSchema):
    version = fields.Integer(required=True, metadata={"description": "the version you read; 409 if it changed"})
    category = OneOf(CATEGORIES, load_default=None)
    description = Text(5000, load_default=None)
    urgency = OneOf(URGENCIES, load_default=None)
    violence_risk = fields.Boolean(load_default=None)
    households_involved = fields.Integer(load_default=None, validate=validate.Range(min=0, max=100000))


# ---- reads -------------------------------------------------------------------------------------

class PartyRead(Schema):
    party_id = fields.String()
    role = fields.String()
    kind = fields.String()
    name = fields.String()
    household_id = fields.String(allow_none=True)
    resident_id = fields.String(allow_none=True)
    community_id = fields.String(allow_none=True)
    grid_id = fields.String(allow_none=True)
    address = fields.String(allow_none=True)
    phone = fields.Function(lambda p: mask_phone(p.phone))
    organisation = fields.Boolean()
    vulnerable = fields.Boolean()


class PartyRevealed(PartyRead):
    phone = fields.String(allow_none=True)


class PersonRead(Schema):
    user_id = fields.String()
    name = fields.String(allow_none=True)
    role = fields.String(allow_none=True)


class AssignmentRead(Schema):
    mediator_id = fields.String()
    mediator_name = fields.String(allow_none=True)
    at = fields.AwareDateTime()
    by = fields.String()
    by_name = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)


class PauseRead(Schema):
    started_on = fields.Date()
    reason = fields.String()
    by = fields.String()
    ended_on = fields.Date(allow_none=True)
    working_days = fields.Integer(allow_none=True, metadata={"description": "working days the due date moved by"})


class ExtensionRead(Schema):
    working_days = fields.Integer()
    reason = fields.String()
    by = fields.String()
    by_name = fields.String(allow_none=True)
    at = fields.AwareDateTime()
    status = fields.String(metadata={"description": "pending (waiting for community staff), approved or refused"})
    decided_by = fields.String(allow_none=True)
    decided_by_name = fields.String(allow_none=True)
    decided_at = fields.AwareDateTime(allow_none=True)
    decision_reason = fields.String(allow_none=True)
    due_before = fields.Date(allow_none=True)
    due_after = fields.Date(allow_none=True)


class AttendanceSchema(StrictSchema):
    party_id = fields.String(required=True)
    present = fields.Boolean(required=True)


class SessionRead(Schema):
    session_id = fields.String()
    held_on = fields.Date()
    place = fields.String(allow_none=True)
    attendance = fields.List(fields.Nested(AttendanceSchema))
    others_present = fields.List(fields.String())
    notes = fields.String(allow_none=True)
    by = fields.String()
    by_name = fields.String(allow_none=True)
    at = fields.AwareDateTime()


class OutcomeRead(Schema):
    kind = fields.String()
    label = fields.Function(lambda o: OUTCOME_LABELS.get(o.kind))
    terms = fields.List(fields.String())
    summary = fields.String(allow_none=True)
    decided_on = fields.Date()
    referral_result = fields.String(allow_none=True)
    by = fields.String()


class ReferralRead(Schema):
    referral_id = fields.String()
    kind = fields.String()
    to_body = fields.String()
    reason = fields.String(allow_none=True)
    referred_on = fields.Date()
    by = fields.String()
    result = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    returned_on = fields.Date(allow_none=True)


class EscalationRead(Schema):
    reasons = fields.List(fields.String())
    levels = fields.List(fields.String())
    note = fields.String(allow_none=True)
    households_involved = fields.Integer(allow_none=True)
    automatic = fields.Boolean()
    by = fields.String()
    by_name = fields.String(allow_none=True)
    at = fields.AwareDateTime()


class SurveyRead(Schema):
    open_until = fields.Date()
    issued_at = fields.AwareDateTime()
    rating = fields.Integer(allow_none=True)
    comment = fields.String(allow_none=True)
    answered_at = fields.AwareDateTime(allow_none=True)


class AnnotationRead(Schema):
    at = fields.AwareDateTime()
    by = fields.String()
    by_name = fields.String(allow_none=True)
    text = fields.String()


class StepRead(Schema):
    at = fields.AwareDateTime()
    action = fields.String()
    by = fields.String(allow_none=True)
    by_name = fields.String(allow_none=True)
    detail = fields.Dict()


class ClockRead(Schema):
    running = fields.Boolean()
    due_on = fields.Date()
    overdue = fields.Boolean()
    working_days_left = fields.Integer(allow_none=True,
                                       metadata={"description": "negative: working days past the due date"})
    age_working_days = fields.Integer()
    paused_working_days = fields.Integer()
    extended_working_days = fields.Integer(metadata={"description": "approved extensions only"})
    extension_pending = fields.Boolean()
    extensions_left = fields.Integer(metadata={"description": "extensions that may still be approved (MAX_EXTENSIONS)"})
    paused_since = fields.Date(allow_none=True)
    calendar_warning = fields.String(allow_none=True, metadata={
        "description": "set when a year had no official holiday schedule: statutory holidays counted, make-up days (调休) unknown"})


class DisputeSummary(Schema):
    id = fields.String()
    number = fields.String()
    community_id = fields.String()
    grid_id = fields.String(allow_none=True)
    category = fields.String()
    category_label = fields.Function(lambda d: category_label(d.kind, d.category))
    description = fields.String()
    urgency = fields.String()
    status = fields.String()
    major = fields.Boolean()
    first_contact = fields.Nested(PersonRead)
    mediator_id = fields.String(allow_none=True)
    mediator_name = fields.String(allow_none=True)
    registered_on = fields.Date()
    due_on = fields.Date()
    clock = fields.Function(lambda d: ClockRead().dump(d.clock_state()))
    archive_number = fields.String(allow_none=True)
    version = fields.Integer()


class DisputeRead(DisputeSummary):
    channel = fields.String()
    referred_from = fields.String(allow_none=True)
    violence_risk = fields.Boolean()
    households_involved = fields.Integer()
    parties = fields.List(fields.Nested(PartyRead))
    assignments = fields.List(fields.Nested(AssignmentRead))
    working_days = fields.Integer()
    pauses = fields.List(fields.Nested(PauseRead))
    extensions = fields.List(fields.Nested(ExtensionRead))
    calendar_unknown_years = fields.List(fields.Integer())
    warned_at = fields.AwareDateTime(allow_none=True)
    overdue_at = fields.AwareDateTime(allow_none=True)
    sessions = fields.List(fields.Nested(SessionRead))
    outcome = fields.Nested(OutcomeRead, allow_none=True)
    referrals = fields.List(fields.Nested(ReferralRead))
    judicial_confirmation = fields.String(allow_none=True)
    escalation = fields.Nested(EscalationRead, allow_none=True)
    closed_on = fields.Date(allow_none=True)
    close_note = fields.String(allow_none=True)
    survey = fields.Nested(SurveyRead, allow_none=True)
    archived_on = fields.Date(allow_none=True)
    annotations = fields.List(fields.Nested(AnnotationRead))
    history = fields.List(fields.Nested(StepRead))
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


class DisputeRevealed(DisputeRead):
    parties = fields.List(fields.Nested(PartyRevealed))


class NoticeRead(Schema):
    category = fields.String()
    category_label = fields.String()
    title = fields.String()
    steps = fields.List(fields.String())
    documents = fields.List(fields.String())
    deadline = fields.String()
    english = fields.String()


class ReceiptRead(Schema):
    number = fields.String()
    registered_on = fields.Date()
    due_on = fields.Date()
    working_days = fields.Integer()
    category = fields.String()
    category_label = fields.String()
    applicants = fields.List(fields.String())
    received_by = fields.String()
    notice = fields.Nested(NoticeRead)
    calendar_warning = fields.String(allow_none=True)


class RegisteredRead(Schema):
    dispute = fields.Nested(DisputeRead)
    receipt = fields.Nested(ReceiptRead)


class DisputeQuery(Schema):
    community_id = fields.String(validate=CODE)
    grid_id = fields.String(validate=CODE)
    status = fields.String(load_default="open", validate=validate.OneOf(("open", "all") + STATUSES))
    category = OneOf(CATEGORIES)
    mine = OneOf(("first_contact", "mediator"), metadata={"description": "cases I registered, or I mediate"})
    overdue = fields.Boolean()
    escalated = fields.Boolean()
    q = fields.String(validate=validate.Length(min=1, max=40), metadata={"description": "case number or words"})
    sort = fields.String(load_default="due", validate=validate.OneOf(("due", "attention", "newest")),
                         metadata={"description": "attention: overdue, then escalated, then by due date"})
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10000))
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class DisputePage(Schema):
    items = fields.List(fields.Nested(DisputeSummary))
    total = fields.Integer()
    page = fields.Integer()
    page_size = fields.Integer()


# ---- handling ----------------------------------------------------------------------------------

class AssignRequest(StrictSchema):
    mediator_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    reason = Text(500, load_default=None, metadata={"description": "required when reassigning"})


class ReasonRequest(StrictSchema):
    reason = Text(500, required=True)


class ExtendRequest(StrictSchema):
    working_days = fields.Integer(required=True, validate=validate.Range(min=1, max=30))
    reason = Text(500, required=True)


class SessionCreate(StrictSchema):
    held_on = fields.Date(load_default=None)
    place = Text(100, load_default=None)
    attendance = fields.List(fields.Nested(AttendanceSchema), required=True, validate=validate.Length(min=1, max=50))
    others_present = fields.List(Text(60), load_default=list, validate=validate.Length(max=20))
    notes = fields.String(load_default="", validate=validate.Length(max=5000))


class OutcomeRequest(StrictSchema):
    kind = OneOf(("agreement", "no_agreement", "withdrawn"), required=True)
    terms = fields.List(Text(1000), load_default=list, validate=validate.Length(max=20),
                        metadata={"description": "the agreed terms, one per item (required for an agreement)"})
    summary = Text(2000, load_default=None)
    decided_on = fields.Date(load_default=None)

    @validates_schema
    def _terms(self, data, **kwargs):
        if data["kind"] == "agreement" and not data.get("terms"):
            raise ValidationError(reasons.TERMS_NEEDED(), "terms")
        if data["kind"] != "agreement" and data.get("terms"):
            raise ValidationError(reasons.TERMS_ONLY_FOR_AGREEMENT(), "terms")


class ReferralCreate(StrictSchema):
    kind = OneOf(REFERRAL_KINDS, required=True)
    to_body = Text(100, required=True, metadata={"description": "e.g. 区司法局, 区人民法院"})
    reason = Text(1000, load_default=None)


class ReferralReturn(StrictSchema):
    result = OneOf(REFERRAL_RESULTS, required=True)
    note = Text(2000, load_default=None)
    returned_on = fields.Date(load_default=None)


class EscalateRequest(StrictSchema):
    reasons = fields.List(OneOf(ESCALATION_REASONS), required=True, validate=validate.Length(min=1, max=4))
    note = Text(2000, load_default=None)
    households_involved = fields.Integer(load_default=None, validate=validate.Range(min=0, max=100000))


class CloseRequest(StrictSchema):
    note = Text(2000, load_default=None)


class ClosedRead(Schema):
    dispute = fields.Nested(DisputeRead)
    survey_token = fields.String(metadata={"description": "shown once: the link's secret"})
    survey_url = fields.String()


class AnnotationCreate(StrictSchema):
    text = Text(2000, required=True)


class RevealRequest(StrictSchema):
    reason = Text(200, required=True, metadata={"description": "why you need the parties' phone numbers"})


# ---- survey (public) ---------------------------------------------------------------------------

class ExtensionDecision(StrictSchema):
    approve = fields.Boolean(required=True)
    reason = Text(500, required=True)


class ClosingNoticeRequest(StrictSchema):
    token = fields.String(required=True, validate=validate.Length(min=20, max=100),
                          metadata={"description": "the survey token given when the case was closed"})


class SurveyView(Schema):
    number = fields.String()
    category_label = fields.String()
    outcome_label = fields.String(allow_none=True)
    closed_on = fields.Date()
    open_until = fields.Date()
    answered = fields.Boolean()
    open = fields.Boolean()


class SurveyAnswer(StrictSchema):
    rating = fields.Integer(required=True, validate=validate.Range(min=1, max=5),
                            metadata={"description": "1 very dissatisfied … 5 very satisfied; 4 and 5 count as satisfied"})
    comment = fields.String(load_default=None, validate=validate.Length(max=500))


# ---- mediators, register, notifications, reports ------------------------------------------------

class MediatorWrite(StrictSchema):
    name = Text(40, required=True)
    community_ids = fields.List(fields.String(validate=CODE), required=True, validate=validate.Length(min=1, max=50))
    active = fields.Boolean(load_default=True)


class MediatorRead(Schema):
    id = fields.String()
    name = fields.String()
    community_ids = fields.List(fields.String())
    active = fields.Boolean()


class MediatorQuery(Schema):
    community_id = fields.String(required=True, validate=CODE)


class RegisterQuery(Schema):
    grid_id = fields.String(validate=CODE)
    community_id = fields.String(validate=CODE)
    q = fields.String(validate=validate.Length(min=1, max=40), metadata={"description": "address or name"})
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class RegisterResidentRead(Schema):
    resident_id = fields.String()
    name = fields.String()
    relation = fields.String(allow_none=True)
    # no care tags: picking a party needs none; a cared-for party is marked vulnerable on the case instead


class RegisterHouseholdRead(Schema):
    id = fields.String()
    community_id = fields.String()
    grid_id = fields.String()
    address_text = fields.String()
    residency = fields.String(allow_none=True)
    residents = fields.List(fields.Nested(RegisterResidentRead))


class NotificationRead(Schema):
    id = fields.String()
    event_type = fields.String()
    dispute_id = fields.String()
    number = fields.String()
    message = fields.String()
    why = fields.String(allow_none=True)
    at = fields.AwareDateTime()
    read_at = fields.AwareDateTime(allow_none=True)


class NotificationQuery(Schema):
    unread = fields.Boolean(load_default=False)
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class NotificationFeed(Schema):
    items = fields.List(fields.Nested(NotificationRead))
    unread = fields.Integer()


class MarkedRead(Schema):
    marked = fields.Integer()


class HotspotQuery(Schema):
    year = fields.Integer(validate=validate.Range(min=2000, max=2100))
    community_id = fields.String(validate=CODE)
    grid_id = fields.String(validate=CODE)
    month_from = fields.String(validate=MONTH)
    month_to = fields.String(validate=MONTH)
    kind = OneOf(("all",) + KINDS, load_default="dispute", metadata={"description": "which kind of case (all: every kind)"})


class _Count(Schema):
    count = fields.Integer()


class HotspotRow(_Count):
    kind = fields.String()
    category = fields.String()
    grid_id = fields.String(allow_none=True)
    month = fields.String()


class CategoryCount(_Count):
    kind = fields.String()
    category = fields.String()
    category_label = fields.String()


class GridCount(_Count):
    grid_id = fields.String(allow_none=True)
    grid_name = fields.String(allow_none=True)


class MonthCount(_Count):
    month = fields.String()


class Satisfaction(Schema):
    answered = fields.Integer()
    satisfied = fields.Integer()
    rate = fields.Float(allow_none=True)
    target = fields.Float()
    meets_target = fields.Boolean(allow_none=True, metadata={"description": "null below min_answers answers"})
    min_answers = fields.Integer()
    surveyed = fields.Integer(metadata={"description": "closed cases given a survey link"})
    response_rate = fields.Float(allow_none=True, metadata={"description": "answered / surveyed"})


class HotspotRead(Schema):
    year = fields.Integer()
    total = fields.Integer()
    rows = fields.List(fields.Nested(HotspotRow))
    by_category = fields.List(fields.Nested(CategoryCount))
    by_grid = fields.List(fields.Nested(GridCount))
    by_month = fields.List(fields.Nested(MonthCount))
    outcomes = fields.Dict(keys=fields.String(), values=fields.Integer())
    escalated = fields.Integer()
    overdue_now = fields.Integer()
    satisfaction = fields.Nested(Satisfaction)
