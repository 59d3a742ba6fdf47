"""Exchanges and queues: one durable topic exchange, a queue per consuming service and subscription.

For a subscription queue Q:
  Q            bound to the events exchange by the subscription's routing patterns;
               rejected messages dead-letter to `<exchange>.dead` with routing key Q
  Q.retry.N    holds a failed message for the N-th backoff delay, then dead-letters it back to Q
  Q.dead       bound to `<exchange>.dead` with routing key Q: messages that kept failing; capped at
               `dead_max` messages, the oldest dropped first (x-max-length, x-overflow drop-head)

With `queue_type="quorum"` (QUEUE_TYPE, production) every queue is a replicated quorum queue, and Q carries
`x-delivery-limit`: a message delivered that many times without an ack (requeued, or its worker killed each
time) is dead-lettered by the broker itself, the last guard against a message that could loop for ever.
Queue arguments cannot change on an existing queue: a deployment that switches type redeclares under a new
QUEUE_PREFIX or deletes the old queues once drained.
"""
from dataclasses import dataclass

from kombu import Exchange, Queue


@dataclass(frozen=True)
class Subscription:
    service: str
    name: str
    patterns: tuple[str, ...]  # the event types its queue is bound to
    accepts: frozenset = frozenset()  # the (type, version) pairs its handler takes
    prefix: str = ""  # test runs name their queues apart
    expires_ms: int | None = None  # test queues vanish when unused
    queue_type: str = "classic"
    delivery_limit: int = 20
    dead_max: int = 10000

    @property
    def queue_name(self) -> str:
        return f"{self.prefix}{self.service}.{self.name}"

    def arguments(self, **extra) -> dict:
        if self.queue_type == "quorum":
            extra = {"x-queue-type": "quorum", **extra}
        return {**extra, "x-expires": self.expires_ms} if self.expires_ms else extra


def events_exchange(name: str) -> Exchange:
    return Exchange(name, type="topic", durable=True, delivery_mode="persistent")


def dead_exchange(name: str) -> Exchange:
    return Exchange(f"{name}.dead", type="direct", durable=True, delivery_mode="persistent")


def main_queue(exchange_name: str, sub: Subscription) -> Queue:
    ex = events_exchange(exchange_name)
    from kombu import binding

    return Queue(
        sub.queue_name,
        bindings=[binding(ex, routing_key=p) for p in sub.patterns],
        durable=True,
        queue_arguments=sub.arguments(**{
            "x-dead-letter-exchange": dead_exchange(exchange_name).name,
            "x-dead-letter-routing-key": sub.queue_name,
            **({"x-delivery-limit": sub.delivery_limit} if sub.queue_type == "quorum" else {}),
        }),
    )


def retry_queue(sub: Subscription, step: int, delay_ms: int) -> Queue:
    return Queue(
        f"{sub.queue_name}.retry.{step}",
        durable=True,
        queue_arguments=sub.arguments(**{
            "x-message-ttl": delay_ms,
            "x-dead-letter-exchange": "",
            "x-dead-letter-routing-key": sub.queue_name,
        }),
    )


def dead_queue(exchange_name: str, sub: Subscription) -> Queue:
    return Queue(
        f"{sub.queue_name}.dead",
        exchange=dead_exchange(exchange_name),
        routing_key=sub.queue_name,
        durable=True,
        queue_arguments=sub.arguments(**{"x-max-length": sub.dead_max, "x-overflow": "drop-head"}),
    )


def declare(channel, exchange_name: str, sub: Subscription, retry_delays_ms: list[int]) -> None:
    """Declare everything a subscription needs (idempotent)."""
    events_exchange(exchange_name)(channel).declare()
    dead_exchange(exchange_name)(channel).declare()
    main_queue(exchange_name, sub)(channel).declare()
    dead_queue(exchange_name, sub)(channel).declare()
    for step, delay in enumerate(retry_delays_ms):
        retry_queue(sub, step, delay)(channel).declare()
