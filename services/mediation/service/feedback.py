"""The resident's feedback link (on a request's or incident's receipt): the case's progress and, once verified,
its outcome and the satisfaction survey, on a public page. Only the token's hash is kept."""
import secrets
from datetime import date

from services.mediation import notices
from services.mediation.config import FEEDBACK_PATH, SETTINGS
from services.mediation.models import Dispute
from services.mediation.rules import survey_open
from services.mediation.service.surveys import record_answer
from shared import clock
from shared.errors import Forbidden, NotFound
from shared.identity import PUBLIC_ROLE, Principal
from shared.reasons import mediation as reasons
from shared.tokens import token_hash

# The steps a resident sees (as codes with their dates): never who took them, nor the staff's own notes.
PUBLIC_STEPS = ("registered", "dispatched", "paused", "resumed", "extended", "handled", "sent_back", "verified",
                "closed", "satisfaction_recorded", "archived")


def open_feedback_link(d) -> str:
    """Give the case a feedback link (a new one replaces the old); returns the token, which only the receipt shows."""
    token = secrets.token_urlsafe(32)
    d.receipt_token_hash = token_hash(token)
    return token


def feedback_url(token: str) -> str:
    """The gateway's public page the receipt's link and QR code open."""
    return SETTINGS.PUBLIC_BASE_URL.rstrip("/") + FEEDBACK_PATH.format(token=token)


# ---- public, through the link ------------------------------------------------------------------

def _feedback_case(actor: Principal, token: str) -> Dispute:
    if actor.role != PUBLIC_ROLE:  # the page is the resident's, as the survey is
        raise Forbidden(reasons.SURVEY_RESIDENT_ONLY())
    actor.require("survey.answer")
    d = Dispute.objects(receipt_token_hash=token_hash(token)).first() if token else None
    if d is None:
        raise NotFound(reasons.NO_SUCH_CASE_LINK())
    return d


def _on(d: Dispute, s) -> date:
    """The day of a step: the one the step names (a handling dated by its handler), the case's own dates, else
    the day it was written."""
    if s.detail.get("on"):
        return date.fromisoformat(s.detail["on"])
    named = {"registered": d.registered_on, "verified": d.closed_on, "closed": d.closed_on,
             "archived": d.archived_on}.get(s.action)
    return named or clock.local(s.at).date()


def feedback_view(d: Dispute) -> dict:
    """What the resident's page shows: progress as step codes with dates, the outcome once verified, the survey.
    Nothing personal: no names, phones or ID numbers, and not who handled it."""
    done = next((x for x in reversed(d.dispatches) if x.state == "verified"), None)
    outcome = ({"handling": done.handling, "handled_on": done.handled_on, "verified_on": d.closed_on}
               if done else None)
    survey = ({"open": survey_open(d, clock.today()), "answered": bool(d.survey.answered_at),
               "open_until": d.survey.open_until} if d.survey else None)
    return {"number": d.number, "kind_label": notices.kind_label(d.kind),
            "category_label": notices.category_label(d.kind, d.category), "registered_on": d.registered_on,
            "due_on": d.due_on, "status": d.status,
            "steps": [{"step": s.action, "on": _on(d, s)} for s in d.history if s.action in PUBLIC_STEPS],
            "outcome": outcome, "survey": survey}


def get_feedback(*, actor: Principal, token: str) -> dict:
    """The resident's view of their request or incident through the receipt's link."""
    return feedback_view(_feedback_case(actor, token))


def answer_feedback_survey(*, actor: Principal, token: str, rating: int, comment: str | None = None) -> dict:
    """The satisfaction survey answered on the feedback page: the survey's own rules (once, while open)."""
    return feedback_view(record_answer(_feedback_case(actor, token), rating=rating, comment=comment))
