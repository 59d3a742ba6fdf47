"""The service desk (服务台): every case of the caller's area in one list (disputes, requests for help, incidents),
and a request's or incident's page: facts, place, photos through a scope-checked proxy, and its steps by what the
service allows the caller now (dispatch, handle, verify), besides the clock's pause, extension, escalation,
notes and the archive, which it shares with the dispute's page (gateway/views/case_steps.py).
"""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from gateway.auth import permission_required, principal
from gateway.calls import (
    NO_STORE,
    OBJECT_ID,
    REF,
    TOKEN,
    attempt,
    checked,
    passed_on,
    present,
    service,
    stream,
)
from gateway.forms.desk import DispatchForm, HandleForm, PhotosForm, VerifyForm
from gateway.i18n import ROLE_LABELS
from gateway.models import User
from gateway.views import desk_intake
from gateway.views.case_steps import CaseSteps
from gateway.views.desk_intake import categories, options, qr
from gateway.views.entries import typed

bp = Blueprint("desk", __name__)
KIND_TABS = ("", "dispute", "request", "incident")
STATUS_FILTERS = ("open", "all", "registered", "dispatched", "handled", "paused", "closed", "archived")
IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp")
PRIVATE = {"Cache-Control": "private, no-store"}
PAGE_SIZE = 30


def me_():
    return service("mediation")


def _case_url(item: dict) -> str:
    if item.get("kind", "dispute") == "dispute":
        return url_for("mediation.case", dispute_id=item["id"])
    return url_for("desk.case", case_id=item["id"])


# ---- the list --------------------------------------------------------------------------------------------------

@bp.get("/desk")
@permission_required("disputes.read")
def cases():
    kind = request.args.get("kind") or ""
    kind = kind if kind in KIND_TABS else ""
    status = request.args.get("status") or "open"
    status = status if status in STATUS_FILTERS else "open"
    mine = request.args.get("mine") or ""
    mine = mine if mine in ("first_contact", "handler", "verify") else ""
    overdue = request.args.get("overdue") == "1"
    q = (request.args.get("q") or "").strip()[:40]
    try:
        page = max(1, min(1000, int(request.args.get("page", "1"))))
    except ValueError:
        page = 1
    params = present({"kind": kind or None, "status": status, "mine": mine or None, "q": q or None,
                      "overdue": "true" if overdue else None, "page": page, "page_size": PAGE_SIZE,
                      "sort": "due" if mine else "attention"})
    result = me_().get("/cases", params=params)
    pages = max(1, -(-result["total"] // PAGE_SIZE))
    filters = {"kind": kind or None, "status": status, "mine": mine or None, "overdue": "1" if overdue else None,
               "q": q or None}
    return render_template("desk/cases.html", result=result, kind=kind, status=status, mine=mine,
                           overdue=overdue, q=q, page=page, pages=pages, filters=filters, case_url=_case_url,
                           can_register=principal().may("cases.register"),
                           can_register_dispute=principal().may("disputes.register"))


# ---- one request or incident -------------------------------------------------------------------------------------

def _allowed(c: dict) -> dict:
    allowed = c.get("allowed") or {}
    return {step: bool(allowed.get(step)) for step in ("dispatch", "handle", "verify")}


def _people(community_id: str | None) -> list[tuple[str, str, str]]:
    """Whom a case may be dispatched to: the active grid workers and community staff of its community (gateway
    accounts), as (user id, name, label for the select)."""
    if not community_id:
        return []
    grids = [g["id"] for g in service("households").get("/grids", params={"community_id": community_id})]
    workers = User.objects(role="grid_worker", grid_ids__in=grids, active=True).only("name", "grid_ids") \
        if grids else []
    staff = User.objects(role="community_staff", community_ids=community_id, active=True).only("name")
    out = [(str(u.pk), u.name, f"{u.name} · {ROLE_LABELS['grid_worker']} {'、'.join(u.grid_ids)}") for u in workers]
    return out + [(str(u.pk), u.name, f"{u.name} · {ROLE_LABELS['community_staff']}") for u in staff]


def _case_page(case_id: str, *, forms=None, errors=(), open_form=None, status=200):
    c = me_().get(f"/cases/{case_id}")
    if c.get("kind", "dispute") == "dispute":
        return redirect(url_for("mediation.case", dispute_id=case_id))
    me = principal()
    forms = forms or {}
    allowed = _allowed(c)
    cats = categories()
    dispatch = forms.get("dispatch") or DispatchForm(formdata=None, prefix="dispatch")
    if allowed["dispatch"]:
        dispatch.department.choices = [SelectChoice("", "—")] + options(cats.get("departments"))
        dispatch.user_id.choices = [SelectChoice("", "—")] + [
            SelectChoice(user_id, label) for user_id, _name, label in _people(c.get("community_id"))]
        if dispatch.due_on.data is None:
            dispatch.due_on.data = c.get("due_on")
    current = next((r for r in reversed(c.get("dispatches") or []) if r.get("state") == "open"), None)
    staff = me.may("cases.dispatch")
    context = {
        **steps.context(forms),
        "c": c, "errors": list(errors), "open_form": open_form, "allowed": allowed, "current": current,
        "departments": {e["code"]: e["label"] for e in cats.get("departments") or []},
        "help_labels": {e["code"]: e["label"] for e in cats.get("help_kinds") or []},
        "dispatch_states": {"open": _("Being handled"), "handled": _("Handled, waiting for verification"),
                            "sent_back": _("Sent back"), "verified": _("Verified")},
        "handles": staff or (c.get("handler_id") and c.get("handler_id") == me.user_id),
        "staff": staff,
        "dispatch_form": dispatch,
        "handle_form": forms.get("handle") or HandleForm(formdata=None, prefix="handle"),
        "verify_form": forms.get("verify") or VerifyForm(formdata=None, prefix="verify"),
        "photos_form": forms.get("photos") or PhotosForm(formdata=None, prefix="photos"),
    }
    return render_template("desk/case.html", **context), status


@bp.get("/cases/<case_id>")
@permission_required("disputes.read")
def case(case_id):
    return _case_page(checked(case_id, OBJECT_ID))


steps = CaseSteps(bp, rule="/cases/<case_id>", arg="case_id", endpoint="desk.case", page=_case_page)


def _uploads(field) -> list:
    return [("photos", passed_on(f, "photo.jpg")) for f in (field.data or []) if getattr(f, "filename", None)]


@bp.post("/cases/<case_id>/dispatch")
@permission_required("cases.dispatch")
def dispatch(case_id):
    case_id = checked(case_id, OBJECT_ID)
    form = DispatchForm(prefix="dispatch")
    target = typed(form.target.data)
    body = present({"target": target, "due_on": typed(form.due_on.data), "note": typed(form.note.data)})
    if target == "department":
        body.update(present({"department": typed(form.department.data)}))
    elif target == "person":
        # Only the accounts offered on the page: the service cannot know who works in the case's community.
        user_id = typed(form.user_id.data)
        names = {uid: name for uid, name, _label in _people(me_().get(f"/cases/{case_id}").get("community_id"))}
        body.update(present({"user_id": user_id, "user_name": names.get(user_id)}))
    return steps.step(case_id, "dispatch", form, lambda: me_().post(f"/cases/{case_id}/dispatch", json=body),
                      _("The case is dispatched."), {"user_name": "user_id", "target": "target"})


@bp.post("/cases/<case_id>/handle")
@permission_required("cases.handle")
def handle(case_id):
    case_id = checked(case_id, OBJECT_ID)
    form = HandleForm(prefix="handle")
    body = present({"handling": typed(form.handling.data), "handled_on": typed(form.handled_on.data)})
    done, errors = attempt(form, lambda: me_().post(f"/cases/{case_id}/handle", json=body))
    if done is None:
        return steps.refused(case_id, "handle", form, errors)
    files = _uploads(form.photos)
    if files:
        # The handling is recorded; photos refused now can be added again from the case page.
        sent, errors = attempt(form, lambda: me_().post(f"/cases/{case_id}/photos", data={"stage": "handled"},
                                                        files=files))
        if sent is None:
            flash(_("The handling is recorded, but the photos were not kept:") + " " + " ".join(
                [*errors, *form.photos.errors]), "error")
            return steps.back(case_id)
    flash(_("The handling is recorded; the case waits for verification."), "ok")
    return steps.back(case_id)


@bp.post("/cases/<case_id>/photos")
@permission_required("disputes.read")
def photos(case_id):
    case_id = checked(case_id, OBJECT_ID)
    form = PhotosForm(prefix="photos")
    stage = request.form.get("stage") if request.form.get("stage") in ("reported", "handled") else "handled"
    files = _uploads(form.photos)
    return steps.step(case_id, "photos", form, lambda: me_().post(f"/cases/{case_id}/photos", data={"stage": stage},
                                                                  files=files), _("The photos are added."))


@bp.get("/cases/<case_id>/photos/<photo_id>")
@permission_required("disputes.read")
def photo(case_id, photo_id):
    case_id, photo_id = checked(case_id, OBJECT_ID), checked(photo_id, REF)
    upstream = me_().request("GET", f"/cases/{case_id}/photos/{photo_id}", stream=True)
    response = stream(upstream, filename=f"{photo_id}", attachment=False)
    if response.headers["Content-Type"].split(";")[0].strip() not in IMAGE_TYPES:
        response.close()
        abort(404)  # the service keeps only these; anything else is not shown as a page of ours
    response.headers.update(PRIVATE)
    return response


@bp.post("/cases/<case_id>/verify")
@permission_required("cases.verify")
def verify(case_id):
    case_id = checked(case_id, OBJECT_ID)
    form = VerifyForm(prefix="verify")
    body = present({"passed": {"yes": True, "no": False}.get(form.passed.data), "note": typed(form.note.data)})
    done, errors = attempt(form, lambda: me_().post(f"/cases/{case_id}/verify", json=body))
    if done is None:
        return steps.refused(case_id, "verify", form, errors)
    if not body.get("passed"):
        flash(_("The case is sent back: a new round of handling is open."), "ok")
        return steps.back(case_id)
    token = done.get("survey_token") or ""
    url = url_for("survey.answer", token=token, _external=True) if TOKEN.match(token) else None
    flash(_("The case is verified and closed. The resident answers the survey on their own phone."), "ok")
    return render_template("desk/closed.html", c=done["case"], url=url, qr=qr(url) if url else None,
                           token=token if url else None, can_print=principal().may("disputes.handle")), \
        200, NO_STORE


@bp.post("/cases/<case_id>/closing-notice.pdf")
@permission_required("disputes.handle")
def closing_notice(case_id):
    case_id = checked(case_id, OBJECT_ID)
    token = checked(request.form.get("token") or "", TOKEN)
    upstream = me_().request("POST", f"/disputes/{case_id}/closing-notice.pdf", json={"token": token}, stream=True)
    return stream(upstream, filename=f"closing-notice-{case_id}.pdf")


BLUEPRINTS = [bp, desk_intake.bp]
