"""The real RabbitMQ the integration tests use, and a few ways to look into it."""
import os
import time

from kombu import Connection, Exchange, Queue

AMQP_URL = os.environ.get("TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//")


def broker_up(url: str = AMQP_URL) -> bool:
    try:
        with Connection(url, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1)
        return True
    except Exception:  # any failure means "not reachable"
        return False


def wait_until(predicate, timeout: float = 15.0, interval: float = 0.05):
    """Poll until `predicate()` is truthy; return its value or fail with the timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        time.sleep(interval)


def tap(exchange: str, pattern: str = "#", url: str = AMQP_URL) -> str:
    """Bind an auto-expiring queue to the events exchange and return its name, to observe what is published."""
    name = f"tap.{exchange}.{time.monotonic_ns()}"
    with Connection(url) as conn:
        ex = Exchange(exchange, type="topic", durable=True)
        ex(conn.default_channel).declare()
        Queue(name, exchange=ex, routing_key=pattern, durable=True,
              queue_arguments={"x-expires": 600_000})(conn.default_channel).declare()
    return name


def drain(queue: str, url: str = AMQP_URL) -> list:
    """Take every message now in `queue`: a list of (body bytes, headers, delivery_mode)."""
    out = []
    with Connection(url) as conn:
        q = Queue(queue, no_declare=True)(conn.default_channel)
        while (message := q.get(no_ack=True)) is not None:
            out.append((message.body, message.headers, message.properties.get("delivery_mode")))
    return out


def message_count(queue: str, url: str = AMQP_URL) -> int:
    with Connection(url) as conn:
        return conn.default_channel.queue_declare(queue, passive=True).message_count


def delete_exchanges(*names: str, url: str = AMQP_URL) -> None:
    with Connection(url) as conn:
        for name in names:
            conn.default_channel.exchange_delete(name)
