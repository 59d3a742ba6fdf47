"""Reporting an incident from the phone (事件上报): category, place (a building of the grid or words, the phone's
location if the worker attaches it), what was seen and up to three photos, in under a minute.

Without scripts the form posts here as multipart and the view passes it on to the mediation service's
POST /incidents (form field `data` = the JSON, files `photos`), then shows the receipt or the service's reasons
on their fields. With scripts (static/incident.js) the photos are shrunk on the phone, the report waits in
IndexedDB and is posted here with `Accept: application/json` once the connection is there; the answer is JSON
with the reasons already in the user's language. Either way the client_id makes a resend return the case the
first send made, never a second one.
"""
import json

from flask import Blueprint, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from gateway.auth import permission_required
from gateway.calls import CODE, NO_STORE, checked, error_lines, passed_on, present, put_errors, service
from gateway.forms.incidents import IncidentForm
from gateway.upstream import ServiceError
from gateway.views.entries import typed

bp = Blueprint("incidents", __name__)
# The service's paths for the form's fields (a photo's reasons are mapped per request: see _photo_paths).
PATHS = {"place.building": "building", "place.text": "place_text", "place.lat": "attach_location",
         "place.lon": "attach_location", "place": "place_text"}


def _wants_json() -> bool:
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json"


def _number(value) -> float | None:
    try:
        return float(value) if typed(value) else None
    except ValueError:
        return None


def body(form: IncidentForm, grid_id: str) -> dict:
    """The service's `data`: lat/lon only when the worker chose to attach the location."""
    attach = bool(form.attach_location.data)
    place = present({"building": typed(form.building.data), "text": typed(form.place_text.data),
                     "lat": _number(form.lat.data) if attach else None,
                     "lon": _number(form.lon.data) if attach else None})
    return present({"grid_id": grid_id, "category": typed(form.category.data),
                    "description": typed(form.description.data), "place": place, "attach_location": attach,
                    "client_id": typed(form.client_id.data)})


def chosen_photos() -> list[tuple[str, object]]:
    """(the form's field, the file) for each photo input that carries a file, in the form's order."""
    out = []
    for name in IncidentForm.PHOTOS:
        upload = request.files.get(name)
        if upload is not None and upload.filename:
            out.append((name, upload))
    return out


def _photo_paths(photos) -> dict:
    """The service numbers the photos it was sent (photos.0, photos.1); the form's inputs are photo1..photo3."""
    paths = {f"photos.{i}": name for i, (name, _upload) in enumerate(photos)}
    if len(photos) == 1:
        paths["photos"] = photos[0][0]
    return paths


def _name_photos(form: IncidentForm, photos) -> None:
    """A photo's reasons say which file they are about (the browser does not keep the chosen file)."""
    for name, upload in photos:
        field = getattr(form, name)
        field.errors = [f"{upload.filename}{_(': ')}{e}" for e in (field.errors or [])]


def _choices(grid_id: str, form: IncidentForm) -> None:
    """The incident categories (the service's list) and the grid's buildings (the register's; 404 outside scope)."""
    net = service("households").get(f"/grids/{grid_id}/network")
    cats = service("mediation").get("/desk/categories").get("incident", [])
    form.category.choices = [SelectChoice("", _("Choose…"))] + [SelectChoice(c["code"], c["label"]) for c in cats]
    form.building.choices = [SelectChoice("", _("Not a building / choose…"))] + [
        SelectChoice(b["building"], b["building"]) for b in net.get("buildings", [])]
    form.grid_name = net.get("name") or grid_id


def _case_url(case_id: str | None) -> str | None:
    """The desk's case page."""
    return url_for("desk.case", case_id=case_id) if case_id else None


@bp.route("/grids/<grid_id>/incidents/new", methods=["GET", "POST"])
@permission_required("cases.register")
def report(grid_id):
    grid_id = checked(grid_id, CODE)
    form = IncidentForm()
    if request.method == "POST":
        photos = chosen_photos()
        files = [("photos", passed_on(upload, "photo.jpg")) for _name, upload in photos]
        try:
            sent = body(form, grid_id)  # multipart only with photos (without files requests would send a urlencoded form)
            made = (service("mediation").post("/incidents", data={"data": json.dumps(sent)}, files=files) if files
                    else service("mediation").post("/incidents", json=sent))
        except ServiceError as exc:
            if _wants_json():
                status = 503 if exc.unavailable or exc.status == 401 else exc.status
                return jsonify(status=status, message=" ".join(error_lines(exc)) or _("Not saved")), status
            if exc.unavailable or exc.status in (401, 403, 404):
                raise
            _choices(grid_id, form)
            errors = put_errors(form, exc, {**PATHS, **_photo_paths(photos)})
            _name_photos(form, photos)
            return render_template("desk/incident_form.html", form=form, grid_id=grid_id, errors=errors), 422
        case, receipt = made.get("case") or {}, made.get("receipt") or {}
        if _wants_json():
            return jsonify(number=receipt.get("number"), case_id=case.get("id"), url=_case_url(case.get("id")),
                           message=_("Incident %(number)s reported.", number=receipt.get("number"))), 201, NO_STORE
        return render_template("desk/incident_done.html", case=case, r=receipt, grid_id=grid_id,
                               case_url=_case_url(case.get("id"))), 201, NO_STORE
    _choices(grid_id, form)
    return render_template("desk/incident_form.html", form=form, grid_id=grid_id, errors=[])
