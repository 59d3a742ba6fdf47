"""TTL indexes that make the event logs (the inbox and the sent log) expire after a number of days, and the
migration of records written by older releases that those indexes would otherwise keep for ever."""
import logging

from pymongo.errors import OperationFailure

log = logging.getLogger(__name__)


def ttl_index(collection, field: str, *, days: int) -> None:
    """Make `collection`'s documents expire `days` after their `field` (created, or changed in place)."""
    seconds = int(days * 86400)
    name = f"{field}_1"
    for _ in range(2):  # another worker starting at the same moment may change it between our read and write
        info = collection.index_information().get(name)
        try:
            if info and info.get("expireAfterSeconds") == seconds:
                return
            if info and "expireAfterSeconds" in info:
                collection.database.command("collMod", collection.name,
                                            index={"name": name, "expireAfterSeconds": seconds})
                return
            if info:  # a plain index on the field (older releases made one): a TTL index replaces it
                collection.drop_index(name)
            collection.create_index(field, name=name, expireAfterSeconds=seconds)
            return
        except OperationFailure:
            continue
    raise RuntimeError(f"could not set the TTL index {collection.name}.{name}")


def migrate_old_event_logs(inbox_records, sent_entries) -> dict:
    """Bring records of older releases under the TTL indexes and out of personal data; idempotent.

    Inbox records from before claims have neither `claimed_at` (the TTL field: a document without it never
    expires) nor `state`: they get `claimed_at = processed_at` (now, if that is missing too) and state done.
    Sent-log entries from before references-only carry the published `envelope` (residents' names, care tags):
    it is removed. Each is one update_many (an aggregation-pipeline update), so workers starting together
    simply find nothing left to do.
    """
    dated = inbox_records.update_many(
        {"claimed_at": None},  # missing or null
        [{"$set": {"claimed_at": {"$ifNull": ["$processed_at", "$$NOW"]}, "state": {"$ifNull": ["$state", "done"]}}}])
    stripped = sent_entries.update_many({"envelope": {"$exists": True}}, {"$unset": {"envelope": ""}})
    counts = {"inbox_dated": dated.modified_count, "sent_log_stripped": stripped.modified_count}
    if any(counts.values()):
        log.warning("event logs of an older release migrated", extra=counts)
    return counts


def ensure_event_log_expiry(*, days: int) -> None:
    """Both event logs of this service's database expire after `days` (EVENT_LOG_TTL_DAYS), old records too."""
    from shared.messaging import inbox, sent_log

    migrate_old_event_logs(inbox.ProcessedEvent._get_collection(), sent_log.collection())
    ttl_index(inbox.ProcessedEvent._get_collection(), "claimed_at", days=days)
    ttl_index(sent_log.collection(), "sent_at", days=days)
