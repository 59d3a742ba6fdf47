"""The part of every service's `create_app` that is the same: config, database, plumbing, OpenAPI."""
from flask import Flask, current_app, g, request
from flask_smorest import Api

from shared.db import connect_db, ensure_indexes
from shared.identity import HEADER, Principal, verify
from shared.web import health, observability
from shared.web.errors import register_error_handlers


def create_service_app(config, *, import_name: str, blueprints, metric_refreshers=()) -> Flask:
    """A Flask app for one service, connected to its own database."""
    app = Flask(import_name)
    app.config.from_object(config)
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    observability.configure_logging(config.SERVICE_NAME)
    connect_db(config)
    ensure_indexes(import_name.rsplit(".", 1)[0])
    api = Api(app, spec_kwargs={"components": {"securitySchemes": {
        "gridIdentity": {"type": "apiKey", "in": "header", "name": HEADER}}}})
    api.spec.options["security"] = [{"gridIdentity": []}]
    for bp in blueprints:
        api.register_blueprint(bp)
    app.register_blueprint(health.bp)
    observability.install(app, config.SERVICE_NAME)
    app.before_request(_authenticate)
    register_error_handlers(app)
    app.extensions["metric_refreshers"] = list(metric_refreshers)
    return app


PUBLIC_ENDPOINTS = {"health.healthz", "health.readyz", "health.metrics", "api-docs.openapi_json", "static"}


def _authenticate():
    """Deny by default: every route but health, metrics and the OpenAPI document needs a signed caller."""
    if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
        return
    g.principal = verify(request.headers.get(HEADER), secret=current_app.config["SECRET_KEY"],
                         max_age_s=current_app.config["IDENTITY_MAX_AGE_S"])


def caller() -> Principal:
    """The verified caller of this request."""
    return g.principal
