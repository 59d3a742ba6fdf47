"""Idempotent consumers: each consumer claims an event id before its handler runs, and marks it done after.

The claim is an insert under the unique index (consumer, event_id), so of two workers handed the same event at
once (a redelivery during a rolling update, an event published twice) exactly one runs the handler; the other
sees the claim and waits. A claim carries its owner and `claimed_at`, which the owner renews while it holds the
claim (`LeaseKeeper`); a claim not renewed for a lease (its worker was killed) may be taken over, so the
redelivery is never skipped for ever. `done` is final. A failed handler releases its claim. The consumer marks
its handled events done in batches (`finish_many`, one round trip for many) and acks them after: one write per
event for the claim, a fraction of one for its done mark.

Records expire through a TTL index on `claimed_at` (`ensure_expiry`), so the collection does not grow for ever;
an event redelivered after that long is long past any broker's redelivery.
"""
import logging
import threading
from datetime import datetime, timedelta, timezone

import mongoengine as me
from pymongo import UpdateOne
from pymongo.errors import DuplicateKeyError, PyMongoError

log = logging.getLogger(__name__)

CLAIMED, DONE, BUSY = "claimed", "done", "busy"


class ProcessedEvent(me.Document):
    # "<consumer>/<event id>": every conditional write below names the record by `_id`. The MongoDB stand-in
    # answers a filter of the compound key plus other fields by scanning the collection (14 writes/s at 5,000
    # records, against 460/s by `_id`). Records of older releases keep an ObjectId; they are all done.
    id = me.StringField(primary_key=True)
    consumer = me.StringField(required=True)
    event_id = me.StringField(required=True)
    event_type = me.StringField(required=True)
    state = me.StringField(choices=(CLAIMED, DONE))  # absent on records written before claims: done
    owner = me.StringField()
    claimed_at = me.DateTimeField()
    processed_at = me.DateTimeField()
    meta = {
        "collection": "processed_events",
        "indexes": [{"fields": ["consumer", "event_id"], "unique": True}],
    }


def _records():
    return ProcessedEvent._get_collection()


def _now():
    return datetime.now(timezone.utc)


def record_id(consumer: str, event_id: str) -> str:
    """The `_id` of a consumer's record of an event."""
    return f"{consumer}/{event_id}"


def claim(*, consumer: str, event_id: str, event_type: str, owner: str, lease_s: float) -> str:
    """Claim the event for `owner`: CLAIMED (run the handler), DONE (handled before) or BUSY (another runs it)."""
    key = {"consumer": consumer, "event_id": event_id}
    for _ in range(3):  # the holder may release or its record expire between our insert and our read
        now = _now()
        try:
            _records().insert_one({"_id": record_id(consumer, event_id), **key, "event_type": event_type,
                                   "state": CLAIMED, "owner": owner, "claimed_at": now})
            return CLAIMED
        except DuplicateKeyError:
            pass
        held = _records().find_one(key, {"state": 1, "owner": 1, "claimed_at": 1})  # old records: another _id
        if held is None:
            continue
        if held.get("state", DONE) == DONE:
            return DONE
        claimed_at = held.get("claimed_at")
        if claimed_at is not None and claimed_at.tzinfo is None:
            claimed_at = claimed_at.replace(tzinfo=timezone.utc)
        stale = claimed_at is None or claimed_at < now - timedelta(seconds=lease_s)
        if held.get("owner") != owner and not stale:
            return BUSY
        # ours from an earlier delivery, or its worker stopped renewing it: take it over, unless someone just did
        taken = _records().update_one({"_id": held["_id"], "state": CLAIMED, "owner": held.get("owner"),
                                       "claimed_at": held.get("claimed_at")},
                                      {"$set": {"owner": owner, "claimed_at": now}})
        if taken.modified_count:
            if held.get("owner") != owner:
                log.warning("took over a stale inbox claim", extra={"queue": consumer, "event_id": event_id})
            return CLAIMED
    return BUSY


def finish(*, consumer: str, event_id: str, owner: str) -> None:
    """Mark the owner's claim done: the event will never run this consumer's handler again."""
    finish_many([{"consumer": consumer, "event_id": event_id, "owner": owner}])


def finish_many(claims: list[dict]) -> None:
    """Mark the owners' claims (consumer, event_id, owner) done in one round trip."""
    if not claims:
        return
    now = _now()
    marked = _records().bulk_write([UpdateOne({"_id": record_id(c["consumer"], c["event_id"]), "owner": c["owner"],
                                               "state": CLAIMED},
                                              {"$set": {"state": DONE, "processed_at": now, "claimed_at": now}})
                                    for c in claims], ordered=False)
    if marked.modified_count < len(claims):
        log.warning("inbox claims lost before their handlers finished",
                    extra={"queue": claims[0]["consumer"], "lost": len(claims) - marked.modified_count})


def release(*, consumer: str, event_id: str, owner: str) -> None:
    """Give the claim up after a failed handler, so the retry can claim it (best effort: a lease ends it anyway)."""
    try:
        _records().delete_one({"_id": record_id(consumer, event_id), "owner": owner, "state": CLAIMED})
    except PyMongoError as exc:
        log.warning("inbox claim not released; it lapses after its lease", extra={"queue": consumer,
                                                                                 "event_id": event_id,
                                                                                 "error": str(exc)})


def renew(*, consumer: str, event_id: str, owner: str) -> None:
    """Push the owner's claim's lease forward while its handler still runs."""
    _records().update_one({"_id": record_id(consumer, event_id), "owner": owner, "state": CLAIMED},
                          {"$set": {"claimed_at": _now()}})


def already_processed(*, consumer: str, event_id: str) -> bool:
    """True when this consumer has handled the event (a claim in progress is not handled)."""
    held = _records().find_one({"consumer": consumer, "event_id": event_id}, {"state": 1})
    return held is not None and held.get("state", DONE) == DONE


class LeaseKeeper:
    """One thread per consumer that renews the claims its handlers hold, every third of the lease."""

    def __init__(self, *, lease_s: float, renew=renew):
        self.lease_s = lease_s
        self._renew = renew
        self._held: set[tuple[str, str, str]] = set()
        self._lock = threading.Lock()
        self._thread = None

    def start(self, stop: threading.Event) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, args=(stop,), name="inbox-leases", daemon=True)
            self._thread.start()

    def hold(self, consumer: str, event_id: str, owner: str) -> None:
        with self._lock:
            self._held.add((consumer, event_id, owner))

    def drop(self, consumer: str, event_id: str, owner: str) -> None:
        with self._lock:
            self._held.discard((consumer, event_id, owner))

    def _run(self, stop: threading.Event) -> None:
        while not stop.wait(self.lease_s / 3):
            with self._lock:
                held = list(self._held)
            for consumer, event_id, owner in held:
                try:
                    self._renew(consumer=consumer, event_id=event_id, owner=owner)
                except PyMongoError:  # the database is away: the claim may lapse, and a takeover is then correct
                    pass


def ensure_expiry(*, days: int) -> None:
    """Make inbox records expire `days` after their last claim (TTL index)."""
    from shared.messaging.expiry import ttl_index

    ttl_index(_records(), "claimed_at", days=days)
