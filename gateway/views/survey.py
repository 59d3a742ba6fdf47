"""The public satisfaction survey of a closed dispute (满意度回访): account-free and rate limited, answered by the
applicant alone on their own phone; a signed-in session (the handler above all) is refused."""
from flask import Blueprint, render_template, request
from flask_babel import gettext as _

from gateway.auth import current_user
from gateway.calls import NO_STORE, TOKEN, attempt, present, public
from gateway.errors import error_page
from gateway.forms.mediation import SurveyForm
from gateway.ratelimit import public_page
from gateway.upstream import ServiceError
from gateway.views.entries import typed

bp = Blueprint("survey", __name__, url_prefix="/survey")


@bp.route("/<token>", methods=["GET", "POST"])
@public_page("token")
def answer(token):
    if not TOKEN.match(token or ""):
        return error_page(404, message=_("No such survey; check the link."))
    if current_user() is not None:  # staff (the handler who closed the case above all) never answer for the resident
        page, status = error_page(403, message=_("The satisfaction survey is answered by the applicant on their own "
                                                 "phone, not by staff: give them the link or the closing notice "
                                                 "with its QR code."))
        return page, status, NO_STORE
    try:
        view = public("mediation").get(f"/public/surveys/{token}")
    except ServiceError as exc:
        if exc.status != 404:
            raise
        return error_page(404, message=_("No such survey; check the link."))
    form = SurveyForm(formdata=request.form if request.method == "POST" else None)
    errors, status = [], 200
    if request.method == "POST" and view["open"]:
        body = present({"rating": typed(form.rating.data), "comment": typed(form.comment.data)})
        done, errors = attempt(form, lambda: public("mediation").post(f"/public/surveys/{token}", json=body))
        if done is not None:
            return render_template("mediation/survey.html", view=done, form=None, thanks=True, token=token,
                                   errors=[]), 200, NO_STORE
        status = 422
    return render_template("mediation/survey.html", view=view, form=form, thanks=False, token=token,
                           errors=errors), status, NO_STORE
