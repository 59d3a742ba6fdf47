"""HTTP routes of a request's or incident's photos: add a batch (multipart), read one back in the case's scope."""
from flask import make_response
from flask_smorest.fields import Upload
from marshmallow import ValidationError, fields
from werkzeug.datastructures import FileStorage

from services.mediation.config import SETTINGS
from services.mediation.desk_schemas import CaseRead
from services.mediation.service import case_photos
from shared.reasons import mediation as reasons
from shared.schemas import Choice, StrictSchema
from shared.web.blueprint import Blueprint
from shared.web.factory import caller

bp = Blueprint("photos", __name__, url_prefix="/", description="Photos of requests and incidents (照片)")


IMAGE = {"200": {"description": "the photo as kept (cleaned, without metadata)", "content": {
    t: {"schema": {"type": "string", "format": "binary"}} for t in ("image/jpeg", "image/png", "image/webp")}}}


class _Photo(Upload):
    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, FileStorage):
            raise ValidationError(reasons.PHOTOS_NEEDED())
        return value


class PhotosForm(StrictSchema):
    stage = Choice(("reported", "handled"), load_default="reported",
                   metadata={"description": "reported: the report's photos; handled: the handling's"})
    photos = fields.List(_Photo(), required=True, metadata={
        "description": "1 to PHOTOS_PER_CASE files of this stage in all: JPEG, PNG or WebP (sniffed from the bytes)"})


@bp.post("/cases/<case_id>/photos")
@bp.arguments(PhotosForm, location="form_and_files")
@bp.response(200, CaseRead)
def add_photos(form, case_id):
    # Each read stops one byte past the limit: that is enough for clean() to refuse it as too large.
    files = [f.stream.read(SETTINGS.PHOTO_MAX_BYTES + 1) for f in form["photos"]]
    return case_photos.add_photos(actor=caller(), case_id=case_id, stage=form["stage"], files=files)


@bp.get("/cases/<case_id>/photos/<photo_id>")
@bp.doc(responses=IMAGE)
def get_photo(case_id, photo_id):
    data, content_type = case_photos.photo_file(actor=caller(), case_id=case_id, photo_id=photo_id)
    response = make_response(data)
    response.headers["Content-Type"] = content_type
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = "inline"
    return response
