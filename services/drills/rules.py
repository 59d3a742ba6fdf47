"""Pure rules of the roster, the roll-call, compliance, supplies and volunteer hours: no database, so they are
tested with plain data."""
import calendar
from datetime import date, datetime, timedelta

from shared.clock import aware, to_ms

REQUIREMENTS = ("comprehensive", "shelter")  # each community, each year
CARE_HELP_TAGS = ("disability", "elderly_alone", "empty_nest")  # likely to need help to move
HELP_AGE = 80


def deadline(year: int, due_month: int) -> date:
    """The last day a year's drills are on time: the end of the due month."""
    return date(year, due_month, calendar.monthrange(year, due_month)[1])


def satisfies(drill: dict, requirement: str) -> bool:
    """A comprehensive drill counts as comprehensive; a shelter drill, or any drill that opened a shelter, as shelter."""
    if requirement == "comprehensive":
        return drill["kind"] == "comprehensive"
    return drill["kind"] == "shelter" or bool(drill.get("shelters_opened"))


def counts(drill: dict, complete_share: float) -> bool:
    """A completed drill counts towards the duty only when its roll-call accounted for `complete_share` of the
    households (never when none were accounted for, nor when it had no roster)."""
    share = (drill.get("result") or {}).get("share")
    return drill["status"] == "completed" and bool(share) and share + 1e-9 >= complete_share


def compliance(drills: list[dict], *, year: int, today: date, due_month: int, complete_share: float = 0.9) -> dict:
    """One community's standing for `year` from its drills (dicts with kind, status, shelters_opened, hazard, id,
    result.share).

    Each requirement is held (a completed drill whose roll-call reached `complete_share` satisfies it), incomplete
    (held but incomplete: completed drills below the share only), planned (one is planned or running, deadline not
    passed), due (nothing yet, deadline not passed) or overdue (nothing held or held only incompletely, and the
    due month has passed: an incomplete drill shows as incomplete but the requirement is still listed overdue).
    Cancelled drills count for nothing.
    """
    due = deadline(year, due_month)
    completed = [d for d in drills if d["status"] == "completed"]
    held = [d for d in completed if counts(d, complete_share)]
    short = [d for d in completed if not counts(d, complete_share)]
    coming = [d for d in drills if d["status"] in ("planned", "live")]
    out = {"year": year, "due_by": due, "drills_held": len(completed), "drills_counted": len(held),
           "complete_share": complete_share, "hazards_drilled": sorted({d["hazard"] for d in held}), "overdue": []}
    for req in REQUIREMENTS:
        done = [d["id"] for d in held if satisfies(d, req)]
        incomplete = [{"drill_id": d["id"], "share": (d.get("result") or {}).get("share") or 0.0}
                      for d in short if satisfies(d, req)]
        planned = [d["id"] for d in coming if satisfies({**d, "shelters_opened": d.get("shelter_ids")}, req)]
        if done:
            state = "held"
        elif incomplete:
            state = "incomplete"
        elif today > due:
            state = "overdue"
        else:
            state = "planned" if planned else "due"
        if not done and today > due:
            out["overdue"].append(req)
        out[req] = {"status": state, "held": bool(done), "drill_ids": done, "planned_drill_ids": planned,
                    "incomplete": incomplete}
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


def is_short(supply: dict) -> bool:
    """The stock is below the quantity the plan requires (missing or short)."""
    return (supply.get("quantity") or 0) < (supply.get("required_quantity") or 0)


def stock_after(stock: int, direction: str, quantity: int) -> int | None:
    """The stock after booking `quantity` in or out; None when more would go out than is in stock."""
    after = stock + quantity if direction == "in" else stock - quantity
    return after if after >= 0 else None


def hours(checked_in: datetime, checked_out: datetime | None, ended: datetime | None, now: datetime) -> float:
    """A volunteer's hours at a drill: until they checked out, else until it ended (else until now)."""
    until = checked_out or ended or now
    return max(0.0, round((until - checked_in).total_seconds() / 3600, 2))


# ---- who needs help, and the roster order ------------------------------------------------------------

def suggested_help(resident: dict, year: int) -> bool:
    """A resident who probably needs help to move: a disability, living alone/empty-nest elderly, or 80+."""
    if set(resident.get("care_tags") or []) & set(CARE_HELP_TAGS):
        return True
    born = resident.get("birth_year")
    return bool(born and year - born >= HELP_AGE)


def special_residents(household: dict, assistance: dict[str, dict], year: int) -> list[dict]:
    """Residents of a household who need care or help to move, with their assigned helper."""
    out = []
    for r in household.get("residents") or []:
        plan = assistance.get(r["resident_id"])
        needs_help = plan["needs_help"] if plan else suggested_help(r, year)
        if r.get("care_tags") or needs_help:
            out.append({"resident_id": r["resident_id"], "name": r["name"], "care_tags": list(r.get("care_tags") or []),
                        "needs_help": needs_help, "need": (plan or {}).get("need"),
                        "helper_name": (plan or {}).get("helper_name"),
                        "helper_volunteer_id": (plan or {}).get("helper_volunteer_id")})
    return out


def roster_order(entries: list[dict]) -> list[dict]:
    """Special-care households first (those needing help to move before the rest), then by address."""
    def key(e):
        special = e.get("special") or []
        rank = 0 if any(s["needs_help"] for s in special) else 1 if special else 2
        return rank, e.get("sort") or ""
    return sorted(entries, key=key)


# ---- the roll-call state ---------------------------------------------------------------------------

def stamp(at: datetime, status: str) -> str:
    """The `latest` value of a tick: fixed-width UTC time then status, so the greatest string is the latest tick."""
    return to_ms(at).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z|" + status


def unstamp(value: str) -> tuple[datetime, str]:
    when, status = value.split("|", 1)
    return datetime.fromisoformat(when), status


def status_of(value: str) -> str:
    return value.split("|", 1)[1]


def threshold(total: int, share_tenths: int) -> int:
    """How many households make `share_tenths`/10 of `total`, rounded up, in integers (9/10 of 10 is 9)."""
    return -(-total * share_tenths // 10)


def reached(times: list[datetime], total: int, share_tenths: int) -> datetime | None:
    """When the share was reached: the time of the household that made it, or None if not yet."""
    if total <= 0:
        return None
    need = threshold(total, share_tenths)
    ordered = sorted(aware(t) for t in times)
    return ordered[need - 1] if len(ordered) >= need else None


def summarise(total: int, first: dict, latest: dict, started_at: datetime | None) -> dict:
    """One grid's (or a whole drill's) figures from its roll-call state."""
    times = [aware(t) for t in first.values()]
    by_status: dict[str, int] = {}
    for value in latest.values():
        status = status_of(value)
        by_status[status] = by_status.get(status, 0) + 1
    accounted = len(first)
    at_90, at_100 = reached(times, total, 9), reached(times, total, 10)
    since = aware(started_at)

    def seconds(at):
        return round((at - since).total_seconds(), 1) if at and since else None

    return {"total": total, "accounted": accounted, "share": round(accounted / total, 4) if total else None,
            "by_status": by_status, "needs_help": by_status.get("needs_help", 0),
            "first_accounted_at": min(times) if times else None,
            "last_accounted_at": max(times) if times else None,
            "reached_90_at": at_90, "reached_100_at": at_100,
            "time_to_90_s": seconds(at_90), "time_to_100_s": seconds(at_100)}
