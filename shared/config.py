"""Configuration read from the environment, with a test config and the embedded default.

The settings every service shares are declared below (`COMMON`); a service adds its own `Settings` from its
`config.py`. Flask's and flask-smorest's own keys are fixed here and not settings.
"""
import os

from shared import clock
from shared.identity import MAX_AGE_S, generate_key_pair
from shared.settings import ConfigError, Setting, Settings, between, csv_ints, one_of

__all__ = ["COMMON", "Config", "ConfigError", "TestConfig", "ensure_test_identity_keys"]


def _positive_ms(value: int | None) -> int | None:
    return value or None


COMMON = Settings(
    Setting("MONGO_URL", str, "mongodb://127.0.0.1:27017", "MongoDB to connect to"),
    Setting("AMQP_URL", str, "amqp://guest:guest@127.0.0.1:5672//", "RabbitMQ to connect to"),
    Setting("EVENT_EXCHANGE", str, "grid.events", "the topic exchange integration events travel on"),
    Setting("RETRY_DELAYS_MS", csv_ints, [1000, 5000, 30000],
            "milliseconds before each retry of a failed event (one retry queue per step, then dead letters)"),
    Setting("QUEUE_PREFIX", str, "", "prefix of every queue's name (tests name theirs per run)"),
    Setting("QUEUE_EXPIRES_MS", lambda v: _positive_ms(int(v)), None,
            "queues unused this long are deleted by the broker (unset: never)"),
    Setting("PUBLISH_TIMEOUT_S", float, 5.0, "seconds the relay waits for the broker to confirm a publish"),
    Setting("QUEUE_TYPE", str, "classic",
            "classic for development and tests; quorum (replicated, with a delivery limit) in production",
            check=one_of("classic", "quorum")),
    Setting("QUEUE_DELIVERY_LIMIT", int, 20, "quorum queues: deliveries of one message before it is dead-lettered"),
    Setting("DEAD_LETTER_MAX", int, 10000, "messages a dead-letter queue keeps at most"),
    Setting("EVENT_LOG_TTL_DAYS", int, 30, "days the inbox and the sent log keep an event"),
    Setting("INBOX_LEASE_S", float, 30.0,
            "seconds an inbox claim lasts without renewal before another worker may take the event over"),
    Setting("OUTBOX_POLL_S", float, 0.5, "seconds the relay waits when it found nothing to send"),
    Setting("RELAY_BATCH", int, 200,
            "events the relay publishes before waiting once for their confirms (and outbox documents read per pass)",
            check=between(1, 10000)),
    Setting("CONSUMER_PREFETCH", int, 100,
            "deliveries the broker hands a consumer before its acks; done marks are written in batches of half this",
            check=between(1, 65535)),
    Setting("IDENTITY_MAX_AGE_S", int, MAX_AGE_S, "seconds a signed identity is accepted (at most 30)",
            check=between(1, MAX_AGE_S)),
    Setting("IDENTITY_PUBLIC_KEY", str, None, "the gateway's Ed25519 public key (APIs refuse to start without it)"),
    Setting("TIMEZONE", str, clock.DEFAULT_ZONE, "the district's time zone: local time and today"),
    Setting("MAX_UPLOAD_BYTES", int, 10 * 1024 * 1024, "the largest file a request may carry"),
    Setting("MONGO_TIMEOUT_S", float, 10.0,
            "seconds one database call may take before it fails (a request then answers 503, an event is retried)"),
    Setting("METRICS_REFRESH_S", float, 30.0,
            "seconds between background refreshes of a process's gauges from the database; /metrics only renders "
            "them (0: refresh on every scrape, for tests that read a figure right after a change)",
            check=between(0, 3600)),
)


def ensure_test_identity_keys() -> None:
    """Tests: one throwaway identity key pair per process, in the environment (the test process signs)."""
    if not os.environ.get("IDENTITY_PRIVATE_KEY") and not os.environ.get("IDENTITY_PUBLIC_KEY"):
        os.environ["IDENTITY_PRIVATE_KEY"], os.environ["IDENTITY_PUBLIC_KEY"] = generate_key_pair()


class Config:
    """Production settings: everything comes from the environment; secrets have no default."""

    TESTING = False
    EMBEDDED = False

    def __init__(self, service: str, *settings: Settings):
        self.SERVICE_NAME = service
        self.settings = (COMMON, *settings)
        self.MONGO_DB = os.environ.get(f"{service.upper()}_MONGO_DB") or f"grid_{service}"
        self.API_TITLE = f"{service} service"
        self.API_VERSION = "v1"
        self.OPENAPI_VERSION = "3.0.3"
        self.OPENAPI_URL_PREFIX = "/"
        self.OPENAPI_JSON_PATH = "openapi.json"
        self.apply()

    def apply(self) -> None:
        """Fill in every declared setting this config does not set itself (read from the environment)."""
        for settings in self.settings:
            settings.apply(self)
        self.MAX_CONTENT_LENGTH = self.MAX_UPLOAD_BYTES + 64 * 1024  # Flask's limit: the file and its form

    def use(self, *settings: Settings) -> "Config":
        """Add a service's own settings (its app factory and worker call this with its config.SETTINGS)."""
        self.settings = (*self.settings, *(s for s in settings if s not in self.settings))
        self.apply()
        return self

    def bind(self) -> "Config":
        """Make these the values use cases read, and set the clock's zone: the app and the worker both call it."""
        for settings in self.settings:
            settings.bind(self)
        clock.configure(self.TIMEZONE)
        return self


class TestConfig(Config):
    """Test runs: databases and queues named per run so runs never meet."""

    TESTING = True
    __test__ = False  # not a pytest test class

    def __init__(self, service: str, *settings: Settings, mongo_url: str, run_id: str, amqp_url: str | None = None,
                 **overrides):
        ensure_test_identity_keys()
        self.MONGO_URL = mongo_url
        self.AMQP_URL = amqp_url or os.environ.get("AMQP_URL") or "amqp://guest:guest@127.0.0.1:5672//"
        self.EVENT_EXCHANGE = f"test.{run_id}.events"
        self.RETRY_DELAYS_MS = [50, 100, 200]
        self.OUTBOX_POLL_S = 0.05
        self.METRICS_REFRESH_S = 0.0  # tests read a figure right after a change; a test of the refresh sets its own
        self.QUEUE_PREFIX = f"test.{run_id}."
        self.QUEUE_EXPIRES_MS = 10 * 60 * 1000
        for name, value in overrides.items():
            setattr(self, name, value)
        super().__init__(service, *settings)
        self.MONGO_DB = f"test_{run_id}_{service}"
