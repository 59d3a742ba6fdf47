"""`outbox_sent`: the log of the events a service has published, by reference only.

Each entry keeps the event's id and type, the aggregate it came from (collection and id) and when it was sent;
never the envelope, which carries residents' names and care tags. It serves two purposes: the relay's insert
under the event id is how a pass that crashed before pulling its events finds them already published, and
`resend --since` reads which aggregates changed since a date. Entries expire (EVENT_LOG_TTL_DAYS).
"""
import mongoengine as me
from pymongo.errors import BulkWriteError

DUPLICATE_KEY = 11000


def collection():
    return me.get_db()["outbox_sent"]


def record(entries: list[dict]) -> None:
    """Log published events; an entry already logged (an earlier pass crashed before pulling it) is fine.

    Any other write error is raised: the pass fails, its events stay in their outboxes and are sent again.
    """
    try:
        collection().insert_many(entries, ordered=False)
    except BulkWriteError as exc:
        errors = exc.details.get("writeErrors", [])
        if not errors or any(e.get("code") != DUPLICATE_KEY for e in errors) or exc.details.get("writeConcernErrors"):
            raise


def entry(*, event_id: str, event_type: str, aggregate: str, aggregate_id, sent_at) -> dict:
    """One log entry: references only."""
    return {"_id": event_id, "type": event_type, "aggregate": aggregate, "aggregate_id": aggregate_id,
            "sent_at": sent_at}
