"""The service desk's intake (服务台受理): registering a resident's request for help or a service (the applicant
from the register or by name, volunteer help at once), and its receipt — the number, the one-time notice, the due
date and the resident's feedback link as a QR code, shown only once (a new link replaces the old one) — with the
receipt's PDF.
"""
import base64
import re

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from gateway.auth import permission_required, principal
from gateway.calls import NO_STORE, OBJECT_ID, attempt, checked, flash_error, present, service, stream
from gateway.forms.desk import RequestForm
from gateway.upstream import ServiceError
from gateway.views.entries import typed
from gateway.views.intake import before_registering, party, place, places
from shared.qr import qr_svg

bp = Blueprint("desk_intake", __name__)
FEEDBACK = re.compile(r"/case/([A-Za-z0-9_-]{20,100})$")
FRESH = "desk_feedback_link"  # the session key of a feedback link not shown yet


def me_():
    return service("mediation")


def qr(url: str) -> str:
    """A QR code as a data: URL for an <img> (the page's CSP allows data: images)."""
    return "data:image/svg+xml;base64," + base64.b64encode(qr_svg(url)).decode()


def categories() -> dict:
    """The desk's choices as the service names them (Chinese labels, settings for incidents and departments)."""
    return me_().get("/desk/categories")


def options(entries) -> list[SelectChoice]:
    return [SelectChoice(e["code"], e["label"]) for e in entries or []]


# ---- registering a request -------------------------------------------------------------------------------------

def _request_page(form: RequestForm, *, results=None, errors=(), status=200):
    cats = categories()
    form.category.choices = options(cats.get("request"))
    form.help_kind.choices = [SelectChoice("", "—")] + options(cats.get("help_kinds"))
    form.place.choices = places()
    return render_template("desk/request_form.html", form=form, results=results, errors=list(errors)), status


REQUEST_FIELDS = {"applicant.name": "applicant_name", "applicant.phone": "applicant_phone",
                  "applicant.address": "applicant_address", "applicant.household_id": "applicant_name",
                  "applicant.kind": "applicant_name", "applicant": "applicant_name", "help.help": "help_kind",
                  "help.summary": "help_summary", "help.needed_by": "help_needed_by", "help": "help",
                  "grid_id": "place", "community_id": "place"}


def _request_body(form: RequestForm) -> dict:
    body = present({"category": typed(form.category.data), "description": typed(form.description.data),
                    "urgency": typed(form.urgency.data), "channel": typed(form.channel.data),
                    "received_on": typed(form.received_on.data), "applicant": party(form, "applicant")})
    if form.help.data:
        body["help"] = present({"help": typed(form.help_kind.data), "summary": typed(form.help_summary.data),
                                "needed_by": typed(form.help_needed_by.data)})
    return {**body, **place(form)}


@bp.route("/desk/requests/new", methods=["GET", "POST"])
@permission_required("cases.register")
def new_request():
    form, page = before_registering(RequestForm, _request_page)
    if page is not None:
        return page
    if (request.form.get("action") or "register") != "register":
        abort(400)
    done, errors = attempt(form, lambda: me_().post("/requests", json=_request_body(form)), REQUEST_FIELDS)
    if done is None:
        return _request_page(form, errors=errors, status=422)
    flash(_("The request is registered."), "ok")
    return _to_receipt(done["case"]["id"], done["receipt"].get("feedback_url"))


def _to_receipt(case_id: str, feedback_url: str | None):
    """On to the receipt, which shows the new feedback link once: the link waits in the server-side session (never
    in a URL or a cookie) and the receipt takes it out, so reloading the receipt registers nothing twice."""
    session[FRESH] = {"case_id": case_id, "url": feedback_url or ""}
    return redirect(url_for("desk_intake.receipt", case_id=case_id), code=303)


@bp.get("/cases/<case_id>/receipt")
@permission_required("disputes.read")
def receipt(case_id):
    case_id = checked(case_id, OBJECT_ID)
    c = me_().get(f"/cases/{case_id}")
    fresh = session.pop(FRESH, None) or {}
    url = (fresh.get("url") or "") if fresh.get("case_id") == case_id else ""
    link = FEEDBACK.search(url)
    if link and not url.startswith(("http://", "https://")):
        url = url_for("feedback.progress", token=link[1], _external=True)
    page = render_template("desk/receipt.html", c=c, r=me_().get(f"/disputes/{case_id}/receipt"),
                           url=url if link else None, qr=qr(url) if link else None,
                           can_renew=principal().may("cases.dispatch"))
    return page, 200, NO_STORE


@bp.post("/cases/<case_id>/feedback-link")
@permission_required("disputes.read")
def feedback_link(case_id):
    case_id = checked(case_id, OBJECT_ID)
    try:
        done = me_().post(f"/cases/{case_id}/feedback-link")
    except ServiceError as exc:
        if exc.unavailable or exc.status in (401, 403, 404):
            raise
        flash(flash_error(exc), "error")
        return redirect(url_for("desk.case", case_id=case_id), code=303)
    flash(_("A new feedback link is ready; the old one no longer works."), "ok")
    return _to_receipt(case_id, done.get("feedback_url"))


@bp.get("/cases/<case_id>/<any(receipt, 'special-report'):kind>.pdf")
@permission_required("disputes.read")
def pdf(case_id, kind):
    case_id = checked(case_id, OBJECT_ID)
    upstream = me_().request("GET", f"/disputes/{case_id}/{kind}.pdf", stream=True)
    return stream(upstream, filename=f"{kind}-{case_id}.pdf")
