"""What the desk's routes accept and return: requests, incidents, the list of cases of every kind, one case as the
desk reads it (a dispute's read plus kind, place, photos, dispatch rounds, verifications, help and `allowed`)."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.mediation import notices
from services.mediation import schemas as s
from services.mediation.service import desk
from shared.events.mediation import CHANNELS, HELP_KINDS, KINDS, REQUEST_CATEGORIES, URGENCIES
from shared.reasons import mediation as reasons
from shared.schemas import CODE, Choice, StrictSchema, Text
from shared.web.factory import caller

# ---- intake ------------------------------------------------------------------------------------

class Labelled(Schema):
    code = fields.String()
    label = fields.String()


class CategoriesRead(Schema):
    request = fields.List(fields.Nested(Labelled))
    incident = fields.List(fields.Nested(Labelled))
    dispute = fields.List(fields.Nested(Labelled))
    departments = fields.List(fields.Nested(Labelled))
    help_kinds = fields.List(fields.Nested(Labelled))


class ApplicantWrite(s.PartyWrite):
    role = Choice(("applicant",), load_default="applicant")


class HelpWrite(StrictSchema):
    help = Choice(HELP_KINDS, required=True)
    summary = Text(200, required=True, metadata={"description": "what is needed, without names or phone numbers"})
    needed_by = fields.Date(load_default=None)


class RequestCreate(StrictSchema):
    community_id = fields.String(load_default=None, validate=CODE)
    grid_id = fields.String(load_default=None, validate=CODE,
                            metadata={"description": "default: the grid of the applicant's household"})
    category = Choice(REQUEST_CATEGORIES, required=True)
    description = Text(5000, required=True)
    urgency = Choice(URGENCIES, load_default="normal")
    channel = Choice(CHANNELS, load_default="walk_in")
    received_on = fields.Date(load_default=None, metadata={"description": "default today; a paper intake entered later"})
    applicant = fields.Nested(ApplicantWrite, required=True)
    help = fields.Nested(HelpWrite, load_default=None, metadata={"description": "ask volunteers at once"})


class PlaceWrite(StrictSchema):
    building = Text(40, load_default=None)
    text = Text(200, load_default=None)
    lat = fields.Float(load_default=None, validate=validate.Range(min=-90, max=90))
    lon = fields.Float(load_default=None, validate=validate.Range(min=-180, max=180))

    @validates_schema
    def _point(self, data, **kwargs):
        if (data.get("lat") is None) != (data.get("lon") is None):
            raise ValidationError(reasons.LAT_LON_TOGETHER(), "lat")


class IncidentCreate(StrictSchema):
    grid_id = fields.String(required=True, validate=CODE)
    category = fields.String(required=True, validate=validate.Length(min=1, max=40),
                             metadata={"description": "a code of GET /desk/categories (INCIDENT_CATEGORIES)"})
    description = Text(5000, required=True)
    urgency = Choice(URGENCIES, load_default="normal")
    place = fields.Nested(PlaceWrite, required=True)
    attach_location = fields.Boolean(load_default=False,
                                     metadata={"description": "keep the GPS point (the form's, else a photo's)"})
    client_id = fields.String(load_default=None, validate=validate.Length(min=8, max=64),
                              metadata={"description": "the phone's id of an offline report: sent again, the same "
                                                       "case answers (200)"})


# ---- reads -------------------------------------------------------------------------------------

class PlaceRead(Schema):
    building = fields.String(allow_none=True)
    text = fields.String(allow_none=True)
    lat = fields.Float(allow_none=True)
    lon = fields.Float(allow_none=True)
    gps_from = fields.String(allow_none=True)


class PhotoRead(Schema):
    photo_id = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    width = fields.Integer()
    height = fields.Integer()
    stage = fields.String()
    at = fields.AwareDateTime()
    by = fields.String()


class DispatchRead(Schema):
    dispatch_id = fields.String()
    round = fields.Integer()
    target = fields.String()
    department = fields.String(allow_none=True)
    department_label = fields.Function(lambda x: desk.department_label(x.department))
    user_id = fields.String(allow_none=True)
    user_name = fields.String(allow_none=True)
    due_on = fields.Date()
    note = fields.String(allow_none=True)
    at = fields.AwareDateTime()
    by = fields.String()
    by_name = fields.String(allow_none=True)
    state = fields.String()
    handled_on = fields.Date(allow_none=True)
    handled_by = fields.String(allow_none=True)
    handled_by_name = fields.String(allow_none=True)
    handling = fields.String(allow_none=True)
    sent_back_reason = fields.String(allow_none=True)


class VerificationRead(Schema):
    dispatch_id = fields.String()
    passed = fields.Boolean()
    note = fields.String(allow_none=True)
    at = fields.AwareDateTime()
    by = fields.String()
    by_name = fields.String(allow_none=True)


class HelpRead(Schema):
    help = fields.String()
    help_label = fields.Function(lambda h: notices.HELP_LABELS.get(h.help, h.help))
    summary = fields.String()
    household_id = fields.String(allow_none=True)
    needed_by = fields.Date(allow_none=True)
    at = fields.AwareDateTime()
    by = fields.String()


class Allowed(Schema):
    dispatch = fields.Boolean()
    handle = fields.Boolean()
    verify = fields.Boolean()


class CaseSummary(s.DisputeSummary):
    kind = fields.String()
    kind_label = fields.Function(lambda d: notices.kind_label(d.kind))
    place = fields.Nested(PlaceRead, allow_none=True)
    handler_id = fields.String(allow_none=True)
    photo_count = fields.Function(lambda d: len(d.photos))


class CaseRead(s.DisputeRead):
    kind = fields.String()
    kind_label = fields.Function(lambda d: notices.kind_label(d.kind))
    place = fields.Nested(PlaceRead, allow_none=True)
    photos = fields.List(fields.Nested(PhotoRead))
    dispatches = fields.List(fields.Nested(DispatchRead))
    handler_id = fields.String(allow_none=True)
    verifications = fields.List(fields.Nested(VerificationRead))
    help_request = fields.Nested(HelpRead, allow_none=True)
    allowed = fields.Function(lambda d: Allowed().dump(desk.allowed(caller(), d)),
                              metadata={"description": "which of dispatch, handle, verify the caller may do now"})


class CaseReceipt(s.ReceiptRead):
    kind = fields.String()
    kind_label = fields.String()
    feedback_url = fields.String(allow_none=True, metadata={
        "description": "the resident's page of the case (progress, outcome, survey): shown once, on this receipt"})


class CaseRegistered(Schema):
    case = fields.Nested(CaseRead)
    receipt = fields.Nested(CaseReceipt)


class CaseQuery(s.DisputeQuery):
    kind = Choice(KINDS, metadata={"description": "empty: every kind"})
    category = fields.String(validate=validate.Length(min=1, max=40))
    mine = Choice(("first_contact", "handler", "verify"), metadata={
        "description": "cases I registered, am dispatched to, or may verify now"})


class CasePage(s.DisputePage):
    items = fields.List(fields.Nested(CaseSummary))


# ---- figures -----------------------------------------------------------------------------------

class DeskQuery(Schema):
    community_id = fields.String(validate=CODE)
    grid_id = fields.String(validate=CODE)
    year = fields.Integer(validate=validate.Range(min=2000, max=2100))


class KindFigures(Schema):
    registered = fields.Integer()
    open = fields.Integer()
    overdue = fields.Integer()
    closed = fields.Integer()
    on_time = fields.Integer(metadata={"description": "closed on or before the due date"})
    on_time_share = fields.Float(allow_none=True)


class DeskCategoryCount(Schema):
    kind = fields.String()
    category = fields.String()
    category_label = fields.String()
    count = fields.Integer()


class DeskFigures(Schema):
    year = fields.Integer()
    kinds = fields.Dict(keys=fields.String(), values=fields.Nested(KindFigures))
    by_category = fields.List(fields.Nested(DeskCategoryCount))
