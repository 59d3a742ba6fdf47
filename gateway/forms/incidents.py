"""Reporting an incident (事件上报) from the phone: few fields, big targets, up to three photos from the camera."""
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, SelectField, StringField, SubmitField, TextAreaField

from gateway.forms.common import BaseForm

PHOTO = {"accept": "image/*", "capture": "environment"}


class IncidentForm(BaseForm):
    category = SelectField(_l("What kind of incident"), choices=[], validate_choice=False)
    building = SelectField(_l("Building"), choices=[], validate_choice=False)
    place_text = StringField(_l("Or where, in words"), render_kw={"maxlength": 200})
    attach_location = BooleanField(_l("Attach my location"))
    lat = HiddenField()
    lon = HiddenField()
    description = TextAreaField(_l("What you saw"), render_kw={"rows": 3, "maxlength": 2000})
    photo1 = FileField(_l("Photo 1"), render_kw=PHOTO)
    photo2 = FileField(_l("Photo 2"), render_kw=PHOTO)
    photo3 = FileField(_l("Photo 3"), render_kw=PHOTO)
    client_id = HiddenField()
    submit = SubmitField(_l("Report the incident"))

    PHOTOS = ("photo1", "photo2", "photo3")
