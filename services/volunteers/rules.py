"""Pure rules of the volunteers service: no database, no broker (unit-tested with fakes)."""
import math
from datetime import datetime

from services.volunteers.config import SETTINGS
from services.volunteers.models import (
    AVAILABILITY,
    CONSENT_VERSION,
    DAY_LABELS,
    DAYS,
    SKILLS,
    SLOT_LABELS,
    SLOTS,
)
from shared import clock

# What a sign-up link's or a personal link's token looks like (anything else is not looked up).
TOKEN = r"^[A-Za-z0-9_-]{20,100}$"
CONSENT_TEXT = ("我同意社区为组织志愿服务而收集、使用我填写的姓名、手机号、身份证号（选填）、技能和服务时间；"
                "这些信息只用于志愿服务的联系、安排、记录和证明，不向无关方提供。")
# The check characters of a certificate serial: no 0/O, 1/I, so a serial read aloud is typed right.
SERIAL_CHECK = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def link_state(link, at: datetime | None = None) -> str:
    """open, full (new sign-ups are waitlisted), expired or closed."""
    at = at or clock.now()
    if link.closed_at:
        return "closed"
    if clock.aware(link.expires_at) <= at:
        return "expired"
    if link.capacity is not None and (link.filled or 0) >= link.capacity:
        return "full"
    return "open"


def slot_of(moment: datetime) -> str | None:
    """The availability code (e.g. sat_morning) a moment falls in, local time; None at night."""
    local = clock.local(moment)
    for slot, (start, end) in SLOTS.items():
        if start <= local.hour < end:
            return f"{DAYS[local.weekday()]}_{slot}"
    return None


def match_score(need, volunteer) -> dict:
    """How well a volunteer fits a need: each skill wanted outweighs place, time and team together."""
    matched = [s for s in need.skills if s in volunteer.skills]
    same_grid = bool(need.grid_id and volunteer.grid_id == need.grid_id)
    slot = slot_of(need.starts_at)
    available = bool(slot and slot in volunteer.availability)
    in_team = bool(set(need.team_ids) & set(volunteer.team_ids))
    score = 10 * len(matched) + 3 * same_grid + 2 * available + in_team
    return {"score": score, "skills_matched": matched, "same_grid": same_grid, "available": available}


def mask_name(name: str | None) -> str:
    """张三 -> 张*, 欧阳娜娜 -> 欧***."""
    if not name:
        return ""
    return name[0] + "*" * (len(name) - 1) if len(name) > 1 else "*"


def volunteer_target(residents: int, *, share: float | None = None) -> int:
    """Registered volunteers wanted: `share` of residents (VOLUNTEER_SHARE_TARGET, 10 %), rounded up."""
    share = SETTINGS.VOLUNTEER_SHARE_TARGET if share is None else share
    return math.ceil(round(residents * share, 6))


def every_days_text(days: int | None) -> str:
    """How often a standing care visit recurs, as the need's description says it: 每7天, or 定期 when not known."""
    return f"每{days}天" if days else "定期"


def serial_for(year: int, n: int, check: str) -> str:
    """A certificate's serial: the year, its number in the year, and random check characters."""
    return f"VS{year}-{n:06d}-{check}"


def correction_delta(old_hours: float, new_hours: float) -> float:
    """What a correction adds to the totals."""
    return round(new_hours - old_hours, 2)


def is_stale(changes: int | None, counted_changes: int | None) -> bool:
    """True when a community's copies changed since its residents were last counted."""
    return (changes or 0) > (counted_changes or 0)


def options() -> dict:
    """The fixed choices of the sign-up form."""
    return {
        "skills": [{"code": k, "label": v} for k, v in SKILLS.items()],
        "availability": [{"code": code, "label": DAY_LABELS[DAYS.index(code.split("_")[0])]
                          + SLOT_LABELS[code.split("_")[1]]} for code in AVAILABILITY],
        "consent_version": CONSENT_VERSION,
        "consent_text": CONSENT_TEXT,
    }
