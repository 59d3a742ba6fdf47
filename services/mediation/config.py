"""The mediation service's own settings, on top of shared.config's (read from the environment)."""
from shared.settings import Setting, Settings, between

SERVICE = "mediation"

# The gateway's public page for the satisfaction survey (gateway/views/mediation.py survey_bp), under PUBLIC_BASE_URL.
SURVEY_PATH = "/survey/{token}"


def _schedule_file(path: str) -> None:
    """A schedule file that cannot be read stops the start (ConfigError says what is wrong), not the first case."""
    from services.mediation.working_days import schedule_at

    schedule_at(path)


SETTINGS = Settings(
    Setting("PUBLIC_BASE_URL", lambda v: v.rstrip("/"), "http://127.0.0.1:8000",
            "the gateway's address as residents see it (satisfaction survey links)"),
    Setting("DISPUTE_DUE_WORKING_DAYS", int, 7, "working days a case must be handled in (办事承诺制)"),
    Setting("DISPUTE_WARN_WORKING_DAYS", int, 2, "working days before its due date a case is warned of"),
    Setting("DISPUTE_MAJOR_HOUSEHOLDS", int, 5, "households involved that make a case major (重大, reported specially)"),
    Setting("DISPUTE_MAX_BACKDATE_DAYS", int, 10, "days back a paper intake may be dated when it is entered later"),
    Setting("SURVEY_OPEN_DAYS", int, 30, "days the applicant's satisfaction link stays open"),
    Setting("SATISFACTION_TARGET", float, 0.9, "share of answered surveys rated 4 or 5 a community aims at",
            check=between(0.01, 1.0)),
    Setting("SATISFACTION_MIN_ANSWERS", int, 10,
            "answered surveys a community needs before its satisfaction is judged against the target",
            check=between(1, 1000)),
    # One: 限时办结 lets a deadline be stretched once, with approval; a promise moved again and again is none.
    Setting("MAX_EXTENSIONS", int, 1, "approved extensions a case may have (each requested by its handler and "
            "approved by community staff)", check=between(0, 10)),
    Setting("DEADLINE_CHECK_S", float, 300.0, "seconds between the worker's deadline checks"),
    Setting("HOLIDAY_SCHEDULE_FILE", str, None,
            "a JSON file of official holiday schedules the chinese_calendar library lacks (see working_days.py)",
            check=_schedule_file),
)
