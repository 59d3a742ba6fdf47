"""Volunteers' staff pages: teams (members and leaders) and needs (matching volunteers, hours of an assignment)."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from gateway.auth import permission_required, principal
from gateway.calls import CODE, OBJECT_ID, attempt, checked, flash_outcome, present
from gateway.forms.volunteers import CompleteForm, ConfirmForm, LeadersForm, MemberForm, NeedForm, TeamForm
from gateway.models import User
from gateway.views.entries import local_iso, typed
from gateway.views.volunteers.staff import bp, button, team_choices, vs
from shared import clock

# ---- teams --------------------------------------------------------------------------------------------------------

def _leader_choices(community_id: str) -> list[SelectChoice]:
    leaders = User.objects(role="team_leader", community_ids=community_id, active=True).only("name", "username")
    return [SelectChoice(str(u.pk), f"{u.name} ({u.username})") for u in leaders]


def _teams_page(community_id: str, form=None, errors=(), status=200):
    form = form or TeamForm(formdata=None)
    form.leader_ids.choices = _leader_choices(community_id)
    teams = vs().get("/teams", params={"community_id": community_id})
    return render_template("volunteers/staff/teams.html", teams=teams, form=form, errors=list(errors),
                           community_id=community_id, is_staff=principal().may("teams.manage")), status


@bp.get("/<community_id>/teams")
@permission_required("volunteers.pages")
def teams(community_id):
    return _teams_page(checked(community_id, CODE))


@bp.post("/<community_id>/teams")
@permission_required("volunteers.pages")
def create_team(community_id):
    community_id = checked(community_id, CODE)
    form = TeamForm()
    body = present({"community_id": community_id, "name": typed(form.name.data),
                    "description": typed(form.description.data), "leader_ids": form.leader_ids.data or []})
    done, errors = attempt(form, lambda: vs().post("/teams", json=body))
    if done is None:
        return _teams_page(community_id, form, errors, status=422)
    flash(_("Team founded."), "ok")
    return redirect(url_for("volunteers.team", team_id=done["id"]), code=303)


@bp.get("/teams/<team_id>")
@permission_required("volunteers.pages")
def team(team_id):
    t = vs().get(f"/teams/{checked(team_id, OBJECT_ID)}")
    members = vs().get("/volunteers", params={"community_id": t["community_id"], "team_id": t["id"], "page_size": 500})
    others = vs().get("/volunteers", params={"community_id": t["community_id"], "page_size": 500})
    member_form = MemberForm(formdata=None)
    in_team = {m["id"] for m in members["items"]}
    member_form.volunteer_id.choices = [SelectChoice(v["id"], f"{v['name']} {v['phone'] or ''}")
                                        for v in others["items"] if v["id"] not in in_team]
    leaders_form = LeadersForm(formdata=None, data={"leader_ids": t["leader_ids"]})
    leaders_form.leader_ids.choices = _leader_choices(t["community_id"])
    names = {c.value: c.label for c in leaders_form.leader_ids.choices}
    return render_template("volunteers/staff/team.html", t=t, members=members["items"], member_form=member_form,
                           leaders_form=leaders_form, leader_names=names,
                           is_staff=principal().may("teams.manage"))


@bp.post("/teams/<team_id>/members")
@permission_required("volunteers.pages")
def add_member(team_id):
    team_id = checked(team_id, OBJECT_ID)
    form = MemberForm()
    return button(f"/teams/{team_id}/members", _("Volunteer added to the team."),
                  url_for("volunteers.team", team_id=team_id),
                  json=present({"volunteer_id": typed(form.volunteer_id.data)}), form=form)


@bp.post("/teams/<team_id>/members/<volunteer_id>/remove")
@permission_required("volunteers.pages")
def remove_member(team_id, volunteer_id):
    team_id, volunteer_id = checked(team_id, OBJECT_ID), checked(volunteer_id, OBJECT_ID)
    back = url_for("volunteers.team", team_id=team_id)
    flash_outcome(lambda: vs().call("DELETE", f"/teams/{team_id}/members/{volunteer_id}"), _("Volunteer taken off the team."))
    return redirect(back, code=303)


@bp.post("/teams/<team_id>/leaders")
@permission_required("volunteers.pages")
def set_leaders(team_id):
    team_id = checked(team_id, OBJECT_ID)
    form = LeadersForm()
    back = url_for("volunteers.team", team_id=team_id)
    flash_outcome(lambda: vs().put(f"/teams/{team_id}/leaders", json={"leader_ids": form.leader_ids.data or []}), _("Leaders saved."))
    return redirect(back, code=303)


# ---- needs ----------------------------------------------------------------------------------------------------------

def _needs_page(community_id: str, form=None, errors=(), status=200):
    state = request.args.get("status") if request.args.get("status") in ("open", "filled", "closed", "all") else "open"
    page = vs().get("/needs", params={"community_id": community_id, "status": state, "page_size": 100})
    form = form or NeedForm(formdata=None)
    grids = vs().get(f"/communities/{community_id}/grids")
    form.grid_id.choices = [SelectChoice("", _("The whole community"))] + [
        SelectChoice(g["id"], g.get("name") or g["id"]) for g in grids]
    form.team_ids.choices = team_choices(community_id, "")[1:]
    return render_template("volunteers/staff/needs.html", needs=page["items"], total=page["total"], form=form,
                           errors=list(errors), community_id=community_id, state=state), status


@bp.get("/<community_id>/needs")
@permission_required("volunteers.pages")
def needs(community_id):
    return _needs_page(checked(community_id, CODE))


@bp.post("/<community_id>/needs")
@permission_required("volunteers.pages")
def create_need(community_id):
    community_id = checked(community_id, CODE)
    form = NeedForm()
    body = present({"community_id": community_id, "grid_id": typed(form.grid_id.data), "title": typed(form.title.data),
                    "description": typed(form.description.data), "starts_at": local_iso(form.starts_at.data),
                    "ends_at": local_iso(form.ends_at.data), "recurrence": typed(form.recurrence.data),
                    "skills": form.skills.data or [], "people_wanted": typed(form.people_wanted.data),
                    "team_ids": form.team_ids.data or []})
    done, errors = attempt(form, lambda: vs().post("/needs", json=body))
    if done is None:
        return _needs_page(community_id, form, errors, status=422)
    flash(_("Need opened. Confirm volunteers from the matches."), "ok")
    return redirect(url_for("volunteers.need", need_id=done["id"]), code=303)


@bp.get("/needs/<need_id>")
@permission_required("volunteers.pages")
def need(need_id):
    n = vs().get(f"/needs/{checked(need_id, OBJECT_ID)}")
    found = vs().get(f"/needs/{n['id']}/matches") if n["status"] != "closed" else []
    confirm = ConfirmForm(formdata=None)
    confirm.volunteer_ids.choices = [SelectChoice(m["volunteer_id"], m["name"]) for m in found]
    complete = CompleteForm(formdata=None, data={"served_on": clock.today()})
    return render_template("volunteers/staff/need.html", n=n, matches=found, confirm_form=confirm,
                           complete_form=complete)


@bp.post("/needs/<need_id>/assignments")
@permission_required("volunteers.pages")
def confirm_assignments(need_id):
    need_id = checked(need_id, OBJECT_ID)
    form = ConfirmForm()
    return button(f"/needs/{need_id}/assignments", _("Volunteers confirmed."), url_for("volunteers.need", need_id=need_id),
                  json=present({"volunteer_ids": form.volunteer_ids.data or None}), form=form)


@bp.post("/needs/<need_id>/assignments/<volunteer_id>/complete")
@permission_required("volunteers.pages")
def complete_assignment(need_id, volunteer_id):
    need_id, volunteer_id = checked(need_id, OBJECT_ID), checked(volunteer_id, OBJECT_ID)
    form = CompleteForm()
    return button(f"/needs/{need_id}/assignments/{volunteer_id}/complete", _("Hours recorded."),
                  url_for("volunteers.need", need_id=need_id), form=form,
                  json=present({"hours": typed(form.hours.data), "served_on": typed(form.served_on.data),
                                "note": typed(form.note.data)}))


@bp.post("/needs/<need_id>/assignments/<volunteer_id>/cancel")
@permission_required("volunteers.pages")
def cancel_assignment(need_id, volunteer_id):
    need_id, volunteer_id = checked(need_id, OBJECT_ID), checked(volunteer_id, OBJECT_ID)
    return button(f"/needs/{need_id}/assignments/{volunteer_id}/cancel", _("Assignment cancelled."),
                  url_for("volunteers.need", need_id=need_id))


@bp.post("/needs/<need_id>/close")
@permission_required("volunteers.pages")
def close_need(need_id):
    need_id = checked(need_id, OBJECT_ID)
    reason = (request.form.get("reason") or "").strip()[:200] or _("Done")
    return button(f"/needs/{need_id}/close", _("Need closed."), url_for("volunteers.need", need_id=need_id),
                  json={"reason": reason})

