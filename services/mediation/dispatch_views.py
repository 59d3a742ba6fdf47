"""HTTP routes of the desk's dispatch, handling and verification, and the resident's feedback page (public)."""
from services.mediation import dispatch_schemas as s
from services.mediation.desk_schemas import CaseRead
from services.mediation.schemas import SurveyAnswer
from services.mediation.service import dispatch, feedback
from services.mediation.service.surveys import survey_url
from shared.web.blueprint import Blueprint
from shared.web.factory import caller

bp = Blueprint("dispatch", __name__, url_prefix="/", description="The desk: dispatch, handling, verification (分拨、处置、核查)")


@bp.post("/cases/<case_id>/dispatch")
@bp.arguments(s.DispatchRequest)
@bp.response(200, CaseRead)
def dispatch_case(data, case_id):
    return dispatch.dispatch_case(actor=caller(), case_id=case_id, **data)


@bp.post("/cases/<case_id>/handle")
@bp.arguments(s.HandleRequest)
@bp.response(200, CaseRead)
def handle_case(data, case_id):
    return dispatch.handle_case(actor=caller(), case_id=case_id, **data)


@bp.post("/cases/<case_id>/verify")
@bp.arguments(s.VerifyRequest)
@bp.response(200, description="passed: VerifiedRead; sent back: CaseRead")
def verify_case(data, case_id):
    """Passed: {case, survey_token, survey_url} (the case is closed); sent back: the case alone (CaseRead)."""
    case, token = dispatch.verify_case(actor=caller(), case_id=case_id, **data)
    if token is None:
        return CaseRead().dump(case)
    return s.VerifiedRead().dump({"case": case, "survey_token": token, "survey_url": survey_url(token)})


@bp.post("/cases/<case_id>/feedback-link")
@bp.response(200, s.FeedbackLinkRead)
def renew_feedback_link(case_id):
    _, token = dispatch.renew_feedback_link(actor=caller(), case_id=case_id)
    return {"token": token, "feedback_url": feedback.feedback_url(token)}


# ---- the resident's feedback page (public, role resident) -----------------------------------------

@bp.get("/public/cases/<token>")
@bp.response(200, s.FeedbackView)
def get_feedback(token):
    return feedback.get_feedback(actor=caller(), token=token)


@bp.post("/public/cases/<token>/survey")
@bp.arguments(SurveyAnswer)
@bp.response(200, s.FeedbackView)
def answer_feedback_survey(data, token):
    return feedback.answer_feedback_survey(actor=caller(), token=token, **data)
