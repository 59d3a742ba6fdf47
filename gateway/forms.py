"""The gateway's forms (Flask-WTF: every form carries a CSRF token). Labels are translated lazily."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (BooleanField, DateField, FieldList, Form, FormField, HiddenField, PasswordField, RadioField,
                     SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget

from gateway.i18n import CARE_TAG_LABELS, GENDER_LABELS, RELATION_LABELS, RESIDENCY_LABELS, ROLE_LABELS
from shared.identity import ROLES

CODE = Regexp(r"^[A-Za-z0-9_-]{1,40}$", message=_l("Use 1–40 letters, digits, - or _."))
REQUIRED = DataRequired(message=_l("Required."))


class BaseForm(FlaskForm):
    """Every form of the gateway. CSRFProtect checks the token of every POST app-wide (pages and API),
    so the forms themselves do not check it again; templates put `csrf_token()` in each form."""

    class Meta:
        csrf = False


def choices(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in labels.items()]


class MultiCheckboxField(SelectMultipleField):
    """Checkboxes: one tap each, no JavaScript, no multi-select box."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class LoginForm(BaseForm):
    username = StringField(_l("Username"), validators=[REQUIRED, Length(max=40)],
                           render_kw={"autocomplete": "username", "autocapitalize": "none", "autocorrect": "off"})
    password = PasswordField(_l("Password"), validators=[REQUIRED, Length(max=200)],
                             render_kw={"autocomplete": "current-password"})
    next = HiddenField()
    submit = SubmitField(_l("Sign in"))


class PostForm(BaseForm):
    """A button that changes something: only the CSRF token."""


class RevealForm(BaseForm):
    reason = TextAreaField(_l("Why do you need the full ID numbers and phones?"),
                           validators=[REQUIRED, Length(max=200)], render_kw={"rows": 2, "maxlength": 200})
    submit = SubmitField(_l("Show in full"))


class LookupForm(BaseForm):
    number = StringField(_l("Full ID number or mobile number"), validators=[REQUIRED, Length(max=30)],
                         render_kw={"maxlength": 30, "autocomplete": "off", "inputmode": "text"})
    reason = StringField(_l("Why do you look this person up?"), validators=[REQUIRED, Length(max=200)],
                         render_kw={"maxlength": 200})
    submit = SubmitField(_l("Find"))


class VisitForm(BaseForm):
    visited_at = StringField(_l("Visited at"), validators=[REQUIRED],
                             render_kw={"type": "datetime-local", "step": 60})
    seen = MultiCheckboxField(_l("People seen"), choices=[], validate_choice=False)
    notes = TextAreaField(_l("What you saw and did"), validators=[Optional(), Length(max=2000)],
                          render_kw={"rows": 4, "maxlength": 2000})
    follow_up_needed = BooleanField(_l("Needs a follow-up"))
    follow_up = StringField(_l("Follow-up to do"), validators=[Optional(), Length(max=500)],
                            render_kw={"maxlength": 500})
    client_id = HiddenField(validators=[Optional(), Regexp(r"^[A-Za-z0-9_-]{8,64}$")])
    submit = SubmitField(_l("Save visit"))


class ResidentForm(Form):
    """One resident row (inside HouseholdForm, which carries the CSRF token)."""

    resident_id = HiddenField()
    name = StringField(_l("Name"), validators=[Optional(), Length(max=40)])
    relation = SelectField(_l("Relation"), choices=choices(RELATION_LABELS), default="other")
    gender = SelectField(_l("Gender"), choices=[SelectChoice("", "—")] + choices(GENDER_LABELS), default="")
    birth_date = DateField(_l("Date of birth"), validators=[Optional()])
    id_number = StringField(_l("ID number"), validators=[Optional(), Length(max=18)],
                            render_kw={"autocomplete": "off", "autocapitalize": "characters"})
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=11)],
                        render_kw={"type": "tel", "inputmode": "numeric", "autocomplete": "off"})
    care_tags = MultiCheckboxField(_l("Special care"), choices=choices(CARE_TAG_LABELS))


class HouseholdForm(BaseForm):
    building = StringField(_l("Building"), validators=[REQUIRED, Length(max=40)])
    unit = StringField(_l("Unit"), validators=[Optional(), Length(max=20)])
    room = StringField(_l("Room"), validators=[REQUIRED, Length(max=20)])
    residency = RadioField(_l("Residency"), choices=choices(RESIDENCY_LABELS), default="registered")
    phone = StringField(_l("Household phone"), validators=[Optional(), Length(max=11)],
                        render_kw={"type": "tel", "inputmode": "numeric"})
    moved_in_on = DateField(_l("Moved in on"), validators=[Optional()])
    residents = FieldList(FormField(ResidentForm), min_entries=1, max_entries=30)
    version = HiddenField()
    submit = SubmitField(_l("Save"))


class MoveForm(BaseForm):
    to_grid_id = SelectField(_l("Move to grid"), validators=[REQUIRED], choices=[], validate_choice=False)
    building = StringField(_l("New building (if the address changes)"), validators=[Optional(), Length(max=40)])
    unit = StringField(_l("New unit"), validators=[Optional(), Length(max=20)])
    room = StringField(_l("New room"), validators=[Optional(), Length(max=20)])
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=500)], render_kw={"rows": 2})
    version = HiddenField(validators=[REQUIRED])
    submit = SubmitField(_l("Move household"))


class LeaveForm(BaseForm):
    moved_out_on = DateField(_l("Moved out on"), validators=[InputRequired(message=_l("Required."))])
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=500)], render_kw={"rows": 2})
    version = HiddenField(validators=[REQUIRED])
    submit = SubmitField(_l("Record moving out"))


class CareFlagForm(BaseForm):
    tag = SelectField(_l("Special care"), choices=choices(CARE_TAG_LABELS))
    submit = SubmitField(_l("Add"))


class RedrawForm(BaseForm):
    to_grid_id = StringField(_l("Target grid id"), validators=[REQUIRED, CODE])
    new_grid_name = StringField(_l("New grid name (only to create a new grid)"), validators=[Optional(), Length(max=60)])
    buildings = TextAreaField(_l("Buildings to move (one per line)"), validators=[Optional()], render_kw={"rows": 3})
    household_ids = TextAreaField(_l("Household ids to move (one per line)"), validators=[Optional()],
                                  render_kw={"rows": 2})
    reason = TextAreaField(_l("Reason"), validators=[REQUIRED, Length(max=500)], render_kw={"rows": 2})
    submit = SubmitField(_l("Redraw"))


class ImportForm(BaseForm):
    file = FileField(_l("Register file (CSV or XLSX)"), validators=[FileRequired(message=_l("Choose a file."))],
                     render_kw={"accept": ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"})
    mode = RadioField(_l("If some rows are wrong"), default="all_or_nothing",
                      choices=choices({"all_or_nothing": _l("Import nothing (all or nothing)"),
                                       "good_rows_only": _l("Import the good rows only")}))
    dry_run = BooleanField(_l("Check only, do not save"), default=True)
    submit = SubmitField(_l("Upload"))


class UserForm(BaseForm):
    username = StringField(_l("Username"), validators=[REQUIRED, Regexp(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,39}$",
                           message=_l("Use 2–40 letters, digits, dots, - or _."))],
                           render_kw={"autocapitalize": "none"})
    name = StringField(_l("Name"), validators=[REQUIRED, Length(max=40)])
    role = SelectField(_l("Role"), choices=choices({r: ROLE_LABELS[r] for r in ROLES}))
    grid_ids = StringField(_l("Grids (ids, separated by commas)"), validators=[Optional(), Length(max=2000)])
    community_ids = StringField(_l("Communities (ids, separated by commas)"), validators=[Optional(), Length(max=2000)])
    password = PasswordField(_l("Password"), validators=[Optional(), Length(max=200)],
                             render_kw={"autocomplete": "new-password"})
    active = BooleanField(_l("Active"), default=True)
    submit = SubmitField(_l("Save"))


class FullExportForm(BaseForm):
    format = RadioField(_l("Format"), default="xlsx", choices=choices({"xlsx": "Excel (XLSX)", "csv": "CSV"}))
    reason = TextAreaField(_l("Why do you need the full ID numbers and phones?"),
                           validators=[REQUIRED, Length(max=190)], render_kw={"rows": 2, "maxlength": 190})
    submit = SubmitField(_l("Export in full"))


# ---- volunteers: the public sign-up and the volunteer's own page --------------------------------------------

def _digits(value):
    return (value or "").replace(" ", "").replace("-", "").strip()


PHONE = Regexp(r"^1\d{10}$", message=_l("A mobile number has 11 digits and starts with 1."))


def availability_choices() -> list[SelectChoice]:
    from gateway.i18n import DAY_LABELS, SLOT_LABELS

    return [SelectChoice(f"{d}_{s}", f"{DAY_LABELS[d]}{SLOT_LABELS[s]}") for d in DAY_LABELS for s in SLOT_LABELS]


class SignupForm(BaseForm):
    name = StringField(_l("Name"), validators=[REQUIRED, Length(max=40)], filters=[lambda v: (v or "").strip()],
                       render_kw={"autocomplete": "name", "maxlength": 40})
    phone = StringField(_l("Mobile phone"), validators=[REQUIRED, PHONE], filters=[_digits],
                        render_kw={"type": "tel", "inputmode": "numeric", "autocomplete": "tel", "maxlength": 20})
    id_number = StringField(_l("ID number (optional)"), validators=[Optional(), Length(max=20)],
                            filters=[lambda v: _digits(v).upper()],
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
    description = TextAreaField(_l("What you did"), validators=[REQUIRED, Length(max=500)],
                                render_kw={"rows": 3, "maxlength": 500})
    team_id = SelectField(_l("Team"), choices=[], validate_choice=False)
    submit = SubmitField(_l("Send for approval"))


class LeaveSelfForm(BaseForm):
    reason = TextAreaField(_l("Why you stop (optional)"), validators=[Optional(), Length(max=200)],
                           render_kw={"rows": 2, "maxlength": 200})
    submit = SubmitField(_l("Stop volunteering"))


class SerialForm(BaseForm):
    serial = StringField(_l("Certificate serial number"), validators=[REQUIRED, Length(max=40)],
                         filters=[lambda v: (v or "").strip().upper()], render_kw={"autocapitalize": "characters"})
    submit = SubmitField(_l("Check"))


# ---- drills -------------------------------------------------------------------------------------------------

class EndDrillForm(BaseForm):
    problems = TextAreaField(_l("Problems found (one per line)"), validators=[Optional(), Length(max=20000)],
                             render_kw={"rows": 3})
    submit = SubmitField(_l("End the drill"))


class ActionForm(BaseForm):
    title = StringField(_l("What must be put right"), validators=[REQUIRED, Length(max=200)],
                        render_kw={"maxlength": 200})
    detail = TextAreaField(_l("Details"), validators=[Optional(), Length(max=2000)], render_kw={"rows": 2})
    owner_name = StringField(_l("Owner"), validators=[REQUIRED, Length(max=40)], render_kw={"maxlength": 40})
    due_on = DateField(_l("Due on"), validators=[InputRequired(message=_l("Required."))])
    grid_id = SelectField(_l("Grid (optional)"), choices=[], validate_choice=False)
    submit = SubmitField(_l("Open the action"))


class CloseActionForm(BaseForm):
    resolution = TextAreaField(_l("What was done"), validators=[REQUIRED, Length(max=2000)], render_kw={"rows": 2})
    submit = SubmitField(_l("Close the action"))


# ---- mediation ----------------------------------------------------------------------------------------------

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
    applicant_phone = StringField(_l("Applicant's phone"), validators=[Optional(), Length(max=20)], filters=[_digits],
                                  render_kw={"type": "tel", "inputmode": "numeric"})
    applicant_address = StringField(_l("Applicant's address"), validators=[Optional(), Length(max=200)])
    respondent_household = HiddenField()
    respondent_label = HiddenField()
    respondent_name = StringField(_l("Other side's name (person or organisation)"),
                                  validators=[Optional(), Length(max=60)])
    respondent_phone = StringField(_l("Other side's phone"), validators=[Optional(), Length(max=20)],
                                   filters=[_digits], render_kw={"type": "tel", "inputmode": "numeric"})
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


class ReasonForm(BaseForm):
    reason = TextAreaField(_l("Reason"), validators=[REQUIRED, Length(max=500)], render_kw={"rows": 2})


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


# ---- volunteers: staff and team leaders ---------------------------------------------------------------------

WHOLE = Regexp(r"^\d{1,6}$", message=_l("A whole number."))


class LinkForm(BaseForm):
    title = StringField(_l("Title (what the sign-up is for)"), validators=[Optional(), Length(max=80)],
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
    name = StringField(_l("Team name"), validators=[REQUIRED, Length(max=60)], render_kw={"maxlength": 60})
    description = TextAreaField(_l("What the team does"), validators=[Optional(), Length(max=500)],
                                render_kw={"rows": 2})
    leader_ids = MultiCheckboxField(_l("Leaders"), choices=[], validate_choice=False)


class LeadersForm(BaseForm):
    leader_ids = MultiCheckboxField(_l("Leaders"), choices=[], validate_choice=False)


class MemberForm(BaseForm):
    volunteer_id = SelectField(_l("Add a volunteer"), choices=[], validators=[REQUIRED], validate_choice=False)


class NeedForm(BaseForm):
    title = StringField(_l("What is needed"), validators=[REQUIRED, Length(max=120)], render_kw={"maxlength": 120})
    description = TextAreaField(_l("Details"), validators=[Optional(), Length(max=2000)], render_kw={"rows": 2})
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
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500)])


class DecisionForm(BaseForm):
    note = StringField(_l("Note (needed to reject: the volunteer sees it)"), validators=[Optional(), Length(max=200)])


class CertificateForm(BaseForm):
    volunteer_id = SelectField(_l("Volunteer"), choices=[], validators=[REQUIRED], validate_choice=False)
    period_from = DateField(_l("From"), validators=[InputRequired(message=_l("Required."))])
    period_to = DateField(_l("To"), validators=[InputRequired(message=_l("Required."))])


# ---- drills: plans, shelters, supplies, planning a drill ----------------------------------------------------

def _drill_labels(name):
    from gateway import i18n

    return choices(getattr(i18n, name))


class DrillForm(BaseForm):
    community_id = SelectField(_l("Community"), choices=[], validators=[REQUIRED], validate_choice=False)
    title = StringField(_l("Title"), validators=[REQUIRED, Length(max=100)], render_kw={"maxlength": 100})
    kind = RadioField(_l("Kind"), choices=[], default="comprehensive")
    hazard = SelectField(_l("Hazard"), choices=[])
    level = SelectField(_l("Response level"), choices=[], default="IV")
    grid_ids = MultiCheckboxField(_l("Grids (none chosen: all of the community)"), choices=[], validate_choice=False)
    starts_at = StringField(_l("Starts"), validators=[REQUIRED], render_kw={"type": "datetime-local", "step": 60})
    ends_at = StringField(_l("Ends"), validators=[REQUIRED], render_kw={"type": "datetime-local", "step": 60})
    scenario = TextAreaField(_l("Scenario"), validators=[Optional(), Length(max=4000)], render_kw={"rows": 3})
    plan_id = SelectField(_l("Emergency plan"), choices=[], validate_choice=False)
    shelter_ids = MultiCheckboxField(_l("Shelters to open"), choices=[], validate_choice=False)
    helpers_wanted = StringField(_l("Volunteer helpers wanted"), default="0", validators=[Optional(), WHOLE],
                                 render_kw={"inputmode": "numeric", "maxlength": 5})
    skills = MultiCheckboxField(_l("Skills wanted of helpers"), choices=[])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from gateway.i18n import SKILL_LABELS

        self.kind.choices = _drill_labels("DRILL_KIND_LABELS")
        self.hazard.choices = _drill_labels("HAZARD_LABELS")
        self.level.choices = _drill_labels("LEVEL_LABELS")
        self.skills.choices = choices(SKILL_LABELS)


class PlanForm(BaseForm):
    community_id = SelectField(_l("Community"), choices=[], validators=[REQUIRED], validate_choice=False)
    title = StringField(_l("Title"), validators=[REQUIRED, Length(max=100)])
    hazard = SelectField(_l("Hazard"), choices=[])
    level = SelectField(_l("Response level"), choices=[], default="IV")
    summary = TextAreaField(_l("Summary"), validators=[Optional(), Length(max=4000)], render_kw={"rows": 3})
    response_steps = TextAreaField(_l("Response steps (one per line)"), validators=[Optional(), Length(max=20000)],
                                   render_kw={"rows": 4})
    roles = TextAreaField(_l("Roles, one per line: duty, name, grids (e.g. 网格清点, 张三, g1 g2)"),
                          validators=[Optional(), Length(max=20000)], render_kw={"rows": 4})
    assembly_points = TextAreaField(_l("Assembly points, one per line: name, place"),
                                    validators=[Optional(), Length(max=10000)], render_kw={"rows": 2})
    shelter_ids = MultiCheckboxField(_l("Shelters"), choices=[], validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.hazard.choices = _drill_labels("HAZARD_LABELS")
        self.level.choices = _drill_labels("LEVEL_LABELS")


class ShelterForm(BaseForm):
    community_id = SelectField(_l("Community"), choices=[], validators=[REQUIRED], validate_choice=False)
    name = StringField(_l("Name"), validators=[REQUIRED, Length(max=60)])
    kind = RadioField(_l("Kind"), choices=[], default="indoor")
    location = StringField(_l("Location"), validators=[REQUIRED, Length(max=200)])
    capacity = StringField(_l("Capacity (people)"), validators=[REQUIRED, WHOLE], render_kw={"inputmode": "numeric"})
    status = SelectField(_l("Status"), choices=[], default="ready")
    facilities = StringField(_l("Facilities (separated by commas)"), validators=[Optional(), Length(max=1000)])
    manager_name = StringField(_l("Manager"), validators=[Optional(), Length(max=40)])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=1000)], render_kw={"rows": 2})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = _drill_labels("SHELTER_KIND_LABELS")
        self.status.choices = _drill_labels("SHELTER_STATUS_LABELS")


class SupplyForm(BaseForm):
    community_id = SelectField(_l("Community"), choices=[], validators=[REQUIRED], validate_choice=False)
    name = StringField(_l("Item"), validators=[REQUIRED, Length(max=60)])
    category = SelectField(_l("Category"), choices=[])
    unit = StringField(_l("Counted in (e.g. 箱, 件)"), validators=[REQUIRED, Length(max=10)])
    quantity = StringField(_l("Quantity"), validators=[REQUIRED, WHOLE], render_kw={"inputmode": "numeric"})
    required_quantity = StringField(_l("Quantity required"), default="0", validators=[Optional(), WHOLE],
                                    render_kw={"inputmode": "numeric"})
    location = StringField(_l("Kept where"), validators=[REQUIRED, Length(max=200)])
    shelter_id = SelectField(_l("At a shelter (optional)"), choices=[], validate_choice=False)
    expires_on = DateField(_l("Expires on"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = _drill_labels("SUPPLY_CATEGORY_LABELS")


class FlagForm(BaseForm):
    problem = SelectField(_l("Problem"), choices=[])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from gateway.i18n import SUPPLY_PROBLEM_LABELS

        self.problem.choices = [SelectChoice(k, SUPPLY_PROBLEM_LABELS[k]) for k in ("missing", "expired", "damaged",
                                                                                    "short")]


class CheckinForm(BaseForm):
    volunteer_id = SelectField(_l("Volunteer"), choices=[], validators=[REQUIRED], validate_choice=False)


class OpenShelterForm(BaseForm):
    shelter_id = SelectField(_l("Shelter"), choices=[], validators=[REQUIRED], validate_choice=False)
    people = StringField(_l("People received (optional)"), validators=[Optional(), WHOLE],
                         render_kw={"inputmode": "numeric", "maxlength": 6})


class ProblemForm(BaseForm):
    text = TextAreaField(_l("Problem found"), validators=[REQUIRED, Length(max=1000)], render_kw={"rows": 2})
    grid_id = SelectField(_l("Grid (optional)"), choices=[], validate_choice=False)


class AssistanceForm(BaseForm):
    needs_help = BooleanField(_l("Needs help to move in an evacuation"))
    need = StringField(_l("What help (e.g. 轮椅, 卧床)"), validators=[Optional(), Length(max=200)])
    helper_name = StringField(_l("Who helps"), validators=[Optional(), Length(max=40)])
    helper_volunteer_id = SelectField(_l("Or a volunteer"), choices=[], validate_choice=False)


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
    reason = StringField(_l("Reason"), validators=[REQUIRED, Length(max=200)])


class CommunityNameForm(BaseForm):
    name = StringField(_l("The community's name on sign-up pages and certificates"),
                       validators=[REQUIRED, Length(max=60)])


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
