"""Publishing events: persistent, JSON, `mandatory`, and confirmed by the broker."""
import json
import logging

from kombu import Connection, Exchange, Producer

from shared.messaging.topology import events_exchange
from shared.metrics import EVENTS_PUBLISHED, EVENTS_UNROUTABLE

log = logging.getLogger(__name__)
DIRECT = Exchange("")  # the default exchange, to one queue by name (an empty name would mean the producer's own)


class PublishFailed(RuntimeError):
    """The broker did not take the event (down, or no confirm in time)."""


def open_connection(url: str) -> Connection:
    """A kombu connection with publisher confirms where the transport has them."""
    return Connection(url, transport_options={"confirm_publish": True}, connect_timeout=3, heartbeat=0)


def supports_broker_features(connection: Connection) -> bool:
    """True on RabbitMQ (TTL, dead-lettering, confirms); false on kombu's virtual transports."""
    return connection.transport.driver_type == "amqp"


class EventPublisher:
    """Publishes envelopes to the events exchange; one per process, not thread-safe."""

    def __init__(self, *, url: str, exchange: str, service: str, timeout_s: float = 5.0):
        self.url = url
        self.exchange = events_exchange(exchange)
        self.service = service
        self.timeout_s = timeout_s
        self._connection = None
        self._producer = None

    def _ensure(self):
        if self._producer is None:
            self._connection = open_connection(self.url)
            self._connection.ensure_connection(max_retries=1, timeout=self.timeout_s)
            channel = self._connection.channel()
            self.exchange(channel).declare()
            on_return = self._on_return if supports_broker_features(self._connection) else None
            self._producer = Producer(channel, exchange=self.exchange, on_return=on_return)
        return self._producer

    def _on_return(self, exc, exchange, routing_key, message):
        EVENTS_UNROUTABLE.labels(self.service, routing_key).inc()
        log.warning("event returned unroutable", extra={"routing_key": routing_key, "reason": str(exc)})

    def publish(self, envelope: dict, *, queue: str | None = None) -> None:
        """Publish one envelope (to every subscriber, or only to `queue`) and wait for the confirm."""
        try:
            producer = self._ensure()
            producer.publish(
                json.dumps(envelope, ensure_ascii=False).encode(),
                **({"exchange": DIRECT, "routing_key": queue} if queue else {"routing_key": envelope["type"]}),
                content_type="application/json",
                content_encoding="utf-8",
                delivery_mode=2,
                mandatory=True,
                message_id=envelope["id"],
                correlation_id=envelope.get("correlation_id") or envelope["id"],
                headers={"event-version": envelope["version"]},
                timeout=self.timeout_s,
                confirm_timeout=self.timeout_s,
                retry=False,
            )
        except Exception as exc:  # any broker or socket error: drop the connection, report, let the caller retry
            self.close()
            raise PublishFailed(str(exc)) from exc
        EVENTS_PUBLISHED.labels(self.service, envelope["type"]).inc()

    def close(self) -> None:
        if self._connection is not None:
            try:
                self._connection.release()
            except Exception:  # closing a dead connection can fail in many ways; it is gone either way
                pass
        self._connection = None
        self._producer = None
