"""The desk's figures: per kind of case, how many were registered in a year, are open or overdue now, were closed,
and closed on time (on or before their due date); and the year's cases by kind and category."""
import mongoengine as me

from services.mediation import notices
from services.mediation.models import CLOCK_RUNNING, OPEN, Dispute
from services.mediation.rules import closed_on_time
from services.mediation.service.case_file import given, scope_query
from shared import clock
from shared.events.mediation import KINDS
from shared.identity import Principal

FIELDS = ("kind", "category", "status", "due_on", "closed_on")
FIGURES = ("registered", "open", "overdue", "closed", "on_time")


def empty() -> dict[str, dict[str, int]]:
    """Every kind's figures at zero."""
    return {kind: dict.fromkeys(FIGURES, 0) for kind in KINDS}


def tally(kinds: dict, row: dict, *, today, registered: bool, closed: bool) -> None:
    """Count one stored case (a raw row) into its kind's figures: registered and closed when the caller's period
    says so, open and overdue as of today, closed on time when closed on or before its due date."""
    n = kinds[row.get("kind") or "dispute"]  # stored before kinds existed: a dispute
    due = row["due_on"].date()
    n["registered"] += registered
    n["open"] += row["status"] in OPEN
    n["overdue"] += row["status"] in CLOCK_RUNNING and today > due
    if closed:
        n["closed"] += 1
        n["on_time"] += closed_on_time(closed_on=row["closed_on"].date(), due_on=due)


def desk_report(*, actor: Principal, community_id=None, grid_id=None, year: int | None = None) -> dict:
    """Counts of the year's cases (registered that year) per kind, and by category; on_time_share of those closed."""
    actor.require("disputes.figures")
    today = clock.today()
    year = year or today.year
    where = scope_query(actor, personal=False) & me.Q(year=year) & given(community_id=community_id, grid_id=grid_id)
    kinds = empty()
    categories: dict[tuple[str, str], int] = {}
    for row in Dispute.objects(where).only(*FIELDS).as_pymongo():
        tally(kinds, row, today=today, registered=True, closed=bool(row.get("closed_on")))
        kind = row.get("kind") or "dispute"
        categories[kind, row["category"]] = categories.get((kind, row["category"]), 0) + 1
    for n in kinds.values():
        n["on_time_share"] = n["on_time"] / n["closed"] if n["closed"] else None
    by_category = [{"kind": kind, "category": category, "category_label": notices.category_label(kind, category),
                    "count": count}
                   for (kind, category), count in sorted(categories.items(), key=lambda x: (-x[1], x[0]))]
    return {"year": year, "kinds": kinds, "by_category": by_category}
