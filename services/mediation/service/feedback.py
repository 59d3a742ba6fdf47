"""The resident's feedback link (on a request's or incident's receipt): the case's progress and, once verified,
its outcome and the satisfaction survey, on a public page. Only the token's hash is kept."""
import secrets

from services.mediation.config import FEEDBACK_PATH, SETTINGS
from shared.tokens import token_hash


def open_feedback_link(d) -> str:
    """Give the case a feedback link (a new one replaces the old); returns the token, which only the receipt shows."""
    token = secrets.token_urlsafe(32)
    d.receipt_token_hash = token_hash(token)
    return token


def feedback_url(token: str) -> str:
    """The gateway's public page the receipt's link and QR code open."""
    return SETTINGS.PUBLIC_BASE_URL.rstrip("/") + FEEDBACK_PATH.format(token=token)
