"""The worker's own small HTTP face: /healthz (its threads run), /readyz (database and broker), /metrics."""
import threading

from flask import Flask, jsonify
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from werkzeug.serving import make_server

from shared.db import ping_db
from shared.web import health


def create_worker_app(config, worker) -> Flask:
    app = Flask(__name__)
    app.config.from_object(config)

    @app.get("/healthz")
    def healthz():
        dead = [t.name for t in worker.threads if not t.is_alive()]
        return jsonify(status="ok" if not dead else "failing", dead_threads=dead), (503 if dead else 200)

    @app.get("/readyz")
    def readyz():
        checks = {"database": ping_db(), "broker": health.broker_answers(config.AMQP_URL)}
        return jsonify(ready=all(checks.values()), checks=checks), (200 if all(checks.values()) else 503)

    @app.get("/metrics")
    def metrics():
        worker.relay.backlog()
        try:
            worker.consumer.dead_letter_depths()
        except Exception:  # the broker is away: the gauges keep their last values, /readyz says why
            pass
        return generate_latest(), 200, {"Content-Type": CONTENT_TYPE_LATEST}

    return app


def serve(app: Flask, port: int) -> None:
    """Serve in a daemon thread on all interfaces (probes and Prometheus scrape it)."""
    server = make_server("0.0.0.0", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, name="worker-http", daemon=True).start()
