"""Business figures operators watch, read from the grid summaries the worker keeps."""
from prometheus_client import Gauge

from services.households.models import Community, GridSummary
from services.households.service.figures import band_of, community_figures

HOUSEHOLDS = Gauge("grid_households", "Active households per grid", ["community_id", "grid_id"])
OUTSIDE_BAND = Gauge("grid_grids_outside_band", "Grids outside the household band (GRID_BAND_MIN–GRID_BAND_MAX)",
                     ["community_id"])
CARE_RESIDENTS = Gauge("grid_care_residents", "Residents with an active special-care tag", ["community_id", "tag"])
CARE_OVERDUE = Gauge("grid_care_households_overdue", "Care households not visited within the cadence",
                     ["community_id", "grid_id"])
PERMITS = Gauge("grid_residence_permits", "Residence permits (居住证) of a grid's floating residents expiring within "
                "PERMIT_EXPIRY_NOTICE_DAYS (state=expiring) or expired (state=expired)",
                ["community_id", "grid_id", "state"])
WORKERS = Gauge("grid_community_workers", "Distinct full-time grid workers assigned to a community's grids",
                ["community_id"])
WORKERS_REQUIRED = Gauge("grid_community_workers_required",
                         "Grid workers a community needs: max(GRID_WORKERS_MIN, households / GRID_WORKER_HOUSEHOLDS)",
                         ["community_id"])


def refresh() -> None:
    """Set the gauges from the summaries (cleared first so removed grids disappear)."""
    rows = GridSummary.objects.only("id", "community_id", "households", "care_residents",
                                    "care_households_overdue", "permits_expiring", "permits_expired").as_pymongo()
    for gauge in (HOUSEHOLDS, OUTSIDE_BAND, CARE_RESIDENTS, CARE_OVERDUE, WORKERS, WORKERS_REQUIRED, PERMITS):
        gauge.clear()
    outside: dict[str, int] = {}
    care: dict[tuple[str, str], int] = {}
    for row in rows:
        community = row["community_id"]
        HOUSEHOLDS.labels(community, row["_id"]).set(row.get("households", 0))
        CARE_OVERDUE.labels(community, row["_id"]).set(row.get("care_households_overdue", 0))
        for state in ("expiring", "expired"):
            PERMITS.labels(community, row["_id"], state).set(row.get(f"permits_{state}", 0))
        outside[community] = outside.get(community, 0) + (band_of(row.get("households", 0)) != "within")
        for tag, n in (row.get("care_residents") or {}).items():
            care[(community, tag)] = care.get((community, tag), 0) + n
    for community, n in outside.items():
        OUTSIDE_BAND.labels(community).set(n)
    for (community, tag), n in care.items():
        CARE_RESIDENTS.labels(community, tag).set(n)
    for community, figures in community_figures([c.pk for c in Community.objects.only("id")]).items():
        WORKERS.labels(community).set(figures["workers"])
        WORKERS_REQUIRED.labels(community).set(figures["workers_required"])
