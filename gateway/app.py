"""The gateway's app factory."""
import hashlib
from pathlib import Path

from flask import Flask, current_app, g, request, send_from_directory, url_for
from flask_wtf.csrf import generate_csrf
from werkzeug.middleware.proxy_fix import ProxyFix

from gateway import auth, charts, db, errors, i18n, places, ratelimit
from gateway.config import SETTINGS, GatewayConfig
from gateway.extensions import babel, csrf
from gateway.sessions import MongoSessionInterface
from gateway.upstream import http_session
from gateway.views import (
    admin,
    api,
    community,
    desk,
    drills,
    feedback,
    health,
    incidents,
    mediation,
    network,
    pages,
    reports,
    streets,
    survey,
    volunteers,
)
from gateway.views import auth as auth_views
from shared import clock
from shared.web import observability

STATIC = Path(__file__).parent / "static"
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; "
       "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'; worker-src 'self'")


def create_app(config=None) -> Flask:
    """Build the gateway; `config` defaults to the environment (GatewayConfig)."""
    config = config or GatewayConfig()
    SETTINGS.bind(config)
    clock.configure(config.TIMEZONE)
    app = Flask(__name__)
    app.config.from_object(config)
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    if app.config.get("TRUSTED_PROXIES"):
        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n)
    observability.configure_logging(config.SERVICE_NAME)
    db.connect(config)
    app.session_interface = MongoSessionInterface()
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    app.extensions["gateway_http"] = http_session()

    health.install(app)
    observability.install(app, config.SERVICE_NAME)
    for bp in (auth_views.bp, pages.bp, community.bp, admin.bp, api.bp, streets.bp, network.bp, *volunteers.BLUEPRINTS,
               *drills.BLUEPRINTS, *mediation.BLUEPRINTS, survey.bp, incidents.bp,
               *desk.BLUEPRINTS, feedback.bp, reports.bp):
        app.register_blueprint(bp)
    ratelimit.install(app)
    app.before_request(auth.load_user)
    app.before_request(auth.require_own_password)
    errors.register(app)
    _static_versions(app)
    app.after_request(_security_headers)
    app.context_processor(_template_globals)
    app.jinja_env.filters["localtime"] = _localtime
    app.jinja_env.globals["labels"] = i18n  # also in macros imported without context
    app.jinja_env.filters["localdate"] = lambda value: _localtime(value)[:10]
    app.jinja_env.filters["duration"] = _duration
    app.jinja_env.filters["place_name"] = places.place_name  # a street, community or grid by name, not its code
    app.jinja_env.filters["band_label"] = places.band_label
    app.jinja_env.globals["chart_svg"] = charts.svg  # gateway/templates/_chart.html
    app.jinja_env.filters["figure"] = charts.number  # a figure as the charts write it: 6.7%, 12, — for none
    app.add_url_rule("/sw.js", "service_worker", _service_worker)
    return app


def _static_versions(app: Flask) -> None:
    """Each static file's URL carries a hash of its content, so phones may cache it for a year."""
    versions = {p.name: hashlib.sha256(p.read_bytes()).hexdigest()[:10] for p in STATIC.iterdir() if p.is_file()}
    app.extensions["static_versions"] = versions

    def asset(filename: str) -> str:
        return url_for("static", filename=filename, v=versions.get(filename, "0"))

    app.jinja_env.globals["asset"] = asset


def _service_worker():
    response = send_from_directory(STATIC, "sw.js", max_age=0)
    response.headers["Service-Worker-Allowed"] = "/"
    response.headers["Cache-Control"] = "no-cache"
    return response


def _security_headers(response):
    h = response.headers
    h.setdefault("X-Content-Type-Options", "nosniff")
    h.setdefault("Referrer-Policy", "same-origin")
    h.setdefault("X-Frame-Options", "DENY")
    hsts = current_app.config.get("HSTS_SECONDS") or 0
    if hsts > 0:
        h.setdefault("Strict-Transport-Security", f"max-age={hsts}; includeSubDomains")
    if response.mimetype == "text/html":
        h.setdefault("Content-Security-Policy", CSP)
        h.setdefault("Cache-Control", "private, no-cache")
    elif request.path.startswith("/api/"):
        h.setdefault("Cache-Control", "no-store")
    return response


def _today_iso() -> str:
    return clock.today().isoformat()


def _localtime(value) -> str:
    """An ISO timestamp from a service as local date and time (the configured time zone)."""
    from datetime import datetime

    if not value:
        return ""
    try:
        at = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return str(value)
    if at.tzinfo is not None:
        at = clock.local(at)
    return at.strftime("%Y-%m-%d %H:%M")


def _duration(seconds) -> str:
    """Seconds as h:mm:ss (or m:ss), for drill timings."""
    if seconds is None:
        return "—"
    seconds = int(round(float(seconds)))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def _template_globals():
    from flask_babel import get_locale

    user = auth.current_user()
    lang = str(get_locale() or "zh_CN")
    return {
        "user": user,
        "lang": lang,
        "html_lang": "en" if lang == "en" else "zh-CN",
        "other_lang": "zh_CN" if lang == "en" else "en",
        "csrf_token_value": generate_csrf if user is not None or request.endpoint == "auth.login" else (lambda: ""),
        "labels": i18n,
        "request_path": request.full_path if request.query_string else request.path,
        "today_iso": _today_iso(),
        "g": g,
    }
