"""Volunteers' staff pages about people: approving self-reported service, certificates, sign-ups that matched a
volunteer, and one volunteer's record (reveal, edit, personal link, leaving, hours corrections)."""
from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from gateway.auth import permission_required, principal
from gateway.calls import CODE, OBJECT_ID, attempt, checked, present, stream
from gateway.forms.common import ReasonForm
from gateway.forms.volunteers import CertificateForm, CorrectionForm, DecisionForm, VolunteerEditForm
from gateway.views.entries import typed
from gateway.views.volunteers.public import PERSONAL
from gateway.views.volunteers.staff import back_to, bp, button, vs
from shared import clock

# ---- self-reported service: approvals ---------------------------------------------------------------------------

@bp.get("/<community_id>/reports")
@permission_required("volunteers.pages")
def reports(community_id):
    community_id = checked(community_id, CODE)
    state = request.args.get("status") if request.args.get("status") in ("pending", "approved", "rejected") \
        else "pending"
    rows = vs().get("/service-reports", params={"community_id": community_id, "status": state})
    return render_template("volunteers/staff/reports.html", reports=rows, state=state, community_id=community_id,
                           form=DecisionForm(formdata=None))


@bp.post("/reports/<report_id>/<any(approve, reject):decision>")
@permission_required("volunteers.pages")
def decide_report(report_id, decision):
    report_id = checked(report_id, OBJECT_ID)
    form = DecisionForm()
    back = back_to(url_for("volunteers.home"))
    note = (form.note.data or "").strip() or None
    if decision == "reject" and not note:
        flash(_("Say why the report is rejected: the volunteer sees it."), "error")
        return redirect(back, code=303)
    message = _("Approved: the hours are recorded.") if decision == "approve" else _("Rejected.")
    return button(f"/service-reports/{report_id}/{decision}", message, back, json={"note": note})


# ---- certificates and the people ---------------------------------------------------------------------------------

def _certificates_page(community_id: str, form=None, errors=(), status=200):
    certs = vs().get("/certificates", params={"community_id": community_id})
    people = vs().get("/volunteers", params={"community_id": community_id, "page_size": 500})
    form = form or CertificateForm(formdata=None, data={"period_from": date(clock.today().year, 1, 1),
                                                        "period_to": clock.today(),
                                                        "volunteer_id": request.args.get("volunteer_id") or ""})
    form.volunteer_id.choices = [SelectChoice(v["id"], v["name"]) for v in people["items"]]
    return render_template("volunteers/staff/certificates.html", certs=certs, form=form, errors=list(errors),
                           community_id=community_id), status


@bp.get("/<community_id>/certificates")
@permission_required("volunteers.pages")
def certificates(community_id):
    return _certificates_page(checked(community_id, CODE))


@bp.post("/<community_id>/certificates")
@permission_required("volunteers.pages")
def issue_certificate(community_id):
    community_id = checked(community_id, CODE)
    form = CertificateForm()
    body = present({"volunteer_id": typed(form.volunteer_id.data), "period_from": typed(form.period_from.data),
                    "period_to": typed(form.period_to.data)})
    done, errors = attempt(form, lambda: vs().post("/certificates", json=body))
    if done is None:
        return _certificates_page(community_id, form, errors, status=422)
    flash(_("Certificate %(serial)s issued.", serial=done["serial"]), "ok")
    return redirect(url_for("volunteers.certificates", community_id=community_id), code=303)


@bp.get("/certificates/<certificate_id>.pdf")
@permission_required("volunteers.pages")
def certificate_pdf(certificate_id):
    certificate_id = checked(certificate_id, OBJECT_ID)
    return stream(vs().request("GET", f"/certificates/{certificate_id}/pdf", stream=True),
                  filename=f"certificate-{certificate_id}.pdf")


# ---- sign-ups that matched a volunteer: staff confirm (merge) or reject -------------------------------------

@bp.get("/<community_id>/claims")
@permission_required("volunteers.pages")
def claims(community_id):
    community_id = checked(community_id, CODE)
    rows = vs().get("/signup-claims", params={"community_id": community_id})
    return render_template("volunteers/staff/claims.html", claims=rows, community_id=community_id)


@bp.post("/claims/<claim_id>/<any(confirm, reject):decision>")
@permission_required("volunteers.pages")
def decide_claim(claim_id, decision):
    claim_id = checked(claim_id, OBJECT_ID)
    note = (request.form.get("note") or "").strip()[:200] or None
    message = _("Confirmed: the sign-up is merged into the volunteer's record.") if decision == "confirm" \
        else _("Rejected: the volunteer's record is unchanged.")
    return button(f"/signup-claims/{claim_id}/{decision}", message, back_to(url_for("volunteers.home")),
                  json={"note": note})


@bp.get("/<community_id>/people")
@permission_required("volunteers.pages")
def people(community_id):
    community_id = checked(community_id, CODE)
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
                           errors=list(errors), is_staff=principal().may("certificates.revoke"), new_link=new_link), status, \
        ({"Cache-Control": "no-store"} if revealed is not None or new_link else {})


@bp.get("/people/<volunteer_id>")
@permission_required("volunteers.pages")
def person(volunteer_id):
    return _person_page(checked(volunteer_id, OBJECT_ID))


@bp.post("/people/<volunteer_id>/reveal")
@permission_required("volunteers.pages")
def reveal_person(volunteer_id):
    volunteer_id = checked(volunteer_id, OBJECT_ID)
    form = ReasonForm(prefix="reveal")
    body = present({"reason": typed(form.reason.data)})
    revealed, errors = attempt(form, lambda: vs().post(f"/volunteers/{volunteer_id}/reveal", json=body))
    if revealed is None:
        return _person_page(volunteer_id, forms={"reveal": form}, errors=errors, status=422)
    return _person_page(volunteer_id, revealed=revealed)


@bp.post("/people/<volunteer_id>/personal-link")
@permission_required("volunteers.pages")
def new_personal_link(volunteer_id):
    volunteer_id = checked(volunteer_id, OBJECT_ID)
    issued = vs().post(f"/volunteers/{volunteer_id}/personal-link", json={})
    personal = PERSONAL.search(issued["personal_url"])
    return _person_page(volunteer_id, new_link=url_for("vpublic.me", token=personal[1], _external=True))


@bp.post("/people/<volunteer_id>/edit")
@permission_required("volunteers.pages")
def edit_person(volunteer_id):
    volunteer_id = checked(volunteer_id, OBJECT_ID)
    form = VolunteerEditForm()
    try:
        version = int(form.version.data)
    except (TypeError, ValueError):
        version = -1
    body = {"version": version, "grid_id": typed(form.grid_id.data), "skills": form.skills.data or [],
            "availability": form.availability.data or []}
    done, errors = attempt(form, lambda: vs().put(f"/volunteers/{volunteer_id}", json=body))
    if done is None:
        return _person_page(volunteer_id, forms={"edit": form}, errors=errors, status=422)
    flash(_("Saved."), "ok")
    return redirect(url_for("volunteers.person", volunteer_id=volunteer_id), code=303)


@bp.post("/people/<volunteer_id>/leave")
@permission_required("volunteers.pages")
def person_leaves(volunteer_id):
    volunteer_id = checked(volunteer_id, OBJECT_ID)
    form = ReasonForm(prefix="leave")
    return button(f"/volunteers/{volunteer_id}/leave", _("Recorded: the volunteer has left; hours and certificates stay."),
                  url_for("volunteers.person", volunteer_id=volunteer_id),
                  json=present({"reason": typed(form.reason.data)}))


@bp.post("/hours/<entry_id>/correct")
@permission_required("volunteers.pages")
def correct_hours(entry_id):
    entry_id = checked(entry_id, OBJECT_ID)
    form = CorrectionForm()
    return button(f"/hours/{entry_id}/corrections", _("Correction recorded; the old line stays as it was."),
                  back_to(url_for("volunteers.home")),
                  json=present({"hours": typed(form.hours.data), "reason": typed(form.reason.data)}), form=form)


@bp.post("/certificates/<certificate_id>/revoke")
@permission_required("volunteers.pages")
def revoke_certificate(certificate_id):
    certificate_id = checked(certificate_id, OBJECT_ID)
    reason = (request.form.get("reason") or "").strip()[:200]
    back = back_to(url_for("volunteers.home"))
    if not reason:
        flash(_("Say why the certificate is revoked."), "error")
        return redirect(back, code=303)
    return button(f"/certificates/{certificate_id}/revoke", _("Certificate revoked: checking it now says so."), back,
                  json={"reason": reason})
