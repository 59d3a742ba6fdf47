"""/healthz and /metrics from shared.web.health; the gateway's own /readyz (its database; it has no broker).

Under `make run` (GATEWAY_READY_FILE set), /readyz also waits for the launcher's marker, written once every
service, worker and the demo data are ready, so "ready" never comes before there is an account to sign in with.

The gateway is the one public port, so its /metrics is kept from the Internet: it answers a scraper on the
cluster's own networks and 404 to anyone else, including any request relayed by the Ingress.
"""
import ipaddress
import os
from functools import wraps

from flask import abort, current_app, jsonify, request

from gateway import db
from gateway.metrics import SESSIONS_ACTIVE
from gateway.models import SessionRecord
from shared.web import health

PROXY_HEADERS = ("X-Forwarded-For", "X-Real-IP", "Forwarded")


def readyz():
    checks = {"database": db.ping()}
    if current_app.config.get("READY_FILE"):
        checks["startup"] = os.path.exists(current_app.config["READY_FILE"])
    ready = all(checks.values())
    return jsonify(ready=ready, checks=checks), (200 if ready else 503)


def refresh_metrics() -> None:
    try:
        SESSIONS_ACTIVE.set(SessionRecord.objects(user_id__ne=None).count())
    except Exception:  # a scrape must not fail because the database is slow
        pass


def scraper_allowed(remote_addr: str | None, headers, networks) -> bool:
    """True for a direct request from an allowed network (a relayed one carries a proxy header)."""
    if any(h in headers for h in PROXY_HEADERS):
        return False
    try:
        address = ipaddress.ip_address(remote_addr or "")
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(n, strict=False) for n in networks)


def _internal_only(view):
    @wraps(view)
    def guarded(*args, **kwargs):
        if not scraper_allowed(request.remote_addr, request.headers, current_app.config["METRICS_ALLOWED_NETWORKS"]):
            abort(404)
        return view(*args, **kwargs)
    return guarded


def install(app) -> None:
    app.register_blueprint(health.bp)
    app.view_functions["health.readyz"] = readyz
    app.view_functions["health.metrics"] = _internal_only(app.view_functions["health.metrics"])
    app.extensions.setdefault("metric_refreshers", []).append(refresh_metrics)
