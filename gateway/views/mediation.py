"""Dispute mediation (矛盾纠纷调解): intake in under a minute on a phone, the receipt with the case number and
the one-time notice (一次告知), the cases (mine as first-contact owner, as mediator, the community's), a case
with its timeline and every step (assign, pause/resume/extend with a reason, sessions, outcome and the
agreement PDF, referral and its return, escalation, close, archive, notes), hot spots, and the public
satisfaction survey (account-free, rate limited), answered by the applicant alone: the closing page and the
closing notice PDF carry its link and QR code, and a signed-in session cannot open it.
"""
import base64
import re

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from gateway.auth import current_user, permission_required, principal
from gateway.calls import (
    CODE,
    NO_STORE,
    OBJECT_ID,
    TOKEN,
    attempt,
    checked,
    flash_error,
    present,
    service,
    stream,
)
from gateway.charts import cases as cases_charts
from gateway.forms.common import ReasonForm
from gateway.forms.mediation import (
    AssignForm,
    DisputeEditForm,
    IntakeForm,
    NoteForm,
    OutcomeForm,
    ReferForm,
    ReferralReturnForm,
    SessionForm,
)
from gateway.models import User
from gateway.upstream import ServiceError
from gateway.views.case_steps import CaseSteps
from gateway.views.entries import typed
from gateway.views.intake import before_registering, place, places
from gateway.views.intake import party as intake_party
from shared.qr import qr_svg

bp = Blueprint("mediation", __name__, url_prefix="/disputes")
VIEWS = ("mine", "mediating", "area")


def me_():
    return service("mediation")


def _default_view() -> str:
    """A mediator starts at the cases they mediate, a grid worker at those they took in, others at the area's."""
    return {"mediator": "mediating", "grid_worker": "mine"}.get(current_user().role, "area")


# ---- the cases -----------------------------------------------------------------------------------------------

@bp.get("")
@permission_required("disputes.read")
def cases():
    view = request.args.get("view") or _default_view()
    if view not in VIEWS:
        view = _default_view()
    status = request.args.get("status") or "open"
    if status not in ("open", "all", "closed", "archived", "resolved", "referred", "paused"):
        status = "open"
    q = (request.args.get("q") or "").strip()[:40]
    try:
        page = max(1, min(1000, int(request.args.get("page", "1"))))
    except ValueError:
        page = 1
    params = {"status": status, "page": page, "page_size": 30,
              "sort": "attention" if view == "area" else "due"}
    if view == "mine":
        params["mine"] = "first_contact"
    elif view == "mediating":
        params["mine"] = "mediator"
    if q:
        params["q"] = q
    result = me_().get("/disputes", params=params)
    try:
        feed = me_().get("/notifications", params={"unread": "true", "limit": 5})
    except ServiceError as exc:
        if exc.unavailable:
            raise
        feed = {"items": [], "unread": 0}
    pages = max(1, -(-result["total"] // 30))
    return render_template("mediation/cases.html", result=result, view=view, status=status, q=q, page=page,
                           pages=pages, feed=feed, can_register=principal().may("disputes.register"),
                           can_manage_mediators=principal().may("mediators.manage"),
                           is_mediator=current_user().role == "mediator")


@bp.post("/notifications/read")
@permission_required("notifications.read")
def notifications_read():
    try:
        me_().post("/notifications/read-all")
    except ServiceError as exc:
        if exc.unavailable:
            raise
    return redirect(url_for("mediation.cases"), code=303)


# ---- intake ---------------------------------------------------------------------------------------------------

def _intake_page(form: IntakeForm, *, results=None, errors=(), status=200):
    form.place.choices = places()
    return render_template("mediation/intake.html", form=form, results=results, errors=list(errors)), status


def _party(form: IntakeForm, side: str, role: str) -> dict | None:
    """The party one side of the form stands for. The applicant's side is always sent (the service says what it
    lacks); the other side only when named."""
    party = {"role": role, **intake_party(form, side)}
    if party["kind"] == "person" and "name" not in party and role != "applicant":
        return None
    if side == "respondent" and party["kind"] == "person":
        party["organisation"] = bool(form.respondent_organisation.data)
    return party


@bp.route("/new", methods=["GET", "POST"])
@permission_required("disputes.register")
def intake():
    form, page = before_registering(IntakeForm, _intake_page, sides=("applicant", "respondent"))
    if page is not None:
        return page
    parties, mapping = [], {}
    for side, role in (("applicant", "applicant"), ("respondent", "respondent")):
        party = _party(form, side, role)
        if party is not None:
            i = len(parties)
            mapping.update({f"parties.{i}.name": f"{side}_name", f"parties.{i}.phone": f"{side}_phone",
                            f"parties.{i}.address": f"{side}_address", f"parties.{i}.household_id": f"{side}_name",
                            f"parties.{i}.kind": f"{side}_name"})
            parties.append(party)
    mapping["parties"] = "applicant_name"
    body = present({"category": typed(form.category.data), "description": typed(form.description.data),
                    "urgency": typed(form.urgency.data), "channel": typed(form.channel.data),
                    "referred_from": typed(form.referred_from.data), "violence_risk": bool(form.violence_risk.data),
                    "parties": parties, "received_on": typed(form.received_on.data),
                    "households_involved": typed(form.households_involved.data), **place(form)})
    mapping.update({"grid_id": "place", "community_id": "place"})
    done, errors = attempt(form, lambda: me_().post("/disputes", json=body), mapping)
    if done is None:
        return _intake_page(form, errors=errors, status=422)
    return redirect(url_for("mediation.receipt", dispute_id=done["dispute"]["id"]), code=303)


@bp.get("/<dispute_id>/receipt")
@permission_required("disputes.read")
def receipt(dispute_id):
    dispute_id = checked(dispute_id, OBJECT_ID)
    data = me_().get(f"/disputes/{dispute_id}/receipt")
    return render_template("mediation/receipt.html", r=data, dispute_id=dispute_id)


@bp.get("/<dispute_id>/<any(receipt, agreement, 'special-report'):kind>.pdf")
@permission_required("disputes.read")
def pdf(dispute_id, kind):
    dispute_id = checked(dispute_id, OBJECT_ID)
    upstream = me_().request("GET", f"/disputes/{dispute_id}/{kind}.pdf", stream=True)
    return stream(upstream, filename=f"{kind}-{dispute_id}.pdf")


# ---- one case ---------------------------------------------------------------------------------------------------

def _case_page(dispute_id: str, *, forms=None, errors=(), open_form=None, revealed=None, status=200):
    d = revealed or me_().get(f"/disputes/{dispute_id}")
    me = principal()
    forms = forms or {}
    assign = forms.get("assign") or AssignForm(formdata=None)
    mediators = []
    if me.may("disputes.assign"):
        try:
            mediators = me_().get("/mediators", params={"community_id": d["community_id"]})
        except ServiceError as exc:
            if exc.unavailable:
                raise
    assign.mediator_id.choices = [SelectChoice(m["id"], m["name"]) for m in mediators if m["id"] != d["mediator_id"]]
    # staff handle every case in their area, a mediator the cases assigned to them
    handles = me.may("disputes.handle") and (me.may("disputes.assign") or d["mediator_id"] == me.user_id)
    context = {
        **steps.context(forms),
        "d": d, "revealed": revealed is not None, "errors": list(errors), "open_form": open_form,
        "can_assign": me.may("disputes.assign"), "handles": handles, "can_reveal": me.may("disputes.reveal"),
        "assign_form": assign,
        "refer_form": forms.get("refer") or ReferForm(formdata=None),
        "return_form": forms.get("return") or ReferralReturnForm(formdata=None),
        "close_form": forms.get("close") or NoteForm(formdata=None, prefix="close"),
        "reveal_form": forms.get("reveal") or ReasonForm(formdata=None, prefix="reveal"),
    }
    context["refer_form"].kind.choices = [c for c in context["refer_form"].kind.choices
                                          if c.value != "judicial_confirmation"]
    headers = NO_STORE if revealed is not None else {}
    return render_template("mediation/case.html", **context), status, headers


@bp.get("/<dispute_id>")
@permission_required("disputes.read")
def case(dispute_id):
    return _case_page(checked(dispute_id, OBJECT_ID))


steps = CaseSteps(bp, rule="/<dispute_id>", arg="dispute_id", endpoint="mediation.case", page=_case_page)


@bp.post("/<dispute_id>/assign")
@permission_required("disputes.read")
def assign(dispute_id):
    dispute_id = checked(dispute_id, OBJECT_ID)
    form = AssignForm()
    body = present({"mediator_id": typed(form.mediator_id.data), "reason": typed(form.reason.data)})
    return steps.step(dispute_id, "assign", form, lambda: me_().post(f"/disputes/{dispute_id}/assign", json=body),
                      _("The case is assigned."))


@bp.post("/<dispute_id>/refer")
@permission_required("disputes.read")
def refer(dispute_id):
    dispute_id = checked(dispute_id, OBJECT_ID)
    form = ReferForm()
    body = present({"kind": typed(form.kind.data), "to_body": typed(form.to_body.data),
                    "reason": typed(form.reason.data)})
    return steps.step(dispute_id, "refer", form, lambda: me_().post(f"/disputes/{dispute_id}/referrals", json=body),
                      _("The case is referred."))


@bp.post("/<dispute_id>/referrals/<referral_id>/return")
@permission_required("disputes.read")
def referral_return(dispute_id, referral_id):
    dispute_id, referral_id = checked(dispute_id, OBJECT_ID), checked(referral_id, CODE)
    form = ReferralReturnForm()
    body = present({"result": typed(form.result.data), "note": typed(form.note.data),
                    "returned_on": typed(form.returned_on.data)})
    return steps.step(dispute_id, "return", form, lambda: me_().post(
        f"/disputes/{dispute_id}/referrals/{referral_id}/return", json=body), _("The referral's result is recorded."))


@bp.post("/<dispute_id>/reveal")
@permission_required("disputes.reveal")
def reveal(dispute_id):
    dispute_id = checked(dispute_id, OBJECT_ID)
    form = ReasonForm(prefix="reveal")
    body = present({"reason": typed(form.reason.data)})
    revealed, errors = attempt(form, lambda: me_().post(f"/disputes/{dispute_id}/parties/reveal", json=body))
    if revealed is None:
        return steps.refused(dispute_id, "reveal", form, errors)
    return _case_page(dispute_id, revealed=revealed)


def _survey_done(dispute_id: str, result: dict, message: str):
    """The closing page shown to the applicant: the survey link as text and QR code to scan with their own phone,
    and the closing notice to print. No link to open here: the handler's session could not answer anyway."""
    token = result.get("survey_token") or ""
    url = url_for("survey.answer", token=token, _external=True) if TOKEN.match(token) else None
    qr = "data:image/svg+xml;base64," + base64.b64encode(qr_svg(url)).decode() if url else None
    flash(message, "ok")
    return render_template("mediation/survey_link.html", d=result["dispute"], url=url, qr=qr,
                           token=token if url else None), 200, NO_STORE


@bp.post("/<dispute_id>/closing-notice.pdf")
@permission_required("disputes.read")
def closing_notice(dispute_id):
    dispute_id = checked(dispute_id, OBJECT_ID)
    token = checked(request.form.get("token") or "", TOKEN)
    upstream = me_().request("POST", f"/disputes/{dispute_id}/closing-notice.pdf", json={"token": token},
                             stream=True)
    return stream(upstream, filename=f"closing-notice-{dispute_id}.pdf")


@bp.post("/<dispute_id>/close")
@permission_required("disputes.read")
def close(dispute_id):
    dispute_id = checked(dispute_id, OBJECT_ID)
    form = NoteForm(prefix="close")
    body = present({"note": typed(form.note.data)})
    done, errors = attempt(form, lambda: me_().post(f"/disputes/{dispute_id}/close", json=body))
    if done is None:
        return steps.refused(dispute_id, "close", form, errors)
    return _survey_done(dispute_id, done, _("The case is closed. Give the applicant the closing notice: they answer the survey on their own "
                          "phone."))


@bp.post("/<dispute_id>/survey-link")
@permission_required("disputes.read")
def survey_link(dispute_id):
    dispute_id = checked(dispute_id, OBJECT_ID)
    try:
        done = me_().post(f"/disputes/{dispute_id}/survey-link")
    except ServiceError as exc:
        if exc.unavailable or exc.status in (401, 403, 404):
            raise
        flash(flash_error(exc), "error")
        return steps.back(dispute_id)
    return _survey_done(dispute_id, done, _("A new survey link is ready; the old one no longer works."))


# ---- sessions and the outcome (pages of their own: longer forms) ------------------------------------------------

@bp.route("/<dispute_id>/session", methods=["GET", "POST"])
@permission_required("disputes.read")
def session_form(dispute_id):
    dispute_id = checked(dispute_id, OBJECT_ID)
    d = me_().get(f"/disputes/{dispute_id}")
    form = SessionForm(formdata=request.form if request.method == "POST" else None)
    form.present.choices = [SelectChoice(p["party_id"], p["name"]) for p in d["parties"]]
    errors = []
    if request.method == "POST":
        there = set(form.present.data or [])
        body = present({
            "attendance": [{"party_id": p["party_id"], "present": p["party_id"] in there} for p in d["parties"]],
            "others_present": [x.strip() for x in re.split(r"[,，、;；\n]+", form.others_present.data or "")
                               if x.strip()][:20],
            "notes": typed(form.notes.data), "place": typed(form.place.data), "held_on": typed(form.held_on.data)})
        done, errors = attempt(form, lambda: me_().post(f"/disputes/{dispute_id}/sessions", json=body))
        if done is not None:
            flash(_("Session recorded."), "ok")
            return steps.back(dispute_id)
    elif request.method == "GET":
        form.present.data = [p["party_id"] for p in d["parties"]]
    return render_template("mediation/session.html", d=d, form=form, errors=errors), \
        (422 if request.method == "POST" else 200)


@bp.route("/<dispute_id>/outcome", methods=["GET", "POST"])
@permission_required("disputes.read")
def outcome_form(dispute_id):
    dispute_id = checked(dispute_id, OBJECT_ID)
    d = me_().get(f"/disputes/{dispute_id}")
    form = OutcomeForm(formdata=request.form if request.method == "POST" else None)
    errors = []
    if request.method == "POST":
        body = present({"kind": typed(form.kind.data),
                        "terms": [t.strip() for t in (form.terms.data or "").splitlines() if t.strip()][:20],
                        "summary": typed(form.summary.data), "decided_on": typed(form.decided_on.data)})
        done, errors = attempt(form, lambda: me_().post(f"/disputes/{dispute_id}/outcome", json=body))
        if done is not None:
            flash(_("Outcome recorded."), "ok")
            return steps.back(dispute_id)
    return render_template("mediation/outcome.html", d=d, form=form, errors=errors), \
        (422 if request.method == "POST" else 200)


# ---- hot spots ----------------------------------------------------------------------------------------------------

@bp.get("/hotspots")
@permission_required("disputes.figures")
def hotspots():
    params = {}
    year = request.args.get("year") or ""
    if re.match(r"^\d{4}$", year):
        params["year"] = int(year)
    community_id = request.args.get("community_id") or ""
    if community_id:
        params["community_id"] = checked(community_id, CODE)
    data = me_().get("/reports/hotspots", params=params)
    in_view = community_id or _only_community()
    charts = _history_charts(in_view) if in_view and principal().may("reports.read") else []
    return render_template("mediation/hotspots.html", h=data, community_id=community_id, charts=charts)


def _only_community() -> str | None:
    """The caller's one community (community staff, a mediator): the one whose months the charts show."""
    communities = principal().community_ids
    return communities[0] if len(communities) == 1 else None


def _history_charts(community_id: str) -> list:
    """The community's last twelve months: cases by category × month, on-time share and satisfaction."""
    history = me_().get("/reports/cases-by-month", params={"community_id": community_id, "months": 12})
    return cases_charts.history_charts(history, "cases")


# ---- correcting a case ------------------------------------------------------------------------------------------

@bp.route("/<dispute_id>/edit", methods=["GET", "POST"])
@permission_required("disputes.read")
def edit(dispute_id):
    dispute_id = checked(dispute_id, OBJECT_ID)
    d = me_().get(f"/disputes/{dispute_id}")
    if request.method == "GET":
        form = DisputeEditForm(formdata=None, data={
            "category": d["category"], "urgency": d["urgency"], "description": d["description"],
            "violence_risk": d["violence_risk"], "households_involved": str(d["households_involved"] or ""),
            "version": str(d["version"])})
        return render_template("mediation/edit.html", d=d, form=form, errors=[])
    form = DisputeEditForm()
    errors = []
    if form.validate():
        try:
            version = int(form.version.data)
        except (TypeError, ValueError):
            version = -1
        body = {"version": version, "category": typed(form.category.data), "urgency": typed(form.urgency.data),
                "description": typed(form.description.data), "violence_risk": bool(form.violence_risk.data),
                "households_involved": typed(form.households_involved.data)}
        done, errors = attempt(form, lambda: me_().call("PATCH", f"/disputes/{dispute_id}", json=body))
        if done is not None:
            flash(_("The case is corrected."), "ok")
            return steps.back(dispute_id)
    return render_template("mediation/edit.html", d=d, form=form, errors=errors), 422


# ---- the mediators on a community's roster -------------------------------------------------------------------

@bp.route("/mediators", methods=["GET", "POST"])
@permission_required("disputes.read")
def mediators():
    user = current_user()
    if user.role == "mediator":
        if request.method == "POST":
            try:
                me_().post("/mediators/me")
            except ServiceError as exc:
                if exc.unavailable or exc.status in (401, 403):
                    raise
                flash(flash_error(exc), "error")
            else:
                flash(_("You are on the mediators' roster of your communities."), "ok")
        return redirect(url_for("mediation.cases"), code=303)
    if not principal().may("mediators.manage"):
        abort(403)
    communities = list(user.community_ids) or sorted({g["community_id"] for g in service("households").get("/grids")})
    community_id = request.values.get("community_id") or (communities[0] if communities else "")
    if community_id not in communities:
        abort(404)
    if request.method == "POST":
        user_id = checked(request.form.get("user_id"), OBJECT_ID)
        person = User.objects(pk=user_id, role="mediator").first()
        if person is None:
            abort(404)
        active = request.form.get("active") == "1"
        try:
            me_().put(f"/mediators/{user_id}", json={"name": person.name, "community_ids": [community_id],
                                                    "active": active})
        except ServiceError as exc:
            if exc.unavailable or exc.status in (401, 403, 404):
                raise
            flash(flash_error(exc), "error")
        else:
            flash(_("Roster saved."), "ok")
        return redirect(url_for("mediation.mediators", community_id=community_id), code=303)
    on_roster = {m["id"] for m in me_().get("/mediators", params={"community_id": community_id})}
    accounts = list(User.objects(role="mediator", community_ids=community_id, active=True).only("name", "username"))
    return render_template("mediation/mediators.html", community_id=community_id, communities=communities,
                           accounts=accounts, on_roster=on_roster)


BLUEPRINTS = [bp]
