"""Business figures operators watch, read from the grid summaries the worker keeps (one row per grid, so a refresh
costs as many rows as there are grids, not households)."""

from services.households import rules
from services.households.config import SETTINGS
from services.households.models import Community, Grid, GridSummary
from services.households.service.figures import band_of
from shared.metrics_refresh import Figures, refreshed_gauge

HOUSEHOLDS = refreshed_gauge("grid_households", "Active households per grid", ["community_id", "grid_id"])
OUTSIDE_BAND = refreshed_gauge(
    "grid_grids_outside_band", "Grids outside the household band (GRID_BAND_MIN–GRID_BAND_MAX)",
    ["community_id"])
CARE_RESIDENTS = refreshed_gauge(
    "grid_care_residents", "Residents with an active special-care tag", ["community_id", "tag"])
CARE_OVERDUE = refreshed_gauge(
    "grid_care_households_overdue", "Care households not visited within the cadence",
    ["community_id", "grid_id"])
PERMITS = refreshed_gauge(
    "grid_residence_permits", "Residence permits (居住证) of a grid's floating residents expiring within "
    "PERMIT_EXPIRY_NOTICE_DAYS (state=expiring) or expired (state=expired)",
    ["community_id", "grid_id", "state"])
WORKERS = refreshed_gauge(
    "grid_community_workers", "Distinct full-time grid workers assigned to a community's grids",
    ["community_id"])
WORKERS_REQUIRED = refreshed_gauge(
    "grid_community_workers_required",
    "Grid workers a community needs: max(GRID_WORKERS_MIN, households / GRID_WORKER_HOUSEHOLDS)",
    ["community_id"])


GAUGES = (HOUSEHOLDS, OUTSIDE_BAND, CARE_RESIDENTS, CARE_OVERDUE, WORKERS, WORKERS_REQUIRED, PERMITS)


def refresh() -> None:
    """Set the gauges from the summaries (a grid or community gone loses its labels)."""
    out = Figures(*GAUGES)
    outside: dict[str, int] = {}
    households: dict[str, int] = {}
    care: dict[tuple[str, str], int] = {}
    for row in GridSummary.objects.only("id", "community_id", "households", "care_residents",
                                        "care_households_overdue", "permits_expiring", "permits_expired").as_pymongo():
        community, grid = row["community_id"], row["_id"]
        out.set(HOUSEHOLDS, (community, grid), row.get("households", 0))
        out.set(CARE_OVERDUE, (community, grid), row.get("care_households_overdue", 0))
        for state in ("expiring", "expired"):
            out.set(PERMITS, (community, grid, state), row.get(f"permits_{state}", 0))
        outside[community] = outside.get(community, 0) + (band_of(row.get("households", 0)) != "within")
        households[community] = households.get(community, 0) + row.get("households", 0)
        for tag, n in (row.get("care_residents") or {}).items():
            care[(community, tag)] = care.get((community, tag), 0) + n
    for community, n in outside.items():
        out.set(OUTSIDE_BAND, (community,), n)
    for (community, tag), n in care.items():
        out.set(CARE_RESIDENTS, (community, tag), n)
    staffing(out, households)
    out.publish()


def staffing(out: Figures, households: dict[str, int]) -> None:
    """Each known community's distinct grid workers and those it needs, from its households in the summaries read
    (not figures.community_figures, which reads every grid's summary again by id: seconds at a city's 2,500 grids)."""
    grids: dict[str, list[dict]] = {}
    for grid in Grid.objects.only("community_id", "worker_name", "worker_ids").as_pymongo():
        grids.setdefault(grid["community_id"], []).append(grid)
    for community in Community.objects.scalar("id"):
        out.set(WORKERS, (community,), len(rules.distinct_workers(grids.get(community, []))))
        required = rules.workers_required(households.get(community, 0), per_worker=SETTINGS.GRID_WORKER_HOUSEHOLDS,
                                          minimum=SETTINGS.GRID_WORKERS_MIN)
        out.set(WORKERS_REQUIRED, (community,), required)
