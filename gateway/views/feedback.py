"""The resident's feedback page (办理结果反馈) a request's or incident's receipt links to: account-free and rate
limited like the survey, the link's token its only key. It shows the case's progress with dates, the outcome
once verified, and the satisfaction survey while open; nothing personal (the service's public view has no names,
phones or addresses). A signed-in session may look, but never answers for the resident."""
from flask import Blueprint, render_template, request
from flask_babel import gettext as _

from gateway.auth import current_user
from gateway.calls import NO_STORE, TOKEN, attempt, present, public
from gateway.errors import error_page
from gateway.forms.desk import CaseSurveyForm
from gateway.ratelimit import public_page
from gateway.upstream import ServiceError
from gateway.views.entries import typed

bp = Blueprint("feedback", __name__, url_prefix="/case")


def _missing():
    page, status = error_page(404, message=_("No such case; check the link on your receipt."))
    return page, status, NO_STORE


@bp.route("/<token>", methods=["GET", "POST"])
@public_page("token")
def progress(token):
    if not TOKEN.match(token or ""):
        return _missing()
    try:
        view = public("mediation").get(f"/public/cases/{token}")
    except ServiceError as exc:
        if exc.status != 404:
            raise
        return _missing()
    staff = current_user() is not None
    survey = view.get("survey") or {}
    open_ = bool(survey.get("open")) and not survey.get("answered")
    form = CaseSurveyForm(formdata=request.form if request.method == "POST" else None)
    errors, status, thanks = [], 200, False
    if request.method == "POST":
        if staff:  # the handler above all never answers for the resident
            page, code = error_page(403, message=_("The satisfaction survey is answered by the resident on their own "
                                                   "phone, not by staff."))
            return page, code, NO_STORE
        if open_:
            body = present({"rating": typed(form.rating.data), "comment": typed(form.comment.data)})
            done, errors = attempt(form, lambda: public("mediation").post(f"/public/cases/{token}/survey", json=body))
            if done is not None:
                view, thanks, open_ = done, True, False
            else:
                status = 422
    return render_template("desk/feedback.html", view=view, form=form if open_ and not staff else None,
                           staff=staff, thanks=thanks, errors=errors), status, NO_STORE
