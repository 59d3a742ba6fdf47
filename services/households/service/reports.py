"""One community's month in figures for the monthly report (counts only, never people).

Definitions (month = [start, end) by the district's calendar; for the month under way, "the month's end" is now):
- A household lives in a grid at the month's end when it had moved in by the month's last day (`moved_in_on`, else
  the day it was registered), had not moved out by then (`moved_out_on`), and its grid then is the one its history
  (registered, moved, redrawn) had put it in before the end. `grids` counts them per grid of the community (grids
  drawn before the end, or holding households then); `households` sums them; `grids_below/in_band/above` place each
  grid against GRID_BAND_MIN–GRID_BAND_MAX.
- `visits_logged`: visits made in the month (`visited_at`) in the community's grids (the grid a visit was made in).
- `care_due`: households carrying a care tag on the month's last day whose visit fell due on or before that day by
  the cadence (the shortest of their tags', VISIT_CADENCE_DAYS_BY_TAG): never visited before the month, or last
  visited more than the cadence before the month's end (due in the month or overdue at its start). `care_done`: of
  those, the households visited within the month.
- `overdue_by_grid`: per grid, the care households overdue a visit at the month's end (the overdue rule at that
  instant, with the visits made before it).
"""
from datetime import date, datetime, timedelta

from services.households import rules
from services.households.config import SETTINGS
from services.households.models import Community, Grid, Household, Visit
from services.households.service.access import community_scope_query
from shared import clock
from shared.identity import Principal
from shared.scope import load_in_scope

PLACING = ("registered", "moved", "redrawn")  # history entries that put a household in a grid


def month_figures(*, actor: Principal, community_id: str, month: str) -> dict:
    """The register's figures of one community's month: grid sizes against the band and care visits due and done."""
    community = load_in_scope(Community, community_id, actor=actor, what="community", permission="reports.read",
                              field="community_id",
                              visible=lambda c: Community.objects(community_scope_query(actor), pk=c.pk).count() > 0)
    start, end = clock.month_span(month)
    end = min(end, clock.now())
    last_day = clock.local(end - timedelta(microseconds=1)).date()
    grids = list(Grid.objects(community_id=community.pk).only("id", "created_at").order_by("id"))
    grid_ids = [g.pk for g in grids]
    living = _living_at(grid_ids=grid_ids, end=end, last_day=last_day)
    sizes = {g.pk: 0 for g in grids}
    for grid_id in living.values():
        sizes[grid_id] += 1
    drawn = [g.pk for g in grids if clock.aware(g.created_at) < end or sizes[g.pk]]
    low, high = SETTINGS.GRID_BAND_MIN, SETTINGS.GRID_BAND_MAX
    bands = [rules.band(sizes[g], low=low, high=high) for g in drawn]
    care = _care_visits(living=living, start=start, end=end, last_day=last_day)
    return {"community_id": community.pk, "month": month, "band": {"min": low, "max": high},
            "grids": [{"grid_id": g, "households": sizes[g]} for g in drawn],
            "households": sum(sizes[g] for g in drawn), "grids_below": bands.count("below"),
            "grids_in_band": bands.count("within"), "grids_above": bands.count("above"),
            "visits_logged": _visits_logged(grid_ids=grid_ids, start=start, end=end),
            "care_due": care["due"], "care_done": care["done"],
            "overdue_by_grid": [{"grid_id": g, "overdue": care["overdue"].get(g, 0)} for g in drawn]}


def _living_at(*, grid_ids: list[str], end: datetime, last_day: date) -> dict:
    """{household id: grid id} of the households living in `grid_ids` at `end`."""
    # now in one of the grids, or moved out of one since (the first move after `end` names the grid it left)
    rows = Household.objects(__raw__={"$or": [{"grid_id": {"$in": grid_ids}},
                                              {"history.detail.from_grid_id": {"$in": grid_ids}}]}) \
        .only("id", "grid_id", "moved_in_on", "moved_out_on", "created_at", "history").as_pymongo()
    out = {}
    for row in rows:
        registered = row.get("created_at")  # unset only on households stored before it was kept: long there
        arrived = rules.day(row.get("moved_in_on")) or (clock.local(registered).date() if registered else date.min)
        gone = rules.day(row.get("moved_out_on"))
        if arrived > last_day or (gone is not None and gone <= last_day):
            continue
        grid_id = _grid_at(row, end=end)
        if grid_id in grid_ids:
            out[row["_id"]] = grid_id
    return out


def _grid_at(row: dict, *, end: datetime) -> str:
    """The grid a household's history had placed it in before `end` (its grid now when the history says nothing)."""
    placing = sorted((e for e in row.get("history", []) if e["action"] in PLACING), key=lambda e: e["at"])
    before = [e for e in placing if clock.aware(e["at"]) < end]
    if before:
        detail = before[-1].get("detail", {})
        return detail.get("to_grid_id") or detail.get("grid_id") or row["grid_id"]
    later_moves = [e for e in placing if e["action"] != "registered"]
    return later_moves[0]["detail"].get("from_grid_id", row["grid_id"]) if later_moves else row["grid_id"]


def _visits_logged(*, grid_ids: list[str], start: datetime, end: datetime) -> int:
    """Visits made in [start, end) in `grid_ids` (where they were made; older visits carry only grid_id)."""
    return Visit.objects(__raw__={"visited_at": {"$gte": start, "$lt": end}, "$or": [
        {"visited_in_grid_id": {"$in": grid_ids}},
        {"visited_in_grid_id": None, "grid_id": {"$in": grid_ids}}]}).count()


def _care_visits(*, living: dict, start: datetime, end: datetime, last_day: date) -> dict:
    """Care households due a visit in the month and those visited in it, and per grid those overdue at `end`."""
    by_tag, default = SETTINGS.VISIT_CADENCE_DAYS_BY_TAG, SETTINGS.VISIT_CADENCE_DAYS
    # any household that ever carried a tag (`care` says only whether it carries one today)
    care = [h for h in Household.objects(pk__in=list(living), residents__care_tags__tag__exists=True)
            .only("id", "residents") if rules.care_tags_on(h.residents, last_day)]
    visits: dict[str, list[datetime]] = {}
    for row in Visit.objects(household_id__in=[str(h.pk) for h in care], visited_at__lt=end) \
            .only("household_id", "visited_at").as_pymongo():
        visits.setdefault(row["household_id"], []).append(clock.aware(row["visited_at"]))
    due = done = 0
    overdue: dict[str, int] = {}
    for h in care:
        cadence = rules.cadence_days(rules.care_tags_on(h.residents, last_day), by_tag=by_tag, default=default)
        seen = visits.get(str(h.pk), [])
        before = max((at for at in seen if at < start), default=None)
        if rules.overdue(before, at=end, cadence_days=cadence):
            due += 1
            done += any(at >= start for at in seen)
        if rules.overdue(max(seen, default=None), at=end, cadence_days=cadence):
            overdue[living[h.pk]] = overdue.get(living[h.pk], 0) + 1
    return {"due": due, "done": done, "overdue": overdue}
