"""Drills: plans, shelters, supplies, planning a drill, running it and the actions after it."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from gateway.forms.common import REQUIRED, WHOLE, BaseForm, MultiCheckboxField, choices


def _drill_labels(name):
    from gateway import i18n

    return choices(getattr(i18n, name))


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
