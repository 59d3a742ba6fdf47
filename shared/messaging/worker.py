"""A service's worker process: the outbox relay, the event consumer and periodic jobs, until stopped."""
import logging
import signal
import threading
import time
from typing import Callable, NamedTuple

from pymongo.errors import PyMongoError

from shared.db import connect_db, ensure_indexes
from shared.messaging.bus import EventPublisher
from shared.messaging.consumer import EventConsumer
from shared.messaging.expiry import ensure_event_log_expiry
from shared.messaging.relay import OutboxRelay
from shared.web.observability import configure_logging

log = logging.getLogger(__name__)


class Every(NamedTuple):
    """A periodic job: run every `seconds`, the first time after `first_after` seconds (default: `seconds`)."""

    seconds: float
    job: Callable[[], None]
    first_after: float | None = None


class Worker:
    """Everything a service runs besides its API, wired from its config."""

    def __init__(self, config, *, handlers, documents=(), periodic=()):
        self.config = config.bind()
        self.stop = threading.Event()
        self.relay = OutboxRelay(
            documents=documents, service=config.SERVICE_NAME, batch=config.RELAY_BATCH,
            publisher=EventPublisher(url=config.AMQP_URL, exchange=config.EVENT_EXCHANGE,
                                     service=config.SERVICE_NAME, timeout_s=config.PUBLISH_TIMEOUT_S))
        self.consumer = EventConsumer(url=config.AMQP_URL, exchange=config.EVENT_EXCHANGE,
                                      service=config.SERVICE_NAME, handlers=handlers,
                                      retry_delays_ms=config.RETRY_DELAYS_MS, queue_prefix=config.QUEUE_PREFIX,
                                      queue_expires_ms=config.QUEUE_EXPIRES_MS, queue_type=config.QUEUE_TYPE,
                                      delivery_limit=config.QUEUE_DELIVERY_LIMIT, dead_max=config.DEAD_LETTER_MAX,
                                      lease_s=config.INBOX_LEASE_S, prefetch=config.CONSUMER_PREFETCH)
        self.periodic = [Every(*p) for p in periodic]  # (seconds, function[, first after])
        self.threads: list[threading.Thread] = []

    def start(self) -> "Worker":
        """Declare this service's queues, then start relay, consumer and periodic jobs in threads.

        Declaring first means no event this service's own relay publishes finds its queues missing.
        """
        try:
            self.consumer.declare()
        except Exception:  # the broker is away: the consumer declares them when it connects
            log.warning("queues not declared at start; the consumer will when the broker answers")
        try:
            ensure_event_log_expiry(days=self.config.EVENT_LOG_TTL_DAYS)
        except PyMongoError:  # the database is away: the next start sets them; nothing expires meanwhile
            log.warning("event log expiry not set at start; the database did not answer")
        self._spawn("relay", lambda: self.relay.run_forever(poll_s=self.config.OUTBOX_POLL_S, stop=self.stop))
        self._spawn("consumer", lambda: self.consumer.run(stop=self.stop))
        for every in self.periodic:
            self._spawn(every.job.__name__, lambda every=every: self._repeat(every))
        return self

    def _spawn(self, name, target) -> None:
        thread = threading.Thread(target=target, name=f"{self.config.SERVICE_NAME}-{name}", daemon=True)
        thread.start()
        self.threads.append(thread)

    def _repeat(self, every: Every) -> None:
        wait = every.seconds if every.first_after is None else every.first_after
        while not self.stop.wait(wait):
            wait = every.seconds
            try:
                every.job()
            except Exception:  # a failed run is logged; the next one tries again
                log.exception("periodic job failed", extra={"job": every.job.__name__})

    def shutdown(self, timeout: float = 4.0) -> None:
        """Stop every thread within `timeout` seconds in all, not per thread.

        A launcher (`make run`, Kubernetes) kills what is still running a few seconds after SIGTERM; a consumer
        that closes its channel in time hands its unacknowledged messages back instead of losing them.
        """
        self.stop.set()
        deadline = time.monotonic() + timeout
        for thread in self.threads:
            thread.join(max(0.0, deadline - time.monotonic()))


def run(config, *, package: str, handlers, documents=(), periodic=(), refreshers=(),
        metrics_port: int | None = None) -> None:
    """The worker's main: connect, serve /metrics (with the gauges `refreshers` set), work until SIGTERM or SIGINT."""
    configure_logging(config.SERVICE_NAME)
    connect_db(config)
    ensure_indexes(package)
    worker = Worker(config, handlers=handlers, documents=documents, periodic=periodic).start()
    if metrics_port:
        from shared.messaging.worker_http import create_worker_app, serve

        serve(create_worker_app(config, worker, refreshers=refreshers), metrics_port)
    signal.signal(signal.SIGTERM, lambda *_: worker.stop.set())
    signal.signal(signal.SIGINT, lambda *_: worker.stop.set())
    log.info("worker started")
    worker.stop.wait()
    worker.shutdown()
