"""The building blocks every page's form uses, and a few fields more than one area shares."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired
from wtforms.widgets import CheckboxInput, ListWidget

REQUIRED = DataRequired(message=_l("Required."))
DATE = {"type": "date"}
PHONE = {"type": "tel", "inputmode": "numeric"}


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


class CaseIntakeForm(BaseForm):
    """Registering a case a resident brings (a dispute, a request for help): how and when it came in, what it is
    and where, and the applicant, a household from the register or a person typed in. The buttons say what to do
    (search the register, pick a household, register), so the register is searched without scripts and nothing
    typed is lost. Each kind names its category and description (LABELS) and fills the category's choices."""

    LABELS: dict = {}
    channel = RadioField(_l("How it came in"), default="walk_in", choices=[], validate_choice=False)
    received_on = StringField(_l("Received on (if not today)"), render_kw=DATE)
    category = RadioField(choices=[], validate_choice=False)
    urgency = RadioField(_l("Urgency"), default="normal", choices=[], validate_choice=False)
    description = TextAreaField(render_kw={"rows": 4, "maxlength": 5000})
    place = SelectField(_l("Grid or community of the case"), choices=[], validate_choice=False)
    q = StringField(_l("Find a household in the register (address or name)"),
                    render_kw={"type": "search", "maxlength": 40})
    applicant_household = HiddenField()
    applicant_label = HiddenField()
    applicant_name = StringField(_l("Applicant's name"))
    applicant_phone = StringField(_l("Applicant's phone"), filters=[digits], render_kw=PHONE)
    applicant_address = StringField(_l("Applicant's address"))

    def __init__(self, *args, **kwargs):
        from gateway.i18n import CHANNEL_LABELS, URGENCY_LABELS

        super().__init__(*args, **kwargs)
        for name, text in self.LABELS.items():
            self[name].label.text = text
        self.channel.choices = choices(CHANNEL_LABELS)
        self.urgency.choices = choices(URGENCY_LABELS)
