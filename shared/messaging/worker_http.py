"""The worker's own small HTTP face: /healthz (its threads run), /readyz (database and broker), /metrics."""
import threading

from flask import Flask, jsonify
from werkzeug.serving import make_server

from shared.db import ping_db
from shared.metrics_refresh import GaugeRefresh
from shared.web import health


def create_worker_app(config, worker, *, refreshers=()) -> Flask:
    app = Flask(__name__)
    app.config.from_object(config)
    # the outbox backlog (a scan of pending outboxes) and dead-letter depths (broker calls), and the worker's own
    # `refreshers`, refreshed in the background; a failure (the broker away) keeps the last values and /readyz says why
    gauges = app.extensions["metrics_refresh"] = GaugeRefresh(
        config.SERVICE_NAME, [worker.relay.backlog, worker.consumer.dead_letter_depths, *refreshers],
        every_s=config.METRICS_REFRESH_S)

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
        return gauges.scrape()

    return app


def serve(app: Flask, port: int) -> None:
    """Serve in a daemon thread on all interfaces (probes and Prometheus scrape it)."""
    server = make_server("0.0.0.0", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, name="worker-http", daemon=True).start()
