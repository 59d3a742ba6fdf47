"""Drills: plans, shelters, supplies, planning a drill, running it and the actions after it.

The forms check nothing the drills service checks: the views send what was typed and show its reasons.
Choices are the service's codes, so a value outside them is the service's to refuse (validate_choice=False).
"""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice

from gateway.forms.common import BaseForm, MultiCheckboxField, choices

DATE = {"type": "date"}


def _drill_labels(name):
    from gateway import i18n

    return choices(getattr(i18n, name))


class EndDrillForm(BaseForm):
    problems = TextAreaField(_l("Problems found (one per line)"), render_kw={"rows": 3})
    submit = SubmitField(_l("End the drill"))


class CancelDrillForm(BaseForm):
    reason = StringField(_l("Why is it called off"), render_kw={"maxlength": 200})
    submit = SubmitField(_l("Cancel the drill"))


class RescheduleDrillForm(BaseForm):
    starts_at = StringField(_l("New start"), render_kw={"type": "datetime-local", "step": 60})
    ends_at = StringField(_l("New end (optional: keeps its length)"), render_kw={"type": "datetime-local", "step": 60})
    reason = StringField(_l("Why does it move"), render_kw={"maxlength": 200})
    submit = SubmitField(_l("Move the drill"))


class PlanLevelsForm(BaseForm):
    """Each response level's activation criteria and steps (one per line), all four on one form."""

    criteria_I = TextAreaField(_l("Level I: activation criteria"), render_kw={"rows": 2})  # noqa: N815
    steps_I = TextAreaField(_l("Level I: response steps (one per line)"), render_kw={"rows": 4})  # noqa: N815
    criteria_II = TextAreaField(_l("Level II: activation criteria"), render_kw={"rows": 2})  # noqa: N815
    steps_II = TextAreaField(_l("Level II: response steps (one per line)"), render_kw={"rows": 4})  # noqa: N815
    criteria_III = TextAreaField(_l("Level III: activation criteria"), render_kw={"rows": 2})  # noqa: N815
    steps_III = TextAreaField(_l("Level III: response steps (one per line)"), render_kw={"rows": 4})  # noqa: N815
    criteria_IV = TextAreaField(_l("Level IV: activation criteria"), render_kw={"rows": 2})  # noqa: N815
    steps_IV = TextAreaField(_l("Level IV: response steps (one per line)"), render_kw={"rows": 4})  # noqa: N815
    submit = SubmitField(_l("Save the levels"))


class MovementForm(BaseForm):
    direction = RadioField(_l("Book"), choices=[], validate_choice=False, default="in")
    quantity = StringField(_l("Quantity"), render_kw={"inputmode": "numeric", "maxlength": 7})
    reason = StringField(_l("Reason (e.g. 采购, 演练发放, 过期报废)"), render_kw={"maxlength": 200})
    submit = SubmitField(_l("Book it"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.direction.choices = _drill_labels("MOVEMENT_LABELS")


class ActionForm(BaseForm):
    title = StringField(_l("What must be put right"), render_kw={"maxlength": 200})
    detail = TextAreaField(_l("Details"), render_kw={"rows": 2})
    owner_name = StringField(_l("Owner"), render_kw={"maxlength": 40})
    due_on = StringField(_l("Due on"), render_kw=DATE)
    grid_id = SelectField(_l("Grid (optional)"), choices=[], validate_choice=False)
    submit = SubmitField(_l("Open the action"))


class CloseActionForm(BaseForm):
    resolution = TextAreaField(_l("What was done"), render_kw={"rows": 2})
    submit = SubmitField(_l("Close the action"))


class DrillForm(BaseForm):
    community_id = SelectField(_l("Community"), choices=[], validate_choice=False)
    title = StringField(_l("Title"), render_kw={"maxlength": 100})
    kind = RadioField(_l("Kind"), choices=[], validate_choice=False, default="comprehensive")
    hazard = SelectField(_l("Hazard"), choices=[], validate_choice=False)
    level = SelectField(_l("Response level"), choices=[], validate_choice=False, default="IV")
    grid_ids = MultiCheckboxField(_l("Grids (none chosen: all of the community)"), choices=[], validate_choice=False)
    starts_at = StringField(_l("Starts"), render_kw={"type": "datetime-local", "step": 60})
    ends_at = StringField(_l("Ends"), render_kw={"type": "datetime-local", "step": 60})
    scenario = TextAreaField(_l("Scenario"), render_kw={"rows": 3})
    plan_id = SelectField(_l("Emergency plan"), choices=[], validate_choice=False)
    shelter_ids = MultiCheckboxField(_l("Shelters to open"), choices=[], validate_choice=False)
    helpers_wanted = StringField(_l("Volunteer helpers wanted"), default="0",
                                 render_kw={"inputmode": "numeric", "maxlength": 5})
    skills = MultiCheckboxField(_l("Skills wanted of helpers"), choices=[], validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from gateway.i18n import SKILL_LABELS

        self.kind.choices = _drill_labels("DRILL_KIND_LABELS")
        self.hazard.choices = _drill_labels("HAZARD_LABELS")
        self.level.choices = _drill_labels("LEVEL_LABELS")
        self.skills.choices = choices(SKILL_LABELS)


class PlanForm(BaseForm):
    community_id = SelectField(_l("Community"), choices=[], validate_choice=False)
    title = StringField(_l("Title"))
    hazard = SelectField(_l("Hazard"), choices=[], validate_choice=False)
    level = SelectField(_l("Response level"), choices=[], validate_choice=False, default="IV")
    summary = TextAreaField(_l("Summary"), render_kw={"rows": 3})
    response_steps = TextAreaField(_l("Response steps (one per line)"), render_kw={"rows": 4})
    roles = TextAreaField(_l("Roles, one per line: duty, name, grids (e.g. 网格清点, 张三, g1 g2)"),
                          render_kw={"rows": 4})
    assembly_points = TextAreaField(_l("Assembly points, one per line: name, place"),
                                    render_kw={"rows": 2})
    shelter_ids = MultiCheckboxField(_l("Shelters"), choices=[], validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.hazard.choices = _drill_labels("HAZARD_LABELS")
        self.level.choices = _drill_labels("LEVEL_LABELS")


class ShelterForm(BaseForm):
    community_id = SelectField(_l("Community"), choices=[], validate_choice=False)
    name = StringField(_l("Name"))
    kind = RadioField(_l("Kind"), choices=[], validate_choice=False, default="indoor")
    location = StringField(_l("Location"))
    capacity = StringField(_l("Capacity (people)"), render_kw={"inputmode": "numeric"})
    status = SelectField(_l("Status"), choices=[], validate_choice=False, default="ready")
    facilities = StringField(_l("Facilities (separated by commas)"))
    manager_name = StringField(_l("Manager"))
    notes = TextAreaField(_l("Notes"), render_kw={"rows": 2})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = _drill_labels("SHELTER_KIND_LABELS")
        self.status.choices = _drill_labels("SHELTER_STATUS_LABELS")


class SupplyForm(BaseForm):
    community_id = SelectField(_l("Community"), choices=[], validate_choice=False)
    name = StringField(_l("Item"))
    category = SelectField(_l("Category"), choices=[], validate_choice=False)
    unit = StringField(_l("Counted in (e.g. 箱, 件)"))
    quantity = StringField(_l("Opening stock"), render_kw={"inputmode": "numeric"})
    required_quantity = StringField(_l("Quantity required"), default="0", render_kw={"inputmode": "numeric"})
    location = StringField(_l("Kept where"))
    shelter_id = SelectField(_l("At a shelter (optional)"), choices=[], validate_choice=False)
    expires_on = StringField(_l("Expires on"), render_kw=DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = _drill_labels("SUPPLY_CATEGORY_LABELS")


class FlagForm(BaseForm):
    problem = SelectField(_l("Problem"), choices=[], validate_choice=False)
    note = StringField(_l("Note"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from gateway.i18n import SUPPLY_PROBLEM_LABELS

        self.problem.choices = [SelectChoice(k, SUPPLY_PROBLEM_LABELS[k]) for k in ("missing", "expired", "damaged",
                                                                                    "short")]


class CheckinForm(BaseForm):
    volunteer_id = SelectField(_l("Volunteer"), choices=[], validate_choice=False)


class OpenShelterForm(BaseForm):
    shelter_id = SelectField(_l("Shelter"), choices=[], validate_choice=False)
    people = StringField(_l("People received (optional)"), render_kw={"inputmode": "numeric", "maxlength": 6})


class ProblemForm(BaseForm):
    text = TextAreaField(_l("Problem found"), render_kw={"rows": 2})
    grid_id = SelectField(_l("Grid (optional)"), choices=[], validate_choice=False)


class AssistanceForm(BaseForm):
    needs_help = BooleanField(_l("Needs help to move in an evacuation"))
    need = StringField(_l("What help (e.g. 轮椅, 卧床)"))
    helper_name = StringField(_l("Who helps"))
    helper_volunteer_id = SelectField(_l("Or a volunteer"), choices=[], validate_choice=False)
