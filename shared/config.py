"""Configuration read from the environment, with a test config and the embedded default."""
import os

from shared.identity import MAX_AGE_S, generate_key_pair


class ConfigError(RuntimeError):
    """A required setting is missing."""


def _env(name, default=None):
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _identity_max_age() -> int:
    seconds = int(_env("IDENTITY_MAX_AGE_S", str(MAX_AGE_S)))
    if not 1 <= seconds <= MAX_AGE_S:
        raise ConfigError(f"IDENTITY_MAX_AGE_S must be between 1 and {MAX_AGE_S} seconds")
    return seconds


def ensure_test_identity_keys() -> None:
    """Tests: one throwaway identity key pair per process, in the environment (the test process signs)."""
    if not _env("IDENTITY_PRIVATE_KEY") and not _env("IDENTITY_PUBLIC_KEY"):
        os.environ["IDENTITY_PRIVATE_KEY"], os.environ["IDENTITY_PUBLIC_KEY"] = generate_key_pair()


class Config:
    """Production settings: everything comes from the environment; secrets have no default."""

    TESTING = False
    EMBEDDED = False

    def __init__(self, service: str):
        self.SERVICE_NAME = service
        self.MONGO_URL = _env("MONGO_URL", "mongodb://127.0.0.1:27017")
        self.MONGO_DB = _env(f"{service.upper()}_MONGO_DB", f"grid_{service}")
        self.AMQP_URL = _env("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//")
        self.EVENT_EXCHANGE = _env("EVENT_EXCHANGE", "grid.events")
        # Retry delays in milliseconds; one retry queue per step, then the dead-letter queue.
        self.RETRY_DELAYS_MS = [int(x) for x in _env("RETRY_DELAYS_MS", "1000,5000,30000").split(",")]
        self.QUEUE_PREFIX = _env("QUEUE_PREFIX", "")
        self.QUEUE_EXPIRES_MS = int(_env("QUEUE_EXPIRES_MS", "0")) or None
        self.PUBLISH_TIMEOUT_S = float(_env("PUBLISH_TIMEOUT_S", "5"))
        # Event queues: classic for development and tests, quorum (replicated, with a delivery limit) in production.
        self.QUEUE_TYPE = _env("QUEUE_TYPE", "classic")
        if self.QUEUE_TYPE not in ("classic", "quorum"):
            raise ConfigError(f"QUEUE_TYPE must be classic or quorum, not {self.QUEUE_TYPE!r}")
        self.QUEUE_DELIVERY_LIMIT = int(_env("QUEUE_DELIVERY_LIMIT", "20"))
        self.DEAD_LETTER_MAX = int(_env("DEAD_LETTER_MAX", "10000"))
        # Days the inbox (processed_events) and the sent log (outbox_sent) keep an event.
        self.EVENT_LOG_TTL_DAYS = int(_env("EVENT_LOG_TTL_DAYS", "30"))
        # Seconds an inbox claim lasts without renewal before another worker may take the event over.
        self.INBOX_LEASE_S = float(_env("INBOX_LEASE_S", "30"))
        self.OUTBOX_POLL_S = float(_env("OUTBOX_POLL_S", "0.5"))
        self.IDENTITY_MAX_AGE_S = _identity_max_age()
        # Only the API checks identities (shared.web.factory refuses to start without it); workers need none.
        self.IDENTITY_PUBLIC_KEY = _env("IDENTITY_PUBLIC_KEY")
        self.VISIT_CADENCE_DAYS = int(_env("VISIT_CADENCE_DAYS", "30"))
        self.MAX_UPLOAD_BYTES = int(_env("MAX_UPLOAD_BYTES", str(10 * 1024 * 1024)))
        self.MAX_IMPORT_ROWS = int(_env("MAX_IMPORT_ROWS", "60000"))
        self.IMPORT_PARSE_MEMORY_MB = int(_env("IMPORT_PARSE_MEMORY_MB", "512"))
        self.IMPORT_PARSE_TIMEOUT_S = float(_env("IMPORT_PARSE_TIMEOUT_S", "300"))
        self.IMPORT_STALE_S = float(_env("IMPORT_STALE_S", "120"))
        self.MAX_CONTENT_LENGTH = self.MAX_UPLOAD_BYTES + 64 * 1024
        # households: the key of the hashes a full ID number or phone is found by (unset: that look-up is off)
        self.LOOKUP_HMAC_KEY = _env("LOOKUP_HMAC_KEY")
        self.API_TITLE = f"{service} service"
        self.API_VERSION = "v1"
        self.OPENAPI_VERSION = "3.0.3"
        self.OPENAPI_URL_PREFIX = "/"
        self.OPENAPI_JSON_PATH = "openapi.json"


class TestConfig(Config):
    """Test runs: databases and queues named per run so runs never meet."""

    TESTING = True
    __test__ = False  # not a pytest test class

    def __init__(self, service: str, *, mongo_url: str, run_id: str, amqp_url: str | None = None):
        ensure_test_identity_keys()
        super().__init__(service)
        self.LOOKUP_HMAC_KEY = self.LOOKUP_HMAC_KEY or "test-lookup-key"
        self.MONGO_URL = mongo_url
        self.MONGO_DB = f"test_{run_id}_{service}"
        self.AMQP_URL = amqp_url or _env("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//")
        self.EVENT_EXCHANGE = f"test.{run_id}.events"
        self.RETRY_DELAYS_MS = [50, 100, 200]
        self.OUTBOX_POLL_S = 0.05
        self.QUEUE_PREFIX = f"test.{run_id}."
        self.QUEUE_EXPIRES_MS = 10 * 60 * 1000
