"""Proves, for each service that consumes the households service's events (volunteers, drills, mediation; the
households service's own consumer is proven in tests/integration/test_event_bus.py): a poison message on its real
queue, consumed by its real worker on the real RabbitMQ, ends in the queue's dead-letter queue after its retries
and shows in grid_events_dead_lettered_total:
  - malformed JSON and an unknown event version: dead-lettered at once (reason "poison"), no effect;
  - a handler that always fails: retried (grid_events_retried_total), then dead-lettered (reason
    "handler_failed"); once the handler is fixed, `python -m shared.messaging.replay QUEUE` sends it again and
    its effect happens exactly once."""
import json
import os
import subprocess
import sys

import mongoengine
import pytest
from kombu import Producer
from prometheus_client import REGISTRY

from shared.messaging.bus import EventPublisher, open_connection
from shared.messaging.worker import Worker
from tests.support import broker
from tests.support.mediation import grid_created, household_registered

# service: (fixture names of its config and app, the handler module attribute the test breaks, where the copy goes)
SERVICES = {
    "volunteers": ("vol_config", "vol_app", "services.volunteers.register_copy", "on_register_event", "household_copies"),
    "drills": ("drills_config", "drills_app", "services.drills.register_copy", "apply_household_event", "households"),
    "mediation": ("mediation_config", "mediation_app", "services.mediation.register_copy", "apply_register_event",
                  "register_households"),
}
QUEUE = {"volunteers": "keep_register", "drills": "keep_roster", "mediation": "keep_register"}


def metric(name, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def publish_raw(config, body: bytes, routing_key: str, headers=None) -> None:
    with open_connection(config.AMQP_URL) as conn:
        Producer(conn.default_channel).publish(body, exchange=config.EVENT_EXCHANGE, routing_key=routing_key,
                                               headers=headers or {}, content_type="application/json",
                                               content_encoding="utf-8", delivery_mode=2)


@pytest.mark.parametrize("service", list(SERVICES))
def test_poison_messages_are_dead_lettered_and_a_fixed_handler_replays_once(service, request, monkeypatch):
    import importlib

    config_name, app_name, module_name, function, copies = SERVICES[service]
    config = request.getfixturevalue(config_name)
    request.getfixturevalue(app_name)  # the service's database, connected in this process
    worker_module = importlib.import_module(f"services.{service}.worker")
    worker = Worker(config, **worker_module.bootstrap(config))
    worker.consumer.declare()
    queue = f"{config.QUEUE_PREFIX}{service}.{QUEUE[service]}"
    dead = queue + ".dead"
    publisher = EventPublisher(url=config.AMQP_URL, exchange=config.EVENT_EXCHANGE, service="households")
    worker.start()
    try:
        publisher.publish(grid_created("C1-G1").to_dict())
        db = mongoengine.get_db()
        broker.wait_until(lambda: db["processed_events"].count_documents({"event_type": "grid.created",
                                                                          "consumer": queue}) == 1)
        poison_before = metric("grid_events_dead_lettered_total", service=service, queue=queue, reason="poison")

        # 1. malformed JSON, 2. an unknown version of a known event
        publish_raw(config, b'{"id": "x", "type": "household.registered", ', "household.registered")
        unknown = {**household_registered("C1-G1", 1).to_dict(), "version": 99}
        publish_raw(config, json.dumps(unknown).encode(), "household.registered", {"event-version": 99})
        broker.wait_until(lambda: broker.message_count(dead) == 2, timeout=30)
        assert metric("grid_events_dead_lettered_total", service=service, queue=queue,
                      reason="poison") == poison_before + 2
        assert db[copies].count_documents({}) == 0  # neither had any effect

        # 3. a handler that always fails (a bug), for a valid event
        target = importlib.import_module(module_name)
        original = getattr(target, function)
        monkeypatch.setattr(target, function, lambda *a, **k: (_ for _ in ()).throw(RuntimeError("handler bug")))
        event = household_registered("C1-G1", 2)
        retried_before = metric("grid_events_retried_total", service=service, queue=queue, type=event.type)
        publisher.publish(event.to_dict())
        broker.wait_until(lambda: broker.message_count(dead) == 3, timeout=30)
        retried = metric("grid_events_retried_total", service=service, queue=queue, type=event.type) - retried_before
        assert retried == len(config.RETRY_DELAYS_MS)
        assert metric("grid_events_dead_lettered_total", service=service, queue=queue, reason="handler_failed") >= 1
        assert db[copies].count_documents({}) == 0

        # fixed: the dead letters go back with the replay command; the fixed one has its effect once, the poison
        # comes straight back to the dead-letter queue
        monkeypatch.setattr(target, function, original)
        env = {**os.environ, "AMQP_URL": config.AMQP_URL}
        out = subprocess.run([sys.executable, "-m", "shared.messaging.replay", queue], env=env, capture_output=True,
                             text=True, timeout=60)
        assert out.returncode == 0 and "replayed 3 message(s)" in out.stdout, out.stdout + out.stderr
        broker.wait_until(lambda: db["processed_events"].count_documents({"event_id": event.id, "state": "done"}) == 1,
                          timeout=30)  # done, not merely claimed: the handler's effect is in
        broker.wait_until(lambda: broker.message_count(dead) == 2, timeout=30)
        assert db[copies].count_documents({"_id": event.data["household_id"]}) == 1
        assert db["processed_events"].count_documents({"consumer": queue, "event_id": event.id}) == 1
        print(f"\n[poison] {service} ({queue}): malformed JSON and an unknown version dead-lettered at once; a failing "
              f"handler retried {int(retried)} times then dead-lettered; after the fix `python -m "
              f"shared.messaging.replay {queue}` replayed 3: the fixed event handled once, the 2 poison back in "
              f"{dead}")
    finally:
        worker.shutdown()
        publisher.close()
