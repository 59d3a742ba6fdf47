"""Uniform JSON errors: {"status", "error", "message", "fields", "request_id"}."""
import logging

from flask import g, jsonify
from marshmallow import ValidationError
from mongoengine.errors import ValidationError as DocumentInvalid
from pymongo.errors import ConnectionFailure
from werkzeug.exceptions import HTTPException

from shared.errors import DomainError
from shared.messaging.outbox import ConcurrentChange

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
        return {prefix or "_schema": [str(messages)]}
    out = {}
    for key, value in messages.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        out.update(flatten(value, path))
    return out


def error_response(status: int, message: str, fields: dict | None = None):
    body = {"status": status, "error": CODES.get(status, "error"), "message": message,
            "fields": fields or {}, "request_id": getattr(g, "request_id", None)}
    return jsonify(body), status


def _http(exc: HTTPException):
    fields = {}
    data = getattr(exc, "data", None) or {}
    if "messages" in data:  # webargs/flask-smorest validation: {"json": {...}, "query": {...}}
        for location, messages in data["messages"].items():
            fields.update(flatten(messages))
    message = "request is invalid" if fields else (exc.description or exc.name)
    return error_response(exc.code or 500, message, fields)


def _domain(exc: DomainError):
    fields = {exc.field: [exc.message]} if exc.field else {}
    return error_response(exc.status, exc.message, fields)


def _validation(exc: ValidationError):
    return error_response(422, "request is invalid", flatten(exc.messages))


def _document(exc: DocumentInvalid):
    return error_response(422, "request is invalid", flatten(exc.to_dict() or {exc.field_name or "_schema": str(exc)}))


def _concurrent(exc: ConcurrentChange):
    return error_response(409, "changed by someone else; reload and try again")


def _database_down(exc: ConnectionFailure):
    log.error("database unavailable", extra={"error": str(exc)})
    return error_response(503, "database unavailable; try again shortly")


def _unexpected(exc: Exception):
    log.exception("unhandled error")
    return error_response(500, "internal error")


def register_error_handlers(app) -> None:
    app.register_error_handler(HTTPException, _http)
    app.register_error_handler(DomainError, _domain)
    app.register_error_handler(ValidationError, _validation)
    app.register_error_handler(DocumentInvalid, _document)
    app.register_error_handler(ConcurrentChange, _concurrent)
    app.register_error_handler(ConnectionFailure, _database_down)
    app.register_error_handler(Exception, _unexpected)
