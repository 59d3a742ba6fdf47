"""Send a service's past events to one queue that did not exist when they were published.

    python -m shared.messaging.resend SERVICE QUEUE [--since 2026-11-01] [--types household.registered,...]

Run it where SERVICE's worker runs: its database keeps `outbox_sent`, the log of every event it published.
A service added to a running district (or a handler given a new queue) starts empty; this brings it up to
date. Events go straight to QUEUE (no other subscriber sees them again), oldest first, persistent and
confirmed; the queue ignores types its handler does not take, and its inbox makes an event it has already
handled a no-op, so running it twice is harmless.
"""
import argparse
import sys
from datetime import datetime, timezone

import mongoengine as me

from shared.messaging.bus import EventPublisher, open_connection
from shared.metrics import EVENTS_REPLAYED


class QueueMissing(RuntimeError):
    """The target queue does not exist: start the consuming service's worker first (it declares its queues)."""


def resend(*, publisher: EventPublisher, url: str, queue: str, since: datetime | None = None,
           types: list[str] | None = None) -> int:
    """Publish the logged events (sent at or after `since`, of `types`) to `queue`; return how many."""
    with open_connection(url) as conn:
        try:
            conn.default_channel.queue_declare(queue, passive=True)
        except conn.channel_errors as exc:
            raise QueueMissing(f"queue {queue} does not exist") from exc
    log = me.get_db()["outbox_sent"]
    log.create_index("sent_at")
    query = {}
    if since:
        query["sent_at"] = {"$gte": since}
    if types:
        query["type"] = {"$in": list(types)}
    sent = 0
    for row in log.find(query, {"envelope": 1}).sort([("sent_at", 1), ("_id", 1)]):
        publisher.publish(row["envelope"], queue=queue)
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
    parser.add_argument("service", help="the service that published the events (whose database is read)")
    parser.add_argument("queue", help="the queue to fill, e.g. drills.keep_roster")
    parser.add_argument("--since", type=_date, help="only events sent at or after this date or time (UTC)")
    parser.add_argument("--types", type=lambda s: [t.strip() for t in s.split(",") if t.strip()],
                        help="only these event types, comma-separated")
    args = parser.parse_args(argv)
    config = Config(args.service)
    connect_db(config)
    publisher = EventPublisher(url=config.AMQP_URL, exchange=config.EVENT_EXCHANGE, service=args.service,
                               timeout_s=config.PUBLISH_TIMEOUT_S)
    try:
        sent = resend(publisher=publisher, url=config.AMQP_URL, queue=args.queue, since=args.since, types=args.types)
    except QueueMissing as exc:
        print(f"{exc}; start its service's worker first, it declares its queues", file=sys.stderr)
        return 2
    finally:
        publisher.close()
    print(f"sent {sent} event(s) from {args.service} to {args.queue}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
