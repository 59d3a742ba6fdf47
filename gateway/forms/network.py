"""The network page's forms: a building's head (楼栋长), a ten-household group (十联户), a residents' group (居民小组)."""
from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, RadioField, SelectField, StringField
from wtforms.validators import Length, NumberRange, Optional

from gateway.forms.common import REQUIRED, BaseForm, MultiCheckboxField


class BuildingHeadForm(BaseForm):
    resident_id = RadioField(_l("A resident of the building"), choices=[], validate_choice=False,
                             validators=[Optional()])
    name = StringField(_l("Or a name"), validators=[Optional(), Length(max=40)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=20)],
                        render_kw={"inputmode": "tel", "autocomplete": "off"})


class TenGroupForm(BaseForm):
    name = StringField(_l("Group name"), validators=[REQUIRED, Length(max=40)])
    household_ids = MultiCheckboxField(_l("Member households"), choices=[], validate_choice=False)
    lead_household_id = SelectField(_l("Lead household (联户长)"), choices=[], validate_choice=False)


class ResidentsGroupForm(BaseForm):
    number = IntegerField(_l("Group number"), validators=[REQUIRED, NumberRange(min=1, max=999)],
                          render_kw={"inputmode": "numeric"})
    name = StringField(_l("Group name"), validators=[REQUIRED, Length(max=40)])
    buildings = MultiCheckboxField(_l("Buildings"), choices=[], validate_choice=False)
    leader_name = StringField(_l("Group leader"), validators=[Optional(), Length(max=40)])
    leader_phone = StringField(_l("Leader's phone"), validators=[Optional(), Length(max=20)],
                               render_kw={"inputmode": "tel", "autocomplete": "off"})
