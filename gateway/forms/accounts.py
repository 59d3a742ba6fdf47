"""Signing in and the gateway's own accounts."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import Length, Optional, Regexp

from gateway.forms.common import REQUIRED, BaseForm, choices
from gateway.i18n import ROLE_LABELS
from shared.identity import ROLES


class LoginForm(BaseForm):
    username = StringField(_l("Username"), validators=[REQUIRED, Length(max=40)],
                           render_kw={"autocomplete": "username", "autocapitalize": "none", "autocorrect": "off"})
    password = PasswordField(_l("Password"), validators=[REQUIRED, Length(max=200)],
                             render_kw={"autocomplete": "current-password"})
    next = HiddenField()
    submit = SubmitField(_l("Sign in"))


class UserForm(BaseForm):
    username = StringField(_l("Username"), validators=[REQUIRED, Regexp(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,39}$",
                           message=_l("Use 2–40 letters, digits, dots, - or _."))],
                           render_kw={"autocapitalize": "none"})
    name = StringField(_l("Name"), validators=[REQUIRED, Length(max=40)])
    role = SelectField(_l("Role"), choices=choices({r: ROLE_LABELS[r] for r in ROLES}))
    grid_ids = StringField(_l("Grids (ids, separated by commas)"), validators=[Optional(), Length(max=2000)])
    community_ids = StringField(_l("Communities (ids, separated by commas)"), validators=[Optional(), Length(max=2000)])
    street_ids = StringField(_l("Streets (ids, separated by commas)"), validators=[Optional(), Length(max=2000)])
    password = PasswordField(_l("Password"), validators=[Optional(), Length(max=200)],
                             render_kw={"autocomplete": "new-password"})
    active = BooleanField(_l("Active"), default=True)
    submit = SubmitField(_l("Save"))


class ChangePasswordForm(BaseForm):
    current = PasswordField(_l("Current password"), validators=[REQUIRED, Length(max=200)],
                            render_kw={"autocomplete": "current-password"})
    new = PasswordField(_l("New password"), validators=[REQUIRED, Length(max=200)],
                        render_kw={"autocomplete": "new-password"})
    repeat = PasswordField(_l("New password again"), validators=[REQUIRED, Length(max=200)],
                           render_kw={"autocomplete": "new-password"})
    next = HiddenField()
