"""The grid worker's phone pages: my grids, today, the register, a household, its forms, and visits.

The forms send what the user typed; the households service checks it, and its reasons show on the fields.
"""
import uuid
from datetime import date, datetime
from functools import partial
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms.fields.choices import SelectChoice

from gateway import today
from gateway.auth import current_user, login_required, permission_required, principal, safe_next
from gateway.calls import CODE, NO_STORE, attempt, checked, flash_outcome, present, put_errors, service
from gateway.charts.register import grids_page_charts
from gateway.fanout import gather
from gateway.forms.common import PostForm
from gateway.forms.register import CareFlagForm, HouseholdForm, LeaveForm, LookupForm, MoveForm, RevealForm, VisitForm
from gateway.i18n import CARE_TAG_LABELS
from gateway.upstream import ServiceError
from shared import clock

bp = Blueprint("pages", __name__)


def hh():
    return service("households")


def local_tz() -> ZoneInfo:
    return clock.zone()


def typed(value) -> str | None:
    """What the user typed in a text field, trimmed; None when nothing was (so the service reads it as left out)."""
    return (value or "").strip() or None


def _int(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _status() -> int:
    return 422 if request.method == "POST" else 200


# ---- home and grids -------------------------------------------------------------------------

@bp.get("/")
@login_required
def home():
    """Where the user's work starts: the grid's day, their grids, the volunteers or their cases."""
    user, p = current_user(), principal()
    if user.role == "grid_worker" and len(user.grid_ids) == 1:
        return redirect(url_for("pages.grid_today", grid_id=user.grid_ids[0]))
    services = current_app.config["SERVICE_URLS"]
    if not p.may("register.read") and p.may("volunteers.manage") and "volunteers" in services:
        return redirect(url_for("volunteers.home"))
    if p.may("disputes.handle") and not p.may("register.write") and "mediation" in services:
        return redirect(url_for("mediation.cases"))
    return redirect(url_for("pages.grids"))


@bp.get("/grids")
@permission_required("register.figures")
def grids():
    community_id = request.args.get("community_id") or None
    if community_id:
        checked(community_id, CODE)
    households = hh()
    register = gather({"grids": partial(households.get, "/grids",
                                        params={"community_id": community_id} if community_id else None),
                       "communities": partial(households.get, "/communities", params={"figures": "true"})})
    rows = register["grids"].result()
    shown = {row["community_id"] for row in rows} | ({community_id} if community_id else set())
    communities = [c for c in register["communities"].result() if c["id"] in shown]
    desk, desk_missing = _desk_figures([c["id"] for c in communities])
    charts = grids_page_charts(rows, title=_("Households per grid"), care=principal().may("care.read")) \
        if community_id and rows else []
    return render_template("grids.html", grids=rows, community_id=community_id, communities=communities, charts=charts,
                           desk=desk, desk_kinds=DESK_KINDS, missing=[_("Service desk figures")] if desk_missing else [],
                           can_manage=principal().may("grids.manage"), can_read=principal().may("register.read"))


DESK_KINDS = (("dispute", _l("Dispute cases")), ("request", _l("Requests for help")), ("incident", _l("Incidents")))


def _desk_figures(community_ids: list[str]) -> tuple[dict[str, dict], bool]:
    """Each community's service desk counts per kind (registered this year, open, overdue, on-time share), asked for
    every community at once, and whether some could not be had (the service down or late). Left out without a word
    when the mediation service is not configured or not the user's to read."""
    if "mediation" not in current_app.config["SERVICE_URLS"] or not principal().may("disputes.figures"):
        return {}, False
    mediation = service("mediation")
    got = gather({cid: partial(mediation.get, "/reports/desk", params={"community_id": cid}) for cid in community_ids})
    figures = {cid: outcome.value["kinds"] for cid, outcome in got.items() if outcome.ok}
    missing = any(isinstance(o.error, ServiceError) and o.error.unavailable for o in got.values() if not o.ok)
    return figures, missing


@bp.get("/grids/<grid_id>/today")
@permission_required("register.read")
def grid_today(grid_id):
    grid, sections = today.load(checked(grid_id, CODE), principal())
    return render_template("today.html", grid=grid, sections=sections, done_form=PostForm())


@bp.get("/grids/<grid_id>/permits")
@permission_required("register.read")
def permits(grid_id):
    """The grid's floating residents whose residence permit expires soon or has expired (numbers masked)."""
    grid_id = checked(grid_id, CODE)
    items = hh().get(f"/grids/{grid_id}/permits-expiring")
    return render_template("permits.html", grid_id=grid_id, items=items)


# ---- the register ---------------------------------------------------------------------------

@bp.get("/grids/<grid_id>/households")
@permission_required("register.read")
def register(grid_id):
    grid_id = checked(grid_id, CODE)
    q = (request.args.get("q") or "").strip()[:40]
    care_tag = request.args.get("care_tag") or ""
    if care_tag not in CARE_TAG_LABELS or not principal().may("care.read"):
        care_tag = ""
    status = "left" if request.args.get("status") == "left" else "active"
    page = max(1, min(10000, _int(request.args.get("page", "1"), 1)))
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
    grid_id = checked(grid_id, CODE)
    hh().get(f"/grids/{grid_id}")  # outside the caller's area: refused (403/404) before the form is even read
    form = LookupForm()
    errors = []
    if form.validate_on_submit():
        body = present({"number": typed(form.number.data), "reason": typed(form.reason.data), "grid_id": grid_id})
        found, errors = attempt(form, lambda: hh().post("/households/lookup", json=body))
        if found is not None:
            page = _register_page(grid_id, {"items": found, "total": len(found)}, lookup_form=form, looked_up=True)
            return page, 200, NO_STORE
    for message in errors:
        flash(message, "error")
    return _register_page(grid_id, {"items": [], "total": 0}, lookup_form=form), 422, NO_STORE


# ---- a household's form ---------------------------------------------------------------------

class _WithRows:
    """The household form as put_errors sees it: a resident row's field by its flat name ("residents-2-phone");
    a reason about the residents as a whole or the version goes to the top of the form."""

    def __init__(self, form: HouseholdForm):
        self._form = form

    def __getattr__(self, name: str):
        if name in ("residents", "version"):
            return None
        if name.startswith("residents-"):
            _, row, field = name.split("-", 2)
            return getattr(self._form.residents.entries[int(row)].form, field, None)
        return getattr(self._form, name, None)


def household_errors(form: HouseholdForm, exc: ServiceError, row_map: dict[int, int]) -> list[str]:
    """The service's reasons on the household form, a resident's on the row it was typed in."""
    mapping = {f"residents.{sent}.{field.short_name}": f"residents-{row}-{field.short_name}"
               for sent, row in row_map.items() for field in form.residents.entries[row].form}
    return put_errors(_WithRows(form), exc, mapping)


def _empty_rows(form: HouseholdForm, n: int) -> None:
    while len(form.residents.entries) < n:
        form.residents.append_entry()


def floating_payload(row) -> dict:
    """A resident row's floating-population fields (户籍地, 居住证, arrival, stay) as the service takes them; blank
    ones left out (the permit number, shown masked, is then kept on an edit)."""
    return {"hukou_place": typed(row.hukou_place.data), "permit_number": typed(row.permit_number.data),
            "permit_expires_on": row.permit_expires_on.data.isoformat() if row.permit_expires_on.data else None,
            "arrived_on": row.arrived_on.data.isoformat() if row.arrived_on.data else None,
            "stay_months": typed(row.stay_months.data)}


def household_payload(form: HouseholdForm) -> tuple[dict, dict[int, int]]:
    """The service's body from the form, and which form row each resident came from.

    A row without a name is an unused row. A birth date, ID number or phone left blank is left out of the body,
    so on an edit the service keeps the stored value (the page showed it masked: the year, the first digits).
    """
    residents, row_map = [], {}
    for row_index, entry in enumerate(form.residents.entries):
        row = entry.form
        if not typed(row.name.data):
            continue
        rid = row.resident_id.data or None
        resident = present({
            "name": typed(row.name.data), "relation": row.relation.data, "gender": row.gender.data or None,
            "birth_date": row.birth_date.data.isoformat() if row.birth_date.data else None,
            "id_number": typed(row.id_number.data), "phone": typed(row.phone.data), "resident_id": rid,
            **floating_payload(row)})
        if not rid:
            resident["care_tags"] = [{"tag": t} for t in (row.care_tags.data or [])]
        row_map[len(residents)] = row_index
        residents.append(resident)
    body = present({
        "address": present({"building": typed(form.building.data), "unit": typed(form.unit.data),
                            "room": typed(form.room.data)}),
        "residency": form.residency.data,
        "moved_in_on": form.moved_in_on.data.isoformat() if form.moved_in_on.data else None,
        "residents": residents,
        "phone": typed(form.phone.data),
    })
    return body, row_map


def _save_household(form: HouseholdForm, call) -> tuple[dict | None, list[str]]:
    """Send the form through `call(body)`; (the answer, []) or (None, the reasons for the top of the form)."""
    body, row_map = household_payload(form)
    try:
        return call(body), []
    except ServiceError as exc:
        if exc.unavailable or exc.status in (401, 403, 404):
            raise
        return None, household_errors(form, exc, row_map)


@bp.route("/grids/<grid_id>/households/new", methods=["GET", "POST"])
@permission_required("register.write")
def new_household(grid_id):
    grid_id = checked(grid_id, CODE)
    form = HouseholdForm()
    errors = []
    if request.method == "GET":
        hh().get(f"/grids/{grid_id}")  # 404 now, not after the form is filled in
        form.residents.entries[0].form.relation.data = "head"
    if form.validate_on_submit():
        created, errors = _save_household(form, lambda body: hh().post("/households", json={**body,
                                                                                            "grid_id": grid_id}))
        if created is not None:
            flash(_("Household registered."), "ok")
            return redirect(url_for("pages.household", household_id=created["id"]), code=303)
    _empty_rows(form, 4)
    return render_template("household_form.html", form=form, grid_id=grid_id, household=None,
                           errors=errors), _status()


def floating_data(resident: dict) -> dict:
    """A stored resident's floating-population fields for the edit form (the permit number is only a placeholder)."""
    days = {k: date.fromisoformat(resident[k]) if resident.get(k) else None for k in ("permit_expires_on", "arrived_on")}
    return {"hukou_place": resident.get("hukou_place") or "", "stay_months": str(resident.get("stay_months") or ""),
            **days}


@bp.route("/households/<household_id>/edit", methods=["GET", "POST"])
@permission_required("register.write")
def edit_household(household_id):
    household_id = checked(household_id)
    current = hh().get(f"/households/{household_id}")
    if request.method == "GET":
        a = current["address"]
        form = HouseholdForm(formdata=None, data={
            "building": a["building"], "unit": a.get("unit") or "", "room": a["room"],
            "residency": current["residency"],
            "moved_in_on": date.fromisoformat(current["moved_in_on"]) if current.get("moved_in_on") else None,
            "version": str(current["version"]),
            "residents": [{"resident_id": r["resident_id"], "name": r["name"], "relation": r["relation"],
                           "gender": r.get("gender") or "", **floating_data(r)} for r in current["residents"]]})
    else:
        form = HouseholdForm()
    errors = []
    if request.method == "POST" and form.validate_on_submit():
        version = _int(form.version.data, current["version"])
        saved, errors = _save_household(form, lambda body: hh().put(f"/households/{household_id}",
                                                                    json={**body, "version": version}))
        if saved is not None:
            flash(_("Household saved."), "ok")
            return redirect(url_for("pages.household", household_id=household_id), code=303)
    _empty_rows(form, len(current["residents"]) + 2)
    return render_template("household_form.html", form=form, grid_id=current["grid_id"], household=current,
                           errors=errors), _status()


# ---- a household ----------------------------------------------------------------------------

def _household_page(household_id: str, *, revealed: dict | None = None, reveal_form=None, status=200):
    household = revealed or hh().get(f"/households/{household_id}")
    visits = hh().get(f"/households/{household_id}/visits")[:10]
    network = hh().get(f"/households/{household_id}/network")  # its residents' group, building head, 十联户
    p = principal()
    response = render_template(
        "household.html", h=household, visits=visits, network=network, revealed=revealed is not None,
        reveal_form=reveal_form or RevealForm(), post_form=PostForm(), care_form=CareFlagForm(),
        can_write=p.may("register.write"), can_reveal=p.may("register.reveal"), can_visit=p.may("visits.write"),
        can_see_care=p.may("care.read"))
    return response, status, (NO_STORE if revealed else {})


@bp.get("/households/<household_id>")
@permission_required("register.read")
def household(household_id):
    return _household_page(checked(household_id))


@bp.post("/households/<household_id>/reveal")
@permission_required("register.reveal")
def reveal(household_id):
    household_id = checked(household_id)
    form = RevealForm()
    revealed, errors = None, []
    if form.validate_on_submit():
        body = present({"reason": typed(form.reason.data)})
        revealed, errors = attempt(form, lambda: hh().post(f"/households/{household_id}/reveal", json=body))
    if revealed is None:
        for message in errors:
            flash(message, "error")
        return _household_page(household_id, reveal_form=form, status=422)
    return _household_page(household_id, revealed=revealed)


@bp.post("/households/<household_id>/residents/<resident_id>/care")
@permission_required("register.write")
def flag_care(household_id, resident_id):
    household_id = checked(household_id)
    path = f"/households/{household_id}/residents/{checked(resident_id, CODE)}/care-tags"
    form = CareFlagForm()
    if form.validate_on_submit():
        flash_outcome(lambda: hh().post(path, json={"tag": form.tag.data}), _("Special-care tag added."))
    return redirect(url_for("pages.household", household_id=household_id), code=303)


@bp.post("/households/<household_id>/residents/<resident_id>/care/<tag>/clear")
@permission_required("register.write")
def clear_care(household_id, resident_id, tag):
    household_id = checked(household_id)
    if tag not in CARE_TAG_LABELS:
        abort(404)
    path = f"/households/{household_id}/residents/{checked(resident_id, CODE)}/care-tags/clear"
    flash_outcome(lambda: hh().post(path, json={"tag": tag}), _("Special-care tag ended."))
    return redirect(url_for("pages.household", household_id=household_id), code=303)


@bp.route("/households/<household_id>/move", methods=["GET", "POST"])
@permission_required("register.write")
def move_household(household_id):
    household_id = checked(household_id)
    current = hh().get(f"/households/{household_id}")
    form = MoveForm()
    leave_form = LeaveForm(prefix="leave")
    targets = [g for g in hh().get("/grids") if g["id"] != current["grid_id"]]
    form.to_grid_id.choices = [SelectChoice("", "—")] + [SelectChoice(g["id"], f'{g["name"]} ({g["id"]})')
                                                         for g in targets]
    errors = []
    if request.method == "GET":
        form.version.data = leave_form.version.data = str(current["version"])
    elif form.submit.data and form.validate_on_submit():
        body = present({"to_grid_id": typed(form.to_grid_id.data), "version": _int(form.version.data,
                                                                                      current["version"]),
                        "reason": typed(form.reason.data)})
        if typed(form.building.data) or typed(form.room.data):
            body["address"] = present({"building": typed(form.building.data), "unit": typed(form.unit.data),
                                       "room": typed(form.room.data)})
        try:
            hh().post(f"/households/{household_id}/move", json=body)
        except ServiceError as exc:
            if exc.unavailable or exc.status in (401, 403):
                raise
            errors = put_errors(form, exc)  # a target grid outside the caller's area (404) is the form's to show
        else:
            flash(_("Household moved."), "ok")
            return redirect(url_for("pages.household", household_id=household_id), code=303)
    return render_template("move.html", form=form, leave_form=leave_form, h=current, errors=errors), _status()


@bp.post("/households/<household_id>/leave")
@permission_required("register.write")
def leave_household(household_id):
    household_id = checked(household_id)
    form = LeaveForm(prefix="leave")
    if form.validate_on_submit():
        body = present({"moved_out_on": form.moved_out_on.data.isoformat() if form.moved_out_on.data else None,
                        "version": _int(form.version.data, 0), "reason": typed(form.reason.data)})
        if flash_outcome(lambda: hh().post(f"/households/{household_id}/leave", json=body),
                         _("Moving out recorded.")):
            return redirect(url_for("pages.household", household_id=household_id), code=303)
    else:
        flash(_("Give the date the household moved out."), "error")
    return redirect(url_for("pages.move_household", household_id=household_id), code=303)


# ---- visits ---------------------------------------------------------------------------------

def visit_payload(form: VisitForm, tz: ZoneInfo) -> dict:
    """The service's body; the time typed on the phone is local (ValueError when it is not a time)."""
    at = None
    if typed(form.visited_at.data):
        at = datetime.fromisoformat(form.visited_at.data)
        at = (at.replace(tzinfo=tz) if at.tzinfo is None else at).isoformat()
    return present({
        "visited_at": at,
        "seen": [s for s in (form.seen.data or []) if s],
        "notes": (form.notes.data or "").strip(),
        "follow_up_needed": bool(form.follow_up_needed.data),
        "follow_up": typed(form.follow_up.data),
        "client_id": form.client_id.data or None,
    })


@bp.route("/households/<household_id>/visit", methods=["GET", "POST"])
@permission_required("visits.write")
def log_visit(household_id):
    household_id = checked(household_id)
    current = hh().get(f"/households/{household_id}")
    form = VisitForm()
    form.seen.choices = [SelectChoice(r["name"], r["name"]) for r in current["residents"]]
    errors = []
    if request.method == "GET":
        form.visited_at.data = clock.local_now().strftime("%Y-%m-%dT%H:%M")
        form.client_id.data = uuid.uuid4().hex
    elif form.validate_on_submit():
        try:
            payload = visit_payload(form, local_tz())
        except ValueError:
            form.visited_at.errors = [_("Not a valid date and time.")]
        else:
            saved, errors = attempt(form, lambda: hh().post(f"/households/{household_id}/visits", json=payload))
            if saved is not None:
                flash(_("Visit saved."), "ok")
                return redirect(url_for("pages.household", household_id=household_id), code=303)
    return render_template("visit_form.html", form=form, h=current, errors=errors), _status()


@bp.post("/visits/<visit_id>/done")
@permission_required("visits.write")
def follow_up_done(visit_id):
    visit_id = checked(visit_id)
    form = PostForm()
    if form.validate_on_submit():
        flash_outcome(lambda: hh().post(f"/visits/{visit_id}/follow-up-done", json={}), _("Follow-up marked done."))
    return redirect(safe_next(request.args.get("next")), code=303)
