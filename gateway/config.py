"""Gateway settings, declared once (shared.settings) and read from the environment; secrets have no default
outside tests. Flask's and its extensions' own keys are derived from them below."""
import os
import secrets

from shared.config import ensure_test_identity_keys
from shared.identity import private_key
from shared.settings import Setting, Settings, between, boolean

SERVICE = "gateway"
# Each backing service the gateway talks to: its name in /api/<name>/... and the variable holding its URL.
# A later service adds one line here and one Setting below. Only households is required: a page of a service
# that is not configured says the service is unavailable (503), and "my grid today" leaves its section out.
SERVICE_URL_VARS = {
    "households": "HOUSEHOLDS_URL",
    "volunteers": "VOLUNTEERS_URL",
    "drills": "DRILLS_URL",
    "mediation": "MEDIATION_URL",
}
# Loopback and the private ranges a cluster's pods and a compose network live on.
PRIVATE_NETWORKS = "127.0.0.0/8,::1/128,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7"


def _ed25519_private(text: str) -> str | None:
    try:
        private_key(text)
    except ValueError as exc:
        return f"is not usable: {exc}"
    return None


def _networks(text: str) -> tuple[str, ...]:
    return tuple(n.strip() for n in str(text).split(",") if n.strip())


SETTINGS = Settings(
    Setting("MONGO_URL", str, "mongodb://127.0.0.1:27017", "MongoDB of the gateway's users, sessions and counters"),
    Setting("GATEWAY_MONGO_DB", str, "grid_gateway", "the gateway's own database"),
    Setting("GATEWAY_SECRET_KEY", str, None, "signs the gateway's session cookies and CSRF tokens", required=True,
            secret=True),
    Setting("IDENTITY_PRIVATE_KEY", str, None, "signs each call's identity for the services", required=True,
            secret=True, check=_ed25519_private),
    Setting("HOUSEHOLDS_URL", str, None, "base URL of the households API", required=True),
    Setting("VOLUNTEERS_URL", str, None, "base URL of the volunteers API (unset: its pages answer 503)"),
    Setting("DRILLS_URL", str, None, "base URL of the drills API (unset: its pages answer 503)"),
    Setting("MEDIATION_URL", str, None, "base URL of the mediation API (unset: its pages answer 503)"),
    Setting("SERVICE_CONNECT_TIMEOUT_S", float, 3.0, "seconds to connect to a service"),
    Setting("SERVICE_READ_TIMEOUT_S", float, 15.0, "seconds a service may take to answer"),
    Setting("FANOUT_DEADLINE_S", float, 5.0,
            "seconds a page that calls several services at once (today, grids, a street) waits for all of them "
            "together; a call still running then shows as unavailable. The today page's slowest call (a 500-household "
            "grid's overdue care visits) has a p50 of 0.14-0.25 s and the whole page 0.4-0.5 s on SecantusDB "
            "(bench_pages): 5 s is ten times that, and a third of SERVICE_READ_TIMEOUT_S, so one stuck service costs "
            "a page 5 s, not 15"),
    Setting("FANOUT_THREADS", int, 32,
            "threads per gateway process that run those calls (shared by its concurrent pages; a call past the "
            "deadline holds one until SERVICE_READ_TIMEOUT_S)"),
    Setting("SESSION_IDLE_S", int, 1800, "a session ends after this many idle seconds"),
    Setting("SESSION_ABSOLUTE_S", int, 12 * 3600, "a session ends this many seconds after sign-in at the latest"),
    Setting("SESSION_COOKIE_NAME", str, "grid_session", "the session cookie's name"),
    Setting("SESSION_COOKIE_SECURE", boolean, False,
            "mark cookies Secure always (otherwise Secure whenever the request came over HTTPS)"),
    Setting("TRUSTED_PROXIES", int, 0, "reverse proxies in front whose X-Forwarded-For/-Proto are trusted"),
    Setting("METRICS_ALLOWED_NETWORKS", _networks, _networks(PRIVATE_NETWORKS),
            "/metrics answers only scrapers on these networks, never a request that came through a proxy"),
    Setting("GATEWAY_READY_FILE", str, None,
            "make run only: /readyz also waits for this file, written once every service and the demo are ready"),
    Setting("RATELIMIT_STORAGE_URI", str, None,
            "rate-limit counters (default: the gateway's MongoDB, so every replica counts together)"),
    Setting("LOGIN_FREE_FAILURES", int, 3, "wrong passwords per account and address before waits begin"),
    Setting("LOGIN_DELAY_BASE_S", int, 5, "the first wait after those, doubling"),
    Setting("LOGIN_DELAY_MAX_S", int, 900, "the longest wait"),
    Setting("LOGIN_FAILURE_WINDOW_S", int, 3600, "how long failures are counted"),
    Setting("LOGIN_ACCOUNT_ALARM", int, 20, "failures on one account past which every failing pair waits"),
    Setting("LOGIN_ADDRESS_ALARM", int, 50, "failures from one address past which every failing pair waits"),
    Setting("LOGIN_ALARM_DELAY_S", int, 60, "the first wait once an alarm is raised, doubling"),
    Setting("HSTS_SECONDS", int, 0, "Strict-Transport-Security max-age sent on every response when above 0"),
    Setting("PUBLIC_READ_LIMIT_IP", str, "60 per minute", "reads of the public pages per client address"),
    Setting("PUBLIC_READ_LIMIT_TOKEN", str, "600 per minute", "reads of the public pages per link"),
    Setting("PUBLIC_WRITE_LIMIT_IP", str, "10 per minute", "sends from the public pages per client address"),
    Setting("PUBLIC_WRITE_LIMIT_TOKEN", str, "120 per minute", "sends from the public pages per link"),
    Setting("MAX_UPLOAD_BYTES", int, 10 * 1024 * 1024, "the largest file a page may send"),
    Setting("MAX_PHOTOS_BYTES", int, 15 * 1024 * 1024,
            "the most the photos of one form may add up to (an incident's: the mediation service's PHOTOS_PER_CASE "
            "× PHOTO_MAX_BYTES, 3 × 5 MiB); keep the Ingress's proxy-body-size above it"),
    Setting("TIMEZONE", str, "Asia/Shanghai", "the district's time zone: dates on pages"),
    Setting("REGISTER_PAGE_SIZE", int, 50, "households on one page of the register"),
    Setting("PLACES_CACHE_S", float, 60.0,
            "seconds the gateway keeps a street's communities (signed for its street staff) and places' names"),
    Setting("REPORTS_RUN_S", float, 900.0,
            "gateway worker: seconds between monthly runs, each issuing the previous month's report (version 1) to "
            "every community and street that has none; on the 1st the reports come within this long",
            check=between(1, 86400)),
    Setting("REPORTS_FIRST_RUN_S", float, 60.0,
            "gateway worker: seconds after it starts before its first monthly run (the services are up by then), "
            "so a worker restarted more often than REPORTS_RUN_S still issues the reports",
            check=between(0, 86400)),
)


class GatewayConfig:
    """Production settings: everything comes from the environment."""

    TESTING = False
    EMBEDDED = False
    SERVICE_NAME = SERVICE
    # Fixed, not settings.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    RATELIMIT_STORAGE_OPTIONS: dict = {}
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = True
    # Passwords chosen by someone else (seeded, created or reset by an admin) must be changed at first sign-in.
    # Not an environment setting: production always asks.
    PASSWORD_CHANGE_REQUIRED = True
    # CSRF on every form and every write through the JSON API (X-CSRFToken); tokens live as long as the session
    # (a visit queued offline for an hour must still send).
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None
    BABEL_DEFAULT_LOCALE = "zh_CN"
    LANGUAGES = ("zh_CN", "en")
    SEND_FILE_MAX_AGE_DEFAULT = 365 * 24 * 3600  # static files carry a content hash in their URL

    def __init__(self):
        SETTINGS.apply(self)
        self.derive()

    def derive(self) -> None:
        """The names Flask, its extensions and the views read, from the settings."""
        self.SECRET_KEY = self.GATEWAY_SECRET_KEY
        self.MONGO_DB = self.GATEWAY_MONGO_DB
        self.READY_FILE = self.GATEWAY_READY_FILE
        self.PAGE_SIZE = self.REGISTER_PAGE_SIZE
        self.BABEL_DEFAULT_TIMEZONE = self.TIMEZONE
        self.MAX_CONTENT_LENGTH = max(self.MAX_UPLOAD_BYTES, self.MAX_PHOTOS_BYTES) + 64 * 1024
        self.RATELIMIT_STORAGE_URI = self.RATELIMIT_STORAGE_URI or self.MONGO_URL
        self.SERVICE_URLS = {name: getattr(self, var).rstrip("/") for name, var in SERVICE_URL_VARS.items()
                             if getattr(self, var)}


class TestConfig(GatewayConfig):
    """Tests: a database per run, throwaway secrets, the given service URLs."""

    __test__ = False  # not a pytest test class
    TESTING = True

    def __init__(self, *, mongo_url: str, run_id: str, households_url: str = "http://127.0.0.1:9",
                 service_urls: dict | None = None, **overrides):
        ensure_test_identity_keys()  # the process's test key pair: the services check with its public half
        self.GATEWAY_SECRET_KEY = "test-" + secrets.token_hex(16)
        self.IDENTITY_PRIVATE_KEY = os.environ["IDENTITY_PRIVATE_KEY"]
        self.MONGO_URL = mongo_url
        self.GATEWAY_MONGO_DB = f"test_{run_id}_gateway"
        # Only the services a test names, whatever the environment says.
        self.HOUSEHOLDS_URL = households_url
        for name, var in SERVICE_URL_VARS.items():
            if name != "households":
                setattr(self, var, (service_urls or {}).get(name, ""))
        self.SERVICE_CONNECT_TIMEOUT_S = 2
        self.SERVICE_READ_TIMEOUT_S = 10
        self.RATELIMIT_STORAGE_URI = "memory://"
        super().__init__()
        # Tests sign the seeded users in with one known password; the tests of the first-sign-in change
        # (tests/security/test_passwords.py) turn this back on.
        self.PASSWORD_CHANGE_REQUIRED = False
        for key, value in overrides.items():
            setattr(self, key, value)
