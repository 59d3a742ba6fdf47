"""Pure rules of the grid register: a grid's band, a community's staffing, address keys, what a search matches,
when a visit is overdue."""
import math
import re
from datetime import date, datetime, timedelta

from shared.events.contracts import CARE_TAGS


def band(households: int, *, low: int, high: int) -> str:
    """Where a grid's size stands against the band of `low`–`high` households (GRID_BAND_MIN/MAX)."""
    return "below" if households < low else "above" if households > high else "within"


def workers_required(households: int, *, per_worker: int, minimum: int) -> int:
    """Full-time grid workers a community needs: one per `per_worker` households, never fewer than `minimum`
    (GRID_WORKER_HOUSEHOLDS, GRID_WORKERS_MIN: one per 400 households, at least 3)."""
    return max(minimum, math.ceil(max(households, 0) / per_worker))


def distinct_workers(grids) -> set[str]:
    """The distinct grid workers assigned to `grids` (each a dict or document with `worker_ids`; a grid with none
    but a `worker_name` counts that name): one worker serving two grids is one worker."""
    out: set[str] = set()
    for grid in grids:
        get = (lambda k: grid.get(k)) if isinstance(grid, dict) else (lambda k: getattr(grid, k, None))
        ids = [w.strip() for w in (get("worker_ids") or []) if w and w.strip()]
        name = (get("worker_name") or "").strip()
        out.update(f"id:{w}" for w in ids)
        if not ids and name:
            out.add(f"name:{name}")
    return out


def natural_key(*parts: str | None) -> str:
    """A sort key where 2栋 comes before 10栋."""
    return "|".join(re.sub(r"\d+", lambda m: m.group().zfill(8), p or "") for p in parts)


def active_address(grid_id: str, address_sort: str) -> str:
    """The key that makes one address in a grid hold one living household."""
    return f"{grid_id}|{address_sort}"


def search_text(*, address, names: list[str]) -> str:
    """What `q` matches: the address and the residents' names; never an ID number or phone (not even a fragment)."""
    get = (lambda k: address.get(k)) if isinstance(address, dict) else (lambda k: getattr(address, k))
    words = [get("building"), get("unit"), get("room"), *names]
    return " ".join(w for w in words if w).lower()


def care_tags_on(residents, day: date) -> list[str]:
    """The care tags the residents carry on `day`, each once, sorted."""
    return sorted({t.tag for r in residents for t in r.care_tags if t.active_on(day)})


def day(value: date | datetime | None) -> date | None:
    """A date, also when the database hands back a datetime (raw rows)."""
    return value.date() if isinstance(value, datetime) else value


def listed_on(tag: dict, on: date) -> bool:
    """Whether an export lists a stored care tag (a raw row) on day `on`: its `until` day too."""
    since, until = day(tag.get("since")), day(tag.get("until"))
    return (since is None or since <= on) and (until is None or until >= on)


def cadence_table(by_tag: dict[str, int], *, default: int, tags=None) -> dict[str, int]:
    """Days between visits for every care tag: its own from `by_tag` (VISIT_CADENCE_DAYS_BY_TAG), else `default`
    (VISIT_CADENCE_DAYS)."""
    return {tag: int(by_tag.get(tag, default)) for tag in (tags or CARE_TAGS)}


def cadence_days(tags, *, by_tag: dict[str, int], default: int) -> int:
    """Days a care household may go without a visit: the shortest cadence of its active tags (`default` when it
    carries none today)."""
    return min((int(by_tag.get(tag, default)) for tag in tags), default=default)


def overdue(last_visited_at: datetime | None, *, at: datetime, cadence_days: int) -> bool:
    """A care household is overdue when never visited, or not within the cadence before `at`."""
    return last_visited_at is None or last_visited_at < at - timedelta(days=cadence_days)


def days_since(last_visited_at: datetime | None, *, at: datetime) -> int | None:
    return (at - last_visited_at).days if last_visited_at else None


def longest_waiting_first(rows: list[dict]) -> list[dict]:
    """Overdue rows by `days_since`, most first; never visited before all."""
    return sorted(rows, key=lambda row: -(row["days_since"] if row["days_since"] is not None else 10**6))
