"""HTTP routes of the service desk's intake and reading (requests, incidents, cases of every kind): load with a
schema, call the service, dump."""
import json

from flask import request
from marshmallow import ValidationError

from services.mediation import desk_schemas as ds
from services.mediation import service
from services.mediation.config import SETTINGS
from services.mediation.service.feedback import feedback_url
from shared.reasons import mediation as reasons
from shared.web.blueprint import Blueprint
from shared.web.factory import caller

bp = Blueprint("desk", __name__, url_prefix="/", description="The service desk (一站式受理): requests and incidents")

INCIDENT_BODY = {"content": {
    "application/json": {"schema": ds.IncidentCreate},
    "multipart/form-data": {"schema": {"type": "object", "properties": {
        "data": {"type": "string", "description": "the IncidentCreate object as JSON text"},
        "photos": {"type": "array", "items": {"type": "string", "format": "binary"},
                   "description": "up to PHOTOS_PER_CASE photos (JPEG, PNG or WebP)"}}}}}}


def _registered(case, token):
    receipt = {**service.receipt(case), "feedback_url": feedback_url(token) if token else None}
    return {"case": case, "receipt": receipt}


def _incident_input() -> tuple[dict, list[bytes]]:
    """The report and its photos' bytes, from JSON or from a multipart form (`data` = the JSON text)."""
    if request.mimetype != "multipart/form-data":
        return ds.IncidentCreate().load(request.get_json(silent=True) or {}), []
    try:
        raw = json.loads(request.form.get("data") or "")
    except ValueError:
        raw = None
    if not isinstance(raw, dict):
        raise ValidationError({"data": [reasons.DATA_NOT_JSON()]})
    data = ds.IncidentCreate().load(raw)
    # A photo larger than the limit is read only one byte past it: enough for clean() to refuse it.
    files = [f.read(SETTINGS.PHOTO_MAX_BYTES + 1) for f in request.files.getlist("photos") if f.filename]
    return data, [f for f in files if f]


@bp.get("/desk/categories")
@bp.response(200, ds.CategoriesRead)
def categories():
    return service.categories(actor=caller())


@bp.post("/requests")
@bp.arguments(ds.RequestCreate)
@bp.response(201, ds.CaseRegistered)
def register_request(data):
    """Register a resident's request for help or service (求助/办事); the receipt carries the feedback link."""
    return _registered(*service.register_request(actor=caller(), data=data))


@bp.post("/incidents")
@bp.doc(requestBody=INCIDENT_BODY)
@bp.response(201, ds.CaseRegistered)
@bp.alt_response(200, schema=ds.CaseRegistered, description="this reporter sent this client_id before: its case")
def register_incident():
    """Register an incident (事件), JSON or multipart with photos; photos are cleaned before anything is written."""
    data, files = _incident_input()
    case, token, created = service.register_incident(actor=caller(), data=data, files=files)
    return _registered(case, token), 201 if created else 200


@bp.get("/cases")
@bp.arguments(ds.CaseQuery, location="query")
@bp.response(200, ds.CasePage)
def list_cases(args):
    return service.list_cases(actor=caller(), **args)


@bp.get("/cases/<case_id>")
@bp.response(200, ds.CaseRead)
def get_case(case_id):
    return service.get_case(actor=caller(), case_id=case_id)


@bp.post("/cases/<case_id>/help")
@bp.arguments(ds.HelpWrite)
@bp.response(200, ds.CaseRead)
def request_help(data, case_id):
    """Ask volunteers to help a request's applicant (once): case.help_requested opens a volunteer need."""
    return service.request_help(actor=caller(), case_id=case_id, **data)


@bp.get("/reports/desk")
@bp.arguments(ds.DeskQuery, location="query")
@bp.response(200, ds.DeskFigures)
def desk_report(args):
    return service.desk_report(actor=caller(), **args)
