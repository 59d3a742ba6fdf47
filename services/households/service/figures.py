"""Each grid's figures: the summary recounted from its households, and the care households overdue a visit."""
from services.households import rules
from services.households.config import SETTINGS
from services.households.models import Grid, GridSummary, Household, Visit
from services.households.service.access import grid_in_scope
from services.households.service.floating import permit_counts
from shared import clock
from shared.clock import now
from shared.identity import Principal
from shared.register_copy import set_unless_newer


def overdue_visits(*, actor: Principal, grid_id: str) -> list[dict]:
    """Care households in a grid not visited within their cadence (the shortest of their tags'), longest-waiting
    first."""
    return _overdue(grid_in_scope(actor, grid_id, "care.read").pk)


def _overdue(grid_id: str) -> list[dict]:
    today, at = clock.today(), clock.now()
    care = list(Household.objects(grid_id=grid_id, status="active", care=True)
                .only("id", "address", "residents").order_by("address_sort"))
    last = {row["_id"]: row["last"] for row in Visit.objects(household_id__in=[str(h.pk) for h in care])
            .aggregate([{"$group": {"_id": "$household_id", "last": {"$max": "$visited_at"}}}])}
    by_tag, default = SETTINGS.VISIT_CADENCE_DAYS_BY_TAG, SETTINGS.VISIT_CADENCE_DAYS
    out = []
    for h in care:
        seen = clock.aware(last.get(str(h.pk)))
        tags = rules.care_tags_on(h.residents, today)
        cadence = rules.cadence_days(tags, by_tag=by_tag, default=default)  # several tags: the shortest
        if rules.overdue(seen, at=at, cadence_days=cadence):
            out.append({"household_id": str(h.pk), "address": h.address, "care_tags": tags, "cadence_days": cadence,
                        "last_visited_at": seen, "days_since": rules.days_since(seen, at=at)})
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
              "care_households_overdue": len(_overdue(grid_id)), **permit_counts(grid_id, today=today)}
    # the periodic recount and the event handler overlap: one that started earlier must not overwrite
    set_unless_newer(GridSummary._get_collection(), grid_id, counts, stamp="refreshed_at", at=started, ties_win=True)
    return GridSummary.objects(pk=grid_id).first()


def band_of(households: int) -> str:
    """A grid's size against the band GRID_BAND_MIN–GRID_BAND_MAX."""
    return rules.band(households, low=SETTINGS.GRID_BAND_MIN, high=SETTINGS.GRID_BAND_MAX)


def community_figures(community_ids: list[str]) -> dict[str, dict]:
    """Per community: its grids against the band (and each grid's size, `grid_sizes`), households, care households
    overdue, and staffing (distinct grid workers against max(GRID_WORKERS_MIN, ceil(households /
    GRID_WORKER_HOUSEHOLDS)))."""
    grids = list(Grid.objects(community_id__in=list(community_ids)).only("id", "name", "community_id", "worker_name",
                                                                         "worker_ids").order_by("id").as_pymongo())
    # by the indexed community, not by a list of every grid's id (which the database walks id by id)
    summaries = {row["_id"]: row for row in GridSummary.objects(community_id__in=list(community_ids))
                 .only("id", "households", "care_households_overdue").as_pymongo()}
    out = {cid: {"grids": 0, "households": 0, "grids_below": 0, "grids_within": 0, "grids_above": 0,
                 "care_households_overdue": 0, "workers": 0, "grid_sizes": []} for cid in community_ids}
    by_community: dict[str, list[dict]] = {}
    for grid in grids:
        row, summary = out[grid["community_id"]], summaries.get(grid["_id"], {})
        count = summary.get("households", 0)
        row["grids"] += 1
        row["grid_sizes"].append({"grid_id": grid["_id"], "name": grid["name"], "households": count})
        row["households"] += count
        row[f"grids_{band_of(count)}"] += 1
        row["care_households_overdue"] += summary.get("care_households_overdue", 0)
        by_community.setdefault(grid["community_id"], []).append(grid)
    for cid, row in out.items():
        row["workers"] = len(rules.distinct_workers(by_community.get(cid, [])))
        row["workers_required"] = rules.workers_required(row["households"], per_worker=SETTINGS.GRID_WORKER_HOUSEHOLDS,
                                                         minimum=SETTINGS.GRID_WORKERS_MIN)
        row["understaffed"] = row["workers"] < row["workers_required"]
        row["band_min"], row["band_max"] = SETTINGS.GRID_BAND_MIN, SETTINGS.GRID_BAND_MAX
    return out
