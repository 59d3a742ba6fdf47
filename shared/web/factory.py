"""The part of every service's `create_app` that is the same: config, database, plumbing, OpenAPI."""
from flask import Flask, current_app, g, request
from flask_smorest import Api

from shared.config import ConfigError
from shared.db import connect_db, ensure_indexes
from shared.identity import HEADER, Principal, public_key, verify
from shared.web import health, observability
from shared.web.blueprint import refuse_undeclared_query
from shared.web.errors import register_error_handlers


def create_service_app(config, *, import_name: str, blueprints, metric_refreshers=()) -> Flask:
    """A Flask app for one service, connected to its own database."""
    _check_identity_key(config)
    config.bind()
    app = Flask(import_name)
    app.config.from_object(config)
    if config.TESTING:
        from shared.web.signing_test_client import SigningTestClient

        app.test_client_class = SigningTestClient
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
    app.before_request(_refuse_undeclared_query)
    register_error_handlers(app)
    app.extensions["metric_refreshers"] = list(metric_refreshers)
    return app


PUBLIC_ENDPOINTS = {"health.healthz", "health.readyz", "health.metrics", "api-docs.openapi_json", "static"}


def _authenticate():
    """Deny by default: every route but health, metrics and the OpenAPI document needs a signed caller."""
    if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
        return
    config = current_app.config
    g.principal = verify(request.headers.get(HEADER), key=config["IDENTITY_PUBLIC_KEY"],
                         audience=config["SERVICE_NAME"], method=request.method, path=request.path,
                         max_age_s=config["IDENTITY_MAX_AGE_S"])


def _refuse_undeclared_query():
    if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
        return
    refuse_undeclared_query(current_app.view_functions[request.endpoint], request.args)


def _check_identity_key(config) -> None:
    """Refuse to start without the gateway's public key: every call's identity is checked with it."""
    if not config.IDENTITY_PUBLIC_KEY:
        raise ConfigError("IDENTITY_PUBLIC_KEY must be set (the gateway's public key for checking identities)")
    try:
        public_key(config.IDENTITY_PUBLIC_KEY)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


def caller() -> Principal:
    """The verified caller of this request."""
    return g.principal
