"""Uniform JSON errors: {"status", "error", "message", "reason", "fields", "field_reasons", "request_id"}.

`message` and `fields` are English for API readers; `reason` and `field_reasons` give each one's stable code and
parameters (shared.reasons), which the gateway shows in the user's language.
"""
import logging

from flask import g, jsonify
from marshmallow import ValidationError
from mongoengine.errors import ValidationError as DocumentInvalid
from pymongo.errors import ConnectionFailure
from werkzeug.exceptions import HTTPException

from shared.errors import DomainError
from shared.messaging.outbox import ConcurrentChange
from shared.reasons import common
from shared.reasons.common import reason_of

log = logging.getLogger(__name__)

CODES = {400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
         409: "conflict", 413: "too_large", 415: "unsupported_media_type", 422: "validation_failed",
         429: "too_many_requests", 503: "unavailable"}


def flatten(messages, prefix="") -> dict[str, list[str]]:
    """{"address": {"room": ["…"]}} -> {"address.room": ["…"]}."""
    if isinstance(messages, list):
        if all(isinstance(m, str) for m in messages):
            return {prefix or "_schema": messages}
        messages = dict(enumerate(messages))
    if not isinstance(messages, dict):
        return {prefix or "_schema": [messages if isinstance(messages, str) else str(messages)]}
    out = {}
    for key, value in messages.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        out.update(flatten(value, path))
    return out


def _reason_json(message) -> dict:
    reason = reason_of(message)
    return reason.as_json() if reason is not None else {"code": None, "params": {}}


def error_response(status: int, message: str, fields: dict | None = None):
    fields = fields or {}
    body = {"status": status, "error": CODES.get(status, "error"), "message": str(message),
            "reason": _reason_json(message), "fields": {k: [str(m) for m in v] for k, v in fields.items()},
            "field_reasons": {k: [_reason_json(m) for m in v] for k, v in fields.items()},
            "request_id": getattr(g, "request_id", None)}
    return jsonify(body), status


def _http(exc: HTTPException):
    fields = {}
    data = getattr(exc, "data", None) or {}
    if "messages" in data:  # webargs/flask-smorest validation: {"json": {...}, "query": {...}}
        for location, messages in data["messages"].items():
            fields.update(flatten(messages))
    message = common.REQUEST_INVALID() if fields else (exc.description or exc.name)
    return error_response(exc.code or 500, message, fields)


def _domain(exc: DomainError):
    fields = {exc.field: [exc.message]} if exc.field else {}
    return error_response(exc.status, exc.message, fields)


def _validation(exc: ValidationError):
    return error_response(422, common.REQUEST_INVALID(), flatten(exc.messages))


def _document(exc: DocumentInvalid):
    return error_response(422, common.REQUEST_INVALID(),
                          flatten(exc.to_dict() or {exc.field_name or "_schema": str(exc)}))


def _concurrent(exc: ConcurrentChange):
    return error_response(409, common.CHANGED_MEANWHILE())


def _database_down(exc: ConnectionFailure):
    log.error("database unavailable", extra={"error": str(exc)})
    return error_response(503, common.DATABASE_DOWN())


def _unexpected(exc: Exception):
    log.exception("unhandled error")
    return error_response(500, common.INTERNAL())


def register_error_handlers(app) -> None:
    app.register_error_handler(HTTPException, _http)
    app.register_error_handler(DomainError, _domain)
    app.register_error_handler(ValidationError, _validation)
    app.register_error_handler(DocumentInvalid, _document)
    app.register_error_handler(ConcurrentChange, _concurrent)
    app.register_error_handler(ConnectionFailure, _database_down)
    app.register_error_handler(Exception, _unexpected)
