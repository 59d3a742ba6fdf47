"""The volunteers service's own settings, on top of shared.config (read from the environment)."""
import os

from shared.config import Config, TestConfig

SERVICE = "volunteers"

# The gateway's public pages for this service (paths under PUBLIC_BASE_URL).
SIGNUP_PATH = "/v/{token}"
PERSONAL_PATH = "/v/me/{token}"
VERIFY_PATH = "/v/cert/{serial}"


def _env(name, default):
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def add_settings(config):
    """Give any Config (production or test) the volunteers settings it lacks; returns it."""
    if not getattr(config, "PUBLIC_BASE_URL", None):
        config.PUBLIC_BASE_URL = _env("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
    if not getattr(config, "TIMEZONE", None):
        config.TIMEZONE = _env("TIMEZONE", "Asia/Shanghai")
    if not getattr(config, "LINK_MAX_DAYS", None):
        config.LINK_MAX_DAYS = int(_env("VOLUNTEER_LINK_MAX_DAYS", "366"))
    if not getattr(config, "RECOUNT_EVERY_S", None):  # how stale a community's resident count may get
        config.RECOUNT_EVERY_S = float(_env("VOLUNTEERS_RECOUNT_EVERY_S", "2"))
    return config


class VolunteersConfig(Config):
    """Production settings: shared ones plus PUBLIC_BASE_URL (the gateway's address as residents see it)."""

    def __init__(self):
        super().__init__(SERVICE)
        add_settings(self)


class VolunteersTestConfig(TestConfig):
    __test__ = False

    def __init__(self, *, mongo_url: str, run_id: str, amqp_url: str | None = None,
                 public_base_url: str = "https://grid.example.cn"):
        super().__init__(SERVICE, mongo_url=mongo_url, run_id=run_id, amqp_url=amqp_url)
        self.PUBLIC_BASE_URL = public_base_url
        add_settings(self)


def public_url(base: str, path: str, **parts) -> str:
    return base.rstrip("/") + path.format(**parts)
