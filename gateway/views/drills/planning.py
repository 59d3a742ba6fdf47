"""Community staff prepare for drills: planning a drill, emergency plans, shelters, supplies, and who helps the
special-care residents of a grid to move."""
import re

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from gateway.auth import permission_required
from gateway.calls import CODE, OBJECT_ID, attempt, checked, present, press
from gateway.forms.drills import (
    AssistanceForm,
    DrillForm,
    FlagForm,
    MovementForm,
    PlanForm,
    PlanLevelsForm,
    ShelterForm,
    SupplyForm,
)
from gateway.i18n import DUTY_LABELS
from gateway.places import place_name
from gateway.views.drills.base import back_to, bp, button, can_manage, chosen, communities, dr
from gateway.views.entries import local_iso, typed

# ---- community staff: planning -------------------------------------------------------------------------------

def _lines(text: str | None) -> list[str]:
    return [x.strip() for x in (text or "").splitlines() if x.strip()]


def _drill_form_page(form: DrillForm, community_id: str | None, errors=(), status=200):
    form.community_id.choices = [SelectChoice(c, place_name(c)) for c in communities()]
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
@permission_required("drills.manage")
def new_drill():
    if request.method == "GET":
        return _drill_form_page(DrillForm(formdata=None), chosen())
    form = DrillForm()
    community_id = chosen(form.community_id.data)
    if request.form.get("action") == "community":
        return _drill_form_page(form, community_id)
    body = present({"community_id": community_id, "grid_ids": form.grid_ids.data or [], "title": typed(form.title.data),
                    "hazard": typed(form.hazard.data), "level": typed(form.level.data), "kind": typed(form.kind.data),
                    "scenario": typed(form.scenario.data), "plan_id": typed(form.plan_id.data),
                    "starts_at": local_iso(form.starts_at.data), "ends_at": local_iso(form.ends_at.data),
                    "shelter_ids": form.shelter_ids.data or [], "helpers_wanted": typed(form.helpers_wanted.data),
                    "skills": form.skills.data or []})
    done, errors = attempt(form, lambda: dr().post("/drills", json=body))
    if done is None:
        return _drill_form_page(form, community_id, errors, status=422)
    flash(_("Drill planned. Volunteer helpers have been asked for."), "ok")
    return redirect(url_for("drills.drill", drill_id=done["id"]), code=303)


# ---- plans ---------------------------------------------------------------------------------------------------

def _plan_body(form: PlanForm) -> tuple[dict, list[str]]:
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
    body = present({"community_id": typed(form.community_id.data), "hazard": typed(form.hazard.data),
                    "title": typed(form.title.data), "level": typed(form.level.data),
                    "summary": typed(form.summary.data), "response_steps": _lines(form.response_steps.data),
                    "roles": roles, "assembly_points": points, "shelter_ids": form.shelter_ids.data or []})
    return body, bad


def _plans_page(form=None, errors=(), status=200):
    community_id = chosen(form.community_id.data if form else None)
    plans = dr().get("/plans", params={"community_id": community_id} if community_id else {})
    form = form or PlanForm(formdata=None)
    form.community_id.choices = [SelectChoice(c, place_name(c)) for c in communities()]
    form.community_id.data = community_id
    shelters = dr().get("/shelters", params={"community_id": community_id}) if community_id else []
    form.shelter_ids.choices = [SelectChoice(x["id"], x["name"]) for x in shelters]
    return render_template("drills/plans.html", plans=plans, form=form, errors=list(errors),
                           community_id=community_id, can_manage=can_manage(), levels_form=_levels_form,
                           shelter_names={x["id"]: x["name"] for x in shelters}), status


def _levels_form(plan: dict) -> PlanLevelsForm:
    """The plan's levels, filled in, to edit."""
    form = PlanLevelsForm(formdata=None)
    for x in plan.get("levels") or []:
        getattr(form, f"criteria_{x['level']}").data = x.get("criteria") or ""
        getattr(form, f"steps_{x['level']}").data = "\n".join(x.get("steps") or [])
    return form


@bp.get("/plans")
@permission_required("drills.read")
def plans():
    return _plans_page()


@bp.post("/plans/<plan_id>/levels")
@permission_required("drills.manage")
def plan_levels(plan_id):
    plan_id = checked(plan_id, OBJECT_ID)
    form = PlanLevelsForm()
    version = request.form.get("version") or ""
    levels = [{"level": level, "criteria": typed(getattr(form, f"criteria_{level}").data),
               "steps": _lines(getattr(form, f"steps_{level}").data)} for level in ("I", "II", "III", "IV")]
    body = {"levels": levels, "version": int(version) if version.isdigit() else version}
    back = url_for("drills.plans", community_id=request.args.get("community_id")) + f"#p-{plan_id}"
    press(form, lambda: dr().put(f"/plans/{plan_id}/levels", json=body), _("Response levels saved."))
    return redirect(back, code=303)


@bp.post("/plans")
@permission_required("drills.manage")
def create_plan():
    form = PlanForm()
    body, bad = _plan_body(form)
    if bad:
        form.roles.errors = list(form.roles.errors or []) + bad
        return _plans_page(form, status=422)
    done, errors = attempt(form, lambda: dr().post("/plans", json=body))
    if done is None:
        return _plans_page(form, errors, status=422)
    flash(_("Emergency plan saved."), "ok")
    return redirect(url_for("drills.plans", community_id=done["community_id"]) + f"#p-{done['id']}", code=303)


# ---- shelters and supplies -------------------------------------------------------------------------------------

def _shelters_page(form=None, errors=(), status=200):
    community_id = chosen(form.community_id.data if form else None)
    shelters = dr().get("/shelters", params={"community_id": community_id} if community_id else {})
    form = form or ShelterForm(formdata=None)
    form.community_id.choices = [SelectChoice(c, place_name(c)) for c in communities()]
    form.community_id.data = community_id
    return render_template("drills/shelters.html", shelters=shelters, form=form, errors=list(errors),
                           community_id=community_id, can_manage=can_manage()), status


@bp.get("/shelters")
@permission_required("drills.read")
def shelters():
    return _shelters_page()


@bp.post("/shelters")
@permission_required("drills.manage")
def create_shelter():
    form = ShelterForm()
    body = present({"community_id": typed(form.community_id.data), "name": typed(form.name.data),
                    "kind": typed(form.kind.data), "location": typed(form.location.data),
                    "capacity": typed(form.capacity.data), "status": typed(form.status.data),
                    "facilities": [x.strip() for x in re.split(r"[,，、]", form.facilities.data or "") if x.strip()][:50],
                    "manager_name": typed(form.manager_name.data), "notes": typed(form.notes.data)})
    done, errors = attempt(form, lambda: dr().post("/shelters", json=body))
    if done is None:
        return _shelters_page(form, errors, status=422)
    flash(_("Shelter saved."), "ok")
    return redirect(url_for("drills.shelters", community_id=done["community_id"]), code=303)


def _supplies_page(form=None, errors=(), status=200):
    community_id = chosen(form.community_id.data if form else None)
    params = {"community_id": community_id} if community_id else {}
    problem = request.args.get("problem") or ""
    if problem in ("expired", "expiring", "missing", "short", "flagged"):
        params["problem"] = problem
    supplies = dr().get("/supplies", params=params)
    form = form or SupplyForm(formdata=None)
    form.community_id.choices = [SelectChoice(c, place_name(c)) for c in communities()]
    form.community_id.data = community_id
    shelters = dr().get("/shelters", params={"community_id": community_id}) if community_id else []
    form.shelter_id.choices = [SelectChoice("", "—")] + [SelectChoice(x["id"], x["name"]) for x in shelters]
    return render_template("drills/supplies.html", supplies=supplies, form=form, errors=list(errors),
                           community_id=community_id, problem=problem, can_manage=can_manage(),
                           flag_form=FlagForm(formdata=None), movement_form=MovementForm(formdata=None)), status


@bp.get("/supplies")
@permission_required("drills.read")
def supplies():
    return _supplies_page()


@bp.post("/supplies")
@permission_required("drills.manage")
def create_supply():
    form = SupplyForm()
    body = present({"community_id": typed(form.community_id.data), "name": typed(form.name.data),
                    "category": typed(form.category.data), "unit": typed(form.unit.data),
                    "quantity": typed(form.quantity.data), "required_quantity": typed(form.required_quantity.data),
                    "location": typed(form.location.data), "shelter_id": typed(form.shelter_id.data),
                    "expires_on": typed(form.expires_on.data)})
    done, errors = attempt(form, lambda: dr().post("/supplies", json=body))
    if done is None:
        return _supplies_page(form, errors, status=422)
    flash(_("Supply item saved."), "ok")
    return redirect(url_for("drills.supplies", community_id=done["community_id"]), code=303)


@bp.get("/supplies/report")
@permission_required("drills.read")
def supplies_report():
    community_id = chosen()
    data = dr().get("/supplies/report", params={"community_id": community_id} if community_id else {})
    return render_template("drills/supplies_report.html", r=data, community_id=community_id)


@bp.post("/supplies/<supply_id>/flag")
@permission_required("drills.tick")
def flag_supply(supply_id):
    supply_id = checked(supply_id, OBJECT_ID)
    form = FlagForm()
    back = back_to(url_for("drills.supplies"))
    return button(f"/supplies/{supply_id}/flags", present({"problem": typed(form.problem.data),
                                                           "note": typed(form.note.data)}),
                  _("Problem flagged."), back, form)


@bp.post("/supplies/<supply_id>/movements")
@permission_required("drills.manage")
def book_movement(supply_id):
    supply_id = checked(supply_id, OBJECT_ID)
    form = MovementForm()
    back = back_to(url_for("drills.supplies")) + f"#s-{supply_id}"
    body = present({"direction": typed(form.direction.data), "quantity": typed(form.quantity.data),
                    "reason": typed(form.reason.data)})
    return button(f"/supplies/{supply_id}/movements", body, _("Booked on the ledger."), back, form)


@bp.post("/supplies/<supply_id>/clear")
@permission_required("drills.manage")
def clear_supply(supply_id):
    supply_id = checked(supply_id, OBJECT_ID)
    back = back_to(url_for("drills.supplies"))
    return button(f"/supplies/{supply_id}/flags/clear", {}, _("Flags cleared."), back)


# ---- special-care residents: who needs help to move, and who helps them -----------------------------------------

@bp.get("/grids/<grid_id>/care")
@permission_required("roster.read")
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
@permission_required("roster.write")
def set_assistance(grid_id, resident_id):
    grid_id, resident_id = checked(grid_id, CODE), checked(resident_id, CODE)
    form = AssistanceForm()
    back = url_for("drills.care", grid_id=grid_id) + f"#r-{resident_id}"
    body = {"needs_help": bool(form.needs_help.data), "need": typed(form.need.data),
            "helper_name": typed(form.helper_name.data), "helper_volunteer_id": typed(form.helper_volunteer_id.data)}
    press(form, lambda: dr().put(f"/residents/{resident_id}/assistance", json=body),
          _("Saved: drill rosters from now on show it."))
    return redirect(back, code=303)
