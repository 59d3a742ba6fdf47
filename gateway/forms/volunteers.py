"""Volunteers: the public sign-up, the volunteer's own page, and the staff's and team leaders' pages.

The forms check nothing the volunteers service checks: the views send what was typed and show its reasons
(choices included: validate_choice=False).
"""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice

from gateway.forms.common import BaseForm, MultiCheckboxField, choices, digits

DATE = {"type": "date"}
HOURS = {"inputmode": "decimal", "maxlength": 5}


def availability_choices() -> list[SelectChoice]:
    from gateway.i18n import DAY_LABELS, SLOT_LABELS

    return [SelectChoice(f"{d}_{s}", f"{DAY_LABELS[d]}{SLOT_LABELS[s]}") for d in DAY_LABELS for s in SLOT_LABELS]


class SignupForm(BaseForm):
    name = StringField(_l("Name"), filters=[lambda v: (v or "").strip()],
                       render_kw={"autocomplete": "name", "maxlength": 40})
    phone = StringField(_l("Mobile phone"), filters=[digits],
                        render_kw={"type": "tel", "inputmode": "numeric", "autocomplete": "tel", "maxlength": 20})
    id_number = StringField(_l("ID number (optional)"), filters=[lambda v: digits(v).upper()],
                            render_kw={"autocomplete": "off", "autocapitalize": "characters", "maxlength": 20})
    skills = MultiCheckboxField(_l("What you can offer"), choices=[], validate_choice=False)
    availability = MultiCheckboxField(_l("When you are free"), choices=[], validate_choice=False)
    grid_id = SelectField(_l("The grid you live in"), choices=[], validate_choice=False)
    consent = BooleanField(_l("I agree to the use of my data as described above"))
    submit = SubmitField(_l("Sign up"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from gateway.i18n import SKILL_LABELS

        self.skills.choices = choices(SKILL_LABELS)
        self.availability.choices = availability_choices()


class ServiceReportForm(BaseForm):
    served_on = StringField(_l("Date of service"), render_kw=DATE)
    hours = StringField(_l("Hours"), render_kw=HOURS)
    description = TextAreaField(_l("What you did"), render_kw={"rows": 3, "maxlength": 500})
    team_id = SelectField(_l("Team"), choices=[], validate_choice=False)
    submit = SubmitField(_l("Send for approval"))


class LeaveSelfForm(BaseForm):
    reason = TextAreaField(_l("Why you stop (optional)"), render_kw={"rows": 2, "maxlength": 200})
    submit = SubmitField(_l("Stop volunteering"))


class SerialForm(BaseForm):
    serial = StringField(_l("Certificate serial number"),
                         filters=[lambda v: (v or "").strip().upper()], render_kw={"autocapitalize": "characters"})
    submit = SubmitField(_l("Check"))


class LinkForm(BaseForm):
    title = StringField(_l("Title (what the sign-up is for)"), render_kw={"maxlength": 80})
    team_id = SelectField(_l("For a team (optional)"), choices=[], validate_choice=False)
    valid_days = StringField(_l("Open for (days)"), default="30",
                             render_kw={"inputmode": "numeric", "maxlength": 3})
    capacity = StringField(_l("Places (empty: no limit; beyond it a waiting list)"),
                           render_kw={"inputmode": "numeric", "maxlength": 6})


class CapacityForm(BaseForm):
    capacity = StringField(_l("Places (empty: no limit)"),
                           render_kw={"inputmode": "numeric", "maxlength": 6})


class TeamForm(BaseForm):
    name = StringField(_l("Team name"), render_kw={"maxlength": 60})
    description = TextAreaField(_l("What the team does"), render_kw={"rows": 2})
    leader_ids = MultiCheckboxField(_l("Leaders"), choices=[], validate_choice=False)


class LeadersForm(BaseForm):
    leader_ids = MultiCheckboxField(_l("Leaders"), choices=[], validate_choice=False)


class MemberForm(BaseForm):
    volunteer_id = SelectField(_l("Add a volunteer"), choices=[], validate_choice=False)


class NeedForm(BaseForm):
    title = StringField(_l("What is needed"), render_kw={"maxlength": 120})
    description = TextAreaField(_l("Details"), render_kw={"rows": 2})
    grid_id = SelectField(_l("Grid"), choices=[], validate_choice=False)
    starts_at = StringField(_l("Starts"), render_kw={"type": "datetime-local", "step": 60})
    ends_at = StringField(_l("Ends (optional)"), render_kw={"type": "datetime-local", "step": 60})
    recurrence = SelectField(_l("Repeats"), choices=[], validate_choice=False)
    people_wanted = StringField(_l("People wanted"), default="1",
                                render_kw={"inputmode": "numeric", "maxlength": 3})
    skills = MultiCheckboxField(_l("Skills wanted"), choices=[], validate_choice=False)
    team_ids = MultiCheckboxField(_l("Teams asked"), choices=[], validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from gateway.i18n import RECURRENCE_LABELS, SKILL_LABELS

        self.skills.choices = choices(SKILL_LABELS)
        self.recurrence.choices = [SelectChoice("", _l("Once"))] + choices(RECURRENCE_LABELS)


class ConfirmForm(BaseForm):
    volunteer_ids = MultiCheckboxField(_l("Volunteers to confirm"), choices=[], validate_choice=False)


class CompleteForm(BaseForm):
    hours = StringField(_l("Hours"), render_kw=HOURS)
    served_on = StringField(_l("Date of service"), render_kw=DATE)
    note = StringField(_l("Note"))


class DecisionForm(BaseForm):
    note = StringField(_l("Note (needed to reject: the volunteer sees it)"))


class CertificateForm(BaseForm):
    volunteer_id = SelectField(_l("Volunteer"), choices=[], validate_choice=False)
    period_from = StringField(_l("From"), render_kw=DATE)
    period_to = StringField(_l("To"), render_kw=DATE)


class VolunteerEditForm(BaseForm):
    grid_id = SelectField(_l("Grid"), choices=[], validate_choice=False)
    skills = MultiCheckboxField(_l("Skills"), choices=[], validate_choice=False)
    availability = MultiCheckboxField(_l("When free"), choices=[], validate_choice=False)
    version = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from gateway.i18n import SKILL_LABELS

        self.skills.choices = choices(SKILL_LABELS)
        self.availability.choices = availability_choices()


class CorrectionForm(BaseForm):
    hours = StringField(_l("The hours should be"), render_kw={"inputmode": "decimal"})
    reason = StringField(_l("Reason"))


class CommunityNameForm(BaseForm):
    name = StringField(_l("The community's name on sign-up pages and certificates"))
