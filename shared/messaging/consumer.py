"""Consuming events: one durable queue per service and handler, ack after success, bounded retries.

A handler gets a validated `Event`. Its effect must be keyed by the event id where it is not
naturally idempotent; the inbox skips events a consumer has already handled, so a redelivery
after a crash between the handler's write and the ack has no second effect.
"""
import json
import logging
import threading
import time
from collections.abc import Callable

from kombu import Consumer, Producer
from marshmallow import ValidationError
from pymongo.errors import ConnectionFailure

from shared import context
from shared.errors import NotYet
from shared.events import EnvelopeSchema, UnknownEventType, validate_data
from shared.messaging import inbox
from shared.messaging.bus import open_connection, supports_broker_features
from shared.messaging.topology import Subscription, dead_exchange, declare, main_queue
from shared.metrics import EVENTS_CONSUMED, EVENTS_DEAD, EVENTS_RETRIED

log = logging.getLogger(__name__)

Handler = Callable[..., None]


def subscriptions(service: str, handlers: dict[str, list[Handler]], **queue_options) -> dict[Subscription, Handler]:
    """Turn the table `event type -> handlers` into one subscription (queue) per handler."""
    by_name: dict[str, tuple[Handler, list[str]]] = {}  # by queue name: equal partials are one handler
    for event_type, funcs in handlers.items():
        for func in funcs:
            by_name.setdefault(handler_name(func), (func, []))[1].append(event_type)
    return {Subscription(service, name, tuple(types), **queue_options): func for name, (func, types) in by_name.items()}


def handler_name(func) -> str:
    """A handler's queue name part; a functools.partial is named after the function it wraps."""
    return getattr(func, "__name__", None) or func.func.__name__


class Poison(Exception):
    """The message can never be handled: not JSON, not an envelope, or an unknown type or version."""


def decode(body: bytes):
    try:
        raw = json.loads(body)
        event = EnvelopeSchema().load(raw)
        validate_data(event.type, event.version, event.data)
    except (ValueError, ValidationError, UnknownEventType, TypeError) as exc:
        raise Poison(str(exc)[:500]) from exc
    return event


class EventConsumer:
    """Runs a service's handlers against its queues until stopped."""

    def __init__(self, *, url, exchange, service, handlers, retry_delays_ms, prefetch=20, queue_prefix="",
                 queue_expires_ms=None, inbox=inbox):
        self.url = url
        self.exchange = exchange
        self.service = service
        self.table = subscriptions(service, handlers, prefix=queue_prefix, expires_ms=queue_expires_ms)
        self.retry_delays_ms = list(retry_delays_ms)
        self.prefetch = prefetch
        self.connection = None
        self.inbox = inbox  # anything with already_processed() and record_processed(); tests pass a fake

    def declare(self) -> None:
        """Declare the exchange and every queue this service consumes (also done at start)."""
        with open_connection(self.url) as conn:
            self._declare_all(conn)

    def _declare_all(self, conn) -> None:
        channel = conn.default_channel
        delays = self.retry_delays_ms if supports_broker_features(conn) else []
        for sub in self.table:
            declare(channel, self.exchange, sub, delays)

    def run(self, *, stop: threading.Event) -> None:
        """Consume until `stop` is set, reconnecting when the broker goes away."""
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
                    conn.drain_events(timeout=0.5)
                except TimeoutError:
                    conn.heartbeat_check()
        finally:
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
        if self.inbox.already_processed(consumer=queue, event_id=event.id):
            message.ack()
            EVENTS_CONSUMED.labels(self.service, queue, event.type, "duplicate").inc()
            return
        attempts = int((message.headers or {}).get("x-attempts", 0))
        context.correlation_id.set(event.correlation_id or event.id)  # events this handler raises carry it on
        while True:
            try:
                handler(event)
                self.inbox.record_processed(consumer=queue, event_id=event.id, event_type=event.type)
                break
            except ConnectionFailure:
                # Our own database is away: not the message's fault, so it keeps its retries.
                time.sleep(1.0)
                message.requeue()
                return
            except Exception as exc:
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
                    self._send_to_retry(sub, message, attempts)
                    return
                time.sleep(self.retry_delays_ms[attempts] / 1000)  # virtual transports have no TTL queues
                attempts += 1
        message.ack()
        EVENTS_CONSUMED.labels(self.service, queue, event.type, "processed").inc()

    def _send_to_retry(self, sub, message, attempts) -> None:
        self._producer.publish(
            message.body, exchange="", routing_key=f"{sub.queue_name}.retry.{attempts}",
            content_type="application/json", content_encoding="utf-8", delivery_mode=2,
            headers={**(message.headers or {}), "x-attempts": attempts + 1}, retry=False,
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

