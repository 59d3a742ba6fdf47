"""Mediation: registering a dispute and every step of handling it."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, Regexp

from gateway.forms.common import REQUIRED, WHOLE, BaseForm, MultiCheckboxField, choices, digits


def _labels(name):
    from gateway import i18n

    return choices(getattr(i18n, name))


class IntakeForm(BaseForm):
    """Registering a dispute. The buttons say what to do: search the register, pick a household as a party,
    or register, so the register can be searched without scripts and nothing typed is lost."""

    channel = RadioField(_l("How it came in"), default="walk_in", choices=[])
    referred_from = StringField(_l("Referred from"), validators=[Optional(), Length(max=100)])
    received_on = DateField(_l("Received on (if not today)"), validators=[Optional()])
    category = RadioField(_l("Kind of dispute"), validators=[InputRequired(message=_l("Choose one."))], choices=[])
    urgency = RadioField(_l("Urgency"), default="normal", choices=[])
    description = TextAreaField(_l("What the dispute is about"), validators=[REQUIRED, Length(max=5000)],
                                render_kw={"rows": 4, "maxlength": 5000})
    place = SelectField(_l("Grid or community of the case"), choices=[], validate_choice=False)
    q = StringField(_l("Find a household in the register (address or name)"), validators=[Optional(), Length(max=40)],
                    render_kw={"type": "search", "maxlength": 40})
    applicant_household = HiddenField()
    applicant_label = HiddenField()
    applicant_name = StringField(_l("Applicant's name"), validators=[Optional(), Length(max=60)])
    applicant_phone = StringField(_l("Applicant's phone"), validators=[Optional(), Length(max=20)], filters=[digits],
                                  render_kw={"type": "tel", "inputmode": "numeric"})
    applicant_address = StringField(_l("Applicant's address"), validators=[Optional(), Length(max=200)])
    respondent_household = HiddenField()
    respondent_label = HiddenField()
    respondent_name = StringField(_l("Other side's name (person or organisation)"),
                                  validators=[Optional(), Length(max=60)])
    respondent_phone = StringField(_l("Other side's phone"), validators=[Optional(), Length(max=20)],
                                   filters=[digits], render_kw={"type": "tel", "inputmode": "numeric"})
    respondent_address = StringField(_l("Other side's address"), validators=[Optional(), Length(max=200)])
    respondent_organisation = BooleanField(_l("The other side is an organisation (e.g. a property company)"))
    violence_risk = BooleanField(_l("There is a risk of violence"))
    households_involved = StringField(_l("Households involved (if many)"),
                                      validators=[Optional(), Regexp(r"^\d{1,6}$", message=_l("A whole number."))],
                                      render_kw={"inputmode": "numeric", "maxlength": 6})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.channel.choices = _labels("CHANNEL_LABELS")
        self.category.choices = _labels("DISPUTE_CATEGORY_LABELS")
        self.urgency.choices = _labels("URGENCY_LABELS")


class AssignForm(BaseForm):
    mediator_id = SelectField(_l("Mediator"), choices=[], validators=[REQUIRED], validate_choice=False)
    reason = TextAreaField(_l("Reason (needed when reassigning)"), validators=[Optional(), Length(max=500)],
                           render_kw={"rows": 2})


class ExtendForm(BaseForm):
    working_days = StringField(_l("Extra working days"), validators=[REQUIRED, Regexp(r"^\d{1,2}$",
                               message=_l("A whole number."))], render_kw={"inputmode": "numeric", "maxlength": 2})
    reason = TextAreaField(_l("Reason"), validators=[REQUIRED, Length(max=500)], render_kw={"rows": 2})


class ReferForm(BaseForm):
    kind = SelectField(_l("Refer to"), choices=[])
    to_body = StringField(_l("Body it goes to (e.g. district justice bureau)"), validators=[REQUIRED, Length(max=100)])
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=1000)], render_kw={"rows": 2})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = _labels("REFERRAL_KIND_LABELS")


class ReferralReturnForm(BaseForm):
    result = SelectField(_l("Result"), choices=[])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)], render_kw={"rows": 2})
    returned_on = DateField(_l("Came back on"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.result.choices = _labels("REFERRAL_RESULT_LABELS")


class EscalateForm(BaseForm):
    reasons = MultiCheckboxField(_l("Why it is a major case"), choices=[],
                                 validators=[InputRequired(message=_l("Choose at least one."))])
    note = TextAreaField(_l("Special report (个案专报)"), validators=[Optional(), Length(max=2000)],
                         render_kw={"rows": 3})
    households_involved = StringField(_l("Households involved"),
                                      validators=[Optional(), Regexp(r"^\d{1,6}$", message=_l("A whole number."))],
                                      render_kw={"inputmode": "numeric"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reasons.choices = _labels("ESCALATION_LABELS")


class NoteForm(BaseForm):
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)], render_kw={"rows": 2})


class AnnotateForm(BaseForm):
    text = TextAreaField(_l("Note"), validators=[REQUIRED, Length(max=2000)], render_kw={"rows": 2})


class SessionForm(BaseForm):
    held_on = DateField(_l("Held on"), validators=[Optional()])
    place = StringField(_l("Place"), validators=[Optional(), Length(max=100)])
    present = MultiCheckboxField(_l("Parties present"), choices=[], validate_choice=False)
    others_present = StringField(_l("Others present (separated by commas)"), validators=[Optional(), Length(max=500)])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=5000)], render_kw={"rows": 5})


class OutcomeForm(BaseForm):
    kind = RadioField(_l("Outcome"), choices=[], validators=[InputRequired(message=_l("Choose one."))])
    terms = TextAreaField(_l("Agreed terms (one per line)"), validators=[Optional(), Length(max=20000)],
                          render_kw={"rows": 5})
    summary = TextAreaField(_l("Summary"), validators=[Optional(), Length(max=2000)], render_kw={"rows": 3})
    decided_on = DateField(_l("Decided on"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from gateway.i18n import OUTCOME_LABELS

        self.kind.choices = [SelectChoice(k, OUTCOME_LABELS[k]) for k in ("agreement", "no_agreement", "withdrawn")]


class SurveyForm(BaseForm):
    rating = RadioField(_l("How satisfied are you with how the dispute was handled?"), choices=[],
                        validators=[InputRequired(message=_l("Choose one."))])
    comment = TextAreaField(_l("Anything you want to tell us (optional)"), validators=[Optional(), Length(max=500)],
                            render_kw={"rows": 3, "maxlength": 500})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from gateway.i18n import RATING_LABELS

        self.rating.choices = [SelectChoice(k, v) for k, v in RATING_LABELS.items()]


class DisputeEditForm(BaseForm):
    category = RadioField(_l("Kind of dispute"), choices=[])
    urgency = RadioField(_l("Urgency"), choices=[])
    description = TextAreaField(_l("What the dispute is about"), validators=[REQUIRED, Length(max=5000)],
                                render_kw={"rows": 4})
    violence_risk = BooleanField(_l("There is a risk of violence"))
    households_involved = StringField(_l("Households involved"), validators=[Optional(), WHOLE],
                                      render_kw={"inputmode": "numeric"})
    version = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = _labels("DISPUTE_CATEGORY_LABELS")
        self.urgency.choices = _labels("URGENCY_LABELS")
