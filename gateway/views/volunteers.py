"""Volunteers (志愿服务): the public, account-free pages of a sign-up link, the volunteer's own page and the
certificate check; and the pages of community staff and team leaders (links and QR codes, teams, needs,
approvals, certificates, figures against the targets).

Public pages call the volunteers service as an anonymous resident; the token in the URL is the only key,
and every public page is rate limited per client address and per link (gateway.ratelimit).
"""
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from gateway.auth import current_user, login_required
from gateway.calls import (CODE, OBJECT_ID, SERIAL, TOKEN, attempt, checked, flash_outcome, form_reasons, public,
                           put_errors, service, stream)
from gateway.errors import error_page
from gateway.forms import (CapacityForm, CertificateForm, CommunityNameForm, CompleteForm, ConfirmForm,
                           CorrectionForm, DecisionForm, LeadersForm, LeaveSelfForm, LinkForm, MemberForm, NeedForm,
                           ReasonForm, SerialForm, ServiceReportForm, SignupForm, TeamForm, VolunteerEditForm)
from gateway.models import User
from gateway.ratelimit import public_page
from gateway.upstream import ServiceError
from wtforms.fields.choices import SelectChoice

pub = Blueprint("vpublic", __name__, url_prefix="/v")
PERSONAL = re.compile(r"/v/me/([A-Za-z0-9_-]{20,100})/?$")
NO_STORE = {"Cache-Control": "no-store"}


# ---- the public sign-up link --------------------------------------------------------------------------------

def _link(token: str) -> dict | None:
    """What the sign-up page shows (None when there is no such link)."""
    try:
        return public("volunteers").get(f"/public/links/{token}")
    except ServiceError as exc:
        if exc.status == 404:
            return None
        raise


def _no_link():
    return error_page(404, message=_("This sign-up link does not exist; check the address or QR code."))


def _signup_page(token: str, link: dict, form: SignupForm, errors=(), status: int = 200):
    form.grid_id.choices = [SelectChoice("", _("Not sure / not listed"))] + [
        SelectChoice(g["id"], g.get("name") or g["id"]) for g in link.get("grids") or []]
    return render_template("volunteers/signup.html", token=token, link=link, form=form, errors=list(errors)), \
        status, NO_STORE


@pub.route("/<token>", methods=["GET", "POST"])
@public_page("token")
def signup(token):
    token = checked(token, TOKEN)
    link = _link(token)
    if link is None:
        return _no_link()
    form = SignupForm(formdata=request.form if request.method == "POST" else None)
    if request.method == "GET":
        return _signup_page(token, link, form)
    if link["state"] in ("expired", "closed"):
        return _signup_page(token, link, form, status=410)
    if not form.validate():
        return _signup_page(token, link, form, status=422)
    body = {"name": form.name.data, "phone": form.phone.data, "id_number": form.id_number.data or None,
            "skills": form.skills.data or [], "availability": form.availability.data or [],
            "grid_id": form.grid_id.data or None, "consent": bool(form.consent.data)}
    try:
        result = public("volunteers").post(f"/public/links/{token}/signups", json=body)
    except ServiceError as exc:
        if exc.status == 404:
            return _no_link()
        if exc.status == 410:
            return _signup_page(token, _link(token) or {**link, "state": "closed"}, form, status=410)
        if exc.unavailable or exc.status in (401, 403):
            raise
        return _signup_page(token, link, form, put_errors(form, exc), status=422)
    personal = PERSONAL.search(result.get("personal_url") or "")
    personal_url = url_for("vpublic.me", token=personal[1], _external=True) if personal else None
    return render_template("volunteers/signup_done.html", link=link, result=result, personal_url=personal_url), \
        200, NO_STORE


# ---- the volunteer's own page ----------------------------------------------------------------------------------

def _own(token: str) -> dict | None:
    try:
        return public("volunteers").get(f"/public/volunteers/{token}")
    except ServiceError as exc:
        if exc.status == 404:
            return None
        raise


def _no_person():
    return error_page(404, message=_("This personal link does not exist. Use the link you got when you signed up."))


def _own_page(token: str, me: dict, report_form=None, leave_form=None, errors=(), status=200):
    report_form = report_form or ServiceReportForm(formdata=None)
    report_form.team_id.choices = [SelectChoice("", "—")] + [SelectChoice(t["id"], t["name"]) for t in me["teams"]]
    if report_form.served_on.data is None and not report_form.served_on.errors:
        report_form.served_on.data = date.today()
    return render_template("volunteers/me.html", token=token, me=me, report_form=report_form,
                           leave_form=leave_form or LeaveSelfForm(formdata=None), errors=list(errors)), \
        status, NO_STORE


@pub.get("/me/<token>")
@public_page("token")
def me(token):
    token = checked(token, TOKEN)
    data = _own(token)
    return _no_person() if data is None else _own_page(token, data)


@pub.post("/me/<token>/report")
@public_page("token")
def report(token):
    token = checked(token, TOKEN)
    data = _own(token)
    if data is None:
        return _no_person()
    form = ServiceReportForm()
    if not form.validate():
        return _own_page(token, data, report_form=form, status=422)
    body = {"served_on": form.served_on.data.isoformat(), "hours": float(form.hours.data),
            "description": form.description.data.strip(), "team_id": form.team_id.data or None}
    done, errors = attempt(form, lambda: public("volunteers").post(f"/public/volunteers/{token}/service-reports",
                                                                    json=body))
    if done is None:
        return _own_page(token, data, report_form=form, errors=errors, status=422)
    flash(_("Sent. A team leader will approve the hours."), "ok")
    return redirect(url_for("vpublic.me", token=token), code=303)


@pub.post("/me/<token>/leave")
@public_page("token")
def leave(token):
    token = checked(token, TOKEN)
    data = _own(token)
    if data is None:
        return _no_person()
    form = LeaveSelfForm()
    if not form.validate():
        return _own_page(token, data, leave_form=form, status=422)
    done, errors = attempt(form, lambda: public("volunteers").post(f"/public/volunteers/{token}/leave",
                                                                    json={"reason": form.reason.data or None}))
    if done is None:
        return _own_page(token, data, leave_form=form, errors=errors, status=422)
    flash(_("You have stopped volunteering. Your hours and certificates stay."), "ok")
    return redirect(url_for("vpublic.me", token=token), code=303)


@pub.get("/me/<token>/certificates/<serial>.pdf")
@public_page("token")
def own_certificate(token, serial):
    token, serial = checked(token, TOKEN), checked(serial, SERIAL)
    upstream = public("volunteers").request("GET", f"/public/volunteers/{token}/certificates/{serial}/pdf",
                                            stream=True)
    return stream(upstream, filename=f"{serial}.pdf")


# ---- certificate verification ------------------------------------------------------------------------------------

@pub.get("/cert")
@public_page("serial")
def find_certificate():
    form = SerialForm(request.args, meta={"csrf": False})
    if request.args.get("serial") and form.validate():
        if SERIAL.match(form.serial.data):
            return redirect(url_for("vpublic.certificate", serial=form.serial.data), code=303)
        form.serial.errors.append(_("Not a serial number of ours."))
    return render_template("volunteers/cert.html", form=form, cert=None, serial=None), \
        (422 if request.args.get("serial") else 200)


@pub.get("/cert/<serial>")
@public_page("serial")
def certificate(serial):
    if not SERIAL.match(serial or ""):
        return render_template("volunteers/cert.html", form=SerialForm(formdata=None), cert=None, serial=serial), 404
    try:
        cert = public("volunteers").get(f"/public/certificates/{serial}")
    except ServiceError as exc:
        if exc.status != 404:
            raise
        return render_template("volunteers/cert.html", form=SerialForm(formdata=None), cert=None, serial=serial), 404
    return render_template("volunteers/cert.html", form=SerialForm(formdata=None), cert=cert, serial=serial)




# ---- staff and team leaders -----------------------------------------------------------------------------------

bp = Blueprint("volunteers", __name__, url_prefix="/volunteers")
STAFF_ROLES = ("community_staff", "admin")
ROLES = ("community_staff", "team_leader", "operator", "admin")


def vs():
    return service("volunteers")


def _role_check() -> None:
    if current_user().role not in ROLES:
        abort(403)


def _community(community_id: str) -> str:
    _role_check()
    return checked(community_id, CODE)


def _back(default: str) -> str:
    from gateway.auth import safe_next

    return safe_next(request.args.get("next"), default)


def _button(path: str, ok_message: str, back: str, json=None):
    """A button that changes one thing: back where it was pressed, with what happened."""
    flash_outcome(lambda: vs().post(path, json=json if json is not None else {}), ok_message)
    return redirect(back, code=303)


def _local(value: str) -> str:
    """A datetime-local value from a form as an aware ISO time (the configured zone)."""
    at = datetime.fromisoformat(value)
    if at.tzinfo is None:
        at = at.replace(tzinfo=ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"]))
    return at.isoformat()


@bp.get("")
@login_required
def home():
    _role_check()
    communities = vs().get("/communities")
    if len(communities) == 1 and current_user().role != "team_leader":
        return redirect(url_for("volunteers.community", community_id=communities[0]["id"]))
    led = vs().get("/teams/led") if current_user().role == "team_leader" else []
    return render_template("volunteers/staff/home.html", communities=communities, led=led)


@bp.get("/<community_id>")
@login_required
def community(community_id):
    community_id = _community(community_id)
    figures = vs().get(f"/communities/{community_id}/figures")
    led = [t for t in vs().get("/teams/led") if t["community_id"] == community_id] \
        if current_user().role == "team_leader" else []
    return render_template("volunteers/staff/community.html", f=figures, community_id=community_id, led=led,
                           is_staff=current_user().role in STAFF_ROLES,
                           name_form=CommunityNameForm(formdata=None, data={"name": figures["community_name"]}))


@bp.post("/<community_id>/name")
@login_required
def name_community(community_id):
    community_id = _community(community_id)
    form = CommunityNameForm()
    back = url_for("volunteers.community", community_id=community_id)
    if not form.validate():
        flash(_("Give the community's name."), "error")
        return redirect(back, code=303)
    flash_outcome(lambda: vs().put(f"/communities/{community_id}", json={"name": form.name.data.strip()}), _("Name saved."))
    return redirect(back, code=303)


# ---- sign-up links and their QR codes ----------------------------------------------------------------------------

def _team_choices(community_id: str, empty: str) -> list[SelectChoice]:
    teams = vs().get("/teams", params={"community_id": community_id})
    if current_user().role == "team_leader":
        teams = [t for t in teams if str(current_user().pk) in t["leader_ids"]]
    return [SelectChoice("", empty)] + [SelectChoice(t["id"], t["name"]) for t in teams]


def _links_page(community_id: str, form=None, errors=(), status=200):
    form = form or LinkForm(formdata=None)
    form.team_id.choices = _team_choices(community_id, _("The whole community"))
    links = vs().get("/links", params={"community_id": community_id})
    return render_template("volunteers/staff/links.html", links=links, form=form, errors=list(errors),
                           community_id=community_id), status


@bp.get("/<community_id>/links")
@login_required
def links(community_id):
    return _links_page(_community(community_id))


@bp.post("/<community_id>/links")
@login_required
def create_link(community_id):
    community_id = _community(community_id)
    form = LinkForm()
    form.team_id.choices = []
    if not form.validate():
        return _links_page(community_id, form, status=422)
    body = {"community_id": community_id, "title": (form.title.data or "").strip() or None,
            "team_id": form.team_id.data or None, "valid_days": int(form.valid_days.data),
            "capacity": int(form.capacity.data) if form.capacity.data else None}
    done, errors = attempt(form, lambda: vs().post("/links", json=body))
    if done is None:
        return _links_page(community_id, form, errors, status=422)
    flash(_("Sign-up link made. Print its QR code or share the link."), "ok")
    return redirect(url_for("volunteers.link", link_id=done["id"]), code=303)


@bp.get("/links/<link_id>")
@login_required
def link(link_id):
    _role_check()
    data = vs().get(f"/links/{checked(link_id, OBJECT_ID)}")
    public_url = url_for("vpublic.signup", token=data["token"], _external=True)
    return render_template("volunteers/staff/link.html", l=data, public_url=public_url,
                           capacity_form=CapacityForm(formdata=None, data={"capacity": data["capacity"] or ""}))


@bp.get("/links/<link_id>/qr.<any(svg, png):kind>")
@login_required
def link_qr(link_id, kind):
    _role_check()
    link_id = checked(link_id, OBJECT_ID)
    download = request.args.get("download") == "1"
    return stream(vs().request("GET", f"/links/{link_id}/qr.{kind}", stream=True), filename=f"signup-qr.{kind}",
                  attachment=download)


@bp.post("/links/<link_id>/close")
@login_required
def close_link(link_id):
    _role_check()
    link_id = checked(link_id, OBJECT_ID)
    return _button(f"/links/{link_id}/close", _("The link is closed: it takes no more sign-ups."),
                   url_for("volunteers.link", link_id=link_id))


@bp.post("/links/<link_id>/capacity")
@login_required
def link_capacity(link_id):
    _role_check()
    link_id = checked(link_id, OBJECT_ID)
    form = CapacityForm()
    if not form.validate():
        flash(_("Places must be a whole number."), "error")
        return redirect(url_for("volunteers.link", link_id=link_id), code=303)
    flash_outcome(lambda: vs().put(f"/links/{link_id}/capacity", json={"capacity": int(form.capacity.data) if form.capacity.data else None}), _("Places changed; the waiting list moves up into any new places."))
    return redirect(url_for("volunteers.link", link_id=link_id), code=303)


# ---- teams --------------------------------------------------------------------------------------------------------

def _leader_choices(community_id: str) -> list[SelectChoice]:
    leaders = User.objects(role="team_leader", community_ids=community_id, active=True).only("name", "username")
    return [SelectChoice(str(u.pk), f"{u.name} ({u.username})") for u in leaders]


def _teams_page(community_id: str, form=None, errors=(), status=200):
    form = form or TeamForm(formdata=None)
    form.leader_ids.choices = _leader_choices(community_id)
    teams = vs().get("/teams", params={"community_id": community_id})
    return render_template("volunteers/staff/teams.html", teams=teams, form=form, errors=list(errors),
                           community_id=community_id, is_staff=current_user().role in STAFF_ROLES), status


@bp.get("/<community_id>/teams")
@login_required
def teams(community_id):
    return _teams_page(_community(community_id))


@bp.post("/<community_id>/teams")
@login_required
def create_team(community_id):
    community_id = _community(community_id)
    form = TeamForm()
    if not form.validate():
        return _teams_page(community_id, form, status=422)
    body = {"community_id": community_id, "name": form.name.data.strip(),
            "description": (form.description.data or "").strip() or None, "leader_ids": form.leader_ids.data or []}
    done, errors = attempt(form, lambda: vs().post("/teams", json=body))
    if done is None:
        return _teams_page(community_id, form, errors, status=422)
    flash(_("Team founded."), "ok")
    return redirect(url_for("volunteers.team", team_id=done["id"]), code=303)


@bp.get("/teams/<team_id>")
@login_required
def team(team_id):
    _role_check()
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
                           is_staff=current_user().role in STAFF_ROLES)


@bp.post("/teams/<team_id>/members")
@login_required
def add_member(team_id):
    _role_check()
    team_id = checked(team_id, OBJECT_ID)
    form = MemberForm()
    back = url_for("volunteers.team", team_id=team_id)
    if not form.validate() or not OBJECT_ID.match(form.volunteer_id.data or ""):
        flash(_("Choose a volunteer."), "error")
        return redirect(back, code=303)
    return _button(f"/teams/{team_id}/members", _("Volunteer added to the team."), back,
                   json={"volunteer_id": form.volunteer_id.data})


@bp.post("/teams/<team_id>/members/<volunteer_id>/remove")
@login_required
def remove_member(team_id, volunteer_id):
    _role_check()
    team_id, volunteer_id = checked(team_id, OBJECT_ID), checked(volunteer_id, OBJECT_ID)
    back = url_for("volunteers.team", team_id=team_id)
    flash_outcome(lambda: vs().call("DELETE", f"/teams/{team_id}/members/{volunteer_id}"), _("Volunteer taken off the team."))
    return redirect(back, code=303)


@bp.post("/teams/<team_id>/leaders")
@login_required
def set_leaders(team_id):
    _role_check()
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
    form.team_ids.choices = _team_choices(community_id, "")[1:]
    return render_template("volunteers/staff/needs.html", needs=page["items"], total=page["total"], form=form,
                           errors=list(errors), community_id=community_id, state=state), status


@bp.get("/<community_id>/needs")
@login_required
def needs(community_id):
    return _needs_page(_community(community_id))


@bp.post("/<community_id>/needs")
@login_required
def create_need(community_id):
    community_id = _community(community_id)
    form = NeedForm()
    form.grid_id.choices = form.team_ids.choices = []
    if not form.validate():
        return _needs_page(community_id, form, status=422)
    try:
        starts = _local(form.starts_at.data)
        ends = _local(form.ends_at.data) if form.ends_at.data else None
    except ValueError:
        form.starts_at.errors.append(_("Not a valid date and time."))
        return _needs_page(community_id, form, status=422)
    body = {"community_id": community_id, "grid_id": form.grid_id.data or None, "title": form.title.data.strip(),
            "description": (form.description.data or "").strip() or None, "starts_at": starts, "ends_at": ends,
            "recurrence": form.recurrence.data or None, "skills": form.skills.data or [],
            "people_wanted": int(form.people_wanted.data), "team_ids": form.team_ids.data or []}
    done, errors = attempt(form, lambda: vs().post("/needs", json=body))
    if done is None:
        return _needs_page(community_id, form, errors, status=422)
    flash(_("Need opened. Confirm volunteers from the matches."), "ok")
    return redirect(url_for("volunteers.need", need_id=done["id"]), code=303)


@bp.get("/needs/<need_id>")
@login_required
def need(need_id):
    _role_check()
    n = vs().get(f"/needs/{checked(need_id, OBJECT_ID)}")
    found = vs().get(f"/needs/{n['id']}/matches") if n["status"] != "closed" else []
    confirm = ConfirmForm(formdata=None)
    confirm.volunteer_ids.choices = [SelectChoice(m["volunteer_id"], m["name"]) for m in found]
    complete = CompleteForm(formdata=None, data={"served_on": date.today()})
    return render_template("volunteers/staff/need.html", n=n, matches=found, confirm_form=confirm,
                           complete_form=complete)


@bp.post("/needs/<need_id>/assignments")
@login_required
def confirm_assignments(need_id):
    _role_check()
    need_id = checked(need_id, OBJECT_ID)
    form = ConfirmForm()
    back = url_for("volunteers.need", need_id=need_id)
    ids = [v for v in (form.volunteer_ids.data or []) if OBJECT_ID.match(v)]
    if not ids:
        flash(_("Choose at least one volunteer."), "error")
        return redirect(back, code=303)
    return _button(f"/needs/{need_id}/assignments", _("Volunteers confirmed."), back, json={"volunteer_ids": ids})


@bp.post("/needs/<need_id>/assignments/<volunteer_id>/complete")
@login_required
def complete_assignment(need_id, volunteer_id):
    _role_check()
    need_id, volunteer_id = checked(need_id, OBJECT_ID), checked(volunteer_id, OBJECT_ID)
    form = CompleteForm()
    back = url_for("volunteers.need", need_id=need_id)
    if not form.validate():
        flash(form_reasons(form) or _("Some entries need correcting."), "error")
        return redirect(back, code=303)
    return _button(f"/needs/{need_id}/assignments/{volunteer_id}/complete", _("Hours recorded."), back,
                   json={"hours": float(form.hours.data), "served_on": form.served_on.data.isoformat(),
                         "note": (form.note.data or "").strip() or None})


@bp.post("/needs/<need_id>/assignments/<volunteer_id>/cancel")
@login_required
def cancel_assignment(need_id, volunteer_id):
    _role_check()
    need_id, volunteer_id = checked(need_id, OBJECT_ID), checked(volunteer_id, OBJECT_ID)
    return _button(f"/needs/{need_id}/assignments/{volunteer_id}/cancel", _("Assignment cancelled."),
                   url_for("volunteers.need", need_id=need_id))


@bp.post("/needs/<need_id>/close")
@login_required
def close_need(need_id):
    _role_check()
    need_id = checked(need_id, OBJECT_ID)
    reason = (request.form.get("reason") or "").strip()[:200] or _("Done")
    return _button(f"/needs/{need_id}/close", _("Need closed."), url_for("volunteers.need", need_id=need_id),
                   json={"reason": reason})


# ---- self-reported service: approvals ---------------------------------------------------------------------------

@bp.get("/<community_id>/reports")
@login_required
def reports(community_id):
    community_id = _community(community_id)
    state = request.args.get("status") if request.args.get("status") in ("pending", "approved", "rejected") \
        else "pending"
    rows = vs().get("/service-reports", params={"community_id": community_id, "status": state})
    return render_template("volunteers/staff/reports.html", reports=rows, state=state, community_id=community_id,
                           form=DecisionForm(formdata=None))


@bp.post("/reports/<report_id>/<any(approve, reject):decision>")
@login_required
def decide_report(report_id, decision):
    _role_check()
    report_id = checked(report_id, OBJECT_ID)
    form = DecisionForm()
    back = _back(url_for("volunteers.home"))
    note = (form.note.data or "").strip() or None
    if decision == "reject" and not note:
        flash(_("Say why the report is rejected: the volunteer sees it."), "error")
        return redirect(back, code=303)
    message = _("Approved: the hours are recorded.") if decision == "approve" else _("Rejected.")
    return _button(f"/service-reports/{report_id}/{decision}", message, back, json={"note": note})


# ---- certificates and the people ---------------------------------------------------------------------------------

def _certificates_page(community_id: str, form=None, errors=(), status=200):
    certs = vs().get("/certificates", params={"community_id": community_id})
    people = vs().get("/volunteers", params={"community_id": community_id, "page_size": 500})
    form = form or CertificateForm(formdata=None, data={"period_from": date(date.today().year, 1, 1),
                                                        "period_to": date.today(),
                                                        "volunteer_id": request.args.get("volunteer_id") or ""})
    form.volunteer_id.choices = [SelectChoice(v["id"], v["name"]) for v in people["items"]]
    return render_template("volunteers/staff/certificates.html", certs=certs, form=form, errors=list(errors),
                           community_id=community_id), status


@bp.get("/<community_id>/certificates")
@login_required
def certificates(community_id):
    return _certificates_page(_community(community_id))


@bp.post("/<community_id>/certificates")
@login_required
def issue_certificate(community_id):
    community_id = _community(community_id)
    form = CertificateForm()
    if not form.validate() or not OBJECT_ID.match(form.volunteer_id.data or ""):
        if not form.volunteer_id.errors and not OBJECT_ID.match(form.volunteer_id.data or ""):
            form.volunteer_id.errors = [_("Choose a volunteer.")]
        return _certificates_page(community_id, form, status=422)
    body = {"volunteer_id": form.volunteer_id.data, "period_from": form.period_from.data.isoformat(),
            "period_to": form.period_to.data.isoformat()}
    done, errors = attempt(form, lambda: vs().post("/certificates", json=body))
    if done is None:
        return _certificates_page(community_id, form, errors, status=422)
    flash(_("Certificate %(serial)s issued.", serial=done["serial"]), "ok")
    return redirect(url_for("volunteers.certificates", community_id=community_id), code=303)


@bp.get("/certificates/<certificate_id>.pdf")
@login_required
def certificate_pdf(certificate_id):
    _role_check()
    certificate_id = checked(certificate_id, OBJECT_ID)
    return stream(vs().request("GET", f"/certificates/{certificate_id}/pdf", stream=True),
                  filename=f"certificate-{certificate_id}.pdf")


# ---- sign-ups that matched a volunteer: staff confirm (merge) or reject -------------------------------------

@bp.get("/<community_id>/claims")
@login_required
def claims(community_id):
    community_id = _community(community_id)
    rows = vs().get("/signup-claims", params={"community_id": community_id})
    return render_template("volunteers/staff/claims.html", claims=rows, community_id=community_id)


@bp.post("/claims/<claim_id>/<any(confirm, reject):decision>")
@login_required
def decide_claim(claim_id, decision):
    _role_check()
    claim_id = checked(claim_id, OBJECT_ID)
    note = (request.form.get("note") or "").strip()[:200] or None
    message = _("Confirmed: the sign-up is merged into the volunteer's record.") if decision == "confirm" \
        else _("Rejected: the volunteer's record is unchanged.")
    return _button(f"/signup-claims/{claim_id}/{decision}", message, _back(url_for("volunteers.home")),
                   json={"note": note})


@bp.get("/<community_id>/people")
@login_required
def people(community_id):
    community_id = _community(community_id)
    state = request.args.get("status") if request.args.get("status") in ("registered", "waitlisted", "left") \
        else "registered"
    q = (request.args.get("q") or "").strip()[:40]
    params = {"community_id": community_id, "status": state, "page_size": 200}
    if q:
        params["q"] = q
    page = vs().get("/volunteers", params=params)
    return render_template("volunteers/staff/people.html", page=page, state=state, q=q, community_id=community_id)


def _person_page(volunteer_id: str, *, revealed=None, forms=None, errors=(), status=200, new_link=None):
    v = revealed or vs().get(f"/volunteers/{volunteer_id}")
    ledger = vs().get(f"/volunteers/{volunteer_id}/hours")
    certs = vs().get("/certificates", params={"volunteer_id": volunteer_id})
    forms = forms or {}
    edit = forms.get("edit") or VolunteerEditForm(formdata=None, data={
        "grid_id": v["grid_id"] or "", "skills": v["skills"], "availability": v["availability"],
        "version": str(v["version"])})
    grids = vs().get(f"/communities/{v['community_id']}/grids")
    edit.grid_id.choices = [SelectChoice("", "—")] + [SelectChoice(g["id"], g.get("name") or g["id"]) for g in grids]
    corrected = {e["corrects"] for e in ledger["entries"] if e.get("corrects")}
    return render_template("volunteers/staff/person.html", v=v, ledger=ledger, certs=certs, edit_form=edit,
                           reveal_form=forms.get("reveal") or ReasonForm(formdata=None, prefix="reveal"),
                           leave_form=forms.get("leave") or ReasonForm(formdata=None, prefix="leave"),
                           correction_form=CorrectionForm(formdata=None), corrected=corrected, revealed=revealed is not None,
                           errors=list(errors), is_staff=current_user().role in STAFF_ROLES, new_link=new_link), status, \
        ({"Cache-Control": "no-store"} if revealed is not None or new_link else {})


@bp.get("/people/<volunteer_id>")
@login_required
def person(volunteer_id):
    _role_check()
    return _person_page(checked(volunteer_id, OBJECT_ID))


@bp.post("/people/<volunteer_id>/reveal")
@login_required
def reveal_person(volunteer_id):
    _role_check()
    volunteer_id = checked(volunteer_id, OBJECT_ID)
    form = ReasonForm(prefix="reveal")
    if not form.validate():
        return _person_page(volunteer_id, forms={"reveal": form}, status=422)
    revealed = vs().post(f"/volunteers/{volunteer_id}/reveal", json={"reason": form.reason.data.strip()})
    return _person_page(volunteer_id, revealed=revealed)


@bp.post("/people/<volunteer_id>/personal-link")
@login_required
def new_personal_link(volunteer_id):
    _role_check()
    volunteer_id = checked(volunteer_id, OBJECT_ID)
    issued = vs().post(f"/volunteers/{volunteer_id}/personal-link", json={})
    personal = PERSONAL.search(issued["personal_url"])
    return _person_page(volunteer_id, new_link=url_for("vpublic.me", token=personal[1], _external=True))


@bp.post("/people/<volunteer_id>/edit")
@login_required
def edit_person(volunteer_id):
    _role_check()
    volunteer_id = checked(volunteer_id, OBJECT_ID)
    form = VolunteerEditForm()
    form.grid_id.choices = []
    if not form.validate():
        return _person_page(volunteer_id, forms={"edit": form}, status=422)
    try:
        version = int(form.version.data)
    except (TypeError, ValueError):
        version = -1
    body = {"version": version, "grid_id": form.grid_id.data or None, "skills": form.skills.data or [],
            "availability": form.availability.data or []}
    done, errors = attempt(form, lambda: vs().put(f"/volunteers/{volunteer_id}", json=body))
    if done is None:
        return _person_page(volunteer_id, forms={"edit": form}, errors=errors, status=422)
    flash(_("Saved."), "ok")
    return redirect(url_for("volunteers.person", volunteer_id=volunteer_id), code=303)


@bp.post("/people/<volunteer_id>/leave")
@login_required
def person_leaves(volunteer_id):
    _role_check()
    volunteer_id = checked(volunteer_id, OBJECT_ID)
    form = ReasonForm(prefix="leave")
    return _button(f"/volunteers/{volunteer_id}/leave", _("Recorded: the volunteer has left; hours and certificates stay."),
                   url_for("volunteers.person", volunteer_id=volunteer_id),
                   json={"reason": (form.reason.data or "").strip() or None})


@bp.post("/hours/<entry_id>/correct")
@login_required
def correct_hours(entry_id):
    _role_check()
    entry_id = checked(entry_id, OBJECT_ID)
    form = CorrectionForm()
    back = _back(url_for("volunteers.home"))
    if not form.validate():
        flash(form_reasons(form), "error")
        return redirect(back, code=303)
    return _button(f"/hours/{entry_id}/corrections", _("Correction recorded; the old line stays as it was."), back,
                   json={"hours": float(form.hours.data), "reason": form.reason.data.strip()})


@bp.post("/certificates/<certificate_id>/revoke")
@login_required
def revoke_certificate(certificate_id):
    _role_check()
    certificate_id = checked(certificate_id, OBJECT_ID)
    reason = (request.form.get("reason") or "").strip()[:200]
    back = _back(url_for("volunteers.home"))
    if not reason:
        flash(_("Say why the certificate is revoked."), "error")
        return redirect(back, code=303)
    return _button(f"/certificates/{certificate_id}/revoke", _("Certificate revoked: checking it now says so."), back,
                   json={"reason": reason})


BLUEPRINTS = [pub, bp]
