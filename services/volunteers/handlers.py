"""What the volunteers service does with events from households, drills and the mediation service's desk.

One table wires event types to handlers; each handler gets its own durable queue. Every effect is
idempotent: recounts by nature, needs by a unique key per resident+tag, drill or case and by event id
(a request that ended opens none), hours by a unique key per drill and volunteer. Each handler gets the
event loaded through its contract (dates as `date`, times as aware `datetime`).
"""
from services.volunteers import register_copy, service


def keep_register(event) -> None:
    """Grids, household copies and per-community resident counts (for the volunteer share target)."""
    register_copy.on_register_event(event)


def care_needs(event) -> None:
    """A special-care flag opens a standing care need; a clear, a move or the household leaving follows it."""
    service.on_care_event(event)


def care_cadences(event) -> None:
    """Households' visit cadence per care tag: kept, and the open standing care needs follow it."""
    service.on_cadences_set(event)


def drill_helpers(event) -> None:
    """A planned drill asks for helpers: one need per drill; cancelled, the need closes; rescheduled, it moves."""
    service.on_drill_helpers_event(event)


def case_needs(event) -> None:
    """A request for help asks volunteers: one need per case; the request closed or archived, the need closes."""
    service.on_case_event(event)


def drill_hours(event) -> None:
    """A completed drill credits hours to the volunteers who checked in, once each."""
    service.on_drill_completed(event)


HANDLERS = {
    ("grid.created", 1): [keep_register],
    ("grid.redrawn", 1): [keep_register, care_needs],
    ("household.registered", 1): [keep_register],
    ("household.updated", 1): [keep_register],
    ("household.moved", 1): [keep_register, care_needs],
    ("household.left", 1): [keep_register, care_needs],
    ("resident.care_flagged", 1): [care_needs],
    ("resident.care_cleared", 1): [care_needs],
    ("care.cadences_set", 1): [care_cadences],
    ("drill.planned", 1): [drill_helpers],
    ("drill.cancelled", 1): [drill_helpers],
    ("drill.rescheduled", 1): [drill_helpers],
    ("drill.completed", 1): [drill_hours],
    ("case.help_requested", 1): [case_needs],
    ("case.closed", 1): [case_needs],
    ("case.archived", 1): [case_needs],
}
