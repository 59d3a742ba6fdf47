"""The streets pages' forms: a street's name and district, a community's name (the district's admin)."""
from flask_babel import lazy_gettext as _l
from wtforms import StringField, SubmitField
from wtforms.validators import Length

from gateway.forms.common import REQUIRED, BaseForm


class StreetForm(BaseForm):
    name = StringField(_l("Street name"), validators=[REQUIRED, Length(max=60)])
    district = StringField(_l("District"), validators=[REQUIRED, Length(max=60)])
    submit = SubmitField(_l("Save"))


class CommunityNameForm(BaseForm):
    name = StringField(_l("Community name"), validators=[REQUIRED, Length(max=60)])
    submit = SubmitField(_l("Save"))


class GridWorkersForm(BaseForm):
    worker_ids = StringField(_l("Grid workers (usernames, separated by commas)"), validators=[Length(max=1000)])
    submit = SubmitField(_l("Save"))
