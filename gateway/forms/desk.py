"""The service desk (服务台): registering a request for help, and a request's or incident's steps (dispatch,
handling, verification) and the resident's survey on the public feedback page.

As with the dispute forms, nothing the mediation service checks is checked here (validate_choice=False): the
views send what was typed and put the service's reasons on the fields. The category, department and help-kind
choices come from the service (GET /desk/categories), so the views fill them in.
"""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, MultipleFileField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from gateway.forms.common import DATE, BaseForm, CaseIntakeForm
from gateway.forms.mediation import SurveyForm

PHOTOS = {"accept": "image/jpeg,image/png,image/webp", "multiple": True}


class RequestForm(CaseIntakeForm):
    """Registering a request for help or a service (求助/办事), and volunteers' help with it at once. The category's
    choices come from the service."""

    LABELS = {"category": _l("What is asked for"), "description": _l("What the resident needs")}
    help = BooleanField(_l("Needs help from volunteers"))
    help_kind = SelectField(_l("Kind of help"), choices=[], validate_choice=False)
    help_summary = StringField(_l("What the volunteers should do"), render_kw={"maxlength": 200})
    help_needed_by = StringField(_l("Needed by"), render_kw=DATE)


class DispatchForm(BaseForm):
    """分拨: to a department (community staff record its answer) or to a person, with the dispatch's due date."""

    target = RadioField(_l("Dispatch to"), default="department", choices=[], validate_choice=False)
    department = SelectField(_l("Department"), choices=[], validate_choice=False)
    user_id = SelectField(_l("Person"), choices=[], validate_choice=False)
    due_on = StringField(_l("To be handled by"), render_kw=DATE)
    note = TextAreaField(_l("Note for the handler"), render_kw={"rows": 2, "maxlength": 500})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.target.choices = [SelectChoice("department", _l("A department")),
                               SelectChoice("person", _l("A person (grid worker or community staff)"))]


class HandleForm(BaseForm):
    """处置: what was done, as the resident will read it, and up to three photos of the result."""

    handling = TextAreaField(_l("What was done (the resident reads this)"), render_kw={"rows": 4, "maxlength": 2000})
    handled_on = StringField(_l("Handled on (if not today)"), render_kw=DATE)
    photos = MultipleFileField(_l("Photos of the result (up to 3)"), render_kw=PHOTOS)


class PhotosForm(BaseForm):
    photos = MultipleFileField(_l("Photos"), render_kw=PHOTOS)


class VerifyForm(BaseForm):
    """核查: passed closes the case; sent back opens a new round to the same handler (a reason is required)."""

    passed = RadioField(_l("Result of the check"), choices=[], validate_choice=False)
    note = TextAreaField(_l("Note (the reason, when sending it back)"), render_kw={"rows": 2, "maxlength": 500})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.passed.choices = [SelectChoice("yes", _l("Passed: close the case")),
                               SelectChoice("no", _l("Not passed: send it back"))]


class CaseSurveyForm(SurveyForm):
    """The resident's survey of a request or an incident: the dispute's, asked of "your request"."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.rating.label.text = _l("How satisfied are you with how your request was handled?")
