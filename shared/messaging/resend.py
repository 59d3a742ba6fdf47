"""Bring a queue that did not exist when a service's events were published up to date.

    python -m shared.messaging.resend WORKER QUEUE [--since 2026-11-01] [--types household.registered,...]
    e.g.  python -m shared.messaging.resend services.households.worker drills.keep_roster

A service added to a running district (or a handler given a new queue) starts empty. This sends it the
current state of the aggregates of the service whose worker module is WORKER (its SNAPSHOTS; the service is
the package the module is in, whose database is read), rebuilt as snapshot events, straight to QUEUE (no
other subscriber sees them), oldest collection first, persistent and confirmed.

Why snapshots and not the events as they were: the published envelopes carry residents' names and care tags,
and a log of them would keep personal data long after the records changed or were removed. The sent log
(`outbox_sent`, shared.messaging.sent_log) keeps references only, and a service registers, per aggregate
class, a function that builds the events describing a document as it is now (SNAPSHOTS in its worker module,
in the order consumers need them, e.g. grids before households). Without --since every aggregate is sent;
with it, only those the sent log says changed since then. --types filters the rebuilt events.

A snapshot event's id is derived from the aggregate and its version, so running this twice sends the same
ids and the queue's inbox makes the second run a no-op; types the queue's handler does not take are ignored.
"""
import argparse
import dataclasses
import importlib
import sys
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime, timezone

from shared.events import Event
from shared.messaging import sent_log
from shared.messaging.bus import EventPublisher, open_connection
from shared.metrics import EVENTS_REPLAYED

SNAPSHOT_IDS = uuid.UUID("5b0c3f4e-8a37-4f1e-9d55-6f0d2f6a9c11")

Snapshots = dict[type, Callable[..., list[Event]]]  # aggregate class -> its current state as events


class QueueMissing(RuntimeError):
    """The target queue does not exist: start the consuming service's worker first (it declares its queues)."""


def _changed_since(doc_cls, since: datetime) -> list:
    """Ids of the aggregates of `doc_cls` whose events were sent at or after `since`."""
    rows = sent_log.collection().find({"aggregate": doc_cls._get_collection_name(), "sent_at": {"$gte": since}},
                                      {"aggregate_id": 1})
    return sorted({row["aggregate_id"] for row in rows if "aggregate_id" in row}, key=str)


def snapshot_events(*, snapshots: Snapshots, since: datetime | None = None) -> Iterable[Event]:
    """The events describing every registered aggregate now (or those changed since `since`), stable ids."""
    for doc_cls, build in snapshots.items():
        docs = doc_cls.objects.order_by("pk") if since is None else doc_cls.objects(pk__in=_changed_since(doc_cls, since))
        for doc in docs:
            for event in build(doc):
                key = f"{doc_cls._get_collection_name()}/{doc.pk}/{getattr(doc, 'version', 0)}/{event.type}"
                yield dataclasses.replace(event, id=str(uuid.uuid5(SNAPSHOT_IDS, key)))


def resend(*, publisher: EventPublisher, url: str, queue: str, snapshots: Snapshots, since: datetime | None = None,
           types: list[str] | None = None) -> int:
    """Publish the registered aggregates' snapshot events (of `types`) to `queue`; return how many."""
    with open_connection(url) as conn:
        try:
            conn.default_channel.queue_declare(queue, passive=True)
        except conn.channel_errors as exc:
            raise QueueMissing(f"queue {queue} does not exist") from exc
    sent = 0
    for event in snapshot_events(snapshots=snapshots, since=since):
        if types and event.type not in types:
            continue
        publisher.publish(event.to_dict(), queue=queue)
        sent += 1
        EVENTS_REPLAYED.labels(publisher.service, queue).inc()
    return sent


def _date(text: str) -> datetime:
    at = datetime.fromisoformat(text)
    return at if at.tzinfo else at.replace(tzinfo=timezone.utc)


def main(argv=None) -> int:
    from shared.config import Config
    from shared.db import connect_db

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("worker", help="the worker module of the service that published the events, "
                                       "e.g. services.households.worker")
    parser.add_argument("queue", help="the queue to fill, e.g. drills.keep_roster")
    parser.add_argument("--since", type=_date, help="only aggregates changed at or after this date or time (UTC)")
    parser.add_argument("--types", type=lambda s: [t.strip() for t in s.split(",") if t.strip()],
                        help="only these event types, comma-separated")
    args = parser.parse_args(argv)
    if args.worker.count(".") < 1:
        parser.error(f"{args.worker}: give the worker's module path, e.g. services.households.worker")
    service = args.worker.rsplit(".", 2)[-2]
    snapshots = getattr(importlib.import_module(args.worker), "SNAPSHOTS", None)
    if not snapshots:
        print(f"{args.worker} registers no snapshots (no SNAPSHOTS in the module)", file=sys.stderr)
        return 2
    config = Config(service)
    connect_db(config)
    publisher = EventPublisher(url=config.AMQP_URL, exchange=config.EVENT_EXCHANGE, service=service,
                               timeout_s=config.PUBLISH_TIMEOUT_S)
    try:
        sent = resend(publisher=publisher, url=config.AMQP_URL, queue=args.queue, snapshots=snapshots,
                      since=args.since, types=args.types)
    except QueueMissing as exc:
        print(f"{exc}; start its service's worker first, it declares its queues", file=sys.stderr)
        return 2
    finally:
        publisher.close()
    print(f"sent {sent} event(s) from {service} to {args.queue}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
