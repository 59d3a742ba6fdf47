"""/healthz (the process runs), /readyz (its database and broker answer) and /metrics."""
import threading
import time

from flask import Blueprint, current_app, jsonify

from shared.db import ping_db
from shared.messaging.bus import open_connection
from shared.metrics_refresh import GaugeRefresh

bp = Blueprint("health", __name__)
_BROKER_CACHE_S = 2.0
_MAKING = threading.Lock()


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
    return gauge_refresh(current_app).scrape()


def gauge_refresh(app) -> GaugeRefresh:
    """The app's refresher of its gauges, made at the first scrape from the app's `metric_refreshers`."""
    with _MAKING:
        if "metrics_refresh" not in app.extensions:
            app.extensions["metrics_refresh"] = GaugeRefresh(
                app.config["SERVICE_NAME"], app.extensions.get("metric_refreshers", []),
                every_s=app.config.get("METRICS_REFRESH_S", 0))  # the gateway has no refreshers nor the setting
        return app.extensions["metrics_refresh"]
