"""Mediation: registering a dispute and every step of handling it.

The forms check nothing the mediation service checks: the views send what was typed and show its reasons
(choices included: validate_choice=False). One exception: DisputeEditForm's description.
"""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from gateway.forms.common import DATE, PHONE, REQUIRED, BaseForm, CaseIntakeForm, MultiCheckboxField, choices, digits


def _labels(name):
    from gateway import i18n

    return choices(getattr(i18n, name))


class IntakeForm(CaseIntakeForm):
    """Registering a dispute: the applicant and the other side, each from the register or typed in."""

    LABELS = {"category": _l("Kind of dispute"), "description": _l("What the dispute is about")}
    referred_from = StringField(_l("Referred from"))
    respondent_household = HiddenField()
    respondent_label = HiddenField()
    respondent_name = StringField(_l("Other side's name (person or organisation)"))
    respondent_phone = StringField(_l("Other side's phone"), filters=[digits], render_kw=PHONE)
    respondent_address = StringField(_l("Other side's address"))
    respondent_organisation = BooleanField(_l("The other side is an organisation (e.g. a property company)"))
    violence_risk = BooleanField(_l("There is a risk of violence"))
    households_involved = StringField(_l("Households involved (if many)"),
                                      render_kw={"inputmode": "numeric", "maxlength": 6})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = _labels("DISPUTE_CATEGORY_LABELS")


class AssignForm(BaseForm):
    mediator_id = SelectField(_l("Mediator"), choices=[], validate_choice=False)
    reason = TextAreaField(_l("Reason (needed when reassigning)"), render_kw={"rows": 2})


class ExtendForm(BaseForm):
    working_days = StringField(_l("Extra working days"), render_kw={"inputmode": "numeric", "maxlength": 2})
    reason = TextAreaField(_l("Reason"), render_kw={"rows": 2})


class ExtensionDecisionForm(BaseForm):
    """Community staff's decision on the handler's extension request: approve or refuse, always with a reason."""

    decision = RadioField(_l("Decision"), choices=[SelectChoice("approve", _l("Approve")),
                                                   SelectChoice("refuse", _l("Refuse"))], validate_choice=False)
    reason = TextAreaField(_l("Reason"), render_kw={"rows": 2})


class ReferForm(BaseForm):
    kind = SelectField(_l("Refer to"), choices=[], validate_choice=False)
    to_body = StringField(_l("Body it goes to (e.g. district justice bureau)"))
    reason = TextAreaField(_l("Reason"), render_kw={"rows": 2})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = _labels("REFERRAL_KIND_LABELS")


class ReferralReturnForm(BaseForm):
    result = SelectField(_l("Result"), choices=[], validate_choice=False)
    note = TextAreaField(_l("Note"), render_kw={"rows": 2})
    returned_on = StringField(_l("Came back on"), render_kw=DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.result.choices = _labels("REFERRAL_RESULT_LABELS")


class EscalateForm(BaseForm):
    reasons = MultiCheckboxField(_l("Why it is a major case"), choices=[], validate_choice=False)
    note = TextAreaField(_l("Special report (个案专报)"), render_kw={"rows": 3})
    households_involved = StringField(_l("Households involved"), render_kw={"inputmode": "numeric"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reasons.choices = _labels("ESCALATION_LABELS")


class NoteForm(BaseForm):
    note = TextAreaField(_l("Note"), render_kw={"rows": 2})


class AnnotateForm(BaseForm):
    text = TextAreaField(_l("Note"), render_kw={"rows": 2})


class SessionForm(BaseForm):
    held_on = StringField(_l("Held on"), render_kw=DATE)
    place = StringField(_l("Place"))
    present = MultiCheckboxField(_l("Parties present"), choices=[], validate_choice=False)
    others_present = StringField(_l("Others present (separated by commas)"))
    notes = TextAreaField(_l("Notes"), render_kw={"rows": 5})


class OutcomeForm(BaseForm):
    kind = RadioField(_l("Outcome"), choices=[], validate_choice=False)
    terms = TextAreaField(_l("Agreed terms (one per line)"), render_kw={"rows": 5})
    summary = TextAreaField(_l("Summary"), render_kw={"rows": 3})
    decided_on = StringField(_l("Decided on"), render_kw=DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from gateway.i18n import OUTCOME_LABELS

        self.kind.choices = [SelectChoice(k, OUTCOME_LABELS[k]) for k in ("agreement", "no_agreement", "withdrawn")]


class SurveyForm(BaseForm):
    rating = RadioField(_l("How satisfied are you with how the dispute was handled?"), choices=[],
                        validate_choice=False)
    comment = TextAreaField(_l("Anything you want to tell us (optional)"), render_kw={"rows": 3, "maxlength": 500})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from gateway.i18n import RATING_LABELS

        self.rating.choices = [SelectChoice(k, v) for k, v in RATING_LABELS.items()]


class DisputeEditForm(BaseForm):
    category = RadioField(_l("Kind of dispute"), choices=[], validate_choice=False)
    urgency = RadioField(_l("Urgency"), choices=[], validate_choice=False)
    # The service reads a description left out as "unchanged" and refuses an empty one by its length ("use 1 to
    # 5000 characters"); on this form the description is always there, so an emptied one is "Required." here.
    description = TextAreaField(_l("What the dispute is about"), validators=[REQUIRED], render_kw={"rows": 4})
    violence_risk = BooleanField(_l("There is a risk of violence"))
    households_involved = StringField(_l("Households involved"), render_kw={"inputmode": "numeric"})
    version = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = _labels("DISPUTE_CATEGORY_LABELS")
        self.urgency.choices = _labels("URGENCY_LABELS")
