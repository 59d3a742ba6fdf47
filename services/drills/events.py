"""The events the drills service publishes, built from its documents. Every one says `exercise: true`."""
from shared.events import Event, new_event

SOURCE = "drills"


def _drill_event(drill, event_type: str, data: dict, grid_id: str | None = None) -> Event:
    return new_event(event_type, version=1, source=SOURCE, community_id=drill.community_id, grid_id=grid_id,
                     data={"drill_id": str(drill.pk), "community_id": drill.community_id, **data, "exercise": True})


def drill_planned(drill) -> Event:
    return _drill_event(drill, "drill.planned", {
        "grid_ids": list(drill.grid_ids), "hazard": drill.hazard, "level": drill.level, "title": drill.title,
        "starts_at": drill.starts_at.isoformat(), "ends_at": drill.ends_at.isoformat(),
        "helpers_wanted": drill.helpers_wanted, "skills": list(drill.skills)})


def drill_started(drill) -> Event:
    return _drill_event(drill, "drill.started", {
        "grid_ids": list(drill.grid_ids), "hazard": drill.hazard, "level": drill.level,
        "started_at": drill.started_at.isoformat(), "households": drill.households or 0})


def drill_cancelled(drill) -> Event:
    return _drill_event(drill, "drill.cancelled", {"cancelled_at": drill.cancelled_at.isoformat()})


def drill_rescheduled(drill, previous_starts_at) -> Event:
    return _drill_event(drill, "drill.rescheduled", {
        "starts_at": drill.starts_at.isoformat(), "ends_at": drill.ends_at.isoformat(),
        "previous_starts_at": previous_starts_at.isoformat(), "rescheduled_at": drill.reschedules[-1].at.isoformat()})


def household_accounted(tick) -> Event:
    return new_event("drill.household_accounted", version=1, source=SOURCE, community_id=tick.community_id,
                     grid_id=tick.grid_id, data={
                         "drill_id": tick.drill_id, "community_id": tick.community_id, "grid_id": tick.grid_id,
                         "household_id": tick.household_id, "status": tick.status,
                         "accounted_at": tick.at.isoformat(), "exercise": True})


def drill_completed(drill, checkins: list[dict]) -> Event:
    """checkins: [{volunteer_id, hours}] (the shape agreed with the volunteers service)."""
    return _drill_event(drill, "drill.completed", {
        "started_at": drill.started_at.isoformat(), "ended_at": drill.ended_at.isoformat(),
        "volunteer_checkins": [{"volunteer_id": c["volunteer_id"], "hours": c["hours"]} for c in checkins]})


def action_opened(action) -> Event:
    return new_event("action.opened", version=1, source=SOURCE, community_id=action.community_id, grid_id=action.grid_id,
                     data={"action_id": str(action.pk), "drill_id": action.drill_id,
                           "community_id": action.community_id, "grid_id": action.grid_id, "title": action.title,
                           "owner_name": action.owner_name, "owner_user_id": action.owner_user_id,
                           "due_on": action.due_on.isoformat(), "exercise": True})


def action_closed(action) -> Event:
    return new_event("action.closed", version=1, source=SOURCE, community_id=action.community_id, grid_id=action.grid_id,
                     data={"action_id": str(action.pk), "drill_id": action.drill_id,
                           "community_id": action.community_id, "closed_at": action.closed_at.isoformat(),
                           "resolution": action.resolution, "exercise": True})
