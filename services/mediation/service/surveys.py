"""The applicant's satisfaction survey: a link opened when the case closes, answered once on a public page."""
import secrets
from datetime import timedelta

from services.mediation import documents, events, notices
from services.mediation.config import SETTINGS, SURVEY_PATH
from services.mediation.models import Dispute, Survey
from services.mediation.rules import changeable, survey_open
from services.mediation.service.case_file import handled, step
from shared import clock
from shared.clock import now
from shared.errors import Conflict, Forbidden, NotFound
from shared.identity import PUBLIC_ROLE, Principal
from shared.messaging.outbox import commit
from shared.reasons import mediation as reasons
from shared.tokens import token_hash


def open_link(d: Dispute, *, renew: bool = False) -> str:
    """Open the survey (or give it a new link, the old one stops working) for SURVEY_OPEN_DAYS; returns the token."""
    token = secrets.token_urlsafe(32)
    open_until = clock.today() + timedelta(days=SETTINGS.SURVEY_OPEN_DAYS)
    if renew:
        d.survey.open_until, d.survey.issued_at = open_until, now()
    else:
        d.survey = Survey(open_until=open_until, issued_at=now())
    d.survey_token_hash = token_hash(token)
    return token


def survey_url(token: str) -> str:
    """The public page the applicant answers on (the gateway's, as residents reach it)."""
    return SETTINGS.PUBLIC_BASE_URL.rstrip("/") + SURVEY_PATH.format(token=token)


def renew_survey_link(*, actor: Principal, dispute_id: str) -> tuple[Dispute, str]:
    """A new satisfaction link (the old one stops working), while the survey is unanswered."""
    d = handled(actor, dispute_id)
    changeable(d, ("closed",), "given a new survey link")
    if d.survey.answered_at:
        raise Conflict(reasons.APPLICANT_ANSWERED())
    token = open_link(d, renew=True)
    step(d, actor, "survey_link_renewed")
    return commit(d), token


def closing_notice_pdf(*, actor: Principal, dispute_id: str, token: str) -> tuple[str, bytes]:
    """结案告知书 for the applicant to take home: the result, and the survey link with its QR code to answer at home.
    The token is the one just given (close or new link): only its hash is kept, so it proves the link is current."""
    d = handled(actor, dispute_id)
    changeable(d, ("closed",), "given a closing notice")
    if token_hash(token) != d.survey_token_hash:
        raise Conflict(reasons.SURVEY_TOKEN_WRONG(), field="token")
    return f"{d.number}-结案告知书.pdf", documents.closing_notice(d, survey_url(token))


# ---- public, through the link ------------------------------------------------------------------

def _survey_case(actor: Principal, token: str) -> Dispute:
    if actor.role != PUBLIC_ROLE:  # the handler's own session, or any staff: the rating is the resident's
        raise Forbidden(reasons.SURVEY_RESIDENT_ONLY())
    actor.require("survey.answer")
    d = Dispute.objects(survey_token_hash=token_hash(token)).first() if token else None
    if d is None:
        raise NotFound(reasons.NO_SUCH_SURVEY())
    return d


def survey_view(d: Dispute) -> dict:
    """What the public page shows of a case: its number and result, nothing personal."""
    return {"number": d.number, "category_label": notices.category_label(d.kind, d.category),
            "outcome_label": notices.OUTCOME_LABELS.get(d.outcome.kind) if d.outcome else None,
            "closed_on": d.closed_on, "open_until": d.survey.open_until, "answered": bool(d.survey.answered_at),
            "open": survey_open(d, clock.today())}


def get_survey(*, actor: Principal, token: str) -> dict:
    """What the public survey page shows: the case number and result, nothing personal."""
    return survey_view(_survey_case(actor, token))


def record_answer(d: Dispute, *, rating: int, comment: str | None) -> Dispute:
    """Keep the resident's rating and comment, once, while the survey is open (the survey link and the
    feedback link of a request or incident both answer through here)."""
    if d.survey is None:
        raise Conflict(reasons.SURVEY_NOT_YET())
    if d.survey.answered_at:
        raise Conflict(reasons.SURVEY_ANSWERED())
    if d.status != "closed" or clock.today() > d.survey.open_until:
        raise Conflict(reasons.SURVEY_CLOSED())
    d.survey.rating, d.survey.comment, d.survey.answered_at = rating, comment, now()
    step(d, None, "satisfaction_recorded", rating=rating)
    return commit(d, events.satisfaction_recorded(d))  # a second answer racing this one fails on the version: 409


def answer_survey(*, actor: Principal, token: str, rating: int, comment: str | None = None) -> dict:
    """The applicant's rating (1–5) and comment, accepted once."""
    return survey_view(record_answer(_survey_case(actor, token), rating=rating, comment=comment))
