"""What the drills service does with events it consumes: keep its own copy of the register and volunteers.

One table wires event types and versions to handlers; each handler gets its own durable queue and the
contract-loaded event. Both fold events so that a redelivery, or events arriving out of order, leave the same
copy (see register_copy).
"""
from services.drills import register_copy


def keep_roster(event) -> None:
    """Grids, households and residents' care tags, for the drill rosters."""
    register_copy.apply_household_event(event=event)


def keep_volunteers(event) -> None:
    """Volunteers who can be checked in at a drill."""
    register_copy.apply_volunteer_event(event=event)


def keep_network(event) -> None:
    """Building heads and ten-household groups, to sort and hand out the roll-call by building or group."""
    register_copy.apply_network_event(event=event)


HANDLERS = {
    ("grid.created", 1): [keep_roster],
    ("grid.redrawn", 1): [keep_roster],
    ("household.registered", 1): [keep_roster],
    ("household.updated", 1): [keep_roster],
    ("household.moved", 1): [keep_roster],
    ("household.left", 1): [keep_roster],
    ("resident.care_flagged", 1): [keep_roster],
    ("resident.care_cleared", 1): [keep_roster],
    ("building_head.changed", 1): [keep_network],
    ("household_group.changed", 1): [keep_network],
    ("volunteer.registered", 1): [keep_volunteers],
    ("volunteer.updated", 1): [keep_volunteers],
    ("volunteer.left", 1): [keep_volunteers],
}
