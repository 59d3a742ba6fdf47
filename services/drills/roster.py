"""Pure rules of the roster and the roll-call: no database, so they are tested with plain data.

The roster copy is folded from households events that may arrive twice or out of order. Each part of a
household carries the time of the event it came from, and an event only changes a part it is newer than:
    snapshot_at  residents and their care tags as of household.registered/updated
    address_at   the address (snapshots and moves)
    placed_at    the grid and community (any event's envelope, moves, redraws)
Care flags and clears not older than the snapshot are kept by event id and applied on top of it: one in the
same millisecond either came with the snapshot (applying it again changes nothing) or just after it.
"""
from datetime import datetime, timezone

CARE_HELP_TAGS = ("disability", "elderly_alone", "empty_nest")  # likely to need help to move
HELP_AGE = 80
SNAPSHOTS = ("household.registered", "household.updated")
CARE_EVENTS = ("resident.care_flagged", "resident.care_cleared")
HOUSEHOLD_EVENTS = SNAPSHOTS + CARE_EVENTS + ("household.moved", "household.left")


def ms(at: datetime) -> datetime:
    """`at` in UTC to the millisecond, as MongoDB stores it (so a stored time compares equal to its event's)."""
    at = at.astimezone(timezone.utc)
    return at.replace(microsecond=at.microsecond // 1000 * 1000)


def _newer(at: datetime, stored: datetime | None) -> bool:
    return stored is None or at > _aware(stored)


def _not_older(at: datetime, stored: datetime | None) -> bool:
    return stored is None or at >= _aware(stored)


def _aware(at: datetime | None) -> datetime | None:
    if at is None:
        return None
    return at.replace(tzinfo=timezone.utc) if at.tzinfo is None else at.astimezone(timezone.utc)


def label(address: dict) -> str:
    """1栋2单元101."""
    return "".join(p for p in (address.get("building"), address.get("unit"), address.get("room")) if p)


def empty(household_id: str) -> dict:
    return {"_id": household_id, "community_id": None, "grid_id": None, "address": {}, "label": None,
            "address_sort": None, "residency": None, "residents": [], "care": False, "status": "active",
            "known": False, "snapshot_at": None, "address_at": None, "placed_at": None, "left_at": None,
            "care_changes": [], "version": 0}


def fold(doc: dict | None, event, household_id: str, *, sort_key) -> dict | None:
    """The household's state after `event`, or None when the event changes nothing (old or seen before)."""
    state = {**empty(household_id), **(doc or {})}
    state["care_changes"] = list(state["care_changes"])
    before = _comparable(state)
    at = ms(event.occurred_at)
    data = event.data
    kind = event.type
    if kind == "grid.redrawn":
        _place(state, at, event.community_id, data["to_grid_id"])
    elif kind == "household.moved":
        _place(state, at, data["to_community_id"], data["to_grid_id"])
        _address(state, at, data["address"], sort_key)
    else:
        _place(state, at, event.community_id, event.grid_id)
    if kind in SNAPSHOTS and _newer(at, state["snapshot_at"]):
        state["snapshot_at"] = at
        state["known"] = True
        state["residency"] = data["residency"]
        state["residents"] = [{"resident_id": r["resident_id"], "name": r["name"], "gender": r.get("gender"),
                               "birth_year": r.get("birth_year"), "relation": r.get("relation"),
                               "base_tags": sorted(r.get("care_tags") or [])} for r in data["residents"]]
        state["care_changes"] = [c for c in state["care_changes"] if _not_older(_aware(c["at"]), at)]
        _address(state, at, data["address"], sort_key)
    elif kind in CARE_EVENTS and _not_older(at, state["snapshot_at"]):
        if all(c["event_id"] != event.id for c in state["care_changes"]):
            state["care_changes"].append({"event_id": event.id, "resident_id": data["resident_id"],
                                          "tag": data["tag"], "flagged": kind == "resident.care_flagged", "at": at})
    elif kind == "household.left" and state["status"] != "left":
        state["status"] = "left"
        state["left_at"] = at
    _apply_care(state)
    return None if _comparable(state) == before else state


def _place(state: dict, at, community_id, grid_id) -> None:
    if grid_id and _newer(at, state["placed_at"]):
        state["placed_at"] = at
        state["grid_id"] = grid_id
        state["community_id"] = community_id or state["community_id"]


def _address(state: dict, at, address: dict, sort_key) -> None:
    if _newer(at, state["address_at"]):
        state["address_at"] = at
        state["address"] = {"building": address.get("building"), "unit": address.get("unit"),
                            "room": address.get("room")}
        state["label"] = label(address)
        state["address_sort"] = sort_key(address.get("building"), address.get("unit"), address.get("room"))


def _apply_care(state: dict) -> None:
    changes = sorted(state["care_changes"], key=lambda c: _aware(c["at"]))
    for resident in state["residents"]:
        tags = set(resident.get("base_tags") or [])
        for c in changes:
            if c["resident_id"] == resident["resident_id"]:
                (tags.add if c["flagged"] else tags.discard)(c["tag"])
        resident["care_tags"] = sorted(tags)
    state["care"] = any(r["care_tags"] for r in state["residents"])


def _comparable(state: dict) -> tuple:
    return tuple(repr(state.get(k)) for k in ("community_id", "grid_id", "address", "residency", "residents",
                                               "status", "known", "care_changes", "care"))


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
    return ms(at).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z|" + status


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
    ordered = sorted(_aware(t) for t in times)
    return ordered[need - 1] if len(ordered) >= need else None


def summarise(total: int, first: dict, latest: dict, started_at: datetime | None) -> dict:
    """One grid's (or a whole drill's) figures from its roll-call state."""
    times = [_aware(t) for t in first.values()]
    by_status: dict[str, int] = {}
    for value in latest.values():
        status = status_of(value)
        by_status[status] = by_status.get(status, 0) + 1
    accounted = len(first)
    at_90, at_100 = reached(times, total, 9), reached(times, total, 10)
    since = _aware(started_at)

    def seconds(at):
        return round((at - since).total_seconds(), 1) if at and since else None

    return {"total": total, "accounted": accounted, "share": round(accounted / total, 4) if total else None,
            "by_status": by_status, "needs_help": by_status.get("needs_help", 0),
            "first_accounted_at": min(times) if times else None,
            "last_accounted_at": max(times) if times else None,
            "reached_90_at": at_90, "reached_100_at": at_100,
            "time_to_90_s": seconds(at_90), "time_to_100_s": seconds(at_100)}
