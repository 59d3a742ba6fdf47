"""The grid worker's phone pages: my grids, today, the register, a household, its forms, and visits."""
import re
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from gateway import today
from gateway.auth import current_user, login_required, permission_required, principal, safe_next
from gateway.forms import (CareFlagForm, HouseholdForm, LeaveForm, LookupForm, MoveForm, PostForm, RevealForm,
                           VisitForm)
from gateway.i18n import CARE_TAG_LABELS, service_message
from gateway.upstream import ServiceError, client

bp = Blueprint("pages", __name__)
GRID_ID = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
OBJECT_ID = re.compile(r"^[0-9a-f]{24}$")


def hh():
    return client("households", principal())


def checked_grid(grid_id: str) -> str:
    if not GRID_ID.match(grid_id or ""):
        abort(404)
    return grid_id


def checked_id(object_id: str) -> str:
    if not OBJECT_ID.match(object_id or ""):
        abort(404)
    return object_id


def local_tz() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def apply_errors(form, exc: ServiceError, row_map: dict[int, int] | None = None) -> list[str]:
    """Put a service's field reasons on the form's fields; return those that fit no field."""
    leftover = []
    if exc.status in (409,) or not exc.fields:
        leftover.append(service_message(exc.message))
    for path, reasons in (exc.fields or {}).items():
        reasons = [service_message(str(r)) for r in (reasons if isinstance(reasons, list) else [reasons])]
        field = _resolve(form, str(path), row_map or {})
        if field is None:
            from gateway.i18n import field_label

            leftover.extend(f"{field_label(path)}{_(': ')}{r}" for r in reasons)
        else:
            field.errors = list(field.errors or []) + reasons
    return leftover


def _resolve(form, path: str, row_map: dict[int, int]):
    parts = path.split(".")
    if parts[0] == "address" and len(parts) > 1:
        parts = parts[1:]
    if parts[0] == "residents" and len(parts) >= 3 and parts[1].isdigit() and hasattr(form, "residents"):
        idx = row_map.get(int(parts[1]), int(parts[1]))
        entries = form.residents.entries
        if idx < len(entries):
            sub = entries[idx].form
            return getattr(sub, parts[2], None) if parts[2] != "care_tags" else sub.care_tags
        return None
    if len(parts) == 1 and parts[0] not in ("residents", "_schema", "version"):
        return getattr(form, parts[0], None)
    return None


# ---- home and grids -------------------------------------------------------------------------

@bp.get("/")
@login_required
def home():
    user = current_user()
    if user.role == "grid_worker" and len(user.grid_ids) == 1:
        return redirect(url_for("pages.grid_today", grid_id=user.grid_ids[0]))
    if user.role == "admin" and not principal().may("register.figures"):
        return redirect(url_for("admin.users"))
    services = current_app.config["SERVICE_URLS"]
    if user.role == "team_leader" and "volunteers" in services:
        return redirect(url_for("volunteers.home"))
    if user.role == "mediator" and "mediation" in services:
        return redirect(url_for("mediation.cases"))
    return redirect(url_for("pages.grids"))


@bp.get("/grids")
@permission_required("register.figures")
def grids():
    community_id = request.args.get("community_id") or None
    if community_id and not GRID_ID.match(community_id):
        abort(404)
    params = {"community_id": community_id} if community_id else None
    rows = hh().get("/grids", params=params)
    can_manage = principal().may("grids.manage")
    can_read = principal().may("register.read")
    return render_template("grids.html", grids=rows, community_id=community_id, can_manage=can_manage,
                           can_read=can_read)


@bp.get("/grids/<grid_id>/today")
@permission_required("register.read")
def grid_today(grid_id):
    grid_id = checked_grid(grid_id)
    grid = hh().get(f"/grids/{grid_id}")
    sections = today.load_sections(grid, principal())
    return render_template("today.html", grid=grid, sections=sections, done_form=PostForm())


# ---- the register ---------------------------------------------------------------------------

@bp.get("/grids/<grid_id>/households")
@permission_required("register.read")
def register(grid_id):
    grid_id = checked_grid(grid_id)
    q = (request.args.get("q") or "").strip()[:40]
    care_tag = request.args.get("care_tag") or ""
    if care_tag not in CARE_TAG_LABELS or not principal().may("care.read"):
        care_tag = ""
    status = "left" if request.args.get("status") == "left" else "active"
    try:
        page = max(1, min(10000, int(request.args.get("page", "1"))))
    except ValueError:
        page = 1
    size = current_app.config["PAGE_SIZE"]
    params = {"grid_id": grid_id, "status": status, "page": page, "page_size": size}
    if q:
        params["q"] = q
    if care_tag:
        params["care_tag"] = care_tag
    result = hh().get("/households", params=params)
    pages_total = max(1, -(-result["total"] // size))
    return _register_page(grid_id, result, q=q, care_tag=care_tag, status=status, page=page, pages_total=pages_total)


def _register_page(grid_id: str, result: dict, *, lookup_form=None, looked_up=False, **search):
    p = principal()
    defaults = {"q": "", "care_tag": "", "status": "active", "page": 1, "pages_total": 1}
    return render_template("register.html", grid_id=grid_id, result=result, **{**defaults, **search},
                           can_write=p.may("register.write"), can_reveal=p.may("register.reveal"),
                           can_see_care=p.may("care.read"), lookup_form=lookup_form or LookupForm(),
                           looked_up=looked_up)


@bp.post("/grids/<grid_id>/households/lookup")
@permission_required("register.reveal")
def lookup(grid_id):
    """Find households by a full ID number or phone; posted, so the number stays out of URLs and access logs."""
    grid_id = checked_grid(grid_id)
    hh().get(f"/grids/{grid_id}")  # outside the caller's area: refused (403/404) before the form is even read
    form = LookupForm()
    errors = []
    if form.validate_on_submit():
        body = {"number": form.number.data.strip(), "reason": form.reason.data.strip(), "grid_id": grid_id}
        try:
            found = hh().post("/households/lookup", json=body)
        except ServiceError as exc:
            if exc.unavailable or exc.status in (403, 404):
                raise
            errors = apply_errors(form, exc)
        else:
            page = _register_page(grid_id, {"items": found, "total": len(found)}, lookup_form=form, looked_up=True)
            return page, 200, {"Cache-Control": "no-store"}
    for message in errors:
        flash(message, "error")
    return _register_page(grid_id, {"items": [], "total": 0}, lookup_form=form), 422, {"Cache-Control": "no-store"}


def _empty_rows(form: HouseholdForm, n: int) -> None:
    while len(form.residents.entries) < n:
        form.residents.append_entry()


def household_payload(form: HouseholdForm) -> tuple[dict, dict[int, int]]:
    """The service's body from the form, and which form row each resident came from.

    A birth date, ID number or phone left blank is left out of the body, so on an edit the service keeps
    the stored value (the page showed it masked: the year, the first digits).
    """
    residents, row_map = [], {}
    for row_index, entry in enumerate(form.residents.entries):
        row = entry.form
        name = (row.name.data or "").strip()
        if not name:
            continue
        rid = row.resident_id.data or None
        resident = {
            "name": name,
            "relation": row.relation.data,
            "gender": row.gender.data or None,
        }
        if row.birth_date.data:
            resident["birth_date"] = row.birth_date.data.isoformat()
        id_number, phone = (row.id_number.data or "").strip().upper(), (row.phone.data or "").strip()
        if id_number:
            resident["id_number"] = id_number
        if phone:
            resident["phone"] = phone
        if rid:
            resident["resident_id"] = rid
        else:
            resident["care_tags"] = [{"tag": t} for t in (row.care_tags.data or [])]
        row_map[len(residents)] = row_index
        residents.append(resident)
    body = {
        "address": {"building": form.building.data.strip(), "unit": (form.unit.data or "").strip() or None,
                    "room": form.room.data.strip()},
        "residency": form.residency.data,
        "moved_in_on": form.moved_in_on.data.isoformat() if form.moved_in_on.data else None,
        "residents": residents,
    }
    if (form.phone.data or "").strip():
        body["phone"] = form.phone.data.strip()
    return body, row_map


@bp.route("/grids/<grid_id>/households/new", methods=["GET", "POST"])
@permission_required("register.write")
def new_household(grid_id):
    grid_id = checked_grid(grid_id)
    form = HouseholdForm()
    errors = []
    if request.method == "GET":
        hh().get(f"/grids/{grid_id}")  # 404 now, not after the form is filled in
        form.residents.entries[0].form.relation.data = "head"
    if form.validate_on_submit():
        body, row_map = household_payload(form)
        body["grid_id"] = grid_id
        try:
            created = hh().post("/households", json=body)
        except ServiceError as exc:
            if exc.unavailable or exc.status in (403, 404):
                raise
            errors = apply_errors(form, exc, row_map)
        else:
            flash(_("Household registered."), "ok")
            return redirect(url_for("pages.household", household_id=created["id"]), code=303)
    _empty_rows(form, 4)
    status = 422 if request.method == "POST" else 200
    return render_template("household_form.html", form=form, grid_id=grid_id, household=None, errors=errors), status


@bp.route("/households/<household_id>/edit", methods=["GET", "POST"])
@permission_required("register.write")
def edit_household(household_id):
    household_id = checked_id(household_id)
    current = hh().get(f"/households/{household_id}")
    if request.method == "GET":
        a = current["address"]
        form = HouseholdForm(formdata=None, data={
            "building": a["building"], "unit": a.get("unit") or "", "room": a["room"],
            "residency": current["residency"], "moved_in_on": _date(current.get("moved_in_on")),
            "version": str(current["version"]),
            "residents": [{"resident_id": r["resident_id"], "name": r["name"], "relation": r["relation"],
                           "gender": r.get("gender") or ""} for r in current["residents"]]})
    else:
        form = HouseholdForm()
    errors = []
    if request.method == "POST" and form.validate_on_submit():
        body, row_map = household_payload(form)
        try:
            body["version"] = int(form.version.data)
        except (TypeError, ValueError):
            body["version"] = current["version"]
        try:
            hh().put(f"/households/{household_id}", json=body)
        except ServiceError as exc:
            if exc.unavailable or exc.status in (403, 404):
                raise
            errors = apply_errors(form, exc, row_map)
        else:
            flash(_("Household saved."), "ok")
            return redirect(url_for("pages.household", household_id=household_id), code=303)
    _empty_rows(form, len(current["residents"]) + 2)
    status = 422 if request.method == "POST" else 200
    return render_template("household_form.html", form=form, grid_id=current["grid_id"], household=current,
                           errors=errors), status


def _date(value):
    from datetime import date

    return date.fromisoformat(value) if value else None


def _household_page(household_id: str, *, revealed: dict | None = None, reveal_form=None, status=200):
    service = hh()
    household = revealed or service.get(f"/households/{household_id}")
    visits = service.get(f"/households/{household_id}/visits")[:10]
    p = principal()
    response = render_template(
        "household.html", h=household, visits=visits, revealed=revealed is not None,
        reveal_form=reveal_form or RevealForm(), post_form=PostForm(), care_form=CareFlagForm(),
        can_write=p.may("register.write"), can_reveal=p.may("register.reveal"), can_visit=p.may("visits.write"),
        can_see_care=p.may("care.read"))
    return response, status, ({"Cache-Control": "no-store"} if revealed else {})


@bp.get("/households/<household_id>")
@permission_required("register.read")
def household(household_id):
    return _household_page(checked_id(household_id))


@bp.post("/households/<household_id>/reveal")
@permission_required("register.reveal")
def reveal(household_id):
    household_id = checked_id(household_id)
    form = RevealForm()
    if not form.validate_on_submit():
        return _household_page(household_id, reveal_form=form, status=422)
    revealed = hh().post(f"/households/{household_id}/reveal", json={"reason": form.reason.data.strip()})
    return _household_page(household_id, revealed=revealed)


@bp.post("/households/<household_id>/residents/<resident_id>/care")
@permission_required("register.write")
def flag_care(household_id, resident_id):
    household_id = checked_id(household_id)
    form = CareFlagForm()
    if form.validate_on_submit():
        _post_or_flash(f"/households/{household_id}/residents/{_rid(resident_id)}/care-tags",
                       {"tag": form.tag.data}, _("Special-care tag added."))
    return redirect(url_for("pages.household", household_id=household_id), code=303)


@bp.post("/households/<household_id>/residents/<resident_id>/care/<tag>/clear")
@permission_required("register.write")
def clear_care(household_id, resident_id, tag):
    household_id = checked_id(household_id)
    if tag not in CARE_TAG_LABELS:
        abort(404)
    _post_or_flash(f"/households/{household_id}/residents/{_rid(resident_id)}/care-tags/clear", {"tag": tag},
                   _("Special-care tag ended."))
    return redirect(url_for("pages.household", household_id=household_id), code=303)


def _rid(resident_id: str) -> str:
    if not re.match(r"^[A-Za-z0-9_-]{1,40}$", resident_id):
        abort(404)
    return resident_id


def _post_or_flash(path: str, body: dict, ok_message: str) -> bool:
    try:
        hh().post(path, json=body)
    except ServiceError as exc:
        if exc.unavailable or exc.status in (403, 404):
            raise
        flash(service_message(exc.message), "error")
        return False
    flash(ok_message, "ok")
    return True


@bp.route("/households/<household_id>/move", methods=["GET", "POST"])
@permission_required("register.write")
def move_household(household_id):
    household_id = checked_id(household_id)
    service = hh()
    current = service.get(f"/households/{household_id}")
    form = MoveForm()
    leave_form = LeaveForm(prefix="leave")
    targets = [g for g in service.get("/grids") if g["id"] != current["grid_id"]]
    form.to_grid_id.choices = [SelectChoice("", "—")] + [SelectChoice(g["id"], f'{g["name"]} ({g["id"]})')
                                                         for g in targets]
    errors = []
    if request.method == "GET":
        form.version.data = leave_form.version.data = str(current["version"])
    elif form.submit.data and form.validate_on_submit():
        body = {"to_grid_id": form.to_grid_id.data, "version": _int(form.version.data, current["version"]),
                "reason": (form.reason.data or "").strip() or None}
        if (form.building.data or "").strip() and (form.room.data or "").strip():
            body["address"] = {"building": form.building.data.strip(), "unit": (form.unit.data or "").strip() or None,
                               "room": form.room.data.strip()}
        try:
            service.post(f"/households/{household_id}/move", json=body)
        except ServiceError as exc:
            if exc.unavailable or exc.status == 403:
                raise
            errors = apply_errors(form, exc)
        else:
            flash(_("Household moved."), "ok")
            return redirect(url_for("pages.household", household_id=household_id), code=303)
    return render_template("move.html", form=form, leave_form=leave_form, h=current, errors=errors), \
        (422 if request.method == "POST" else 200)


@bp.post("/households/<household_id>/leave")
@permission_required("register.write")
def leave_household(household_id):
    household_id = checked_id(household_id)
    form = LeaveForm(prefix="leave")
    if form.validate_on_submit():
        body = {"moved_out_on": form.moved_out_on.data.isoformat(),
                "version": _int(form.version.data, 0), "reason": (form.reason.data or "").strip() or None}
        if _post_or_flash(f"/households/{household_id}/leave", body, _("Moving out recorded.")):
            return redirect(url_for("pages.household", household_id=household_id), code=303)
    else:
        flash(_("Give the date the household moved out."), "error")
    return redirect(url_for("pages.move_household", household_id=household_id), code=303)


def _int(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


# ---- visits ---------------------------------------------------------------------------------

def visit_payload(form: VisitForm, tz: ZoneInfo) -> dict:
    at = datetime.fromisoformat(form.visited_at.data)
    if at.tzinfo is None:
        at = at.replace(tzinfo=tz)
    return {
        "visited_at": at.isoformat(),
        "seen": [s for s in (form.seen.data or []) if s][:30],
        "notes": (form.notes.data or "").strip(),
        "follow_up_needed": bool(form.follow_up_needed.data),
        "follow_up": (form.follow_up.data or "").strip() or None,
        "client_id": form.client_id.data or None,
    }


@bp.route("/households/<household_id>/visit", methods=["GET", "POST"])
@permission_required("visits.write")
def log_visit(household_id):
    household_id = checked_id(household_id)
    current = hh().get(f"/households/{household_id}")
    form = VisitForm()
    form.seen.choices = [SelectChoice(r["name"], r["name"]) for r in current["residents"]]
    errors = []
    if request.method == "GET":
        form.visited_at.data = datetime.now(local_tz()).strftime("%Y-%m-%dT%H:%M")
        form.client_id.data = uuid.uuid4().hex
    elif form.validate_on_submit():
        try:
            payload = visit_payload(form, local_tz())
        except ValueError:
            form.visited_at.errors = [_("Not a valid date and time.")]
        else:
            try:
                hh().post(f"/households/{household_id}/visits", json=payload)
            except ServiceError as exc:
                if exc.unavailable or exc.status in (403, 404):
                    raise
                errors = apply_errors(form, exc)
            else:
                flash(_("Visit saved."), "ok")
                return redirect(url_for("pages.household", household_id=household_id), code=303)
    return render_template("visit_form.html", form=form, h=current, errors=errors), \
        (422 if request.method == "POST" else 200)


@bp.post("/visits/<visit_id>/done")
@permission_required("visits.write")
def follow_up_done(visit_id):
    visit_id = checked_id(visit_id)
    form = PostForm()
    if form.validate_on_submit():
        _post_or_flash(f"/visits/{visit_id}/follow-up-done", {}, _("Follow-up marked done."))
    return redirect(safe_next(request.args.get("next")), code=303)
