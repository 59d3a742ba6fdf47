"""Use cases of dispute mediation: the only place that changes documents and raises events.

One module per part of a case's life: cases (intake, reading, editing), handling (mediator, clock, sessions,
outcome), extensions (requested, then approved or refused), referrals, escalations, archive (closing and archiving), surveys, and beside them the mediators'
roster, the deadline job, the notification feeds and the figures. case_file holds what they share: a case
loaded in the caller's scope, its history, its numbers.
"""
from services.mediation.service.archive import archive, close_dispute
from services.mediation.service.cases import (
    agreement_pdf,
    annotate,
    get_dispute,
    get_receipt,
    list_disputes,
    list_notices,
    receipt,
    receipt_pdf,
    register_dispute,
    reveal_parties,
    search_register,
    update_dispute,
)
from services.mediation.service.deadlines import check_deadlines
from services.mediation.service.desk import (
    categories,
    get_case,
    list_cases,
    register_incident,
    register_request,
    request_help,
)
from services.mediation.service.desk_figures import desk_report
from services.mediation.service.escalations import escalate, special_report_pdf
from services.mediation.service.extensions import decide_extension, request_extension
from services.mediation.service.feeds import list_notifications, mark_read, notify
from services.mediation.service.figures import hotspots
from services.mediation.service.handling import (
    assign_mediator,
    pause_clock,
    record_outcome,
    record_session,
    resume_clock,
)
from services.mediation.service.mediators import enrol_self, list_mediators, put_mediator
from services.mediation.service.referrals import record_referral_return, refer
from services.mediation.service.surveys import (
    answer_survey,
    closing_notice_pdf,
    get_survey,
    renew_survey_link,
    survey_url,
)

__all__ = ["agreement_pdf", "annotate", "answer_survey", "archive", "assign_mediator", "check_deadlines", "closing_notice_pdf",
           "categories", "desk_report", "get_case", "list_cases", "register_incident", "register_request", "request_help",
           "close_dispute", "decide_extension", "enrol_self", "escalate", "get_dispute", "get_receipt", "get_survey",
           "hotspots", "list_disputes", "list_mediators", "list_notices", "list_notifications", "mark_read", "notify",
           "pause_clock", "put_mediator", "receipt", "receipt_pdf", "record_outcome", "record_referral_return",
           "record_session", "refer", "register_dispute", "renew_survey_link", "request_extension", "resume_clock", "reveal_parties",
           "search_register", "special_report_pdf", "survey_url", "update_dispute"]
