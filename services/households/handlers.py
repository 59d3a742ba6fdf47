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


HANDLERS = {
    ("grid.created", 1): [refresh_grids],
    ("grid.redrawn", 1): [refresh_grids],
    ("household.registered", 1): [refresh_grids],
    ("household.updated", 1): [refresh_grids],
    ("household.moved", 1): [refresh_grids],
    ("household.left", 1): [refresh_grids],
    ("resident.care_flagged", 1): [refresh_grids],
    ("resident.care_cleared", 1): [refresh_grids],
    ("visit.logged", 1): [refresh_grids],
}
