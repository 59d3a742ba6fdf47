"""Proves: a burst of deliveries that each fail once (an event that arrives before the one it depends on, as with
several workers on one queue or redeliveries after an outage) is retried and every event is handled exactly once;
the consumer never stalls. (It used to: it published a retry on the connection it consumed from, and waiting for
that publish's confirm handed it the next delivery, whose own retry took the first one's confirm, so the first
wait never ended and the worker held its prefetched messages unacked for good.)"""
import threading
import time

import mongoengine as me

from shared.errors import NotYet
from shared.messaging.bus import EventPublisher
from shared.messaging.consumer import EventConsumer
from tests.integration.test_event_bus import grid_event
from tests.support import broker

EVENTS = 300
TRIES: dict[str, int] = {}


def fails_the_first_time(event):
    TRIES[event.id] = TRIES.get(event.id, 0) + 1
    if TRIES[event.id] == 1:
        raise NotYet("what this event depends on is not here yet")
    me.get_db()["burst_effects"].update_one({"_id": event.id}, {"$inc": {"n": 1}}, upsert=True)


def test_a_burst_of_retries_never_stalls_the_consumer_and_every_event_is_handled_once(households_app,
                                                                                      households_config):
    config = households_config
    TRIES.clear()
    consumer = EventConsumer(url=config.AMQP_URL, exchange=config.EVENT_EXCHANGE, service="burst",
                             handlers={("grid.created", 1): [fails_the_first_time]},
                             retry_delays_ms=config.RETRY_DELAYS_MS, queue_prefix=config.QUEUE_PREFIX,
                             queue_expires_ms=config.QUEUE_EXPIRES_MS)
    consumer.declare()
    stop = threading.Event()
    thread = threading.Thread(target=consumer.run, kwargs={"stop": stop}, daemon=True)
    thread.start()
    publisher = EventPublisher(url=config.AMQP_URL, exchange=config.EVENT_EXCHANGE, service="households")
    effects = me.get_db()["burst_effects"]
    try:
        began = time.perf_counter()
        for n in range(EVENTS):
            publisher.publish(grid_event(n).to_dict())
        broker.wait_until(lambda: effects.count_documents({}) == EVENTS, timeout=60)
        took = time.perf_counter() - began
        time.sleep(0.5)
        assert effects.count_documents({"n": {"$ne": 1}}) == 0  # each effect once
        assert sorted(set(TRIES.values())) == [2]  # each failed once, then succeeded
        queue = next(iter(consumer.table)).queue_name
        assert broker.message_count(queue) == 0 and broker.message_count(queue + ".dead") == 0
        print(f"\n[retry burst] {EVENTS} events, each failing once: all retried and handled once in {took:.1f} s")
    finally:
        stop.set()
        thread.join(5)
        publisher.close()
