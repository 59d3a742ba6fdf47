"""Copies of another service's data kept from its events: the newer event wins.

Events arrive twice or out of order. Each copied part carries the time of the event it came from (to the
millisecond, as MongoDB keeps it, so a redelivery compares equal), and an event changes a part only when it is
newer. Every service's `register_copy.py` (its copy of the households register) is built on these.
"""
from datetime import datetime

from pymongo.errors import DuplicateKeyError

from shared.clock import aware, to_ms


def event_time(event) -> datetime:
    """When `event` occurred, in UTC to the millisecond (the precision its stored stamp will have)."""
    return to_ms(event.occurred_at)


def newer(at: datetime, stored: datetime | None) -> bool:
    """True when an event at `at` is newer than the part stamped `stored` (or the part has none)."""
    return stored is None or at > aware(stored)


def not_older(at: datetime, stored: datetime | None) -> bool:
    """True when an event at `at` is at least as new as the part stamped `stored` (or it has none)."""
    return stored is None or at >= aware(stored)


def set_unless_newer(collection, key, fields: dict, *, stamp: str, at, ties_win: bool = False,
                     on_insert: dict | None = None) -> bool:
    """Set `fields` on document `key` (made if missing) unless its `stamp` is later than `at`; True when set.

    Events and recounts arrive out of order; the one stamped latest wins. With `ties_win`, a write stamped
    the same as the stored one also wins. The condition is one `$not`, not an `$or` with "missing": the
    MongoDB stand-ins scan the whole collection for an `$or`, even beside `_id`.
    """
    update = {"$set": {**fields, stamp: at}}
    if on_insert:
        update["$setOnInsert"] = on_insert
    try:
        result = collection.update_one({"_id": key, stamp: {"$not": {"$gt" if ties_win else "$gte": at}}}, update,
                                       upsert=True)
    except DuplicateKeyError:
        return False  # the document exists with a later stamp: the upsert's insert collided with it
    return bool(result.matched_count or result.upserted_id)
