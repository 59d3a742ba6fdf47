"""Community staff prepare for drills: planning a drill, emergency plans, shelters, supplies, and who helps the
special-care residents of a grid to move."""
import re

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from gateway.auth import permission_required
from gateway.calls import CODE, OBJECT_ID, attempt, checked, flash_outcome, form_reasons
from gateway.forms.drills import AssistanceForm, DrillForm, FlagForm, PlanForm, ShelterForm, SupplyForm
from gateway.i18n import DUTY_LABELS
from gateway.views.drills.base import back_to, bp, button, can_manage, chosen, communities, dr
from gateway.views.entries import local_iso

# ---- community staff: planning -------------------------------------------------------------------------------

def _lines(text: str | None) -> list[str]:
    return [x.strip() for x in (text or "").splitlines() if x.strip()]


def _drill_form_page(form: DrillForm, community_id: str | None, errors=(), status=200):
    form.community_id.choices = [SelectChoice(c, c) for c in communities()]
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
    if request.form.get("action") == "community" or not form.validate():
        return _drill_form_page(form, community_id, status=200 if request.form.get("action") == "community" else 422)
    starts, ends = local_iso(form.starts_at.data), local_iso(form.ends_at.data)
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
    community_id = chosen(form.community_id.data if form else None)
    plans = dr().get("/plans", params={"community_id": community_id} if community_id else {})
    form = form or PlanForm(formdata=None)
    form.community_id.choices = [SelectChoice(c, c) for c in communities()]
    form.community_id.data = community_id
    shelters = dr().get("/shelters", params={"community_id": community_id}) if community_id else []
    form.shelter_ids.choices = [SelectChoice(x["id"], x["name"]) for x in shelters]
    return render_template("drills/plans.html", plans=plans, form=form, errors=list(errors),
                           community_id=community_id, can_manage=can_manage(),
                           shelter_names={x["id"]: x["name"] for x in shelters}), status


@bp.get("/plans")
@permission_required("drills.read")
def plans():
    return _plans_page()


@bp.post("/plans")
@permission_required("drills.manage")
def create_plan():
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
    community_id = chosen(form.community_id.data if form else None)
    shelters = dr().get("/shelters", params={"community_id": community_id} if community_id else {})
    form = form or ShelterForm(formdata=None)
    form.community_id.choices = [SelectChoice(c, c) for c in communities()]
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
    community_id = chosen(form.community_id.data if form else None)
    params = {"community_id": community_id} if community_id else {}
    problem = request.args.get("problem") or ""
    if problem in ("expired", "expiring", "missing", "short", "flagged"):
        params["problem"] = problem
    supplies = dr().get("/supplies", params=params)
    form = form or SupplyForm(formdata=None)
    form.community_id.choices = [SelectChoice(c, c) for c in communities()]
    form.community_id.data = community_id
    shelters = dr().get("/shelters", params={"community_id": community_id}) if community_id else []
    form.shelter_id.choices = [SelectChoice("", "—")] + [SelectChoice(x["id"], x["name"]) for x in shelters]
    return render_template("drills/supplies.html", supplies=supplies, form=form, errors=list(errors),
                           community_id=community_id, problem=problem, can_manage=can_manage(),
                           flag_form=FlagForm(formdata=None)), status


@bp.get("/supplies")
@permission_required("drills.read")
def supplies():
    return _supplies_page()


@bp.post("/supplies")
@permission_required("drills.manage")
def create_supply():
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
    if not form.validate():
        flash(_("Choose the problem."), "error")
        return redirect(back, code=303)
    return button(f"/supplies/{supply_id}/flags", {"problem": form.problem.data,
                                                   "note": (form.note.data or "").strip() or None},
                  _("Problem flagged."), back)


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
    if not form.validate():
        flash(form_reasons(form), "error")
        return redirect(back, code=303)
    body = {"needs_help": bool(form.needs_help.data), "need": (form.need.data or "").strip() or None,
            "helper_name": (form.helper_name.data or "").strip() or None,
            "helper_volunteer_id": form.helper_volunteer_id.data or None}
    flash_outcome(lambda: dr().put(f"/residents/{resident_id}/assistance", json=body), _("Saved: drill rosters from now on show it."))
    return redirect(back, code=303)
