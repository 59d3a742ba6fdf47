"""The households register: households, residents, visits, moves, imports, exports and redrawing grids."""
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from gateway.forms.common import BaseForm, MultiCheckboxField, choices
from gateway.i18n import CARE_TAG_LABELS, GENDER_LABELS, RELATION_LABELS, RESIDENCY_LABELS


class RevealForm(BaseForm):
    reason = TextAreaField(_l("Why do you need the full ID numbers and phones?"), render_kw={"rows": 2})
    submit = SubmitField(_l("Show in full"))


class LookupForm(BaseForm):
    number = StringField(_l("Full ID number, mobile number or residence permit number"),
                         render_kw={"autocomplete": "off", "inputmode": "text"})
    reason = StringField(_l("Why do you look this person up?"))
    submit = SubmitField(_l("Find"))


class VisitForm(BaseForm):
    visited_at = StringField(_l("Visited at"), render_kw={"type": "datetime-local", "step": 60})
    seen = MultiCheckboxField(_l("People seen"), choices=[], validate_choice=False)
    notes = TextAreaField(_l("What you saw and did"), render_kw={"rows": 4})
    follow_up_needed = BooleanField(_l("Needs a follow-up"))
    follow_up = StringField(_l("Follow-up to do"))
    client_id = HiddenField()
    submit = SubmitField(_l("Save visit"))


class ResidentForm(Form):
    """One resident row (inside HouseholdForm, which carries the CSRF token)."""

    resident_id = HiddenField()
    name = StringField(_l("Name"))
    relation = SelectField(_l("Relation"), choices=choices(RELATION_LABELS), default="other")
    gender = SelectField(_l("Gender"), choices=[SelectChoice("", "—")] + choices(GENDER_LABELS), default="")
    birth_date = DateField(_l("Date of birth"), validators=[Optional()])
    id_number = StringField(_l("ID number"), render_kw={"autocomplete": "off", "autocapitalize": "characters"})
    phone = StringField(_l("Phone"), render_kw={"type": "tel", "inputmode": "numeric", "autocomplete": "off"})
    care_tags = MultiCheckboxField(_l("Special care"), choices=choices(CARE_TAG_LABELS))
    # 流动人口: always on the form (no JS needed), optional, checked by the service (only for a floating household)
    hukou_place = StringField(_l("Place of household registration"))
    permit_number = StringField(_l("Residence permit number"),
                                render_kw={"autocomplete": "off", "autocapitalize": "characters"})
    permit_expires_on = DateField(_l("Permit valid until"), validators=[Optional()])
    arrived_on = DateField(_l("Arrived here on"), validators=[Optional()])
    stay_months = StringField(_l("Expected stay (months)"),
                              render_kw={"inputmode": "numeric", "type": "number", "min": 1, "max": 240})


class HouseholdForm(BaseForm):
    building = StringField(_l("Building"))
    unit = StringField(_l("Unit"))
    room = StringField(_l("Room"))
    residency = RadioField(_l("Residency"), choices=choices(RESIDENCY_LABELS), default="registered")
    phone = StringField(_l("Household phone"), render_kw={"type": "tel", "inputmode": "numeric"})
    moved_in_on = DateField(_l("Moved in on"), validators=[Optional()])
    residents = FieldList(FormField(ResidentForm), min_entries=1, max_entries=30)
    version = HiddenField()
    submit = SubmitField(_l("Save"))


class MoveForm(BaseForm):
    to_grid_id = SelectField(_l("Move to grid"), choices=[], validate_choice=False)
    building = StringField(_l("New building (if the address changes)"))
    unit = StringField(_l("New unit"))
    room = StringField(_l("New room"))
    reason = TextAreaField(_l("Reason"), render_kw={"rows": 2})
    version = HiddenField()
    submit = SubmitField(_l("Move household"))


class LeaveForm(BaseForm):
    moved_out_on = DateField(_l("Moved out on"), validators=[Optional()])
    reason = TextAreaField(_l("Reason"), render_kw={"rows": 2})
    version = HiddenField()
    submit = SubmitField(_l("Record moving out"))


class CareFlagForm(BaseForm):
    tag = SelectField(_l("Special care"), choices=choices(CARE_TAG_LABELS))
    submit = SubmitField(_l("Add"))


class RedrawForm(BaseForm):
    to_grid_id = StringField(_l("Target grid id"))
    new_grid_name = StringField(_l("New grid name (only to create a new grid)"))
    buildings = TextAreaField(_l("Buildings to move (one per line)"), render_kw={"rows": 3})
    household_ids = TextAreaField(_l("Household ids to move (one per line)"), render_kw={"rows": 2})
    reason = TextAreaField(_l("Reason"), render_kw={"rows": 2})
    submit = SubmitField(_l("Redraw"))


class ImportForm(BaseForm):
    """The file is the gateway's to ask for: without one there is nothing to send."""

    file = FileField(_l("Register file (CSV or XLSX)"), validators=[FileRequired(message=_l("Choose a file."))],
                     render_kw={"accept": ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"})
    mode = RadioField(_l("If some rows are wrong"), default="all_or_nothing",
                      choices=choices({"all_or_nothing": _l("Import nothing (all or nothing)"),
                                       "good_rows_only": _l("Import the good rows only")}))
    dry_run = BooleanField(_l("Check only, do not save"), default=True)
    submit = SubmitField(_l("Upload"))


class FullExportForm(BaseForm):
    format = RadioField(_l("Format"), default="xlsx", choices=choices({"xlsx": "Excel (XLSX)", "csv": "CSV"}))
    reason = TextAreaField(_l("Why do you need the full ID numbers and phones?"), render_kw={"rows": 2})
    submit = SubmitField(_l("Export in full"))
