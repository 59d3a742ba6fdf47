"""Emergency drills (应急演练). Every page says plainly that it is an exercise (演练).

- A grid worker's phone: the drills of their grids and the live roll-call of their grid: special-care
  households first, one tap per household (at home, evacuated, absent, needs help). A tick carries a
  client_id; with scripts on it waits on the phone when the connection drops and is sent when it is back,
  never twice (static/app.js; the drills service stores one tick per client_id). Without scripts the
  page posts a form and comes back to the same place.
- Community staff: plan, start and end drills, the live board (share accounted per grid, time since the
  start; it polls the service's compact board), the after-action report and corrective actions, plans,
  shelters and supplies, and the year's compliance.
"""
import re
import secrets
from datetime import datetime, timezone

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from gateway.auth import current_user, login_required, safe_next
from gateway.calls import (CODE, OBJECT_ID, REF, attempt, checked, flash_error, flash_outcome, form_reasons, service,
                           stream)
from gateway.forms import (ActionForm, AssistanceForm, CheckinForm, CloseActionForm, DrillForm, EndDrillForm, FlagForm,
                           OpenShelterForm, PlanForm, PostForm, ProblemForm, ShelterForm, SupplyForm)
from gateway.i18n import TICK_LABELS
from gateway.upstream import ServiceError
from wtforms.fields.choices import SelectChoice

bp = Blueprint("drills", __name__, url_prefix="/drills")
STATUSES = tuple(TICK_LABELS)
TICK = re.compile(r"^([A-Za-z0-9_-]{1,64}):([a-z_]{1,20})$")
NONCE = re.compile(r"^[A-Za-z0-9]{8,20}$")
MANAGERS = ("community_staff", "admin")


def dr():
    return service("drills")


def _manager() -> bool:
    return current_user().role in MANAGERS


def _drill(drill_id: str) -> dict:
    return dr().get(f"/drills/{checked(drill_id, OBJECT_ID)}")


def _my_grids(drill: dict) -> list[str]:
    """The drill's grids this user ticks: their own grids, or all of them for community staff and admins."""
    user = current_user()
    if user.role == "grid_worker":
        return [g for g in drill["grid_ids"] if g in user.grid_ids]
    return list(drill["grid_ids"])


# ---- lists and one drill --------------------------------------------------------------------------------------

@bp.get("")
@login_required
def home():
    user = current_user()
    community_id = request.args.get("community_id") or None
    if community_id and not CODE.match(community_id):
        abort(404)
    params = {"community_id": community_id} if community_id else {}
    if user.role == "grid_worker" and len(user.grid_ids) == 1 and not community_id:
        params["grid_id"] = user.grid_ids[0]
    drills = dr().get("/drills", params=params)
    drills.sort(key=lambda d: d["starts_at"])
    drills = ([d for d in drills if d["status"] == "live"] + [d for d in drills if d["status"] == "planned"]
              + [d for d in reversed(drills) if d["status"] == "completed"])
    return render_template("drills/home.html", drills=drills[:200], community_id=community_id,
                           can_manage=_manager())


@bp.get("/<drill_id>")
@login_required
def drill(drill_id):
    d = _drill(drill_id)
    context = {"checkins": [], "checkin_form": None, "shelter_form": None, "problem_form": None}
    if d["status"] == "live":
        role = current_user().role
        if role in ("grid_worker", "community_staff", "team_leader", "admin"):
            context["checkins"] = dr().get(f"/drills/{d['id']}/checkins")
            checked_in = {c["volunteer_id"] for c in context["checkins"]}
            form = CheckinForm(formdata=None)
            form.volunteer_id.choices = [SelectChoice(v["volunteer_id"], v["name"]) for v in
                                         dr().get("/volunteers", params={"community_id": d["community_id"]})
                                         if v["volunteer_id"] not in checked_in]
            context["checkin_form"] = form
        if _manager():
            form = OpenShelterForm(formdata=None)
            shelters = dr().get("/shelters", params={"community_id": d["community_id"]})
            planned = set(d["shelter_ids"])
            form.shelter_id.choices = [SelectChoice(x["id"], x["name"]) for x in
                                       sorted(shelters, key=lambda x: x["id"] not in planned)]
            context["shelter_form"] = form
        if role in ("grid_worker", "community_staff", "admin"):
            form = ProblemForm(formdata=None)
            form.grid_id.choices = [SelectChoice("", "—")] + [SelectChoice(g, g) for g in _my_grids(d)]
            context["problem_form"] = form
    return render_template("drills/drill.html", d=d, my_grids=_my_grids(d), can_manage=_manager(),
                           end_form=EndDrillForm(formdata=None), post_form=PostForm(), **context)


def _back_to_drill(drill_id: str, path: str, body: dict, ok_message: str):
    flash_outcome(lambda: dr().post(path, json=body), ok_message)
    return redirect(url_for("drills.drill", drill_id=drill_id) + "#day", code=303)


@bp.post("/<drill_id>/checkins")
@login_required
def check_in(drill_id):
    drill_id = checked(drill_id, OBJECT_ID)
    form = CheckinForm()
    if not form.validate() or not REF.match(form.volunteer_id.data or ""):
        flash(_("Choose a volunteer."), "error")
        return redirect(url_for("drills.drill", drill_id=drill_id) + "#day", code=303)
    return _back_to_drill(drill_id, f"/drills/{drill_id}/checkins", {"volunteer_id": form.volunteer_id.data},
                          _("Volunteer checked in."))


@bp.post("/<drill_id>/checkins/<volunteer_id>/out")
@login_required
def check_out(drill_id, volunteer_id):
    drill_id, volunteer_id = checked(drill_id, OBJECT_ID), checked(volunteer_id, REF)
    return _back_to_drill(drill_id, f"/drills/{drill_id}/checkins/{volunteer_id}/out", {},
                          _("Volunteer checked out."))


@bp.post("/<drill_id>/shelters")
@login_required
def open_shelter(drill_id):
    drill_id = checked(drill_id, OBJECT_ID)
    form = OpenShelterForm()
    if not form.validate() or not OBJECT_ID.match(form.shelter_id.data or ""):
        flash(form_reasons(form) or _("Choose a shelter."), "error")
        return redirect(url_for("drills.drill", drill_id=drill_id) + "#day", code=303)
    return _back_to_drill(drill_id, f"/drills/{drill_id}/shelters/{form.shelter_id.data}/open",
                          {"people": int(form.people.data) if form.people.data else None}, _("Shelter opened."))


@bp.post("/<drill_id>/problems")
@login_required
def add_problem(drill_id):
    drill_id = checked(drill_id, OBJECT_ID)
    form = ProblemForm()
    if not form.validate():
        flash(_("Describe the problem."), "error")
        return redirect(url_for("drills.drill", drill_id=drill_id) + "#day", code=303)
    return _back_to_drill(drill_id, f"/drills/{drill_id}/problems",
                          {"text": form.text.data.strip(), "grid_id": form.grid_id.data or None},
                          _("Problem noted for the after-action report."))


@bp.post("/<drill_id>/start")
@login_required
def start(drill_id):
    drill_id = checked(drill_id, OBJECT_ID)
    flash_outcome(lambda: dr().post(f"/drills/{drill_id}/start"), _("The drill has started: the roll-call is open."))
    return redirect(url_for("drills.drill", drill_id=drill_id), code=303)


@bp.post("/<drill_id>/end")
@login_required
def end(drill_id):
    drill_id = checked(drill_id, OBJECT_ID)
    form = EndDrillForm()
    problems = [p.strip() for p in (form.problems.data or "").splitlines() if p.strip()][:50]
    try:
        dr().post(f"/drills/{drill_id}/end", json={"problems": problems})
    except ServiceError as exc:
        if exc.unavailable or exc.status in (401, 403, 404):
            raise
        flash(flash_error(exc), "error")
        return redirect(url_for("drills.drill", drill_id=drill_id), code=303)
    flash(_("The drill has ended. The after-action report is ready."), "ok")
    return redirect(url_for("drills.report", drill_id=drill_id), code=303)


# ---- the live roll-call ------------------------------------------------------------------------------------

@bp.get("/<drill_id>/grids/<grid_id>/roll")
@login_required
def roll(drill_id, grid_id):
    drill_id, grid_id = checked(drill_id, OBJECT_ID), checked(grid_id, CODE)
    roster = dr().get(f"/drills/{drill_id}/grids/{grid_id}/roster")
    d = _drill(drill_id)
    return render_template("drills/roll.html", d=d, roster=roster, grid_id=grid_id,
                           nonce=secrets.token_hex(8), statuses=STATUSES), 200, {"Cache-Control": "private, no-cache"}


@bp.post("/<drill_id>/grids/<grid_id>/tick")
@login_required
def tick(drill_id, grid_id):
    """A tick without scripts: the button says which household and which status."""
    drill_id, grid_id = checked(drill_id, OBJECT_ID), checked(grid_id, CODE)
    PostForm().validate_on_submit()  # CSRFProtect has checked the token already
    m = TICK.match(request.form.get("tick") or "")
    nonce = request.form.get("nonce") or ""
    if not m or m[2] not in STATUSES or not NONCE.match(nonce):
        abort(400)
    household_id, status = m[1], m[2]
    body = {"client_id": f"{nonce}-{household_id}-{STATUSES.index(status)}"[:64], "status": status,
            "at": datetime.now(timezone.utc).isoformat()}
    try:
        dr().post(f"/drills/{drill_id}/grids/{grid_id}/households/{household_id}/tick", json=body)
    except ServiceError as exc:
        if exc.unavailable or exc.status in (401, 403):
            raise
        flash(flash_error(exc), "error")
    else:
        flash(_("Recorded: %(status)s", status=TICK_LABELS[status]), "ok")
    return redirect(url_for("drills.roll", drill_id=drill_id, grid_id=grid_id) + f"#h-{household_id}", code=303)


# ---- the live board ----------------------------------------------------------------------------------------

@bp.get("/<drill_id>/board")
@login_required
def board(drill_id):
    drill_id = checked(drill_id, OBJECT_ID)
    data = dr().get(f"/drills/{drill_id}/board")
    return render_template("drills/board.html", b=data, drill_id=drill_id)




# ---- after-action report and corrective actions -------------------------------------------------------------

def _report_page(drill_id: str, action_form=None, errors=(), status=200):
    try:
        data = dr().get(f"/drills/{drill_id}/report")
    except ServiceError as exc:
        if exc.status != 409:
            raise
        flash(_("The drill has not started; there is no report yet."), "error")
        return redirect(url_for("drills.drill", drill_id=drill_id), code=303)
    action_form = action_form or ActionForm(formdata=None)
    action_form.grid_id.choices = [SelectChoice("", "—")] + [SelectChoice(g, g) for g in data["drill"]["grid_ids"]]
    return render_template("drills/report.html", r=data, d=data["drill"], can_manage=_manager(),
                           action_form=action_form, close_form=CloseActionForm(formdata=None),
                           errors=list(errors)), status


@bp.get("/<drill_id>/report")
@login_required
def report(drill_id):
    return _report_page(checked(drill_id, OBJECT_ID))


@bp.get("/<drill_id>/report.pdf")
@login_required
def report_pdf(drill_id):
    drill_id = checked(drill_id, OBJECT_ID)
    return stream(dr().request("GET", f"/drills/{drill_id}/report.pdf", stream=True),
                  filename=f"drill-{drill_id}.pdf", attachment=False)


@bp.post("/<drill_id>/actions")
@login_required
def open_action(drill_id):
    drill_id = checked(drill_id, OBJECT_ID)
    form = ActionForm()
    form.grid_id.choices = []
    if not form.validate():
        return _report_page(drill_id, form, status=422)
    body = {"title": form.title.data.strip(), "detail": (form.detail.data or "").strip() or None,
            "owner_name": form.owner_name.data.strip(), "due_on": form.due_on.data.isoformat(),
            "grid_id": form.grid_id.data or None}
    done, errors = attempt(form, lambda: dr().post(f"/drills/{drill_id}/actions", json=body))
    if done is None:
        return _report_page(drill_id, form, errors, status=422)
    flash(_("Corrective action opened."), "ok")
    return redirect(url_for("drills.report", drill_id=drill_id) + "#actions", code=303)


@bp.post("/actions/<action_id>/close")
@login_required
def close_action(action_id):
    action_id = checked(action_id, OBJECT_ID)
    form = CloseActionForm()
    back = safe_next(request.args.get("next"), url_for("drills.home"))
    if not form.validate():
        flash(_("Say what was done to close the action."), "error")
        return redirect(back, code=303)
    flash_outcome(lambda: dr().post(f"/actions/{action_id}/close", json={"resolution": form.resolution.data.strip()}), _("Corrective action closed."))
    return redirect(back, code=303)



# ---- community staff: planning -------------------------------------------------------------------------------

def _manage_only() -> None:
    if not _manager():
        abort(403)


def _communities() -> list[str]:
    """The communities this user plans for: their own, or (district-wide roles) every one the drills service knows."""
    user = current_user()
    if user.community_ids:
        return list(user.community_ids)
    return sorted({g["community_id"] for g in dr().get("/grids")})


def _chosen(form_value: str | None = None) -> str | None:
    wanted = form_value or request.args.get("community_id") or ""
    mine = _communities()
    if wanted and wanted in mine:
        return wanted
    return mine[0] if mine else None


def _local_iso(value: str) -> str:
    from zoneinfo import ZoneInfo

    from flask import current_app

    at = datetime.fromisoformat(value)
    if at.tzinfo is None:
        at = at.replace(tzinfo=ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"]))
    return at.isoformat()


def _lines(text: str | None) -> list[str]:
    return [x.strip() for x in (text or "").splitlines() if x.strip()]


def _drill_form_page(form: DrillForm, community_id: str | None, errors=(), status=200):
    form.community_id.choices = [SelectChoice(c, c) for c in _communities()]
    form.community_id.data = community_id
    grids = dr().get("/grids", params={"community_id": community_id}) if community_id else []
    form.grid_ids.choices = [SelectChoice(g["grid_id"], f"{g['name'] or g['grid_id']} ({g['households']})")
                             for g in grids]
    plans = dr().get("/plans", params={"community_id": community_id}) if community_id else []
    form.plan_id.choices = [SelectChoice("", "—")] + [SelectChoice(p["id"], p["title"]) for p in plans]
    shelters = dr().get("/shelters", params={"community_id": community_id}) if community_id else []
    form.shelter_ids.choices = [SelectChoice(x["id"], f"{x['name']} ({x['capacity']})") for x in shelters]
    return render_template("drills/new.html", form=form, errors=list(errors), community_id=community_id), status


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new_drill():
    _manage_only()
    if request.method == "GET":
        return _drill_form_page(DrillForm(formdata=None), _chosen())
    form = DrillForm()
    community_id = _chosen(form.community_id.data)
    if request.form.get("action") == "community" or not form.validate():
        return _drill_form_page(form, community_id, status=200 if request.form.get("action") == "community" else 422)
    try:
        starts, ends = _local_iso(form.starts_at.data), _local_iso(form.ends_at.data)
    except ValueError:
        form.starts_at.errors.append(_("Not a valid date and time."))
        return _drill_form_page(form, community_id, status=422)
    body = {"community_id": community_id, "grid_ids": form.grid_ids.data or [], "title": form.title.data.strip(),
            "hazard": form.hazard.data, "level": form.level.data, "kind": form.kind.data,
            "scenario": (form.scenario.data or "").strip() or None, "plan_id": form.plan_id.data or None,
            "starts_at": starts, "ends_at": ends, "shelter_ids": form.shelter_ids.data or [],
            "helpers_wanted": int(form.helpers_wanted.data or 0), "skills": form.skills.data or []}
    done, errors = attempt(form, lambda: dr().post("/drills", json=body))
    if done is None:
        return _drill_form_page(form, community_id, errors, status=422)
    flash(_("Drill planned. Volunteer helpers have been asked for."), "ok")
    return redirect(url_for("drills.drill", drill_id=done["id"]), code=303)


# ---- plans ---------------------------------------------------------------------------------------------------

def _plan_body(form: PlanForm) -> tuple[dict, list[str]]:
    from gateway.i18n import DUTY_LABELS

    by_label = {str(v): k for k, v in DUTY_LABELS.items()} | {k: k for k in DUTY_LABELS}
    roles, bad = [], []
    for n, line in enumerate(_lines(form.roles.data), 1):
        parts = [p.strip() for p in re.split(r"[,，、]", line)]
        duty = by_label.get(parts[0]) if parts else None
        if duty is None or len(parts) < 2 or not parts[1]:
            bad.append(_("Line %(n)s: write duty, name, grids.", n=n))
            continue
        grids = [g for g in re.split(r"\s+", parts[2]) if g] if len(parts) > 2 else []
        roles.append({"duty": duty, "person_name": parts[1], "grid_ids": grids})
    points = []
    for n, line in enumerate(_lines(form.assembly_points.data), 1):
        parts = [p.strip() for p in re.split(r"[,，]", line, maxsplit=1)]
        if len(parts) < 2 or not all(parts):
            bad.append(_("Assembly point line %(n)s: write name, place.", n=n))
            continue
        points.append({"name": parts[0], "location": parts[1]})
    body = {"community_id": form.community_id.data, "hazard": form.hazard.data, "title": form.title.data.strip(),
            "level": form.level.data, "summary": (form.summary.data or "").strip() or None,
            "response_steps": _lines(form.response_steps.data), "roles": roles, "assembly_points": points,
            "shelter_ids": form.shelter_ids.data or []}
    return body, bad


def _plans_page(form=None, errors=(), status=200):
    community_id = _chosen(form.community_id.data if form else None)
    plans = dr().get("/plans", params={"community_id": community_id} if community_id else {})
    form = form or PlanForm(formdata=None)
    form.community_id.choices = [SelectChoice(c, c) for c in _communities()]
    form.community_id.data = community_id
    shelters = dr().get("/shelters", params={"community_id": community_id}) if community_id else []
    form.shelter_ids.choices = [SelectChoice(x["id"], x["name"]) for x in shelters]
    return render_template("drills/plans.html", plans=plans, form=form, errors=list(errors),
                           community_id=community_id, can_manage=_manager(),
                           shelter_names={x["id"]: x["name"] for x in shelters}), status


@bp.get("/plans")
@login_required
def plans():
    return _plans_page()


@bp.post("/plans")
@login_required
def create_plan():
    _manage_only()
    form = PlanForm()
    form.community_id.choices = []
    if not form.validate():
        return _plans_page(form, status=422)
    body, bad = _plan_body(form)
    if bad:
        form.roles.errors = list(form.roles.errors or []) + bad
        return _plans_page(form, status=422)
    done, errors = attempt(form, lambda: dr().post("/plans", json=body))
    if done is None:
        return _plans_page(form, errors, status=422)
    flash(_("Emergency plan saved."), "ok")
    return redirect(url_for("drills.plans", community_id=body["community_id"]) + f"#p-{done['id']}", code=303)


# ---- shelters and supplies -------------------------------------------------------------------------------------

def _shelters_page(form=None, errors=(), status=200):
    community_id = _chosen(form.community_id.data if form else None)
    shelters = dr().get("/shelters", params={"community_id": community_id} if community_id else {})
    form = form or ShelterForm(formdata=None)
    form.community_id.choices = [SelectChoice(c, c) for c in _communities()]
    form.community_id.data = community_id
    return render_template("drills/shelters.html", shelters=shelters, form=form, errors=list(errors),
                           community_id=community_id, can_manage=_manager()), status


@bp.get("/shelters")
@login_required
def shelters():
    return _shelters_page()


@bp.post("/shelters")
@login_required
def create_shelter():
    _manage_only()
    form = ShelterForm()
    form.community_id.choices = []
    if not form.validate():
        return _shelters_page(form, status=422)
    body = {"community_id": form.community_id.data, "name": form.name.data.strip(), "kind": form.kind.data,
            "location": form.location.data.strip(), "capacity": int(form.capacity.data), "status": form.status.data,
            "facilities": [x.strip() for x in re.split(r"[,，、]", form.facilities.data or "") if x.strip()][:50],
            "manager_name": (form.manager_name.data or "").strip() or None,
            "notes": (form.notes.data or "").strip() or None}
    done, errors = attempt(form, lambda: dr().post("/shelters", json=body))
    if done is None:
        return _shelters_page(form, errors, status=422)
    flash(_("Shelter saved."), "ok")
    return redirect(url_for("drills.shelters", community_id=body["community_id"]), code=303)


def _supplies_page(form=None, errors=(), status=200):
    community_id = _chosen(form.community_id.data if form else None)
    params = {"community_id": community_id} if community_id else {}
    problem = request.args.get("problem") or ""
    if problem in ("expired", "expiring", "missing", "short", "flagged"):
        params["problem"] = problem
    supplies = dr().get("/supplies", params=params)
    form = form or SupplyForm(formdata=None)
    form.community_id.choices = [SelectChoice(c, c) for c in _communities()]
    form.community_id.data = community_id
    shelters = dr().get("/shelters", params={"community_id": community_id}) if community_id else []
    form.shelter_id.choices = [SelectChoice("", "—")] + [SelectChoice(x["id"], x["name"]) for x in shelters]
    return render_template("drills/supplies.html", supplies=supplies, form=form, errors=list(errors),
                           community_id=community_id, problem=problem, can_manage=_manager(),
                           flag_form=FlagForm(formdata=None)), status


@bp.get("/supplies")
@login_required
def supplies():
    return _supplies_page()


@bp.post("/supplies")
@login_required
def create_supply():
    _manage_only()
    form = SupplyForm()
    form.community_id.choices = form.shelter_id.choices = []
    if not form.validate():
        return _supplies_page(form, status=422)
    body = {"community_id": form.community_id.data, "name": form.name.data.strip(), "category": form.category.data,
            "unit": form.unit.data.strip(), "quantity": int(form.quantity.data),
            "required_quantity": int(form.required_quantity.data or 0), "location": form.location.data.strip(),
            "shelter_id": form.shelter_id.data or None,
            "expires_on": form.expires_on.data.isoformat() if form.expires_on.data else None}
    done, errors = attempt(form, lambda: dr().post("/supplies", json=body))
    if done is None:
        return _supplies_page(form, errors, status=422)
    flash(_("Supply item saved."), "ok")
    return redirect(url_for("drills.supplies", community_id=body["community_id"]), code=303)


@bp.get("/supplies/report")
@login_required
def supplies_report():
    community_id = _chosen()
    data = dr().get("/supplies/report", params={"community_id": community_id} if community_id else {})
    return render_template("drills/supplies_report.html", r=data, community_id=community_id)


@bp.post("/supplies/<supply_id>/flag")
@login_required
def flag_supply(supply_id):
    supply_id = checked(supply_id, OBJECT_ID)
    form = FlagForm()
    back = safe_next(request.args.get("next"), url_for("drills.supplies"))
    if not form.validate():
        flash(_("Choose the problem."), "error")
        return redirect(back, code=303)
    return _call(f"/supplies/{supply_id}/flags", {"problem": form.problem.data,
                                                  "note": (form.note.data or "").strip() or None},
                 _("Problem flagged."), back)


@bp.post("/supplies/<supply_id>/clear")
@login_required
def clear_supply(supply_id):
    supply_id = checked(supply_id, OBJECT_ID)
    back = safe_next(request.args.get("next"), url_for("drills.supplies"))
    return _call(f"/supplies/{supply_id}/flags/clear", {}, _("Flags cleared."), back)


def _call(path: str, body: dict, ok_message: str, back: str):
    flash_outcome(lambda: dr().post(path, json=body), ok_message)
    return redirect(back, code=303)


# ---- corrective actions and compliance -------------------------------------------------------------------------

@bp.get("/actions")
@login_required
def actions():
    community_id = _chosen()
    params = {"community_id": community_id} if community_id else {}
    state = request.args.get("status") if request.args.get("status") in ("open", "closed") else "open"
    params["status"] = state
    rows = dr().get("/actions", params=params)
    return render_template("drills/actions.html", actions=rows, state=state, community_id=community_id,
                           can_manage=_manager(), close_form=CloseActionForm(formdata=None))


@bp.get("/compliance")
@login_required
def compliance():
    params = {}
    year = request.args.get("year") or ""
    if re.match(r"^\d{4}$", year):
        params["year"] = int(year)
    rows = dr().get("/compliance", params=params)
    return render_template("drills/compliance.html", rows=rows, year=params.get("year") or (rows[0]["year"] if rows
                                                                                          else ""))



# ---- special-care residents: who needs help to move, and who helps them -----------------------------------------

@bp.get("/grids/<grid_id>/care")
@login_required
def care(grid_id):
    grid_id = checked(grid_id, CODE)
    roster = dr().get(f"/grids/{grid_id}/roster")
    special = [h for h in roster["households"] if h["special"]]
    volunteers = dr().get("/volunteers", params={"community_id": roster["community_id"]})
    form = AssistanceForm(formdata=None)
    form.helper_volunteer_id.choices = [SelectChoice("", "—")] + [SelectChoice(v["volunteer_id"], v["name"])
                                                                 for v in volunteers]
    return render_template("drills/care.html", grid_id=grid_id, households=special, form=form)


@bp.post("/grids/<grid_id>/care/<resident_id>")
@login_required
def set_assistance(grid_id, resident_id):
    grid_id, resident_id = checked(grid_id, CODE), checked(resident_id, CODE)
    form = AssistanceForm()
    back = url_for("drills.care", grid_id=grid_id) + f"#r-{resident_id}"
    if not form.validate():
        flash(form_reasons(form), "error")
        return redirect(back, code=303)
    body = {"needs_help": bool(form.needs_help.data), "need": (form.need.data or "").strip() or None,
            "helper_name": (form.helper_name.data or "").strip() or None,
            "helper_volunteer_id": form.helper_volunteer_id.data or None}
    flash_outcome(lambda: dr().put(f"/residents/{resident_id}/assistance", json=body), _("Saved: drill rosters from now on show it."))
    return redirect(back, code=303)


BLUEPRINTS = [bp]
