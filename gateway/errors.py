"""Errors: JSON (shared.web.errors' shape) under /api and for probes; a page in the user's language elsewhere."""
import logging

from flask import g, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from pymongo.errors import ConnectionFailure
from werkzeug.exceptions import HTTPException

from gateway.auth import is_api_request
from gateway.i18n import field_reasons, reason_text
from gateway.upstream import ServiceError
from shared.errors import Reason
from shared.web.errors import error_response

log = logging.getLogger(__name__)


def _titles():
    return {
        400: _("The request could not be handled"),
        401: _("Please sign in"),
        403: _("Not allowed"),
        404: _("Not found"),
        405: _("Not allowed"),
        409: _("Changed in the meantime"),
        410: _("No longer available"),
        413: _("The file is too large"),
        422: _("Some entries need correcting"),
        429: _("Too many attempts"),
        500: _("Something went wrong"),
        503: _("The service is unavailable"),
    }


def _explanations():
    return {
        403: _("Your role or area does not cover this."),
        404: _("It does not exist, or it is outside your area."),
        413: _("Choose a smaller file."),
        429: _("Too many attempts. Please wait a while and try again."),
        500: _("Please try again. If it keeps happening, tell your administrator."),
        503: _("The service is unavailable right now. Please try again in a moment."),
    }


def error_page(status: int, *, message: str | None = None, reasons=None):
    status = status if status in _titles() else (500 if status >= 500 else 400)
    title = _titles()[status]
    body = message or _explanations().get(status, "")
    return render_template("error.html", status=status, title=title, message=body, reasons=reasons or []), status


def _service_error(exc: ServiceError):
    if is_api_request():
        fields = {path: [_coded(m, (exc.field_reasons.get(path) or [])[i:i + 1])
                         for i, m in enumerate(msgs if isinstance(msgs, list) else [msgs])]
                  for path, msgs in exc.fields.items()}
        return error_response(exc.status, _coded(exc.message or "service unavailable", [exc.reason]), fields)
    if exc.unavailable:
        return error_page(503)
    if exc.status in (404, 403):
        return error_page(exc.status)
    return error_page(exc.status, message=reason_text(exc.reason, exc.message),
                      reasons=field_reasons(exc.fields, exc.field_reasons))


def _coded(message, reasons: list):
    """The service's English with the code it came with, so the API passes both on unchanged."""
    reason = reasons[0] if reasons and isinstance(reasons[0], dict) else {}
    return Reason(str(message), code=reason["code"], params=reason.get("params")) if reason.get("code") else message


def _http(exc: HTTPException):
    status = exc.code or 500
    if is_api_request() or request.endpoint in ("health.readyz", "health.healthz", "health.metrics"):
        return error_response(status, exc.description or exc.name)
    if status == 429:  # sign-in has its own answer (views/auth.py); this is the public pages' limit
        return error_page(429, message=_("Too many requests. Please wait a minute and try again."))
    return error_page(status)


def _csrf(exc: CSRFError):
    if is_api_request():
        return error_response(400, "CSRF token missing or invalid; reload the page", {"csrf_token": [exc.description]})
    return error_page(400, message=_("This form has expired. Go back, reload the page and try again."))


def _database_down(exc: ConnectionFailure):
    log.error("gateway database unavailable", extra={"error": str(exc)})
    return error_response(503, "database unavailable") if is_api_request() else error_page(503)


def _unexpected(exc: Exception):
    log.exception("unhandled error", extra={"request_id": g.get("request_id")})
    return error_response(500, "internal error") if is_api_request() else error_page(500)


def register(app) -> None:
    app.register_error_handler(ServiceError, _service_error)
    app.register_error_handler(CSRFError, _csrf)
    app.register_error_handler(HTTPException, _http)
    app.register_error_handler(ConnectionFailure, _database_down)
    app.register_error_handler(Exception, _unexpected)
