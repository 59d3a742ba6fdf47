"""Consuming events: one durable queue per service and handler, ack after success, bounded retries.

A handler gets a validated `Event`. Before it runs, the consumer claims the event in its inbox (a unique insert),
so two workers handed the same event at once run it once, and a redelivery after a crash between the handler's
write and the ack has no second effect. Handled deliveries are marked done in the inbox in batches (one database
round trip for a batch) and acked right after their marks are written: when the batch is full (half the prefetch),
when no delivery came for FLUSH_IDLE_S, before the same event is handled again, and on stop. A crash between a
handler and its batch's done mark hands the delivery back; its claim lapses after the lease and the handler runs
again, as it would after a crash before any ack. A delivery whose event another worker holds goes to a retry queue
(not an attempt) until that worker finishes or its claim lapses.

Every failure, a database timeout included (pymongo's NetworkTimeout: a slow or stuck database), is retried
through the retry queues and then dead-lettered. Only a database that is plainly unreachable (the handler lost
its connection and our own ping fails too) is not the message's fault: the delivery waits for it at most
`outage_wait_s` and is requeued without spending an attempt, counted in grid_events_requeued_total; a quorum
queue's x-delivery-limit bounds how often that can happen to one message.
"""
import json
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from typing import NamedTuple

from kombu import Consumer, Producer
from marshmallow import ValidationError
from pymongo.errors import ConnectionFailure, NetworkTimeout

from shared import context
from shared.errors import NotYet
from shared.events import EnvelopeSchema, UnknownEventType
from shared.messaging import inbox
from shared.messaging.bus import open_connection, supports_broker_features
from shared.messaging.inbox import BUSY, CLAIMED, DONE, LeaseKeeper
from shared.messaging.topology import Subscription, dead_exchange, declare, main_queue
from shared.metrics import (
    DEAD_LETTER_LIMIT,
    DEAD_LETTERS,
    EVENTS_CONSUMED,
    EVENTS_DEAD,
    EVENTS_REQUEUED,
    EVENTS_RETRIED,
)

log = logging.getLogger(__name__)

# A delivery whose event another worker holds waits in the retry queues; the holder renews its claim only while
# its handler runs, so this many waits (minutes on the production delays) means something is stuck: dead-letter.
MAX_CLAIM_WAITS = 100
FLUSH_IDLE_S = 0.02  # no delivery for this long: write the batch's done marks and ack it

Handler = Callable[..., None]


class Handled(NamedTuple):
    """A delivery whose handler succeeded, waiting for its done mark and then its ack."""

    claim: dict
    message: object
    queue: str
    event_type: str


def subscriptions(service: str, handlers: dict[tuple[str, int], list[Handler]],
                  **queue_options) -> dict[Subscription, Handler]:
    """Turn the table `(event type, version) -> handlers` into one subscription (queue) per handler."""
    by_name: dict[str, tuple[Handler, list[tuple[str, int]]]] = {}  # by queue name: equal partials are one handler
    for (event_type, version), funcs in handlers.items():
        for func in funcs:
            by_name.setdefault(handler_name(func), (func, []))[1].append((event_type, version))
    return {Subscription(service, name, tuple(dict.fromkeys(t for t, _ in kinds)), accepts=frozenset(kinds),
                         **queue_options): func
            for name, (func, kinds) in by_name.items()}


def handler_name(func) -> str:
    """A handler's queue name part; a functools.partial is named after the function it wraps."""
    return getattr(func, "__name__", None) or func.func.__name__


class Poison(Exception):
    """The message can never be handled: not JSON, not an envelope, or an unknown type or version."""


def decode(body: bytes):
    """The event a message carries, its data loaded through its contract; Poison when it is not one."""
    try:
        raw = json.loads(body)
        return EnvelopeSchema().load(raw).load()
    except (ValueError, ValidationError, UnknownEventType, TypeError) as exc:
        raise Poison(str(exc)[:500]) from exc


def _database_answers() -> bool:
    from shared.db import ping_db

    return ping_db()


class EventConsumer:
    """Runs a service's handlers against its queues until stopped."""

    def __init__(self, *, url, exchange, service, handlers, retry_delays_ms, prefetch=100, queue_prefix="",
                 queue_expires_ms=None, queue_type="classic", delivery_limit=20, dead_max=10000, lease_s=30.0,
                 outage_wait_s=30.0, inbox=inbox, database_answers=_database_answers):
        self.url = url
        self.exchange = exchange
        self.service = service
        self.table = subscriptions(service, handlers, prefix=queue_prefix, expires_ms=queue_expires_ms,
                                   queue_type=queue_type, delivery_limit=delivery_limit, dead_max=dead_max)
        self.retry_delays_ms = list(retry_delays_ms)
        self.prefetch = prefetch
        self.done_batch = max(1, prefetch // 2)  # below the prefetch, so the broker keeps delivering meanwhile
        self._handled: dict[tuple[str, str], Handled] = {}
        self.connection = None
        self.inbox = inbox  # claim/finish/release/renew; tests pass a fake
        self.lease_s = lease_s
        self.leases = LeaseKeeper(lease_s=lease_s, renew=inbox.renew)
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.outage_wait_s = outage_wait_s
        self.database_answers = database_answers
        self._stop = threading.Event()

    def declare(self) -> None:
        """Declare the exchange and every queue this service consumes (also done at start)."""
        with open_connection(self.url) as conn:
            self._declare_all(conn)

    def _declare_all(self, conn) -> None:
        channel = conn.default_channel
        delays = self.retry_delays_ms if supports_broker_features(conn) else []
        for sub in self.table:
            declare(channel, self.exchange, sub, delays)

    def dead_letter_depths(self) -> dict[str, int]:
        """How many messages each dead-letter queue holds now (also set on the grid_dead_letter_* gauges)."""
        depths = {}
        with open_connection(self.url) as conn:
            for sub in self.table:
                name = f"{sub.queue_name}.dead"
                depths[name] = conn.default_channel.queue_declare(name, passive=True).message_count
                DEAD_LETTERS.labels(self.service, name).set(depths[name])
                DEAD_LETTER_LIMIT.labels(self.service, name).set(sub.dead_max)
        return depths

    def run(self, *, stop: threading.Event) -> None:
        """Consume until `stop` is set, reconnecting when the broker goes away."""
        self._stop = stop
        self.leases.start(stop)
        while not stop.is_set():
            conn = open_connection(self.url)
            errors = conn.connection_errors + conn.channel_errors + (OSError,)
            try:
                conn.ensure_connection(max_retries=1)
                self.connection = conn
                self._declare_all(conn)
                self._consume(conn, stop)
            except errors as exc:
                log.warning("consumer lost the broker; reconnecting", extra={"error": str(exc)})
                stop.wait(1.0)
            except Exception:  # a bug must not silently end consumption; log it and start again
                log.exception("consumer failed; restarting")
                stop.wait(1.0)
            finally:
                conn.release()

    def _consume(self, conn, stop) -> None:
        channel = conn.channel()
        channel.basic_qos(0, self.prefetch, False)
        # Retries and dead letters go out on a connection of their own: waiting for a publish confirm drains the
        # connection it was sent on, and on the consuming one that would hand the next delivery to a handler inside
        # this one; a nested publish then takes the outer publish's confirm and the outer wait never ends.
        publishing = open_connection(self.url)
        consumers = []
        try:
            self._producer = Producer(publishing.channel())
            consumers = [
                Consumer(channel, queues=[main_queue(self.exchange, sub)], on_message=self._bind(sub, handler),
                         accept=["json"], auto_declare=False)
                for sub, handler in self.table.items()
            ]
            for c in consumers:
                c.consume()
            while not stop.is_set():
                try:
                    conn.drain_events(timeout=FLUSH_IDLE_S if self._handled else 0.5)
                except TimeoutError:
                    self.flush()
                    conn.heartbeat_check()
        finally:
            try:
                self.flush()
            except Exception as exc:  # the broker went: the marks that were written make the redeliveries duplicates
                log.warning("handled events not acked; the broker redelivers them", extra={"error": str(exc)})
            for c in consumers:
                try:
                    c.cancel()
                except Exception:  # the channel may already be gone with the connection
                    pass
            publishing.release()

    def _bind(self, sub, handler):
        return lambda message: self.handle(sub, handler, message)

    def handle(self, sub: Subscription, handler: Handler, message) -> None:
        """Handle one delivery: dead-letter poison, skip duplicates, retry failures, ack success."""
        queue = sub.queue_name
        try:
            event = decode(message.body)
        except Poison as exc:
            self._dead_letter(sub, message, reason="poison", error=str(exc))
            return
        if event.type not in sub.patterns:  # sent straight to the queue (resend) but not what this handler takes
            message.ack()
            EVENTS_CONSUMED.labels(self.service, queue, event.type, "ignored").inc()
            return
        if (event.type, event.version) not in sub.accepts:  # a version this handler does not know (yet): keep it
            self._dead_letter(sub, message, reason="poison", error=f"no handler for {event.type} v{event.version}")
            return
        headers = message.headers or {}
        attempts = int(headers.get("x-attempts", 0))
        waits = int(headers.get("x-claim-waits", 0))
        context.correlation_id.set(event.correlation_id or event.id)  # events this handler raises carry it on
        claim = {"consumer": queue, "event_id": event.id, "owner": self.owner}
        if (queue, event.id) in self._handled:  # handled moments ago and not yet marked: mark it, then it is a duplicate
            self.flush()
        while True:
            state = None
            try:
                state = self.inbox.claim(**claim, event_type=event.type, lease_s=self.lease_s)
                if state == DONE:
                    message.ack()
                    EVENTS_CONSUMED.labels(self.service, queue, event.type, "duplicate").inc()
                    return
                if state == BUSY:
                    if not self._wait_for_holder(sub, message, event, waits):
                        return
                    waits += 1
                    continue
                self.leases.hold(queue, event.id, self.owner)  # until its done mark is written
                try:
                    handler(event)
                except BaseException:
                    self.leases.drop(queue, event.id, self.owner)
                    raise
                break
            except Exception as exc:
                if state == CLAIMED:
                    self.inbox.release(**claim)
                if self._database_unreachable(exc):
                    self._wait_for_database_and_requeue(sub, message, event)
                    return
                if isinstance(exc, NotYet):
                    log.info("event arrived early; retrying", extra={"queue": queue, "event_id": event.id,
                                                                     "reason": str(exc), "attempt": attempts + 1})
                else:
                    log.exception("handler failed", extra={"queue": queue, "event_id": event.id})
                if attempts >= len(self.retry_delays_ms):
                    self._dead_letter(sub, message, reason="handler_failed", error=repr(exc)[:500])
                    return
                EVENTS_RETRIED.labels(self.service, queue, event.type).inc()
                if supports_broker_features(self.connection):
                    self._send_to_retry(sub, message, attempts, {"x-attempts": attempts + 1})
                    return
                time.sleep(self.retry_delays_ms[attempts] / 1000)  # virtual transports have no TTL queues
                attempts += 1
        self._handled[(queue, event.id)] = Handled(claim, message, queue, event.type)
        if len(self._handled) >= self.done_batch:
            self.flush()

    def flush(self) -> None:
        """Mark the handled deliveries done in one database round trip, then ack them (never the ack first)."""
        handled, self._handled = list(self._handled.values()), {}
        if not handled:
            return
        try:
            self.inbox.finish_many([h.claim for h in handled])
        except Exception:  # not written: hand them back; a redelivery runs the handler again
            log.exception("done marks not written; the events are handed back", extra={"events": len(handled)})
            for h in handled:
                self.inbox.release(**h.claim)
                h.message.requeue()
            return
        finally:
            for h in handled:
                self.leases.drop(h.queue, h.claim["event_id"], self.owner)
        for h in handled:
            h.message.ack()
            EVENTS_CONSUMED.labels(self.service, h.queue, h.event_type, "processed").inc()

    def _database_unreachable(self, exc: Exception) -> bool:
        """The database is away (not merely slow): the handler lost its connection and our ping fails too."""
        return isinstance(exc, ConnectionFailure) and not isinstance(exc, NetworkTimeout) and not self.database_answers()

    def _wait_for_database_and_requeue(self, sub, message, event) -> None:
        EVENTS_REQUEUED.labels(self.service, sub.queue_name, "database_unreachable").inc()
        log.warning("database unreachable; the event waits and is requeued",
                    extra={"queue": sub.queue_name, "event_id": event.id,
                           "deliveries": (message.headers or {}).get("x-delivery-count")})
        deadline = time.monotonic() + self.outage_wait_s
        while time.monotonic() < deadline and not self._stop.wait(min(1.0, self.outage_wait_s)):
            if self.database_answers():
                break
        message.requeue()

    def _wait_for_holder(self, sub, message, event, waits: int) -> bool:
        """Another worker holds the event: park this delivery in a retry queue; True to check again in place."""
        if waits >= MAX_CLAIM_WAITS:
            self._dead_letter(sub, message, reason="claimed_elsewhere", error="another worker held the event")
            return False
        EVENTS_REQUEUED.labels(self.service, sub.queue_name, "claimed_elsewhere").inc()
        step = min(waits, len(self.retry_delays_ms) - 1)
        if step < 0:  # no retry delays configured
            self._stop.wait(1.0)
            message.requeue()
            return False
        if supports_broker_features(self.connection):
            self._send_to_retry(sub, message, step, {"x-claim-waits": waits + 1})
            return False
        time.sleep(self.retry_delays_ms[step] / 1000)
        return True

    def _send_to_retry(self, sub, message, step: int, counts: dict) -> None:
        self._producer.publish(
            message.body, exchange="", routing_key=f"{sub.queue_name}.retry.{step}",
            content_type="application/json", content_encoding="utf-8", delivery_mode=2,
            headers={**(message.headers or {}), **counts}, retry=False,
        )
        message.ack()

    def _dead_letter(self, sub, message, *, reason, error) -> None:
        headers = {**(message.headers or {}), "x-dead-reason": reason, "x-error": error,
                   "x-dead-at": time.time()}
        self._producer.publish(
            message.body, exchange=dead_exchange(self.exchange), routing_key=sub.queue_name,
            content_type=message.content_type or "application/octet-stream",
            content_encoding=message.content_encoding or "binary", delivery_mode=2, headers=headers, retry=False,
        )
        message.ack()
        EVENTS_DEAD.labels(self.service, sub.queue_name, reason).inc()
        log.error("event dead-lettered", extra={"queue": sub.queue_name, "reason": reason, "error": error})

