"""Publishing events: persistent, JSON, `mandatory`, and confirmed by the broker, a batch at a time."""
import json
import logging
import time

from kombu import Connection, Exchange, Producer

from shared.messaging.topology import events_exchange
from shared.metrics import EVENTS_PUBLISHED, EVENTS_UNROUTABLE

log = logging.getLogger(__name__)
DIRECT = Exchange("")  # the default exchange, to one queue by name (an empty name would mean the producer's own)


class PublishFailed(RuntimeError):
    """The broker did not take the events (down, nacked, or no confirm in time); `acked`: the ids it did take."""

    def __init__(self, message: str, *, acked=()):
        super().__init__(message)
        self.acked = list(acked)


def open_connection(url: str, *, confirms: bool = True) -> Connection:
    """A kombu connection; with `confirms`, each publish waits for the broker's confirm (where the transport has them)."""
    return Connection(url, transport_options={"confirm_publish": confirms}, connect_timeout=3, heartbeat=0)


def supports_broker_features(connection: Connection) -> bool:
    """True on RabbitMQ (TTL, dead-lettering, confirms); false on kombu's virtual transports."""
    return connection.transport.driver_type == "amqp"


class Confirms:
    """The broker's acks and nacks on one channel in confirm mode, by delivery tag (1, 2, ... per channel)."""

    def __init__(self, channel):
        channel.confirm_select()
        self.last_tag = 0
        self.waiting: set[int] = set()
        self.outcome: dict[int, bool] = {}  # tag -> acked (True) or nacked (False)
        channel.events["basic_ack"].add(lambda tag, multiple: self._settle(tag, multiple, True))
        channel.events["basic_nack"].add(lambda tag, multiple: self._settle(tag, multiple, False))

    def sent(self) -> int:
        """Count one publish; its delivery tag."""
        self.last_tag += 1
        self.waiting.add(self.last_tag)
        return self.last_tag

    def _settle(self, tag: int, multiple: bool, acked: bool) -> None:
        for settled in [t for t in self.waiting if t <= tag] if multiple else [tag]:
            self.waiting.discard(settled)
            self.outcome[settled] = acked

    def take(self, tags) -> list[int]:
        """The tags among `tags` the broker acked; forgets them all."""
        self.waiting.difference_update(tags)
        return [tag for tag in tags if self.outcome.pop(tag, False)]


class EventPublisher:
    """Publishes envelopes to the events exchange; one per process, not thread-safe."""

    def __init__(self, *, url: str, exchange: str, service: str, timeout_s: float = 5.0):
        self.url = url
        self.exchange = events_exchange(exchange)
        self.service = service
        self.timeout_s = timeout_s
        self._connection = None
        self._producer = None
        self._confirms = None

    def _ensure(self):
        if self._producer is None:
            # confirms selected below, not by kombu, which would wait for each publish's in turn
            self._connection = open_connection(self.url, confirms=False)
            self._connection.ensure_connection(max_retries=1, timeout=self.timeout_s)
            channel = self._connection.channel()
            self.exchange(channel).declare()
            amqp = supports_broker_features(self._connection)
            self._producer = Producer(channel, exchange=self.exchange, on_return=self._on_return if amqp else None)
            self._confirms = Confirms(channel) if amqp else None
        return self._producer

    def _on_return(self, exc, exchange, routing_key, message):
        EVENTS_UNROUTABLE.labels(self.service, routing_key).inc()
        log.warning("event returned unroutable", extra={"routing_key": routing_key, "reason": str(exc)})

    def publish(self, envelope: dict, *, queue: str | None = None) -> None:
        """Publish one envelope (to every subscriber, or only to `queue`) and wait for the confirm."""
        if not self.publish_batch([envelope], queue=queue):
            raise PublishFailed("the broker refused the event (nack)")

    def publish_batch(self, envelopes: list[dict], *, queue: str | None = None) -> list[str]:
        """Publish the envelopes without waiting, then wait once for all their confirms; the ids the broker acked.

        A nacked event is left out (the caller sends it again later); no confirm within the timeout, or a broker
        or socket error, drops the connection and raises PublishFailed carrying the ids acked before it.
        """
        by_tag: dict[int, dict] = {}
        try:
            producer = self._ensure()
            for number, envelope in enumerate(envelopes, start=1):
                self._send(producer, envelope, queue)
                by_tag[self._confirms.sent() if self._confirms else number] = envelope
            self._wait_for_confirms()
        except Exception as exc:  # any broker or socket error: drop the connection, report, let the caller retry
            acked = self._acked(by_tag)
            self.close()
            raise PublishFailed(str(exc) or type(exc).__name__, acked=acked) from exc
        return self._acked(by_tag)

    def _send(self, producer, envelope: dict, queue: str | None) -> None:
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
            retry=False,
        )

    def _wait_for_confirms(self) -> None:
        deadline = time.monotonic() + self.timeout_s
        while self._confirms and self._confirms.waiting:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"{len(self._confirms.waiting)} publish(es) not confirmed in {self.timeout_s}s")
            try:
                self._connection.drain_events(timeout=remaining)
            except TimeoutError:
                pass

    def _acked(self, by_tag: dict[int, dict]) -> list[str]:
        tags = self._confirms.take(by_tag) if self._confirms else list(by_tag)
        for tag in tags:
            EVENTS_PUBLISHED.labels(self.service, by_tag[tag]["type"]).inc()
        return [by_tag[tag]["id"] for tag in tags]

    def close(self) -> None:
        if self._connection is not None:
            try:
                self._connection.release()
            except Exception:  # closing a dead connection can fail in many ways; it is gone either way
                pass
        self._connection = None
        self._producer = None
        self._confirms = None
