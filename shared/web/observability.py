"""Request ids in structured JSON logs, and HTTP metrics by route and status."""
import logging
import re
import sys
import time
import uuid

from flask import g, request
from pythonjsonlogger.json import JsonFormatter

from shared import context
from shared.metrics import HTTP_LATENCY, HTTP_REQUESTS
from shared.web.access_log import RedactingFilter

REQUEST_ID = "X-Request-ID"
CORRELATION_ID = "X-Correlation-ID"
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class _RequestContext(logging.Filter):
    def filter(self, record):
        from flask import has_request_context

        if has_request_context():
            record.request_id = getattr(g, "request_id", None)
            record.correlation_id = getattr(g, "correlation_id", None)
        return True


def configure_logging(service: str, level=logging.INFO) -> None:
    """JSON lines on stderr with the service name and the request's ids."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s",
                                       static_fields={"service": service}))
    handler.addFilter(_RequestContext())
    handler.addFilter(RedactingFilter())  # no link token in any log line, in any process
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


def _incoming_id(header: str) -> str | None:
    value = request.headers.get(header, "")
    return value if _SAFE_ID.match(value) else None


def install(app, service: str) -> None:
    """Give every request an id, carry the correlation id, and count and time it by route."""

    @app.before_request
    def _start():
        g.request_id = _incoming_id(REQUEST_ID) or uuid.uuid4().hex
        g.correlation_id = _incoming_id(CORRELATION_ID) or g.request_id
        context.correlation_id.set(g.correlation_id)
        g.started = time.perf_counter()

    @app.after_request
    def _finish(response):
        route = request.url_rule.rule if request.url_rule else "<unmatched>"
        HTTP_REQUESTS.labels(service, route, request.method, str(response.status_code)).inc()
        if hasattr(g, "started"):
            HTTP_LATENCY.labels(service, route, request.method).observe(time.perf_counter() - g.started)
        response.headers[REQUEST_ID] = g.get("request_id", "")
        return response
