"""Send dead letters back to their queue once the cause is fixed.

    python -m shared.messaging.replay QUEUE [--limit N]

Each message now in QUEUE.dead (not one that fails again meanwhile) is moved to QUEUE with its retry count
reset; the consumer's inbox keeps a replayed event from having a second effect.
"""
import argparse
import os
import sys

from kombu import Producer, Queue

from shared.messaging.bus import open_connection
from shared.metrics import EVENTS_REPLAYED

STRIPPED = ("x-attempts", "x-dead-reason", "x-error", "x-dead-at", "x-death")


def replay(*, url: str, queue: str, service: str = "replay", limit: int | None = None) -> int:
    """Move up to `limit` dead letters of `queue` back to it; return how many moved."""
    moved = 0
    with open_connection(url) as conn:
        channel = conn.channel()
        producer = Producer(channel)
        dead = Queue(f"{queue}.dead", no_declare=True)(channel)
        # only what is there now: a message that fails again comes back while we run, and is not taken twice
        waiting = channel.queue_declare(f"{queue}.dead", passive=True).message_count
        limit = waiting if limit is None else min(limit, waiting)
        while moved < limit:
            message = dead.get(no_ack=False, accept=["json"])
            if message is None:
                break
            headers = {k: v for k, v in (message.headers or {}).items() if k not in STRIPPED}
            producer.publish(
                message.body, exchange="", routing_key=queue, delivery_mode=2, headers=headers,
                content_type=message.content_type, content_encoding=message.content_encoding, retry=False,
            )
            message.ack()
            moved += 1
            EVENTS_REPLAYED.labels(service, queue).inc()
    return moved


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("queue")
    parser.add_argument("--limit", type=int)
    args = parser.parse_args(argv)
    url = os.environ.get("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//")
    moved = replay(url=url, queue=args.queue, limit=args.limit)
    print(f"replayed {moved} message(s) from {args.queue}.dead to {args.queue}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
