"""The building blocks every page's form uses, a few fields more than one area shares, and how a form's entries
reach a service: what was typed (`present` leaves out the blanks) and a small form's button (`press`)."""
from flask import flash
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired
from wtforms.widgets import CheckboxInput, ListWidget

from gateway.calls import attempt, form_reasons

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


def present(body: dict) -> dict:
    """A service's request body without the entries left blank (None), so the service reads them as left out:
    "required" for a required one, its own default for an optional one."""
    return {key: value for key, value in body.items() if value is not None}


def press(form, call, ok_message: str) -> bool:
    """Press a small form's button on a service: flash `ok_message`, or the service's reasons named by the form's
    own labels ("People received: A whole number."). A 401/403/404 or an outage goes to the error pages."""
    done, leftover = attempt(form, lambda: call() or True)
    if done is None:
        flash(" ".join([*leftover, form_reasons(form)]).strip() or _("Some entries need correcting."), "error")
        return False
    flash(ok_message, "ok")
    return True
