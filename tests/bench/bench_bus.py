"""The event bus end to end through the real RabbitMQ: our kombu publisher (persistent, mandatory, a batch
confirmed at a time as the relay sends) and consumer (acks, with and without the inbox), against a bare pika
publisher/consumer with confirms, side by side in one run, with the same prefetch; and the outbox relay's lag
under load, with its batch."""
import json
import threading
import time
import uuid

import mongoengine
import pika

from shared.config import COMMON
from shared.events import new_event
from shared.messaging.bus import EventPublisher
from shared.messaging.consumer import EventConsumer
from tests.support import broker

AMQP = broker.AMQP_URL
PREFETCH = COMMON.declared["CONSUMER_PREFETCH"].default
BATCH = COMMON.declared["RELAY_BATCH"].default


def _events(n: int) -> list[dict]:
    return [new_event("grid.created", version=1, source="bench", community_id="C", grid_id=f"G{i}",
                      data={"grid_id": f"G{i}", "code": f"G{i}", "name": "网格", "community_id": "C"}).to_dict()
            for i in range(n)]


class NoInbox:
    """The inbox's contract without the database: every claim is granted, done marks go nowhere."""

    @staticmethod
    def claim(**kw):
        return "claimed"

    @staticmethod
    def finish_many(claims):
        return None

    @staticmethod
    def release(**kw):
        return None

    renew = release


def ours(n: int, *, mongo_url: str, inbox: bool = True, prefetch: int = PREFETCH, batch: int = BATCH) -> dict:
    """Publish n events in confirmed batches, consume them with acks (and the inbox), time both ends."""
    run = uuid.uuid4().hex[:8]
    exchange = f"bench.{run}.events"
    mongoengine.connect(db=f"bench_bus_{run}", host=mongo_url, tz_aware=True, uuidRepresentation="standard")
    done = threading.Event()
    seen = [0]

    def count(event):
        seen[0] += 1
        if seen[0] >= n:
            done.set()

    kwargs = {} if inbox else {"inbox": NoInbox}
    consumer = EventConsumer(url=AMQP, exchange=exchange, service="bench", handlers={("grid.created", 1): [count]},
                             retry_delays_ms=[100], queue_prefix=f"bench.{run}.", queue_expires_ms=600_000,
                             prefetch=prefetch, **kwargs)
    consumer.declare()
    events = _events(n)
    publisher = EventPublisher(url=AMQP, exchange=exchange, service="bench")
    stop = threading.Event()
    started = time.perf_counter()
    thread = threading.Thread(target=consumer.run, kwargs={"stop": stop}, daemon=True)
    thread.start()
    for start in range(0, n, batch):
        assert len(publisher.publish_batch(events[start:start + batch])) == len(events[start:start + batch])
    published = time.perf_counter() - started
    done.wait(600)
    total = time.perf_counter() - started
    stop.set()
    thread.join(5)
    publisher.close()
    broker.delete_exchanges(exchange, exchange + ".dead")
    mongoengine.get_db().client.drop_database(f"bench_bus_{run}")
    mongoengine.disconnect()
    return {"publish_rate": n / published, "end_to_end_rate": n / total, "consumed": seen[0]}


def bare_pika(n: int, *, prefetch: int = PREFETCH) -> dict:
    """The same with nothing but pika: confirms on publish, manual acks on consume."""
    params = pika.URLParameters(AMQP[:-1] + "%2F" if AMQP.endswith("//") else AMQP)
    queue = f"bench.pika.{uuid.uuid4().hex[:8]}"
    setup = pika.BlockingConnection(params)
    setup.channel().queue_declare(queue, durable=True, arguments={"x-expires": 600_000})
    setup.close()
    bodies = [json.dumps(e).encode() for e in _events(n)]
    done = threading.Event()

    def consume():
        conn = pika.BlockingConnection(params)
        ch = conn.channel()
        ch.basic_qos(prefetch_count=prefetch)
        got = 0
        for method, _, body in ch.consume(queue, inactivity_timeout=30):
            if method is None:
                break
            json.loads(body)
            ch.basic_ack(method.delivery_tag)
            got += 1
            if got >= n:
                break
        ch.cancel()
        conn.close()
        done.set()

    started = time.perf_counter()
    thread = threading.Thread(target=consume, daemon=True)
    thread.start()
    conn = pika.BlockingConnection(params)
    ch = conn.channel()
    ch.confirm_delivery()
    props = pika.BasicProperties(delivery_mode=2, content_type="application/json")
    for body in bodies:
        ch.basic_publish("", queue, body, properties=props, mandatory=True)
    published = time.perf_counter() - started
    conn.close()
    done.wait(600)
    total = time.perf_counter() - started
    return {"publish_rate": n / published, "end_to_end_rate": n / total}


def relay_lag(*, mongo_url: str, households: int = 300, batch: int = BATCH) -> dict:
    """Register households while the relay runs; lag = arrival at a consumer minus the event's time."""
    from datetime import datetime

    from localrun.demo_data import demo_household
    from services.households import models as households_models
    from services.households import service
    from services.households.models import Community, Street
    from services.households.schemas import HouseholdCreate
    from shared.identity import Principal
    from shared.messaging.outbox import documents_with_outbox
    from shared.messaging.relay import OutboxRelay

    run = uuid.uuid4().hex[:8]
    exchange = f"bench.{run}.events"
    tap = broker.tap(exchange)
    lags: list[float] = []

    def listen():
        params = pika.URLParameters(AMQP[:-1] + "%2F" if AMQP.endswith("//") else AMQP)
        conn = pika.BlockingConnection(params)
        ch = conn.channel()
        for method, _, body in ch.consume(tap, auto_ack=True, inactivity_timeout=5):
            if method is None:
                break
            occurred = datetime.fromisoformat(json.loads(body)["occurred_at"])
            lags.append(time.time() - occurred.timestamp())
        conn.close()

    mongoengine.connect(db=f"bench_relay_{run}", host=mongo_url, tz_aware=True, uuidRepresentation="standard")
    admin = Principal(user_id="bench", role="admin")
    Street(id="S", name="街道", district="区").save()
    Community(id="C", name="社区", street_id="S").save()
    service.create_grid(actor=admin, data={"id": "G", "name": "网格", "community_id": "C"})
    publisher = EventPublisher(url=AMQP, exchange=exchange, service="bench-relay")
    relay = OutboxRelay(documents=documents_with_outbox(households_models), publisher=publisher, service="bench-relay",
                        batch=batch)
    stop = threading.Event()
    threads = [threading.Thread(target=relay.run_forever, kwargs={"poll_s": 0.05, "stop": stop}, daemon=True),
               threading.Thread(target=listen, daemon=True)]
    for t in threads:
        t.start()
    schema = HouseholdCreate()
    started = time.perf_counter()
    for i in range(households):
        service.register_household(actor=admin, data=schema.load(demo_household("G", i)))
    rate = households / (time.perf_counter() - started)
    threads[1].join(120)
    stop.set()
    threads[0].join(5)
    publisher.close()
    broker.delete_exchanges(exchange)
    mongoengine.get_db().client.drop_database(f"bench_relay_{run}")
    mongoengine.disconnect()
    lags.sort()
    pick = lambda q: lags[min(len(lags) - 1, int(q * len(lags)))]  # noqa: E731
    return {"writes_per_s": rate, "events": len(lags), "p50": pick(0.5), "p99": pick(0.99), "batch": batch}


def run(mongo_url: str, *, events: int = 3000, prefetch: int = PREFETCH, batch: int = BATCH) -> dict:
    """Bare pika, ours without and with the inbox, one after another in one run; then the relay's lag."""
    return {"events": events, "prefetch": prefetch, "batch": batch, "pika": bare_pika(events, prefetch=prefetch),
            "ours_no_inbox": ours(events, mongo_url=mongo_url, inbox=False, prefetch=prefetch, batch=batch),
            "ours": ours(events, mongo_url=mongo_url, prefetch=prefetch, batch=batch),
            "relay": relay_lag(mongo_url=mongo_url, batch=batch)}
