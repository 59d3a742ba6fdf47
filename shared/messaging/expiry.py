"""TTL indexes that make the event logs (the inbox and the sent log) expire after a number of days."""
from pymongo.errors import OperationFailure


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


def ensure_event_log_expiry(*, days: int) -> None:
    """Both event logs of this service's database expire after `days` (EVENT_LOG_TTL_DAYS)."""
    from shared.messaging import inbox, sent_log

    ttl_index(inbox.ProcessedEvent._get_collection(), "claimed_at", days=days)
    ttl_index(sent_log.collection(), "sent_at", days=days)
