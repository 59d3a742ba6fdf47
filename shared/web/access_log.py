"""Logs without the tokens of links that grant access on their own.

A volunteer's personal page (/v/me/<token>), a sign-up link (/v/<token>), a satisfaction survey
(/survey/<token>), a receipt's feedback page (/case/<token>) and a certificate check (/v/cert/<serial>, /v/cert?serial=...) open for whoever
holds the URL, and so do the services' /public/... paths the gateway calls with the same tokens.
Such a token is replaced by `***` in gunicorn's access log (`--logger-class
shared.web.access_log.RedactingLogger`) and in every log record of the process (`RedactingFilter`).
"""
import logging
import re

from gunicorn.glogging import Logger

MASK = "***"
_SEGMENT = r"[^/?#&\s\"']+"
_PATTERNS = [
    re.compile(r"(/v/me/)" + _SEGMENT),
    re.compile(r"(/v/cert/)" + _SEGMENT),
    re.compile(r"(/v/)(?!me/|cert\b|me\b)" + _SEGMENT),
    re.compile(r"(/survey/)" + _SEGMENT),
    re.compile(r"(/case/)" + _SEGMENT),  # a receipt's feedback link (staff pages are /cases/<id>)
    re.compile(r"(/certificates/)(?![0-9a-f]{24}\b)" + _SEGMENT),  # a serial; staff pages use record ids
    re.compile(r"(/public/(?:links|volunteers|surveys|certificates|cases)/)" + _SEGMENT),
    re.compile(r"([?&](?:token|serial)=)[^&#\s\"']*"),
]


def redact(text: str) -> str:
    """`text` (a path, a request line, a URL, a log message) with every link token masked."""
    if not isinstance(text, str) or "/" not in text and "=" not in text:
        return text
    for pattern in _PATTERNS:
        text = pattern.sub(r"\1" + MASK, text)
    return text


class RedactingLogger(Logger):
    """gunicorn's logger whose access log masks link tokens in the request line, path, query and referer."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: redact(value) for key, value in atoms.items()}


class RedactingFilter(logging.Filter):
    """Masks link tokens in a record's message, arguments and extra fields (a service URL, an error's text)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: redact(v) for k, v in record.args.items()}
        for key, value in list(record.__dict__.items()):
            if isinstance(value, str) and key != "msg":  # extra fields: a service URL, an error text
                record.__dict__[key] = redact(value)
        return True
