"""The day of a drill: the list of drills and one drill (check-ins, shelters opened, problems noted, start and
end), a grid's live roll-call on a grid worker's phone, and the live board.

A tick carries a client_id; with scripts on it waits on the phone when the connection drops and is sent when it
is back, never twice (static/app.js; the drills service stores one tick per client_id). Without scripts the page
posts a form and comes back to the same place.
"""
import re
import secrets

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from gateway.auth import current_user, permission_required, principal
from gateway.calls import CODE, OBJECT_ID, REF, checked, flash_error, flash_outcome, present
from gateway.charts.drills import drill_history, held_drill
from gateway.forms.common import PostForm
from gateway.forms.drills import (
    CancelDrillForm,
    CheckinForm,
    EndDrillForm,
    OpenShelterForm,
    ProblemForm,
    RescheduleDrillForm,
)
from gateway.i18n import TICK_LABELS
from gateway.upstream import ServiceError
from gateway.views.drills.base import bp, button, can_manage, dr
from gateway.views.entries import local_iso, typed
from shared import clock

STATUSES = tuple(TICK_LABELS)
HISTORY_DRILLS = 12  # the drills of a community's history chart on the drills page
ROLL_BY = ("building", "group")  # the roll-call handed out by building (楼栋) or ten-household group (十联户)
TICK = re.compile(r"^([A-Za-z0-9_-]{1,64}):([a-z_]{1,20})$")
NONCE = re.compile(r"^[A-Za-z0-9]{8,20}$")


def drill_of(drill_id: str) -> dict:
    return dr().get(f"/drills/{checked(drill_id, OBJECT_ID)}")


def _my_grids(drill: dict) -> list[str]:
    """The drill's grids this user ticks: those in their scope (a grid worker's own; all for community staff)."""
    me = principal()
    return [g for g in drill["grid_ids"] if me.covers(community_id=drill["community_id"], grid_id=g)]


# ---- lists and one drill --------------------------------------------------------------------------------------

@bp.get("")
@permission_required("drills.read")
def home():
    user = current_user()
    community_id = request.args.get("community_id") or None
    if community_id and not CODE.match(community_id):
        abort(404)
    params = {"community_id": community_id} if community_id else {}
    if user.role == "grid_worker" and len(user.grid_ids) == 1 and not community_id:  # their one grid's drills
        params["grid_id"] = user.grid_ids[0]
    drills = dr().get("/drills", params=params)
    drills.sort(key=lambda d: d["starts_at"])
    drills = ([d for d in drills if d["status"] == "live"] + [d for d in drills if d["status"] == "planned"]
              + [d for d in reversed(drills) if d["status"] == "completed"])
    return render_template("drills/home.html", drills=drills[:200], community_id=community_id,
                           can_manage=can_manage(), histories=histories(drills))


def histories(drills: list[dict]) -> list[tuple[str, object]]:
    """Per community, the chart of its last completed drills' times (newest HISTORY_DRILLS)."""
    by_community: dict[str, list[dict]] = {}
    for d in drills:
        if d["status"] == "completed":
            by_community.setdefault(d["community_id"], []).append(held_drill(d))
    return [(c, drill_history(held[:HISTORY_DRILLS])) for c, held in sorted(by_community.items())]


@bp.get("/<drill_id>")
@permission_required("drills.read")
def drill(drill_id):
    d = drill_of(drill_id)
    me = principal()
    context = {"checkins": [], "checkin_form": None, "shelter_form": None, "problem_form": None, "level": None,
               "cancel_form": None, "move_form": None}
    if d["status"] == "live":
        if me.may("drills.checkin"):
            context["checkins"] = dr().get(f"/drills/{d['id']}/checkins")
            checked_in = {c["volunteer_id"] for c in context["checkins"]}
            form = CheckinForm(formdata=None)
            form.volunteer_id.choices = [SelectChoice(v["volunteer_id"], v["name"]) for v in
                                         dr().get("/volunteers", params={"community_id": d["community_id"]})
                                         if v["volunteer_id"] not in checked_in]
            context["checkin_form"] = form
        if me.may("drills.manage"):
            form = OpenShelterForm(formdata=None)
            shelters = dr().get("/shelters", params={"community_id": d["community_id"]})
            planned = set(d["shelter_ids"])
            form.shelter_id.choices = [SelectChoice(x["id"], x["name"]) for x in
                                       sorted(shelters, key=lambda x: x["id"] not in planned)]
            context["shelter_form"] = form
        if me.may("drills.tick"):
            form = ProblemForm(formdata=None)
            form.grid_id.choices = [SelectChoice("", "—")] + [SelectChoice(g, g) for g in _my_grids(d)]
            context["problem_form"] = form
    if d["status"] in ("planned", "live"):  # the level's activation criteria and steps (a checklist while it runs)
        context["level"] = dr().get(f"/drills/{d['id']}/level")
    if d["status"] == "planned" and me.may("drills.manage"):
        context["cancel_form"], context["move_form"] = CancelDrillForm(formdata=None), RescheduleDrillForm(formdata=None)
    return render_template("drills/drill.html", d=d, my_grids=_my_grids(d), can_manage=me.may("drills.manage"),
                           end_form=EndDrillForm(formdata=None), post_form=PostForm(), **context)


def _on_the_day(drill_id: str, path: str, body: dict, ok_message: str, form=None):
    return button(path, present(body), ok_message, url_for("drills.drill", drill_id=drill_id) + "#day", form)


@bp.post("/<drill_id>/checkins")
@permission_required("drills.checkin")
def check_in(drill_id):
    drill_id = checked(drill_id, OBJECT_ID)
    form = CheckinForm()
    return _on_the_day(drill_id, f"/drills/{drill_id}/checkins", {"volunteer_id": typed(form.volunteer_id.data)},
                       _("Volunteer checked in."), form)


@bp.post("/<drill_id>/checkins/<volunteer_id>/out")
@permission_required("drills.checkin")
def check_out(drill_id, volunteer_id):
    drill_id, volunteer_id = checked(drill_id, OBJECT_ID), checked(volunteer_id, REF)
    return _on_the_day(drill_id, f"/drills/{drill_id}/checkins/{volunteer_id}/out", {},
                       _("Volunteer checked out."))


@bp.post("/<drill_id>/shelters")
@permission_required("drills.manage")
def open_shelter(drill_id):
    drill_id = checked(drill_id, OBJECT_ID)
    form = OpenShelterForm()
    if not OBJECT_ID.match(form.shelter_id.data or ""):  # it goes into the service's URL
        flash(_("Choose a shelter."), "error")
        return redirect(url_for("drills.drill", drill_id=drill_id) + "#day", code=303)
    return _on_the_day(drill_id, f"/drills/{drill_id}/shelters/{form.shelter_id.data}/open",
                       {"people": typed(form.people.data)}, _("Shelter opened."), form)


@bp.post("/<drill_id>/problems")
@permission_required("drills.tick")
def add_problem(drill_id):
    drill_id = checked(drill_id, OBJECT_ID)
    form = ProblemForm()
    return _on_the_day(drill_id, f"/drills/{drill_id}/problems",
                       {"text": typed(form.text.data), "grid_id": typed(form.grid_id.data)},
                       _("Problem noted for the after-action report."), form)


@bp.post("/<drill_id>/start")
@permission_required("drills.manage")
def start(drill_id):
    drill_id = checked(drill_id, OBJECT_ID)
    flash_outcome(lambda: dr().post(f"/drills/{drill_id}/start"), _("The drill has started: the roll-call is open."))
    return redirect(url_for("drills.drill", drill_id=drill_id), code=303)


@bp.post("/<drill_id>/cancel")
@permission_required("drills.manage")
def cancel(drill_id):
    drill_id = checked(drill_id, OBJECT_ID)
    form = CancelDrillForm()
    return button(f"/drills/{drill_id}/cancel", present({"reason": typed(form.reason.data)}),
                  _("The drill is cancelled; the volunteer helper task it opened is closed."),
                  url_for("drills.drill", drill_id=drill_id), form)


@bp.post("/<drill_id>/reschedule")
@permission_required("drills.manage")
def reschedule(drill_id):
    drill_id = checked(drill_id, OBJECT_ID)
    form = RescheduleDrillForm()
    body = present({"starts_at": local_iso(form.starts_at.data), "ends_at": local_iso(form.ends_at.data),
                    "reason": typed(form.reason.data)})
    return button(f"/drills/{drill_id}/reschedule", body,
                  _("The drill is moved; the volunteer helpers' task moves with it."),
                  url_for("drills.drill", drill_id=drill_id), form)


@bp.post("/<drill_id>/end")
@permission_required("drills.manage")
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
@permission_required("roster.read")
def roll(drill_id, grid_id):
    """The roll-call; `?by=building|group` hands it out in sections (a building with its head, a ten-household group
    with its lead household), and `&print=1` gives those sections as a list to print and hand out."""
    drill_id, grid_id = checked(drill_id, OBJECT_ID), checked(grid_id, CODE)
    by = request.args.get("by") if request.args.get("by") in ROLL_BY else None
    roster = dr().get(f"/drills/{drill_id}/grids/{grid_id}/roster", params={"by": by} if by else None)
    d = drill_of(drill_id)
    if by and request.args.get("print"):
        return render_template("drills/roll_print.html", d=d, roster=roster, grid_id=grid_id, by=by), 200, {
            "Cache-Control": "private, no-cache"}
    return render_template("drills/roll.html", d=d, roster=roster, grid_id=grid_id, by=by,
                           nonce=secrets.token_hex(8), statuses=STATUSES), 200, {"Cache-Control": "private, no-cache"}


@bp.post("/<drill_id>/grids/<grid_id>/tick")
@permission_required("drills.tick")
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
            "at": clock.now().isoformat()}
    try:
        dr().post(f"/drills/{drill_id}/grids/{grid_id}/households/{household_id}/tick", json=body)
    except ServiceError as exc:
        if exc.unavailable or exc.status in (401, 403):
            raise
        flash(flash_error(exc), "error")
    else:
        flash(_("Recorded: %(status)s", status=TICK_LABELS[status]), "ok")
    by = request.form.get("by") if request.form.get("by") in ROLL_BY else None
    return redirect(url_for("drills.roll", drill_id=drill_id, grid_id=grid_id, by=by) + f"#h-{household_id}", code=303)


# ---- the live board ----------------------------------------------------------------------------------------

@bp.get("/<drill_id>/board")
@permission_required("drills.read")
def board(drill_id):
    drill_id = checked(drill_id, OBJECT_ID)
    data = dr().get(f"/drills/{drill_id}/board")
    return render_template("drills/board.html", b=data, drill_id=drill_id)
