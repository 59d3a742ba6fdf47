"""The outbox relay: publishes stored events in batches, waits once per batch for the broker's confirms, logs the
confirmed ones by reference, then removes them from their document. A write that fails for any reason but an
already-logged event fails the pass loudly; the events stay in their outboxes and the next pass sends them again
(consumers' inboxes absorb the repeat), as it does an event the broker nacked or did not confirm in time."""
import logging
import threading
from datetime import datetime, timezone

import mongoengine as me
from pymongo import UpdateOne

from shared.messaging import sent_log
from shared.messaging.bus import EventPublisher, PublishFailed
from shared.metrics import OUTBOX_BACKLOG, OUTBOX_LAG

log = logging.getLogger(__name__)

PENDING = {"outbox_pending": True}
# An outbox pulled empty stays an empty list (a flagged document always has one). Not `$or` with `$exists`: the
# stand-in database would scan the whole collection for it instead of taking the ids from the _id index.
EMPTY = {"outbox": {"$size": 0}}


class OutboxRelay:
    """Moves events from the outboxes of `documents` to the broker."""

    def __init__(self, *, documents, publisher: EventPublisher, service: str, batch: int = 200):
        self.documents = documents
        self.publisher = publisher
        self.service = service
        self.batch = batch

    def backlog(self) -> int:
        """How many stored events are still waiting to be published."""
        total = 0
        for doc_cls in self.documents:
            for row in doc_cls._get_collection().find(PENDING, {"outbox.id": 1}):
                total += len(row.get("outbox", []))
        OUTBOX_BACKLOG.labels(self.service).set(total)
        return total

    def run_once(self) -> int:
        """Publish what waits, a batch at a time, each confirmed as a whole; return how many the broker acked.

        Only acked events are marked sent; a nacked or unconfirmed one stays in its outbox for the next pass.
        Stops at the first broker failure.
        """
        sent = 0
        for doc_cls in self.documents:
            collection = doc_cls._get_collection()
            rows = list(collection.find(PENDING, {"outbox": 1}).limit(self.batch))
            self._clear_stale_flags(collection, [row["_id"] for row in rows if not row.get("outbox")])
            waiting = [(row["_id"], entry) for row in rows for entry in row["outbox"]]
            for start in range(0, len(waiting), self.batch):
                batch = waiting[start:start + self.batch]
                failure = None
                try:
                    acked = set(self.publisher.publish_batch([entry["envelope"] for _, entry in batch]))
                except PublishFailed as exc:
                    acked, failure = set(exc.acked), exc
                sent += self._mark_sent(collection, [(pk, entry) for pk, entry in batch if entry["id"] in acked])
                if failure:
                    log.warning("outbox relay paused: broker unavailable", extra={"error": str(failure)})
                    return sent
                if len(acked) < len(batch):
                    log.warning("broker refused events; they stay in their outboxes",
                                extra={"refused": len(batch) - len(acked)})
        return sent

    @staticmethod
    def _clear_stale_flags(collection, ids) -> None:
        """Clear the flag of documents whose outbox is empty: a pass that failed between pulling its events and
        clearing their flags leaves them, and they would fill every later pass's batch with nothing to send."""
        if ids:
            collection.update_many({"_id": {"$in": ids}, **EMPTY}, {"$unset": {"outbox_pending": ""}})

    def _mark_sent(self, collection, published) -> int:
        """Log the published events and pull them from their outboxes: two writes per batch, not per event."""
        if not published:
            return 0
        now = datetime.now(timezone.utc)
        for _, entry in published:
            occurred = datetime.fromisoformat(entry["envelope"]["occurred_at"])
            OUTBOX_LAG.labels(self.service).observe(max(0.0, (now - occurred).total_seconds()))
        sent_log.record([sent_log.entry(event_id=e["id"], event_type=e["type"], aggregate=collection.name,
                                        aggregate_id=pk, sent_at=now) for pk, e in published])
        by_doc: dict = {}
        for pk, entry in published:
            by_doc.setdefault(pk, []).append(entry["id"])
        collection.bulk_write([UpdateOne({"_id": pk}, {"$pull": {"outbox": {"id": {"$in": ids}}}})
                               for pk, ids in by_doc.items()], ordered=False)
        # Only where nothing new arrived meanwhile: an event pushed since the pull keeps the flag.
        collection.update_many({"_id": {"$in": list(by_doc)}, **EMPTY}, {"$unset": {"outbox_pending": ""}})
        return len(published)

    def run_forever(self, *, poll_s: float, stop: threading.Event) -> None:
        """Relay until `stop` is set; wait `poll_s` whenever there is nothing to send."""
        while not stop.is_set():
            try:
                sent = self.run_once()
                self.backlog()
            except me.connection.ConnectionFailure:
                sent = 0
            except Exception:  # a database hiccup must not kill the relay; it retries on the next pass
                log.exception("outbox relay pass failed")
                sent = 0
            if not sent:
                stop.wait(poll_s)
