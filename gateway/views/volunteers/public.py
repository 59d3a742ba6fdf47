"""Volunteers' public, account-free pages: a sign-up link, the volunteer's own page and the certificate check.

They call the volunteers service as an anonymous resident; the token in the URL is the only key, and every
page is rate limited per client address and per link (gateway.ratelimit).
"""
import re

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from gateway.calls import NO_STORE, SERIAL, TOKEN, attempt, checked, present, public, put_errors, stream
from gateway.errors import error_page
from gateway.forms.volunteers import LeaveSelfForm, SerialForm, ServiceReportForm, SignupForm
from gateway.ratelimit import public_page
from gateway.upstream import ServiceError
from gateway.views.entries import typed
from shared import clock

pub = Blueprint("vpublic", __name__, url_prefix="/v")
PERSONAL = re.compile(r"/v/me/([A-Za-z0-9_-]{20,100})/?$")


# ---- the public sign-up link --------------------------------------------------------------------------------

def _found(path: str) -> dict | None:
    """What the volunteers service answers to a public read; None when there is no such thing."""
    try:
        return public("volunteers").get(path)
    except ServiceError as exc:
        if exc.status == 404:
            return None
        raise


def _link(token: str) -> dict | None:
    """What the sign-up page shows (None when there is no such link)."""
    return _found(f"/public/links/{token}")


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
    body = present({"name": typed(form.name.data), "phone": typed(form.phone.data),
                    "id_number": typed(form.id_number.data), "skills": form.skills.data or [],
                    "availability": form.availability.data or [], "grid_id": typed(form.grid_id.data),
                    "consent": bool(form.consent.data)})
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
    """The volunteer's own page (None when there is no such personal link)."""
    return _found(f"/public/volunteers/{token}")


def _no_person():
    return error_page(404, message=_("This personal link does not exist. Use the link you got when you signed up."))


def _own_page(token: str, me: dict, report_form=None, leave_form=None, errors=(), status=200):
    report_form = report_form or ServiceReportForm(formdata=None)
    report_form.team_id.choices = [SelectChoice("", "—")] + [SelectChoice(t["id"], t["name"]) for t in me["teams"]]
    if report_form.served_on.data is None and not report_form.served_on.errors:
        report_form.served_on.data = clock.today()
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
    body = present({"served_on": typed(form.served_on.data), "hours": typed(form.hours.data),
                    "description": typed(form.description.data), "team_id": typed(form.team_id.data)})
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
    body = present({"reason": typed(form.reason.data)})
    done, errors = attempt(form, lambda: public("volunteers").post(f"/public/volunteers/{token}/leave", json=body))
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
    if request.args.get("serial"):
        if SERIAL.match(form.serial.data):  # it goes into the page's (and the service's) URL
            return redirect(url_for("vpublic.certificate", serial=form.serial.data), code=303)
        form.serial.errors = [_("Not a serial number of ours.")]
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

