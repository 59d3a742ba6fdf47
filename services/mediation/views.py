"""HTTP routes of dispute mediation: load with a schema, call the service, dump. Nothing else."""
from io import BytesIO

from flask import send_file

from services.mediation import report_schemas as rs
from services.mediation import schemas as s
from services.mediation import service
from services.mediation.service import reports
from shared.schemas import MonthQuery
from shared.web.blueprint import Blueprint
from shared.web.factory import caller

bp = Blueprint("mediation", __name__, url_prefix="/", description="Dispute mediation (矛盾纠纷调解)")
PDF = {"200": {"description": "a PDF", "content": {"application/pdf": {"schema": {"type": "string",
                                                                                  "format": "binary"}}}}}


def _pdf(named: tuple[str, bytes]):
    name, data = named
    return send_file(BytesIO(data), mimetype="application/pdf", download_name=name)


def _closed(dispute, token):
    return {"dispute": dispute, "survey_token": token,
            "survey_url": service.survey_url(token)}


# ---- intake and reading ------------------------------------------------------------------------

@bp.post("/disputes")
@bp.arguments(s.DisputeCreate)
@bp.response(201, s.RegisteredRead)
def register_dispute(data):
    dispute = service.register_dispute(actor=caller(), data=data)
    return {"dispute": dispute, "receipt": service.receipt(dispute)}


@bp.get("/disputes")
@bp.arguments(s.DisputeQuery, location="query")
@bp.response(200, s.DisputePage)
def list_disputes(args):
    return service.list_disputes(actor=caller(), **args)


@bp.get("/disputes/<dispute_id>")
@bp.response(200, s.DisputeRead)
def get_dispute(dispute_id):
    return service.get_dispute(actor=caller(), dispute_id=dispute_id)


@bp.patch("/disputes/<dispute_id>")
@bp.arguments(s.DisputeUpdate)
@bp.response(200, s.DisputeRead)
def update_dispute(data, dispute_id):
    return service.update_dispute(actor=caller(), dispute_id=dispute_id, data=data)


@bp.get("/disputes/<dispute_id>/receipt")
@bp.response(200, s.ReceiptRead)
def get_receipt(dispute_id):
    return service.get_receipt(actor=caller(), dispute_id=dispute_id)


@bp.get("/disputes/<dispute_id>/receipt.pdf")
@bp.doc(responses=PDF)
def receipt_pdf(dispute_id):
    return _pdf(service.receipt_pdf(actor=caller(), dispute_id=dispute_id))


@bp.get("/notices")
@bp.response(200, s.NoticeRead(many=True))
def list_notices():
    return service.list_notices(actor=caller())


# ---- handling ----------------------------------------------------------------------------------

@bp.post("/disputes/<dispute_id>/assign")
@bp.arguments(s.AssignRequest)
@bp.response(200, s.DisputeRead)
def assign_mediator(data, dispute_id):
    return service.assign_mediator(actor=caller(), dispute_id=dispute_id, **data)


@bp.post("/disputes/<dispute_id>/pause")
@bp.arguments(s.ReasonRequest)
@bp.response(200, s.DisputeRead)
def pause_clock(data, dispute_id):
    return service.pause_clock(actor=caller(), dispute_id=dispute_id, **data)


@bp.post("/disputes/<dispute_id>/resume")
@bp.response(200, s.DisputeRead)
def resume_clock(dispute_id):
    return service.resume_clock(actor=caller(), dispute_id=dispute_id)


@bp.post("/disputes/<dispute_id>/extend")
@bp.arguments(s.ExtendRequest)
@bp.response(200, s.DisputeRead)
def extend_deadline(data, dispute_id):
    """The handler requests an extension; community staff decide on it (only then the due date moves)."""
    return service.request_extension(actor=caller(), dispute_id=dispute_id, **data)


@bp.post("/disputes/<dispute_id>/extend/decision")
@bp.arguments(s.ExtensionDecision)
@bp.response(200, s.DisputeRead)
def decide_extension(data, dispute_id):
    return service.decide_extension(actor=caller(), dispute_id=dispute_id, **data)


@bp.post("/disputes/<dispute_id>/sessions")
@bp.arguments(s.SessionCreate)
@bp.response(201, s.DisputeRead)
def record_session(data, dispute_id):
    return service.record_session(actor=caller(), dispute_id=dispute_id, data=data)


@bp.post("/disputes/<dispute_id>/outcome")
@bp.arguments(s.OutcomeRequest)
@bp.response(200, s.DisputeRead)
def record_outcome(data, dispute_id):
    return service.record_outcome(actor=caller(), dispute_id=dispute_id, **data)


@bp.get("/disputes/<dispute_id>/agreement.pdf")
@bp.doc(responses=PDF)
def agreement_pdf(dispute_id):
    return _pdf(service.agreement_pdf(actor=caller(), dispute_id=dispute_id))


@bp.post("/disputes/<dispute_id>/referrals")
@bp.arguments(s.ReferralCreate)
@bp.response(201, s.DisputeRead)
def refer(data, dispute_id):
    return service.refer(actor=caller(), dispute_id=dispute_id, **data)


@bp.post("/disputes/<dispute_id>/referrals/<referral_id>/return")
@bp.arguments(s.ReferralReturn)
@bp.response(200, s.DisputeRead)
def record_referral_return(data, dispute_id, referral_id):
    return service.record_referral_return(actor=caller(), dispute_id=dispute_id, referral_id=referral_id, **data)


@bp.post("/disputes/<dispute_id>/escalate")
@bp.arguments(s.EscalateRequest)
@bp.response(200, s.DisputeRead)
def escalate(data, dispute_id):
    return service.escalate(actor=caller(), dispute_id=dispute_id, **data)


@bp.get("/disputes/<dispute_id>/special-report.pdf")
@bp.doc(responses=PDF)
def special_report_pdf(dispute_id):
    return _pdf(service.special_report_pdf(actor=caller(), dispute_id=dispute_id))


@bp.post("/disputes/<dispute_id>/close")
@bp.arguments(s.CloseRequest)
@bp.response(200, s.ClosedRead)
def close_dispute(data, dispute_id):
    return _closed(*service.close_dispute(actor=caller(), dispute_id=dispute_id, **data))


@bp.post("/disputes/<dispute_id>/closing-notice.pdf")
@bp.arguments(s.ClosingNoticeRequest)
@bp.doc(responses=PDF)
def closing_notice_pdf(data, dispute_id):
    """结案告知书 with the survey link and its QR code, for the applicant to take home (the token proves the link)."""
    return _pdf(service.closing_notice_pdf(actor=caller(), dispute_id=dispute_id, **data))


@bp.post("/disputes/<dispute_id>/survey-link")
@bp.response(200, s.ClosedRead)
def renew_survey_link(dispute_id):
    return _closed(*service.renew_survey_link(actor=caller(), dispute_id=dispute_id))


@bp.post("/disputes/<dispute_id>/archive")
@bp.response(200, s.DisputeRead)
def archive(dispute_id):
    return service.archive(actor=caller(), dispute_id=dispute_id)


@bp.post("/disputes/<dispute_id>/annotations")
@bp.arguments(s.AnnotationCreate)
@bp.response(201, s.DisputeRead)
def annotate(data, dispute_id):
    return service.annotate(actor=caller(), dispute_id=dispute_id, **data)


@bp.post("/disputes/<dispute_id>/parties/reveal")
@bp.arguments(s.RevealRequest)
@bp.response(200, s.DisputeRevealed)
def reveal_parties(data, dispute_id):
    return service.reveal_parties(actor=caller(), dispute_id=dispute_id, **data)


# ---- satisfaction survey (public pages, role resident) -----------------------------------------

@bp.get("/public/surveys/<token>")
@bp.response(200, s.SurveyView)
def get_survey(token):
    return service.get_survey(actor=caller(), token=token)


@bp.post("/public/surveys/<token>")
@bp.arguments(s.SurveyAnswer)
@bp.response(201, s.SurveyView)
def answer_survey(data, token):
    return service.answer_survey(actor=caller(), token=token, **data)


# ---- mediators, register, notifications, reports ------------------------------------------------

@bp.get("/mediators")
@bp.arguments(s.MediatorQuery, location="query")
@bp.response(200, s.MediatorRead(many=True))
def list_mediators(args):
    return service.list_mediators(actor=caller(), **args)


@bp.put("/mediators/<user_id>")
@bp.arguments(s.MediatorWrite)
@bp.response(200, s.MediatorRead)
def put_mediator(data, user_id):
    return service.put_mediator(actor=caller(), user_id=user_id, **data)


@bp.post("/mediators/me")
@bp.response(200, s.MediatorRead)
def enrol_self():
    return service.enrol_self(actor=caller())


@bp.get("/register/households")
@bp.arguments(s.RegisterQuery, location="query")
@bp.response(200, s.RegisterHouseholdRead(many=True))
def search_register(args):
    return service.search_register(actor=caller(), **args)


@bp.get("/notifications")
@bp.arguments(s.NotificationQuery, location="query")
@bp.response(200, s.NotificationFeed)
def list_notifications(args):
    return service.list_notifications(actor=caller(), unread_only=args["unread"], limit=args["limit"])


@bp.post("/notifications/<notification_id>/read")
@bp.response(200, s.MarkedRead)
def mark_read(notification_id):
    return {"marked": service.mark_read(actor=caller(), notification_id=notification_id)}


@bp.post("/notifications/read-all")
@bp.response(200, s.MarkedRead)
def mark_all_read():
    return {"marked": service.mark_read(actor=caller())}


@bp.get("/reports/hotspots")
@bp.arguments(s.HotspotQuery, location="query")
@bp.response(200, s.HotspotRead)
def hotspots(args):
    return service.hotspots(actor=caller(), **args)


@bp.get("/reports/month")
@bp.arguments(MonthQuery, location="query")
@bp.response(200, rs.MonthFigures)
def month_report(args):
    """A community's month at the desk, for the monthly report (情况报告制): counts only."""
    return reports.month_figures(actor=caller(), **args)


@bp.get("/reports/cases-by-month")
@bp.arguments(rs.MonthsQuery, location="query")
@bp.response(200, rs.CasesByMonth)
def cases_by_month(args):
    """The community's cases by category and month, on-time share and satisfaction, for the heat map and trend."""
    return reports.cases_by_month(actor=caller(), **args)
