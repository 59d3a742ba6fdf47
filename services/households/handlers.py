"""What the households service does with events: keep each grid's summary current.

One table wires event types and versions to handlers; each handler gets its own durable queue and the event
loaded through its contract.
"""

from datetime import timedelta

from services.households import service

# A recount this long after an event's time certainly saw its write; a backlog then costs one recount per grid.
SETTLE = timedelta(seconds=2)


def refresh_grids(event) -> None:
    """Recount every grid the event touches (a recount is idempotent by nature)."""
    data = event.data
    grids = {event.grid_id, data.get("from_grid_id"), data.get("to_grid_id"), data.get("grid_id")}
    for grid_id in filter(None, grids):
        service.refresh_summary(grid_id=grid_id, unless_refreshed_after=event.occurred_at + SETTLE)


def follow_households(event) -> None:
    """Open follow-ups of moved households go to their new grid (idempotent: reads where each lives now)."""
    data = event.data
    service.follow_household(household_ids=data["household_ids"] if "household_ids" in data else [data["household_id"]])


def leave_groups(event) -> None:
    """A household that left or moved to another grid drops out of its ten-household group, and its resident
    stops being a building head where it no longer lives (idempotent: reads where each household lives now)."""
    for household_id in event.data.get("household_ids") or [event.data["household_id"]]:
        service.drop_from_network(household_id=household_id)


HANDLERS = {
    ("grid.created", 1): [refresh_grids],
    ("grid.redrawn", 1): [refresh_grids, follow_households, leave_groups],
    ("household.registered", 1): [refresh_grids],
    ("household.updated", 1): [refresh_grids, leave_groups],
    ("household.moved", 1): [refresh_grids, follow_households, leave_groups],
    ("household.left", 1): [refresh_grids, leave_groups],
    ("resident.care_flagged", 1): [refresh_grids],
    ("resident.care_cleared", 1): [refresh_grids],
    ("visit.logged", 1): [refresh_grids],
}
