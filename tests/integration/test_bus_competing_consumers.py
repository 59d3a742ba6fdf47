"""Two workers on the same queue and inbox (a rolling update runs two) given the same event at once: one effect."""
import os
import threading
import time

import mongoengine as me
import pytest
from prometheus_client import REGISTRY

from shared.events import new_event
from shared.messaging.bus import EventPublisher
from shared.messaging.consumer import EventConsumer
from tests.support import broker

PAIRS = int(os.environ.get("GRID_BUS_COMPETING_EVENTS", "6"))


def consumed(queue: str, outcome: str) -> float:
    return REGISTRY.get_sample_value("grid_events_consumed_total", {"service": "competing", "queue": queue,
                                                                    "type": "grid.created", "outcome": outcome}) or 0.0


def effects() -> dict:
    return {row["_id"]: row["n"] for row in me.get_db()["competing_effects"].find()}


def slow_count(event):
    """Not idempotent by itself: adds one, slowly, so the two deliveries overlap."""
    time.sleep(0.3)
    me.get_db()["competing_effects"].update_one({"_id": event.id}, {"$inc": {"n": 1}}, upsert=True)


@pytest.fixture
def two_consumers(households_app, households_config):
    stop = threading.Event()
    consumers, threads = [], []
    for _ in range(2):
        consumer = EventConsumer(url=households_config.AMQP_URL, exchange=households_config.EVENT_EXCHANGE,
                                 service="competing", handlers={("grid.created", 1): [slow_count]},
                                 retry_delays_ms=households_config.RETRY_DELAYS_MS, prefetch=1,
                                 queue_prefix=households_config.QUEUE_PREFIX,
                                 queue_expires_ms=households_config.QUEUE_EXPIRES_MS)
        consumer.declare()
        consumers.append(consumer)
        threads.append(threading.Thread(target=consumer.run, kwargs={"stop": stop}, daemon=True))
    for thread in threads:
        thread.start()
    yield consumers
    stop.set()
    for thread in threads:
        thread.join(5)


def test_the_same_event_given_to_two_workers_at_once_has_one_effect(two_consumers, households_config):
    publisher = EventPublisher(url=households_config.AMQP_URL, exchange=households_config.EVENT_EXCHANGE,
                               service="households")
    events = [new_event("grid.created", version=1, source="test", community_id="C1", grid_id=f"G{n}",
                        data={"grid_id": f"G{n}", "code": f"G{n}", "name": "网格", "community_id": "C1"}).to_dict()
              for n in range(PAIRS)]
    try:
        for event in events:
            publisher.publish(event)
            publisher.publish(event)  # a redelivery: with prefetch 1 each worker takes one copy
    finally:
        publisher.close()
    queue = next(iter(two_consumers[0].table)).queue_name
    broker.wait_until(lambda: len(effects()) == PAIRS and broker.message_count(queue) == 0, timeout=30)
    # every copy consumed: each event handled by one worker, the other copy acked as a duplicate
    broker.wait_until(lambda: consumed(queue, "processed") + consumed(queue, "duplicate") == 2 * PAIRS, timeout=30)
    doubled = sum(1 for n in effects().values() if n > 1)
    print(f"\n[competing consumers] {PAIRS} events each delivered twice to two workers at once: {doubled} doubled")
    assert doubled == 0
    processed = me.get_db()["processed_events"]
    broker.wait_until(lambda: processed.count_documents({"consumer": queue, "state": "done"}) == PAIRS, timeout=30)
