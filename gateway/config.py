"""Gateway settings from the environment; secrets have no default outside tests and the embedded run."""
import os
import secrets

from shared.config import ConfigError, ensure_test_identity_keys
from shared.identity import private_key

SERVICE = "gateway"
# Each backing service the gateway talks to: its name in /api/<name>/... and the variable holding its URL.
# A later service adds one line here and its URL to the environment. Only households is required: a page
# of a service that is not configured says the service is unavailable (503), and "my grid today" leaves
# its section out as unavailable.
SERVICE_URL_VARS = {
    "households": "HOUSEHOLDS_URL",
    "volunteers": "VOLUNTEERS_URL",
    "drills": "DRILLS_URL",
    "mediation": "MEDIATION_URL",
}
# Loopback and the private ranges a cluster's pods and a compose network live on.
PRIVATE_NETWORKS = "127.0.0.0/8,::1/128,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7"


def _env(name, default=None):
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _required(name: str, why: str) -> str:
    value = _env(name)
    if not value:
        raise ConfigError(f"{name} must be set ({why})")
    return value


def _identity_key() -> str:
    """The gateway's Ed25519 private key; only the gateway holds it (the services get the public key)."""
    text = _required("IDENTITY_PRIVATE_KEY", "signs each call's identity for the services")
    try:
        private_key(text)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    return text


def _flag(name: str, default: bool = False) -> bool:
    return (_env(name, "1" if default else "0") or "").lower() in ("1", "true", "yes", "on")


class GatewayConfig:
    """Production settings: everything comes from the environment."""

    TESTING = False
    EMBEDDED = False
    SERVICE_NAME = SERVICE

    def __init__(self):
        self.MONGO_URL = _env("MONGO_URL", "mongodb://127.0.0.1:27017")
        self.MONGO_DB = _env("GATEWAY_MONGO_DB", "grid_gateway")
        self.SECRET_KEY = _required("GATEWAY_SECRET_KEY", "signs the gateway's session cookies and CSRF tokens")
        self.IDENTITY_PRIVATE_KEY = _identity_key()
        self.SERVICE_URLS = {name: _env(var).rstrip("/") for name, var in SERVICE_URL_VARS.items() if _env(var)}
        if "households" not in self.SERVICE_URLS:
            raise ConfigError("HOUSEHOLDS_URL must be set (base URL of the households API)")
        self.SERVICE_CONNECT_TIMEOUT_S = float(_env("SERVICE_CONNECT_TIMEOUT_S", "3"))
        self.SERVICE_READ_TIMEOUT_S = float(_env("SERVICE_READ_TIMEOUT_S", "15"))
        # Sessions: kept in MongoDB, revocable; 30 minutes idle, 12 hours at most.
        self.SESSION_IDLE_S = int(_env("SESSION_IDLE_S", "1800"))
        self.SESSION_ABSOLUTE_S = int(_env("SESSION_ABSOLUTE_S", str(12 * 3600)))
        self.SESSION_COOKIE_NAME = _env("SESSION_COOKIE_NAME", "grid_session")
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        # Always Secure when set; otherwise Secure whenever the request came over HTTPS.
        self.SESSION_COOKIE_SECURE = _flag("SESSION_COOKIE_SECURE")
        # Number of reverse proxies in front (X-Forwarded-For/-Proto are trusted only from them).
        self.TRUSTED_PROXIES = int(_env("TRUSTED_PROXIES", "0"))
        # /metrics answers only scrapers on these networks, and never a request that came through a proxy.
        self.METRICS_ALLOWED_NETWORKS = tuple(
            n.strip() for n in _env("METRICS_ALLOWED_NETWORKS", PRIVATE_NETWORKS).split(",") if n.strip())
        # `make run` only: /readyz also waits for this file, which the launcher writes once every service, worker
        # and the demo data are ready (unset in Kubernetes, where each Deployment has its own probe).
        self.READY_FILE = _env("GATEWAY_READY_FILE")
        # Rate limits of the public pages (Flask-Limiter). Counters live in the gateway's MongoDB database by
        # default, so every gateway process and replica counts together; memory:// is per process.
        self.RATELIMIT_STORAGE_URI = _env("RATELIMIT_STORAGE_URI", self.MONGO_URL)
        self.RATELIMIT_STORAGE_OPTIONS = {}
        self.RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
        self.RATELIMIT_HEADERS_ENABLED = True
        # Sign-in throttling (gateway/sign_in_throttle.py): growing delays per (account, address) pair.
        self.LOGIN_FREE_FAILURES = int(_env("LOGIN_FREE_FAILURES", "3"))
        self.LOGIN_DELAY_BASE_S = int(_env("LOGIN_DELAY_BASE_S", "5"))
        self.LOGIN_DELAY_MAX_S = int(_env("LOGIN_DELAY_MAX_S", "900"))
        self.LOGIN_FAILURE_WINDOW_S = int(_env("LOGIN_FAILURE_WINDOW_S", "3600"))
        self.LOGIN_ACCOUNT_ALARM = int(_env("LOGIN_ACCOUNT_ALARM", "20"))
        self.LOGIN_ADDRESS_ALARM = int(_env("LOGIN_ADDRESS_ALARM", "50"))
        self.LOGIN_ALARM_DELAY_S = int(_env("LOGIN_ALARM_DELAY_S", "60"))
        # Passwords chosen by someone else (seeded, created or reset by an admin) must be changed at first
        # sign-in. Not an environment setting: production always asks.
        self.PASSWORD_CHANGE_REQUIRED = True
        # Strict-Transport-Security max-age sent on every response when > 0 (production: a year).
        self.HSTS_SECONDS = int(_env("HSTS_SECONDS", "0"))
        # Public, account-free pages (volunteer sign-up links, personal pages, certificate checks, satisfaction
        # surveys): each client address and each link/token has its own budget, for reading and for sending.
        # A link on a notice board is opened by many people, so a link's budget is larger than an address's.
        self.PUBLIC_READ_LIMIT_IP = _env("PUBLIC_READ_LIMIT_IP", "60 per minute")
        self.PUBLIC_READ_LIMIT_TOKEN = _env("PUBLIC_READ_LIMIT_TOKEN", "600 per minute")
        self.PUBLIC_WRITE_LIMIT_IP = _env("PUBLIC_WRITE_LIMIT_IP", "10 per minute")
        self.PUBLIC_WRITE_LIMIT_TOKEN = _env("PUBLIC_WRITE_LIMIT_TOKEN", "120 per minute")
        # Forms: CSRF on every form and on every write through the JSON API (X-CSRFToken header).
        # Tokens live as long as the session (a visit queued offline for an hour must still send).
        self.WTF_CSRF_ENABLED = True
        self.WTF_CSRF_TIME_LIMIT = None
        self.MAX_CONTENT_LENGTH = int(_env("MAX_UPLOAD_BYTES", str(10 * 1024 * 1024))) + 64 * 1024
        self.BABEL_DEFAULT_LOCALE = "zh_CN"
        self.BABEL_DEFAULT_TIMEZONE = _env("TIMEZONE", "Asia/Shanghai")
        self.LANGUAGES = ("zh_CN", "en")
        self.PAGE_SIZE = int(_env("REGISTER_PAGE_SIZE", "50"))
        self.SEND_FILE_MAX_AGE_DEFAULT = 365 * 24 * 3600  # static files carry a content hash in their URL


class EmbeddedConfig(GatewayConfig):
    """`make run`: one process; secrets are made up when none are given."""

    EMBEDDED = True

    def __init__(self, *, mongo_url: str, identity_private_key: str, households_url: str,
                 secret_key: str | None = None):
        os.environ.setdefault("GATEWAY_SECRET_KEY", secret_key or secrets.token_urlsafe(32))
        os.environ.setdefault("IDENTITY_PRIVATE_KEY", identity_private_key)
        os.environ.setdefault("HOUSEHOLDS_URL", households_url)
        super().__init__()
        self.MONGO_URL = self.RATELIMIT_STORAGE_URI = mongo_url
        self.IDENTITY_PRIVATE_KEY = identity_private_key
        self.SERVICE_URLS["households"] = households_url.rstrip("/")


class TestConfig(GatewayConfig):
    """Tests: a database per run, throwaway secrets, the given service URLs."""

    __test__ = False  # not a pytest test class
    TESTING = True

    def __init__(self, *, mongo_url: str, run_id: str, households_url: str = "http://127.0.0.1:9",
                 service_urls: dict | None = None, **overrides):
        ensure_test_identity_keys()  # the process's test key pair: the services check with its public half
        saved = {k: os.environ.get(k) for k in ("GATEWAY_SECRET_KEY", *SERVICE_URL_VARS.values())}
        for var in SERVICE_URL_VARS.values():  # only the services a test names
            os.environ.pop(var, None)
        os.environ["GATEWAY_SECRET_KEY"] = "test-" + secrets.token_hex(16)
        os.environ["HOUSEHOLDS_URL"] = households_url
        try:
            super().__init__()
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
        self.MONGO_URL = mongo_url
        self.MONGO_DB = f"test_{run_id}_gateway"
        self.SERVICE_URLS["households"] = households_url.rstrip("/")
        for name, url in (service_urls or {}).items():
            if name in SERVICE_URL_VARS:
                self.SERVICE_URLS[name] = url.rstrip("/")
        self.SERVICE_CONNECT_TIMEOUT_S = 2
        self.SERVICE_READ_TIMEOUT_S = 10
        self.RATELIMIT_STORAGE_URI = "memory://"
        # Tests sign the seeded users in with one known password; the tests of the first-sign-in change
        # (tests/security/test_passwords.py) turn this back on.
        self.PASSWORD_CHANGE_REQUIRED = False
        for key, value in overrides.items():
            setattr(self, key, value)
