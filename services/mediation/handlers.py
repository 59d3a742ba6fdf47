"""What the mediation service does with events (each handler gets the event loaded through its contract).

- households events keep this service's copy of grids and households (parties come from it) and bring
  the parties of open cases up to date when a household moves or changes;
- its own dispute events fill the feeds of the first-contact owner and the mediators concerned.

One table wires event types to handlers; each handler gets its own durable queue. Every effect is
idempotent by event id (the inbox, the copy's `as_of`, the case history's event ids, a unique index).
"""
from services.mediation import register_copy
from services.mediation.service import feeds
from shared.events.mediation import CONTRACTS as DISPUTE_EVENTS


def keep_register(event) -> None:
    """Apply a households event to the copy of the register."""
    register_copy.apply_register_event(event)


def follow_parties(event) -> None:
    """Move or refresh the parties of open cases whose household changed."""
    register_copy.follow_household(event)


def notify(event) -> None:
    """Put a step of a case in the feeds of those who must hear of it."""
    feeds.notify(event)


HANDLERS = {
    ("grid.created", 1): [keep_register],
    ("grid.redrawn", 1): [keep_register, follow_parties],
    ("household.registered", 1): [keep_register],
    ("household.updated", 1): [keep_register, follow_parties],
    ("household.moved", 1): [keep_register, follow_parties],
    ("household.left", 1): [keep_register],
    ("resident.care_flagged", 1): [keep_register],
    ("resident.care_cleared", 1): [keep_register],
    **{kind: [notify] for kind in DISPUTE_EVENTS},
}
