"""Volunteers: the public sign-up, the volunteer's own page, and the staff's and team leaders' pages."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp

from gateway.forms.common import REQUIRED, WHOLE, BaseForm, MultiCheckboxField, choices, digits

PHONE = Regexp(r"^1\d{10}$", message=_l("A mobile number has 11 digits and starts with 1."))


def availability_choices() -> list[SelectChoice]:
    from gateway.i18n import DAY_LABELS, SLOT_LABELS

    return [SelectChoice(f"{d}_{s}", f"{DAY_LABELS[d]}{SLOT_LABELS[s]}") for d in DAY_LABELS for s in SLOT_LABELS]


class SignupForm(BaseForm):
    name = StringField(_l("Name"), validators=[REQUIRED], filters=[lambda v: (v or "").strip()],
                       render_kw={"autocomplete": "name", "maxlength": 40})
    phone = StringField(_l("Mobile phone"), validators=[REQUIRED, PHONE], filters=[digits],
                        render_kw={"type": "tel", "inputmode": "numeric", "autocomplete": "tel", "maxlength": 20})
    id_number = StringField(_l("ID number (optional)"), validators=[Optional()],
                            filters=[lambda v: digits(v).upper()],
                            render_kw={"autocomplete": "off", "autocapitalize": "characters", "maxlength": 20})
    skills = MultiCheckboxField(_l("What you can offer"), choices=[])
    availability = MultiCheckboxField(_l("When you are free"), choices=[])
    grid_id = SelectField(_l("The grid you live in"), choices=[], validate_choice=False)
    consent = BooleanField(_l("I agree to the use of my data as described above"),
                           validators=[DataRequired(message=_l("Please agree to the use of your data."))])
    submit = SubmitField(_l("Sign up"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from gateway.i18n import SKILL_LABELS

        self.skills.choices = choices(SKILL_LABELS)
        self.availability.choices = availability_choices()


class ServiceReportForm(BaseForm):
    served_on = DateField(_l("Date of service"), validators=[InputRequired(message=_l("Required."))])
    hours = StringField(_l("Hours"), validators=[REQUIRED, Regexp(r"^\d{1,2}(\.\d{1,2})?$",
                                                                 message=_l("Hours as a number, e.g. 2 or 1.5."))],
                        render_kw={"inputmode": "decimal", "maxlength": 5})
    description = TextAreaField(_l("What you did"), validators=[REQUIRED],
                                render_kw={"rows": 3, "maxlength": 500})
    team_id = SelectField(_l("Team"), choices=[], validate_choice=False)
    submit = SubmitField(_l("Send for approval"))


class LeaveSelfForm(BaseForm):
    reason = TextAreaField(_l("Why you stop (optional)"), validators=[Optional()],
                           render_kw={"rows": 2, "maxlength": 200})
    submit = SubmitField(_l("Stop volunteering"))


class SerialForm(BaseForm):
    serial = StringField(_l("Certificate serial number"), validators=[REQUIRED, Length(max=40)],
                         filters=[lambda v: (v or "").strip().upper()], render_kw={"autocapitalize": "characters"})
    submit = SubmitField(_l("Check"))


class LinkForm(BaseForm):
    title = StringField(_l("Title (what the sign-up is for)"), validators=[Optional()],
                        render_kw={"maxlength": 80})
    team_id = SelectField(_l("For a team (optional)"), choices=[], validate_choice=False)
    valid_days = StringField(_l("Open for (days)"), default="30", validators=[REQUIRED, WHOLE],
                             render_kw={"inputmode": "numeric", "maxlength": 3})
    capacity = StringField(_l("Places (empty: no limit; beyond it a waiting list)"),
                           validators=[Optional(), WHOLE], render_kw={"inputmode": "numeric", "maxlength": 6})


class CapacityForm(BaseForm):
    capacity = StringField(_l("Places (empty: no limit)"), validators=[Optional(), WHOLE],
                           render_kw={"inputmode": "numeric", "maxlength": 6})


class TeamForm(BaseForm):
    name = StringField(_l("Team name"), validators=[REQUIRED], render_kw={"maxlength": 60})
    description = TextAreaField(_l("What the team does"), validators=[Optional()],
                                render_kw={"rows": 2})
    leader_ids = MultiCheckboxField(_l("Leaders"), choices=[], validate_choice=False)


class LeadersForm(BaseForm):
    leader_ids = MultiCheckboxField(_l("Leaders"), choices=[], validate_choice=False)


class MemberForm(BaseForm):
    volunteer_id = SelectField(_l("Add a volunteer"), choices=[], validators=[REQUIRED], validate_choice=False)


class NeedForm(BaseForm):
    title = StringField(_l("What is needed"), validators=[REQUIRED], render_kw={"maxlength": 120})
    description = TextAreaField(_l("Details"), render_kw={"rows": 2})
    grid_id = SelectField(_l("Grid"), choices=[], validate_choice=False)
    starts_at = StringField(_l("Starts"), validators=[REQUIRED], render_kw={"type": "datetime-local", "step": 60})
    ends_at = StringField(_l("Ends (optional)"), validators=[Optional()],
                          render_kw={"type": "datetime-local", "step": 60})
    recurrence = SelectField(_l("Repeats"), choices=[], validate_choice=False)
    people_wanted = StringField(_l("People wanted"), default="1", validators=[REQUIRED, WHOLE],
                                render_kw={"inputmode": "numeric", "maxlength": 3})
    skills = MultiCheckboxField(_l("Skills wanted"), choices=[])
    team_ids = MultiCheckboxField(_l("Teams asked"), choices=[], validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from gateway.i18n import RECURRENCE_LABELS, SKILL_LABELS

        self.skills.choices = choices(SKILL_LABELS)
        self.recurrence.choices = [SelectChoice("", _l("Once"))] + choices(RECURRENCE_LABELS)


class ConfirmForm(BaseForm):
    volunteer_ids = MultiCheckboxField(_l("Volunteers to confirm"), choices=[], validate_choice=False,
                                       validators=[InputRequired(message=_l("Choose at least one."))])


class CompleteForm(BaseForm):
    hours = StringField(_l("Hours"), validators=[REQUIRED, Regexp(r"^\d{1,2}(\.\d{1,2})?$",
                                                                 message=_l("Hours as a number, e.g. 2 or 1.5."))],
                        render_kw={"inputmode": "decimal", "maxlength": 5})
    served_on = DateField(_l("Date of service"), validators=[InputRequired(message=_l("Required."))])
    note = StringField(_l("Note"), )


class DecisionForm(BaseForm):
    note = StringField(_l("Note (needed to reject: the volunteer sees it)"), )


class CertificateForm(BaseForm):
    volunteer_id = SelectField(_l("Volunteer"), choices=[], validators=[REQUIRED], validate_choice=False)
    period_from = DateField(_l("From"), validators=[InputRequired(message=_l("Required."))])
    period_to = DateField(_l("To"), validators=[InputRequired(message=_l("Required."))])


class VolunteerEditForm(BaseForm):
    grid_id = SelectField(_l("Grid"), choices=[], validate_choice=False)
    skills = MultiCheckboxField(_l("Skills"), choices=[])
    availability = MultiCheckboxField(_l("When free"), choices=[])
    version = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from gateway.i18n import SKILL_LABELS

        self.skills.choices = choices(SKILL_LABELS)
        self.availability.choices = availability_choices()


class CorrectionForm(BaseForm):
    hours = StringField(_l("The hours should be"), validators=[REQUIRED, Regexp(r"^\d{1,2}(\.\d{1,2})?$",
                        message=_l("Hours as a number, e.g. 2 or 1.5."))], render_kw={"inputmode": "decimal"})
    reason = StringField(_l("Reason"), validators=[REQUIRED])


class CommunityNameForm(BaseForm):
    name = StringField(_l("The community's name on sign-up pages and certificates"),
                       validators=[REQUIRED])
