"""After a drill: the after-action report, corrective actions, and the year's compliance."""
import re

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from gateway.auth import permission_required
from gateway.calls import OBJECT_ID, attempt, checked, present, stream
from gateway.charts.drills import roll_call_curve
from gateway.forms.drills import ActionForm, CloseActionForm
from gateway.upstream import ServiceError
from gateway.views.drills.base import back_to, bp, button, can_manage, chosen, dr
from gateway.views.entries import typed

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
    curve = roll_call_curve(data["curve"]) if data.get("curve") else None
    return render_template("drills/report.html", r=data, d=data["drill"], can_manage=can_manage(), curve=curve,
                           action_form=action_form, close_form=CloseActionForm(formdata=None),
                           errors=list(errors)), status


@bp.get("/<drill_id>/report")
@permission_required("drills.read")
def report(drill_id):
    return _report_page(checked(drill_id, OBJECT_ID))


@bp.get("/<drill_id>/report.pdf")
@permission_required("drills.read")
def report_pdf(drill_id):
    drill_id = checked(drill_id, OBJECT_ID)
    return stream(dr().request("GET", f"/drills/{drill_id}/report.pdf", stream=True),
                  filename=f"drill-{drill_id}.pdf", attachment=False)


@bp.post("/<drill_id>/actions")
@permission_required("drills.manage")
def open_action(drill_id):
    drill_id = checked(drill_id, OBJECT_ID)
    form = ActionForm()
    body = present({"title": typed(form.title.data), "detail": typed(form.detail.data),
                    "owner_name": typed(form.owner_name.data), "due_on": typed(form.due_on.data),
                    "grid_id": typed(form.grid_id.data)})
    done, errors = attempt(form, lambda: dr().post(f"/drills/{drill_id}/actions", json=body))
    if done is None:
        return _report_page(drill_id, form, errors, status=422)
    flash(_("Corrective action opened."), "ok")
    return redirect(url_for("drills.report", drill_id=drill_id) + "#actions", code=303)


@bp.post("/actions/<action_id>/close")
@permission_required("drills.read")
def close_action(action_id):
    action_id = checked(action_id, OBJECT_ID)
    form = CloseActionForm()
    return button(f"/actions/{action_id}/close", present({"resolution": typed(form.resolution.data)}),
                  _("Corrective action closed."), back_to(url_for("drills.home")), form)



# ---- corrective actions and compliance -------------------------------------------------------------------------

@bp.get("/actions")
@permission_required("drills.read")
def actions():
    community_id = chosen()
    params = {"community_id": community_id} if community_id else {}
    state = request.args.get("status") if request.args.get("status") in ("open", "closed") else "open"
    params["status"] = state
    rows = dr().get("/actions", params=params)
    return render_template("drills/actions.html", actions=rows, state=state, community_id=community_id,
                           can_manage=can_manage(), close_form=CloseActionForm(formdata=None))


@bp.get("/compliance")
@permission_required("drills.read")
def compliance():
    params = {}
    year = request.args.get("year") or ""
    if re.match(r"^\d{4}$", year):
        params["year"] = int(year)
    rows = dr().get("/compliance", params=params)
    return render_template("drills/compliance.html", rows=rows, year=params.get("year") or (rows[0]["year"] if rows
                                                                                          else ""))
