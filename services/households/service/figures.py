"""Each grid's figures: the summary recounted from its households, and the care households overdue a visit."""
from services.households import rules
from services.households.config import SETTINGS
from services.households.models import Grid, GridSummary, Household, Visit
from services.households.service.access import grid_in_scope
from shared import clock
from shared.clock import now
from shared.identity import Principal
from shared.register_copy import set_unless_newer


def overdue_visits(*, actor: Principal, grid_id: str) -> list[dict]:
    """Care households in a grid not visited within the cadence, longest-waiting first."""
    return _overdue(grid_in_scope(actor, grid_id, "care.read").pk)


def _overdue(grid_id: str) -> list[dict]:
    today, at = clock.today(), clock.now()
    care = list(Household.objects(grid_id=grid_id, status="active", care=True)
                .only("id", "address", "residents").order_by("address_sort"))
    last = {row["_id"]: row["last"] for row in Visit.objects(household_id__in=[str(h.pk) for h in care])
            .aggregate([{"$group": {"_id": "$household_id", "last": {"$max": "$visited_at"}}}])}
    out = []
    for h in care:
        seen = clock.aware(last.get(str(h.pk)))
        if rules.overdue(seen, at=at, cadence_days=SETTINGS.VISIT_CADENCE_DAYS):
            out.append({"household_id": str(h.pk), "address": h.address,
                        "care_tags": rules.care_tags_on(h.residents, today), "last_visited_at": seen,
                        "days_since": rules.days_since(seen, at=at)})
    return rules.longest_waiting_first(out)


def refresh_summary(*, grid_id: str, unless_refreshed_after=None) -> GridSummary | None:
    """Recount a grid's households, care residents and overdue visits (idempotent)."""
    started = now()  # stamped with the start: a write landing during a slow recount must not be skipped later
    grid = Grid.objects(pk=grid_id).first()
    if grid is None:
        return None
    if unless_refreshed_after is not None:
        current = GridSummary.objects(pk=grid_id).first()
        if current and current.refreshed_at and current.refreshed_at >= unless_refreshed_after:
            return current
    today = clock.today()
    households = Household.objects(grid_id=grid_id, status="active")
    care: dict[str, int] = {}
    for h in households.filter(care=True).only("residents"):
        for r in h.residents:
            for tag in {t.tag for t in r.care_tags if t.active_on(today)}:
                care[tag] = care.get(tag, 0) + 1
    counts = {"community_id": grid.community_id, "households": households.count(), "care_residents": care,
              "care_households_overdue": len(_overdue(grid_id))}
    # the periodic recount and the event handler overlap: one that started earlier must not overwrite
    set_unless_newer(GridSummary._get_collection(), grid_id, counts, stamp="refreshed_at", at=started, ties_win=True)
    return GridSummary.objects(pk=grid_id).first()
