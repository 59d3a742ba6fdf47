"""The drills service's own settings, on top of shared.config (read from the environment)."""
import os

from shared.config import Config, TestConfig

SERVICE = "drills"


def _env(name, default):
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def add_settings(config):
    """Give any Config (production or test) the drills settings it lacks; returns it."""
    if not getattr(config, "DRILL_DUE_MONTH", None):
        # After this month of the year a community's missing comprehensive or shelter drill is overdue.
        config.DRILL_DUE_MONTH = int(_env("DRILL_DUE_MONTH", "10"))
    if not 1 <= config.DRILL_DUE_MONTH <= 12:
        raise ValueError("DRILL_DUE_MONTH must be a month, 1–12")
    if not getattr(config, "TIMEZONE", None):
        config.TIMEZONE = _env("TIMEZONE", "Asia/Shanghai")
    if getattr(config, "DRILL_LATE_TICK_MINUTES", None) is None:
        # A phone that was offline may still sync ticks made during the drill this long after it ended.
        config.DRILL_LATE_TICK_MINUTES = int(_env("DRILL_LATE_TICK_MINUTES", "30"))
    if not getattr(config, "SUPPLY_EXPIRING_DAYS", None):
        config.SUPPLY_EXPIRING_DAYS = int(_env("SUPPLY_EXPIRING_DAYS", "30"))
    return config


class DrillsConfig(Config):
    """Production settings: shared ones plus the drill deadlines."""

    def __init__(self):
        super().__init__(SERVICE)
        add_settings(self)


class DrillsTestConfig(TestConfig):
    __test__ = False

    def __init__(self, *, mongo_url: str, run_id: str, amqp_url: str | None = None, due_month: int | None = None):
        super().__init__(SERVICE, mongo_url=mongo_url, run_id=run_id, amqp_url=amqp_url)
        if due_month:
            self.DRILL_DUE_MONTH = due_month
        add_settings(self)
