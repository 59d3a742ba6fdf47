"""What the volunteers API accepts and returns. Staff reads mask phone and ID numbers; public reads show neither."""
from marshmallow import Schema, ValidationError, fields, post_load, pre_load, validate, validates_schema

from services.volunteers.models import AVAILABILITY, SKILLS
from shared.reasons import volunteers as reasons
from shared.schemas import CODE, OBJECT_ID, StrictSchema, Text
from shared.validators import mask_id_number, mask_phone, normalise_id_number, validate_id_number, validate_phone

Skill = lambda: fields.String(validate=validate.OneOf(tuple(SKILLS)))  # noqa: E731
Slot = lambda: fields.String(validate=validate.OneOf(AVAILABILITY))  # noqa: E731


class Hours(fields.Float):
    """Hours of service; what is not a number is refused with words saying how to write one."""

    def make_error(self, key: str, **kwargs) -> ValidationError:
        return ValidationError(reasons.HOURS_FORM()) if key == "invalid" else super().make_error(key, **kwargs)


def _consented(value) -> None:
    if value is not True:
        raise ValidationError(reasons.CONSENT_REQUIRED())


def _unique(values, field):
    if len(values) != len(set(values)):
        raise ValidationError(reasons.EACH_ONCE(), field)



class Page(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10000))
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class Option(Schema):
    code = fields.String()
    label = fields.String()


class Options(Schema):
    skills = fields.List(fields.Nested(Option))
    availability = fields.List(fields.Nested(Option))
    consent_version = fields.String()
    consent_text = fields.String()


# ---- communities -------------------------------------------------------------------------------

class CommunityRead(Schema):
    id = fields.String()
    name = fields.String(attribute="display_name")
    residents = fields.Integer()
    households = fields.Integer()


class CommunityUpdate(StrictSchema):
    name = Text(60, required=True, metadata={"description": "the community's name as residents see it on links"})


class GridRead(Schema):
    id = fields.String()
    name = fields.String(allow_none=True)
    community_id = fields.String()


class Figures(Schema):
    community_id = fields.String()
    community_name = fields.String()
    residents = fields.Integer()
    volunteers = fields.Integer(metadata={"description": "registered volunteers now"})
    volunteer_target = fields.Integer(metadata={"description": "VOLUNTEER_SHARE_TARGET of residents, rounded up"})
    volunteer_share_target = fields.Float(metadata={"description": "the share of residents aimed at (0.10: 10 %)"})
    volunteers_vs_target = fields.Float(allow_none=True)
    share = fields.Float(allow_none=True, metadata={"description": "volunteers as % of residents, one decimal"})
    waitlisted = fields.Integer()
    teams = fields.Integer()
    team_target = fields.Integer()
    active_volunteers_90d = fields.Integer()
    hours_this_year = fields.Float()
    needs_open = fields.Integer()
    meets_volunteer_target = fields.Boolean()
    meets_team_target = fields.Boolean()


# ---- links -------------------------------------------------------------------------------------

class LinkCreate(StrictSchema):
    community_id = fields.String(required=True, validate=CODE)
    team_id = fields.String(load_default=None, allow_none=True, validate=OBJECT_ID)
    title = Text(80, load_default=None, allow_none=True)
    expires_at = fields.AwareDateTime(load_default=None, allow_none=True)
    valid_days = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=366),
                                metadata={"description": "instead of expires_at; 30 when neither is given"})
    capacity = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=100000),
                              metadata={"description": "places; sign-ups beyond it join the waiting list"})

    @validates_schema
    def _one_expiry(self, data, **kwargs):
        if data.get("expires_at") and data.get("valid_days"):
            raise ValidationError(reasons.EXPIRY_ONE_WAY(), "valid_days")


class LinkCapacity(StrictSchema):
    capacity = fields.Integer(required=True, allow_none=True, validate=validate.Range(min=1, max=100000))


class LinkRead(Schema):
    id = fields.String()
    token = fields.String()
    public_url = fields.String()
    community_id = fields.String()
    team_id = fields.String(allow_none=True)
    title = fields.String(allow_none=True)
    expires_at = fields.AwareDateTime()
    capacity = fields.Integer(allow_none=True)
    filled = fields.Integer()
    waitlisted = fields.Integer()
    state = fields.String(metadata={"description": "open, full (sign-ups join the waiting list), expired or closed"})
    created_by = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()


class LinkPublic(Schema):
    title = fields.String(allow_none=True)
    community_id = fields.String()
    community_name = fields.String()
    team_id = fields.String(allow_none=True)
    team_name = fields.String(allow_none=True)
    state = fields.String(metadata={"description": "open, full (sign-ups join the waiting list), expired or closed"})
    expires_at = fields.AwareDateTime()
    capacity = fields.Integer(allow_none=True)
    places_left = fields.Integer(allow_none=True)
    grids = fields.List(fields.Nested(GridRead))
    skills = fields.List(fields.Nested(Option))
    availability = fields.List(fields.Nested(Option))
    consent_version = fields.String()
    consent_text = fields.String()


class SignupCreate(StrictSchema):
    name = Text(40, required=True)
    phone = fields.String(required=True, validate=validate_phone)
    id_number = fields.String(load_default=None, allow_none=True, validate=validate_id_number)
    skills = fields.List(Skill(), load_default=list, validate=validate.Length(max=len(SKILLS)))
    availability = fields.List(Slot(), load_default=list, validate=validate.Length(max=len(AVAILABILITY)))
    grid_id = fields.String(load_default=None, allow_none=True, validate=CODE)
    consent = fields.Boolean(required=True, validate=_consented)

    @pre_load
    def _tidy(self, data, **kwargs):
        """Phones add spaces and a lower-case x; accept what people type."""
        if isinstance(data, dict):
            data = dict(data)
            if isinstance(data.get("phone"), str):
                data["phone"] = data["phone"].replace(" ", "").replace("-", "")
            if isinstance(data.get("id_number"), str):
                data["id_number"] = normalise_id_number(data["id_number"].replace(" ", "")) or None
        return data

    @validates_schema
    def _each_once(self, data, **kwargs):
        _unique(data.get("skills", []), "skills")
        _unique(data.get("availability", []), "availability")

    @post_load
    def _normalise(self, data, **kwargs):
        data["name"] = data["name"].strip()
        if not data["name"]:
            raise ValidationError(reasons.NOT_BLANK(), "name")
        return data


class SignupResult(Schema):
    """The same for every sign-up, whether or not it matched a volunteer: nothing stored is shown."""

    name = fields.String(metadata={"description": "the name as typed"})
    community_name = fields.String()
    team_name = fields.String(allow_none=True)
    personal_url = fields.String(metadata={"description": "the sign-up's own page; shown this once"})
    message = fields.String()


class ClaimVolunteer(Schema):
    id = fields.String()
    name = fields.String(allow_none=True)
    status = fields.String(allow_none=True)
    phone = fields.Function(lambda v: mask_phone(v["phone"]))


class ClaimRead(Schema):
    """A sign-up that matched a volunteer, for staff: what was typed (masked) and whom it matched."""

    id = fields.String()
    status = fields.String(metadata={"description": "pending, confirmed or rejected"})
    matched_on = fields.String(metadata={"description": "phone or id_number"})
    name = fields.String()
    phone = fields.Function(lambda c: mask_phone(c["phone"]))
    id_number = fields.Function(lambda c: mask_id_number(c["id_number"]))
    grid_id = fields.String(allow_none=True)
    skills = fields.List(fields.String())
    availability = fields.List(fields.String())
    link_id = fields.String()
    team_id = fields.String(allow_none=True)
    team_name = fields.String(allow_none=True)
    holds_place = fields.Boolean()
    created_at = fields.AwareDateTime()
    decided_at = fields.AwareDateTime(allow_none=True)
    decided_by = fields.String(allow_none=True)
    decision_note = fields.String(allow_none=True)
    volunteer = fields.Nested(ClaimVolunteer)


class ClaimQuery(Schema):
    community_id = fields.String(required=True, validate=CODE)
    status = fields.String(load_default="pending", validate=validate.OneOf(("pending", "confirmed", "rejected")))


class ClaimDecision(StrictSchema):
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))


class PersonalLink(Schema):
    volunteer_id = fields.String()
    personal_url = fields.String(metadata={"description": "the volunteer's new personal link; shown this once"})


# ---- volunteers --------------------------------------------------------------------------------

class VolunteerRead(Schema):
    id = fields.String()
    community_id = fields.String()
    grid_id = fields.String(allow_none=True)
    name = fields.String()
    phone = fields.Function(lambda v: mask_phone(v.phone))
    id_number = fields.Function(lambda v: mask_id_number(v.id_number))
    skills = fields.List(fields.String())
    availability = fields.List(fields.String())
    team_ids = fields.List(fields.String())
    status = fields.String()
    link_id = fields.String(allow_none=True)
    registered_at = fields.AwareDateTime(allow_none=True)
    waitlisted_at = fields.AwareDateTime(allow_none=True)
    left_at = fields.AwareDateTime(allow_none=True)
    version = fields.Integer()


class VolunteerRevealed(VolunteerRead):
    phone = fields.String()
    id_number = fields.String(allow_none=True)


class VolunteerPage(Schema):
    items = fields.List(fields.Nested(VolunteerRead))
    total = fields.Integer()
    page = fields.Integer()
    page_size = fields.Integer()


class VolunteerQuery(Page):
    community_id = fields.String(required=True, validate=CODE)
    team_id = fields.String(validate=OBJECT_ID)
    link_id = fields.String(validate=OBJECT_ID)
    grid_id = fields.String(validate=CODE)
    status = fields.String(load_default="registered", validate=validate.OneOf(("registered", "waitlisted", "left")))
    q = fields.String(validate=validate.Length(min=1, max=40), metadata={"description": "part of a name"})


class VolunteerUpdate(StrictSchema):
    version = fields.Integer(required=True)
    grid_id = fields.String(required=True, allow_none=True, validate=CODE)
    skills = fields.List(Skill(), required=True)
    availability = fields.List(Slot(), required=True)

    @validates_schema
    def _each_once(self, data, **kwargs):
        _unique(data.get("skills", []), "skills")
        _unique(data.get("availability", []), "availability")


class LeaveRequest(StrictSchema):
    reason = Text(200, load_default=None, allow_none=True)


class RevealRequest(StrictSchema):
    reason = Text(200, required=True, metadata={"description": "why you need the full phone and ID number"})


# ---- teams -------------------------------------------------------------------------------------

class TeamCreate(StrictSchema):
    community_id = fields.String(required=True, validate=CODE)
    name = Text(60, required=True)
    description = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))
    leader_ids = fields.List(Text(80), load_default=list, validate=validate.Length(max=10),
                             metadata={"description": "user ids of team leaders (role team_leader)"})


class TeamLeaders(StrictSchema):
    leader_ids = fields.List(Text(80), required=True, validate=validate.Length(max=10))


class TeamRead(Schema):
    id = fields.String()
    community_id = fields.String()
    name = fields.String()
    description = fields.String(allow_none=True)
    leader_ids = fields.List(fields.String())
    members = fields.Integer()
    created_at = fields.AwareDateTime()


class TeamQuery(Schema):
    community_id = fields.String(required=True, validate=CODE)


class MemberRequest(StrictSchema):
    volunteer_id = fields.String(required=True, validate=OBJECT_ID)


# ---- needs -------------------------------------------------------------------------------------

class NeedCreate(StrictSchema):
    community_id = fields.String(required=True, validate=CODE)
    grid_id = fields.String(load_default=None, allow_none=True, validate=CODE)
    title = Text(120, required=True)
    description = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    starts_at = fields.AwareDateTime(required=True)
    ends_at = fields.AwareDateTime(load_default=None, allow_none=True)
    recurrence = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(("weekly", "monthly")))
    skills = fields.List(Skill(), load_default=list)
    people_wanted = fields.Integer(required=True, validate=validate.Range(min=1, max=500))
    team_ids = fields.List(fields.String(validate=OBJECT_ID), load_default=list, validate=validate.Length(max=20))

    @validates_schema
    def _times(self, data, **kwargs):
        if data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            raise ValidationError(reasons.ENDS_AFTER_START(), "ends_at")
        _unique(data.get("skills", []), "skills")


class AssignmentRead(Schema):
    volunteer_id = fields.String()
    name = fields.String(allow_none=True)
    status = fields.String()
    confirmed_by = fields.String(allow_none=True)
    confirmed_at = fields.AwareDateTime(allow_none=True)
    completed_at = fields.AwareDateTime(allow_none=True)
    visits = fields.Integer()


class CareRead(Schema):
    household_id = fields.String()
    resident_id = fields.String()
    name = fields.String(allow_none=True)
    tag = fields.String()


class NeedRead(Schema):
    id = fields.String()
    community_id = fields.String()
    grid_id = fields.String(allow_none=True)
    kind = fields.String()
    title = fields.String()
    description = fields.String(allow_none=True)
    starts_at = fields.AwareDateTime()
    ends_at = fields.AwareDateTime(allow_none=True)
    recurrence = fields.String(allow_none=True)
    every_days = fields.Integer(allow_none=True, metadata={
        "description": "with recurrence 'days' (a standing care need): days between visits, the care tag's cadence"})
    skills = fields.List(fields.String())
    people_wanted = fields.Integer()
    team_ids = fields.List(fields.String())
    status = fields.String()
    assignments = fields.List(fields.Nested(AssignmentRead))
    care = fields.Nested(CareRead, allow_none=True)
    drill_id = fields.String(allow_none=True)
    case = fields.Nested(Schema.from_dict({k: fields.String(allow_none=True) for k in (
        "case_id", "number", "household_id", "help")}, name="CaseLinkRead"), allow_none=True)
    opened_at = fields.AwareDateTime()
    filled_at = fields.AwareDateTime(allow_none=True)
    closed_at = fields.AwareDateTime(allow_none=True)
    closed_reason = fields.String(allow_none=True)
    version = fields.Integer()


class NeedQuery(Page):
    community_id = fields.String(required=True, validate=CODE)
    status = fields.String(load_default="open", validate=validate.OneOf(("open", "filled", "closed", "all")))
    kind = fields.String(validate=validate.OneOf(("manual", "care", "drill", "request")))


class NeedPage(Schema):
    items = fields.List(fields.Nested(NeedRead))
    total = fields.Integer()
    page = fields.Integer()
    page_size = fields.Integer()


class MatchRead(Schema):
    volunteer_id = fields.String()
    name = fields.String()
    grid_id = fields.String(allow_none=True)
    skills = fields.List(fields.String())
    team_ids = fields.List(fields.String())
    score = fields.Integer()
    skills_matched = fields.List(fields.String())
    same_grid = fields.Boolean()
    available = fields.Boolean(metadata={"description": "free at the need's weekday and time of day"})


class AssignRequest(StrictSchema):
    volunteer_ids = fields.List(fields.String(validate=OBJECT_ID), required=True,
                                validate=validate.Length(min=1, max=100))


class CompleteRequest(StrictSchema):
    hours = Hours(required=True, validate=validate.Range(min=0.25, max=24))
    served_on = fields.Date(required=True)
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class CloseRequest(StrictSchema):
    reason = Text(200, required=True)


# ---- hours, reports, certificates --------------------------------------------------------------

class HoursEntryRead(Schema):
    id = fields.String()
    volunteer_id = fields.String()
    community_id = fields.String()
    team_id = fields.String(allow_none=True)
    source = fields.String()
    source_ref = fields.String(allow_none=True)
    served_on = fields.Date()
    hours = fields.Float(metadata={"description": "what this line says the service was"})
    delta = fields.Float(metadata={"description": "what this line adds to totals"})
    corrects = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    recorded_by = fields.String(allow_none=True)
    recorded_at = fields.AwareDateTime()


class Ledger(Schema):
    volunteer_id = fields.String()
    total_hours = fields.Float()
    entries = fields.List(fields.Nested(HoursEntryRead))


class CorrectionRequest(StrictSchema):
    hours = Hours(required=True, validate=validate.Range(min=0, max=24),
                         metadata={"description": "what the hours should have been"})
    reason = Text(200, required=True)


class ServiceReportCreate(StrictSchema):
    served_on = fields.Date(required=True)
    hours = Hours(required=True, validate=validate.Range(min=0.25, max=24))
    description = Text(500, required=True)
    team_id = fields.String(load_default=None, allow_none=True, validate=OBJECT_ID)


class ServiceReportRead(Schema):
    id = fields.String()
    volunteer_id = fields.String()
    volunteer_name = fields.String(allow_none=True)
    community_id = fields.String()
    team_id = fields.String(allow_none=True)
    served_on = fields.Date()
    hours = fields.Float()
    description = fields.String()
    status = fields.String()
    decided_by = fields.String(allow_none=True)
    decided_at = fields.AwareDateTime(allow_none=True)
    decision_note = fields.String(allow_none=True)
    entry_id = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()


class ServiceReportQuery(Schema):
    community_id = fields.String(required=True, validate=CODE)
    status = fields.String(load_default="pending", validate=validate.OneOf(("pending", "approved", "rejected")))


class DecisionRequest(StrictSchema):
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))


class RejectRequest(StrictSchema):
    note = Text(200, required=True, metadata={"description": "why: the volunteer sees it"})


class CertificateCreate(StrictSchema):
    volunteer_id = fields.String(required=True, validate=OBJECT_ID)
    period_from = fields.Date(required=True)
    period_to = fields.Date(required=True)

    @validates_schema
    def _order(self, data, **kwargs):
        if data.get("period_from") and data.get("period_to") and data["period_to"] < data["period_from"]:
            raise ValidationError(reasons.PERIOD_ORDER(), "period_to")


class CertificateRead(Schema):
    id = fields.String()
    serial = fields.String()
    volunteer_id = fields.String()
    volunteer_name = fields.String()
    community_id = fields.String()
    community_name = fields.String()
    period_from = fields.Date()
    period_to = fields.Date()
    hours = fields.Float()
    issued_at = fields.AwareDateTime()
    issued_by_name = fields.String(allow_none=True)
    status = fields.String()
    revoked_at = fields.AwareDateTime(allow_none=True)
    revoked_reason = fields.String(allow_none=True)
    verify_url = fields.String()


class CertificateQuery(Schema):
    community_id = fields.String(validate=CODE)
    volunteer_id = fields.String(validate=OBJECT_ID)

    @validates_schema
    def _one(self, data, **kwargs):
        if not data.get("community_id") and not data.get("volunteer_id"):
            raise ValidationError(reasons.COMMUNITY_OR_VOLUNTEER(), "community_id")


class RevokeRequest(StrictSchema):
    reason = Text(200, required=True)


class CertificateVerified(Schema):
    serial = fields.String()
    status = fields.String(metadata={"description": "valid or revoked"})
    name = fields.String(metadata={"description": "masked"})
    hours = fields.Float()
    period_from = fields.Date()
    period_to = fields.Date()
    community_name = fields.String()
    issued_at = fields.AwareDateTime()
    revoked_at = fields.AwareDateTime(allow_none=True)


# ---- the volunteer's own page -------------------------------------------------------------------

class TeamBrief(Schema):
    id = fields.String()
    name = fields.String()


class OwnCertificate(Schema):
    serial = fields.String()
    period_from = fields.Date()
    period_to = fields.Date()
    hours = fields.Float()
    status = fields.String()
    issued_at = fields.AwareDateTime()


class OwnEntry(Schema):
    served_on = fields.Date()
    source = fields.String()
    hours = fields.Float()
    delta = fields.Float()
    note = fields.String(allow_none=True)
    corrects = fields.String(allow_none=True)
    id = fields.String()


class OwnReport(Schema):
    id = fields.String()
    served_on = fields.Date()
    hours = fields.Float()
    description = fields.String()
    status = fields.String()
    decision_note = fields.String(allow_none=True)


class VolunteerSelf(Schema):
    name = fields.String()
    status = fields.String(metadata={"description": "registered, waitlisted, left; or pending / rejected for a "
                                                    "sign-up that staff check"})
    community_id = fields.String()
    community_name = fields.String()
    grid_id = fields.String(allow_none=True)
    skills = fields.List(fields.String())
    availability = fields.List(fields.String())
    teams = fields.List(fields.Nested(TeamBrief))
    waitlist_position = fields.Integer(allow_none=True)
    hours_total = fields.Float()
    hours_this_year = fields.Float()
    entries = fields.List(fields.Nested(OwnEntry))
    certificates = fields.List(fields.Nested(OwnCertificate))
    reports = fields.List(fields.Nested(OwnReport))
