"""What the desk's dispatch, handling and verification routes and the resident's feedback page accept and return."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.mediation.desk_schemas import CaseRead
from shared.events.mediation import DISPATCH_TARGETS
from shared.reasons import mediation as reasons
from shared.schemas import CODE, Choice, StrictSchema, Text


class DispatchRequest(StrictSchema):
    target = Choice(DISPATCH_TARGETS, required=True)
    department = fields.String(load_default=None, validate=CODE,
                               metadata={"description": "a code of DISPATCH_DEPARTMENTS (target department)"})
    user_id = fields.String(load_default=None, validate=validate.Length(min=1, max=64),
                            metadata={"description": "the person's user id (target person): they handle the case"})
    user_name = Text(40, load_default=None)
    due_on = fields.Date(load_default=None, metadata={
        "description": "the round's own due date: today up to the case's due date (default)"})
    note = Text(1000, load_default=None)

    @validates_schema
    def _target(self, data, **kwargs):
        if data["target"] == "department" and not data.get("department"):
            raise ValidationError(reasons.DISPATCH_DEPARTMENT_NEEDED(), "department")
        if data["target"] == "person" and not (data.get("user_id") and data.get("user_name")):
            raise ValidationError(reasons.DISPATCH_PERSON_NEEDED(), "user_id")


class HandleRequest(StrictSchema):
    handling = Text(2000, required=True, metadata={"description": "what was done, as the resident will read it"})
    handled_on = fields.Date(load_default=None)


class VerifyRequest(StrictSchema):
    passed = fields.Boolean(required=True)
    note = Text(1000, load_default=None, metadata={"description": "required when sent back: why"})


class VerifiedRead(Schema):
    case = fields.Nested(CaseRead)
    survey_token = fields.String(metadata={"description": "shown once: the survey link's secret"})
    survey_url = fields.String()


class FeedbackLinkRead(Schema):
    token = fields.String(metadata={"description": "shown once: the link's secret"})
    feedback_url = fields.String()


class FeedbackStep(Schema):
    step = fields.String(metadata={"description": "registered, dispatched, handled, sent_back, verified, closed, ..."})
    on = fields.Date()


class FeedbackOutcome(Schema):
    handling = fields.String()
    handled_on = fields.Date()
    verified_on = fields.Date()


class FeedbackSurvey(Schema):
    open = fields.Boolean()
    answered = fields.Boolean()
    open_until = fields.Date()


class FeedbackView(Schema):
    number = fields.String()
    kind_label = fields.String()
    category_label = fields.String()
    registered_on = fields.Date()
    due_on = fields.Date()
    status = fields.String()
    steps = fields.List(fields.Nested(FeedbackStep))
    outcome = fields.Nested(FeedbackOutcome, allow_none=True)
    survey = fields.Nested(FeedbackSurvey, allow_none=True)
