"""The building blocks every page's form uses, and a few fields more than one area shares."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired
from wtforms.widgets import CheckboxInput, ListWidget

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


def digits(value):
    return (value or "").replace(" ", "").replace("-", "").strip()


class PostForm(BaseForm):
    """A button that changes something: only the CSRF token."""


class ReasonForm(BaseForm):
    reason = TextAreaField(_l("Reason"), render_kw={"rows": 2})
