"""The event bus against the real RabbitMQ: outbox relay, exactly-once effect, retries, dead letters, replay."""
import dataclasses
import json
import threading
from datetime import datetime, timedelta, timezone

import mongoengine as me
import pytest
from kombu import Producer
from prometheus_client import REGISTRY

from services.households import handlers
from services.households import models as households_models
from services.households.models import Household
from services.households.service import figures
from services.households.worker import SNAPSHOTS, bootstrap
from shared.events import EnvelopeSchema, new_event
from shared.messaging.bus import EventPublisher, open_connection
from shared.messaging.consumer import EventConsumer
from shared.messaging.outbox import documents_with_outbox
from shared.messaging.relay import OutboxRelay
from shared.messaging.replay import replay
from shared.messaging.resend import QueueMissing, resend
from shared.messaging.worker import Worker
from tests.support import broker
from tests.support.data import household


def metric(name, **labels):
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.fixture
def publisher(households_config):
    pub = EventPublisher(url=households_config.AMQP_URL, exchange=households_config.EVENT_EXCHANGE,
                         service="households")
    yield pub
    pub.close()


@pytest.fixture
def run_consumer(households_config):
    """Start an EventConsumer for a handler table in a thread; stopped at the end of the test."""
    started = []

    def start(handlers, service="probe"):
        consumer = EventConsumer(url=households_config.AMQP_URL, exchange=households_config.EVENT_EXCHANGE,
                                 service=service, handlers=handlers,
                                 retry_delays_ms=households_config.RETRY_DELAYS_MS,
                                 queue_prefix=households_config.QUEUE_PREFIX,
                                 queue_expires_ms=households_config.QUEUE_EXPIRES_MS)
        consumer.declare()
        stop = threading.Event()
        thread = threading.Thread(target=consumer.run, kwargs={"stop": stop}, daemon=True)
        thread.start()
        started.append((stop, thread))
        return consumer

    yield start
    for stop, thread in started:
        stop.set()
        thread.join(5)


def grid_event(n=1):
    return new_event("grid.created", version=1, source="test", community_id="C1", grid_id=f"G{n}",
                     data={"grid_id": f"G{n}", "code": f"G{n}", "name": "网格", "community_id": "C1"})


def publish_raw(config, body: bytes, *, exchange, routing_key, headers=None):
    with open_connection(config.AMQP_URL) as conn:
        Producer(conn.default_channel).publish(body, exchange=exchange, routing_key=routing_key, headers=headers,
                                               content_type="application/json", content_encoding="utf-8")


def counter():
    return me.get_db()["probe_counter"]


def count_effect(event):
    """A handler whose effect is not idempotent by itself: it adds one."""
    counter().update_one({"_id": "effects"}, {"$inc": {"n": 1}}, upsert=True)


def effects():
    return (counter().find_one({"_id": "effects"}) or {}).get("n", 0)


def test_relay_publishes_persistent_envelopes_and_empties_the_outbox(client, district, as_worker,
                                                                     households_config, publisher):
    tap = broker.tap(households_config.EVENT_EXCHANGE, "household.*")
    created = client.post("/households", json=household(district["grid_a"], 1), headers=as_worker).json
    relay = OutboxRelay(documents=documents_with_outbox(households_models), publisher=publisher, service="households")
    assert relay.backlog() >= 1
    relay.run_once()
    assert relay.backlog() == 0
    messages = broker.wait_until(lambda: broker.drain(tap))
    body, headers, delivery_mode = messages[0]
    event = EnvelopeSchema().load(json.loads(body))
    assert (event.type, event.data["household_id"], event.grid_id) == ("household.registered", created["id"], "C1-G1")
    assert delivery_mode == 2 and headers["event-version"] == 1
    assert Household.objects.get(pk=created["id"]).outbox == []
    logged = me.get_db()["outbox_sent"].find_one({"_id": event.id})
    # references only: the envelope (names, care tags) is not kept
    assert set(logged) == {"_id", "type", "aggregate", "aggregate_id", "sent_at"}
    assert (logged["type"], logged["aggregate"], str(logged["aggregate_id"])) == ("household.registered",
                                                                                  "households", created["id"])


def test_an_event_delivered_twice_has_its_effect_once(households_app, publisher, run_consumer):
    consumer = run_consumer({("grid.created", 1): [count_effect]})
    queue = next(iter(consumer.table)).queue_name
    event = grid_event().to_dict()
    publisher.publish(event)
    publisher.publish(event)  # the broker redelivers, or a relay restarted before marking it sent
    broker.wait_until(lambda: metric("grid_events_consumed_total", service="probe", queue=queue,
                                     type="grid.created", outcome="duplicate") >= 1)
    assert effects() == 1


def test_a_queue_made_after_the_events_is_filled_from_the_sent_log(client, district, as_worker, households_config,
                                                                    publisher, run_consumer):
    client.post("/households", json=household(district["grid_a"], 1), headers=as_worker)
    OutboxRelay(documents=documents_with_outbox(households_models), publisher=publisher, service="households").run_once()  # 3 grids, 1 household
    consumer = run_consumer({("grid.created", 1): [count_effect]}, service="latecomer")
    queue = next(iter(consumer.table)).queue_name
    assert effects() == 0  # its queue did not exist when they were published

    url = households_config.AMQP_URL
    assert resend(publisher=publisher, url=url, queue=queue, snapshots=SNAPSHOTS) == 4
    broker.wait_until(lambda: effects() == 3 and metric("grid_events_consumed_total", service="latecomer", queue=queue,
                                                        type="household.registered", outcome="ignored") == 1)
    # the snapshots of unchanged aggregates have the same ids: a second run is absorbed by the inbox
    assert resend(publisher=publisher, url=url, queue=queue, snapshots=SNAPSHOTS, types=["grid.created"]) == 3
    broker.wait_until(lambda: metric("grid_events_consumed_total", service="latecomer", queue=queue,
                                     type="grid.created", outcome="duplicate") == 3)
    assert effects() == 3
    # --since: only the aggregates the sent log says changed since then
    later = datetime.now(timezone.utc)
    client.post("/households", json=household(district["grid_a"], 2), headers=as_worker)
    OutboxRelay(documents=documents_with_outbox(households_models), publisher=publisher, service="households").run_once()
    assert resend(publisher=publisher, url=url, queue=queue, snapshots=SNAPSHOTS, since=later) == 1
    with pytest.raises(QueueMissing):
        resend(publisher=publisher, url=url, queue=queue + ".nobody", snapshots=SNAPSHOTS)


BUG = {"fixed": False}


def fails_until_fixed(event):
    if not BUG["fixed"]:
        raise RuntimeError("handler bug")
    count_effect(event)


def test_a_failing_handler_ends_in_the_dead_letter_queue_and_replays_once_fixed(households_app, publisher,
                                                                               run_consumer, households_config):
    BUG["fixed"] = False
    consumer = run_consumer({("grid.created", 1): [fails_until_fixed]})
    sub = next(iter(consumer.table))
    publisher.publish(grid_event().to_dict())
    broker.wait_until(lambda: broker.message_count(sub.queue_name + ".dead") == 1)
    # counted just after the dead letter is confirmed and the delivery acked: wait for it, not assume it
    broker.wait_until(lambda: metric("grid_events_dead_lettered_total", service="probe", queue=sub.queue_name,
                                     reason="handler_failed") == 1)
    assert metric("grid_events_retried_total", service="probe", queue=sub.queue_name, type="grid.created") == 3
    [(body, headers, _)] = broker.drain(sub.queue_name + ".dead")
    assert headers["x-dead-reason"] == "handler_failed" and headers["x-attempts"] == 3
    # put it back as it was, fix the handler, replay
    publish_raw(households_config, body, exchange="", routing_key=sub.queue_name + ".dead", headers=headers)
    BUG["fixed"] = True
    assert replay(url=households_config.AMQP_URL, queue=sub.queue_name) == 1
    broker.wait_until(lambda: effects() == 1)
    assert broker.message_count(sub.queue_name + ".dead") == 0


@pytest.mark.parametrize("body, label", [
    (b"{not json", "malformed JSON"),
    (json.dumps({**grid_event().to_dict(), "version": 99}).encode(), "unknown version"),
    (json.dumps({**grid_event().to_dict(), "data": {"grid_id": 1}}).encode(), "breaks the contract"),
])
def test_a_poison_message_goes_to_the_dead_letter_queue(households_app, run_consumer, households_config, body, label):
    consumer = run_consumer({("grid.created", 1): [count_effect]})
    sub = next(iter(consumer.table))
    publish_raw(households_config, body, exchange=households_config.EVENT_EXCHANGE, routing_key="grid.created")
    broker.wait_until(lambda: broker.message_count(sub.queue_name + ".dead") == 1)
    # counted just after the dead letter is confirmed and the delivery acked: wait for it, not assume it
    broker.wait_until(lambda: metric("grid_events_dead_lettered_total", service="probe", queue=sub.queue_name,
                                     reason="poison") >= 1)
    assert effects() == 0


def test_the_households_worker_keeps_grid_summaries_and_metrics(client, district, as_worker, households_config):
    worker = Worker(households_config, **bootstrap(households_config)).start()
    try:
        for n in range(3):
            client.post("/households", json=household(district["grid_a"], n, care_tag="elderly_alone"),
                        headers=as_worker)
        grid = lambda: client.get(f"/grids/{district['grid_a']}", headers=as_worker).json  # noqa: E731
        # the summary settles on all three, however the recounts overlapped the writes
        broker.wait_until(lambda: (grid()["households"], grid()["care_residents"]) == (3, {"elderly_alone": 3}))
        assert (grid()["band"], grid()["care_households_overdue"]) == ("below", 3)
        metrics = client.get("/metrics").text
        assert 'grid_households{community_id="C1",grid_id="C1-G1"} 3.0' in metrics
        assert 'grid_care_residents{community_id="C1",tag="elderly_alone"} 3.0' in metrics
    finally:
        worker.shutdown()


def test_a_household_written_during_a_slow_recount_is_counted_by_the_next_event(client, district, as_worker,
                                                                                  monkeypatch):
    t0 = datetime.now(timezone.utc)
    clock = iter([t0, t0 + timedelta(seconds=10)])  # the recount starts at t0 and ends 10 s later
    monkeypatch.setattr(figures, "now", lambda: next(clock, t0 + timedelta(seconds=10)))
    real_overdue = figures._overdue

    def write_mid_recount(grid_id):  # the household lands after the recount counted
        monkeypatch.setattr(figures, "_overdue", real_overdue)
        assert client.post("/households", json=household(grid_id, 1), headers=as_worker).status_code == 201
        return real_overdue(grid_id)

    monkeypatch.setattr(figures, "_overdue", write_mid_recount)
    grid = district["grid_a"]
    assert figures.refresh_summary(grid_id=grid).households == 0
    registered_at = t0 + timedelta(seconds=1)  # its event's time, while the recount was running
    event = new_event("household.registered", version=1, source="households", community_id="C1", grid_id=grid,
                      data={"household_id": "x", "address": {"building": "1栋", "unit": None, "room": "101"},
                            "residency": "registered", "residents": []})
    handlers.refresh_grids(dataclasses.replace(event, occurred_at=registered_at).load())
    assert client.get(f"/grids/{grid}", headers=as_worker).json["households"] == 1


def test_a_recount_that_started_earlier_never_overwrites_a_later_one(client, district, as_worker, monkeypatch):
    grid, t0 = district["grid_a"], datetime.now(timezone.utc)
    monkeypatch.setattr(figures, "now", lambda: t0 + timedelta(seconds=20))
    assert figures.refresh_summary(grid_id=grid).households == 0
    monkeypatch.setattr(figures, "now", lambda: t0 + timedelta(seconds=10))  # the periodic one, slower to finish
    client.post("/households", json=household(grid, 1), headers=as_worker)
    summary = figures.refresh_summary(grid_id=grid)
    assert summary.households == 0 and abs(summary.refreshed_at - (t0 + timedelta(seconds=20))) < timedelta(milliseconds=1)
