"""/healthz (the process runs), /readyz (its database and broker answer) and /metrics."""
import time

from flask import Blueprint, current_app, jsonify
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from shared.db import ping_db
from shared.messaging.bus import open_connection

bp = Blueprint("health", __name__)
_BROKER_CACHE_S = 2.0


def broker_answers(url: str) -> bool:
    """True when the broker accepts a connection (cached briefly so probes stay cheap)."""
    cache = current_app.extensions.setdefault("broker_check", {"at": 0.0, "ok": False})
    if time.monotonic() - cache["at"] < _BROKER_CACHE_S:
        return cache["ok"]
    try:
        with open_connection(url) as conn:
            conn.ensure_connection(max_retries=1, timeout=1.5)
            ok = True
    except Exception:  # any failure to connect means "not ready"
        ok = False
    cache.update(at=time.monotonic(), ok=ok)
    return ok


@bp.get("/healthz")
def healthz():
    return jsonify(status="ok", service=current_app.config["SERVICE_NAME"])


@bp.get("/readyz")
def readyz():
    checks = {"database": ping_db(), "broker": broker_answers(current_app.config["AMQP_URL"])}
    ready = all(checks.values())
    return jsonify(ready=ready, checks=checks), (200 if ready else 503)


@bp.get("/metrics")
def metrics():
    for refresh in current_app.extensions.get("metric_refreshers", []):
        refresh()
    return generate_latest(), 200, {"Content-Type": CONTENT_TYPE_LATEST}
