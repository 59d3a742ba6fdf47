"""The mediation service's own settings, read from the environment on top of the shared ones."""
import os
from dataclasses import dataclass

from shared.config import Config

# The gateway's public page for the satisfaction survey (a path under PUBLIC_BASE_URL).
SURVEY_PATH = "/survey/{token}"  # the gateway's public page (gateway/views/mediation.py survey_bp)

# attribute -> (environment variable, default, type)
SETTINGS = {
    "PUBLIC_BASE_URL": ("PUBLIC_BASE_URL", "http://127.0.0.1:8000", lambda v: v.rstrip("/")),  # as residents see it
    "DISPUTE_DUE_WORKING_DAYS": ("DISPUTE_DUE_WORKING_DAYS", "7", int),        # 办事承诺制: 7 working days
    "DISPUTE_WARN_WORKING_DAYS": ("DISPUTE_WARN_WORKING_DAYS", "2", int),      # warn this many working days before
    "DISPUTE_MAJOR_HOUSEHOLDS": ("DISPUTE_MAJOR_HOUSEHOLDS", "5", int),        # this many households: a major case
    "DISPUTE_MAX_BACKDATE_DAYS": ("DISPUTE_MAX_BACKDATE_DAYS", "10", int),     # a paper intake entered later
    "SURVEY_OPEN_DAYS": ("SURVEY_OPEN_DAYS", "30", int),                      # the satisfaction link stays open
    "DEADLINE_CHECK_S": ("DEADLINE_CHECK_S", "300", float),                   # how often the worker checks deadlines
    "HOLIDAY_SCHEDULE_FILE": ("HOLIDAY_SCHEDULE_FILE", "", str),              # official schedules the library lacks
}


def extend(config):
    """Add the mediation settings to any config (a test config included) unless already set."""
    for attr, (env, default, cast) in SETTINGS.items():
        if not hasattr(config, attr):
            value = os.environ.get(env)
            setattr(config, attr, cast(value if value not in (None, "") else default))
    return config


class MediationConfig(Config):
    """Production settings of the mediation service."""

    def __init__(self, service: str = "mediation"):
        super().__init__(service)
        extend(self)


@dataclass(frozen=True)
class Rules:
    """The settings the use cases need, taken from a config or a Flask app's config."""

    due_working_days: int = 7
    warn_working_days: int = 2
    major_households: int = 5
    max_backdate_days: int = 10
    survey_open_days: int = 30
    survey_url_template: str = "http://127.0.0.1:8000" + SURVEY_PATH

    @classmethod
    def of(cls, config) -> "Rules":
        get = config.get if isinstance(config, dict) else (lambda k, d=None: getattr(config, k, d))
        return cls(due_working_days=get("DISPUTE_DUE_WORKING_DAYS", 7),
                   warn_working_days=get("DISPUTE_WARN_WORKING_DAYS", 2),
                   major_households=get("DISPUTE_MAJOR_HOUSEHOLDS", 5),
                   max_backdate_days=get("DISPUTE_MAX_BACKDATE_DAYS", 10),
                   survey_open_days=get("SURVEY_OPEN_DAYS", 30),
                   survey_url_template=get("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/") + SURVEY_PATH)
