"""The mediation service's own settings, on top of shared.config's (read from the environment)."""
from shared.settings import Setting, Settings, between

SERVICE = "mediation"

# The gateway's public page for the satisfaction survey (gateway/views/survey.py), under PUBLIC_BASE_URL.
SURVEY_PATH = "/survey/{token}"
# The gateway's public page a receipt's link opens: the case's progress and, once verified, its outcome.
FEEDBACK_PATH = "/case/{token}"

DEFAULT_INCIDENT_CATEGORIES = {"safety_hazard": "安全隐患", "public_facility": "公共设施", "environment": "环境卫生",
                               "fire_safety": "消防安全", "social_order": "社会治安", "other": "其他"}
DEFAULT_DEPARTMENTS = {"community_office": "社区居委会", "property": "物业服务企业", "city_management": "城管执法",
                       "police": "社区警务室", "utilities": "水电气热单位", "housing": "住建部门",
                       "civil_affairs": "民政部门", "market_supervision": "市场监管", "street_office": "街道办事处"}


def code_labels(text: str) -> dict[str, str]:
    """`code=名称,code=名称` (the order kept) as a dict; ValueError on a malformed entry."""
    out = {}
    for part in str(text).split(","):
        if not part.strip():
            continue
        code, sep, label = part.partition("=")
        code, label = code.strip(), label.strip()
        if not sep or not label or not code.replace("_", "").isalnum() or not code.isascii() or len(code) > 40:
            raise ValueError(part)
        out[code] = label
    if not out:
        raise ValueError(text)
    return out


def photo_form_bytes(config) -> int:
    """The largest request an incident's form may be: every photo at its largest, plus the form's fields."""
    return config.PHOTOS_PER_CASE * config.PHOTO_MAX_BYTES + 64 * 1024


def _with_other(v: dict) -> str | None:
    return None if "other" in v else "must include other (其他), for what fits nowhere else"


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
    Setting("INCIDENT_CATEGORIES", code_labels, DEFAULT_INCIDENT_CATEGORIES,
            "what a grid worker may report as an incident, as code=名称,...; defaults safety_hazard=安全隐患, "
            "public_facility=公共设施, environment=环境卫生, fire_safety=消防安全, social_order=社会治安, other=其他",
            check=_with_other),
    Setting("DISPATCH_DEPARTMENTS", code_labels, DEFAULT_DEPARTMENTS,
            "the departments a request or incident may be dispatched to (分拨), as code=名称,...; defaults: the "
            "community office, property management, city management, the community police office, utilities, "
            "housing, civil affairs, market supervision, the street office"),
    Setting("PHOTOS_PER_CASE", int, 3, "photos an incident (or a handler's report) may carry", check=between(0, 10)),
    Setting("PHOTO_MAX_BYTES", int, 5 * 1024 * 1024, "largest photo accepted, in bytes, before cleaning",
            check=between(10_000, 50 * 1024 * 1024)),
    # A phone's default photo is 12 MP (up to 24 on some); anything larger costs a worker hundreds of MB to decode.
    Setting("PHOTO_MAX_PIXELS", int, 25_000_000, "most pixels (width × height) a photo may have; larger ones are "
            "refused before they are decoded", check=between(1_000_000, 100_000_000)),
    Setting("PHOTO_MAX_SIDE", int, 1600, "a kept photo's longest side in pixels (larger ones are scaled down)",
            check=between(320, 8000)),
    Setting("CASES_ON_TIME_TARGET", float, 0.9, "share of requests and incidents a community aims to close by their "
            "due date (the alert's threshold)", check=between(0.01, 1.0)),
    Setting("DEADLINE_CHECK_S", float, 300.0, "seconds between the worker's deadline checks"),
    Setting("HOLIDAY_SCHEDULE_FILE", str, None,
            "a JSON file of official holiday schedules the chinese_calendar library lacks (see working_days.py)",
            check=_schedule_file),
)
