"""Pure rules of compliance, supplies and volunteer hours: no database, tested with plain data."""
import calendar
from datetime import date, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

REQUIREMENTS = ("comprehensive", "shelter")  # each community, each year
CHINA = timezone(timedelta(hours=8), "CST")  # China keeps UTC+8 all year


@lru_cache(maxsize=8)
def zone(tz: str) -> tzinfo:
    """The time zone `tz`; China's fixed offset where the system has no zone database (slim images)."""
    try:
        return ZoneInfo(tz)
    except ZoneInfoNotFoundError:
        if tz in ("Asia/Shanghai", "Asia/Chongqing", "Asia/Urumqi", "PRC"):
            return CHINA
        raise


def local_date(at: datetime, tz: str) -> date:
    return at.astimezone(zone(tz)).date()


def deadline(year: int, due_month: int) -> date:
    """The last day a year's drills are on time: the end of the due month."""
    return date(year, due_month, calendar.monthrange(year, due_month)[1])


def satisfies(drill: dict, requirement: str) -> bool:
    """A comprehensive drill counts as comprehensive; a shelter drill, or any drill that opened a shelter, as shelter."""
    if requirement == "comprehensive":
        return drill["kind"] == "comprehensive"
    return drill["kind"] == "shelter" or bool(drill.get("shelters_opened"))


def compliance(drills: list[dict], *, year: int, today: date, due_month: int) -> dict:
    """One community's standing for `year` from its drills (dicts with kind, status, shelters_opened, hazard, id).

    Each requirement is held (a completed drill satisfies it), planned (one is planned or running, deadline not
    passed), due (nothing yet, deadline not passed) or overdue (not held and the due month has passed).
    """
    due = deadline(year, due_month)
    held = [d for d in drills if d["status"] == "completed"]
    coming = [d for d in drills if d["status"] in ("planned", "live")]
    out = {"year": year, "due_by": due, "drills_held": len(held),
           "hazards_drilled": sorted({d["hazard"] for d in held}), "overdue": []}
    for req in REQUIREMENTS:
        done = [d["id"] for d in held if satisfies(d, req)]
        planned = [d["id"] for d in coming if satisfies({**d, "shelters_opened": d.get("shelter_ids")}, req)]
        if done:
            state = "held"
        elif today > due:
            state = "overdue"
        else:
            state = "planned" if planned else "due"
        if state == "overdue":
            out["overdue"].append(req)
        out[req] = {"status": state, "held": bool(done), "drill_ids": done, "planned_drill_ids": planned}
    return out


def supply_state(supply: dict, *, today: date, expiring_days: int) -> list[str]:
    """What is wrong with a supply item: expired, expiring, missing, short, flagged (an open flag)."""
    problems = []
    expires = supply.get("expires_on")
    if isinstance(expires, datetime):
        expires = expires.date()
    if expires is not None:
        if expires < today:
            problems.append("expired")
        elif expires <= today + timedelta(days=expiring_days):
            problems.append("expiring")
    required = supply.get("required_quantity") or 0
    quantity = supply.get("quantity") or 0
    if required and quantity == 0:
        problems.append("missing")
    elif quantity < required:
        problems.append("short")
    if any(f.get("cleared_at") is None for f in supply.get("flags") or []):
        problems.append("flagged")
    return problems


def hours(checked_in: datetime, checked_out: datetime | None, ended: datetime | None, now: datetime) -> float:
    """A volunteer's hours at a drill: until they checked out, else until it ended (else until now)."""
    until = checked_out or ended or now
    return max(0.0, round((until - checked_in).total_seconds() / 3600, 2))
