"""Proves: while RabbitMQ is stopped, requests still succeed quickly, nothing is lost, and every event
written during the outage is published once the broker is back."""
import json
import time

from services.households import models as households_models
from shared.messaging.bus import EventPublisher
from shared.messaging.outbox import documents_with_outbox
from shared.messaging.relay import OutboxRelay
from tests.support import broker
from tests.support.data import household
from tests.support.rabbit_control import start_broker, stop_broker


def test_events_written_while_the_broker_is_stopped_are_published_after_it_restarts(
        client, district, as_worker, households_config):
    tap = broker.tap(households_config.EVENT_EXCHANGE, "household.registered")
    relay = OutboxRelay(documents=documents_with_outbox(households_models), service="households",
                        publisher=EventPublisher(url=households_config.AMQP_URL, service="households",
                                                 exchange=households_config.EVENT_EXCHANGE, timeout_s=2))
    before = relay.backlog()  # the district's grid.created events, not yet sent either
    stop_broker()
    try:
        slowest = 0.0
        ids = []
        for n in range(20):
            started = time.perf_counter()
            r = client.post("/households", json=household(district["grid_a"], n), headers=as_worker)
            slowest = max(slowest, time.perf_counter() - started)
            assert r.status_code == 201
            ids.append(r.json["id"])
        assert relay.run_once() == 0  # the relay cannot publish, and keeps everything
        assert relay.backlog() == before + 20
        assert client.get("/readyz").status_code == 503
    finally:
        start_broker()
    began = time.perf_counter()
    broker.wait_until(lambda: relay.run_once() == 0 and relay.backlog() == 0, timeout=30)
    caught_up = time.perf_counter() - began
    published = [json.loads(body)["data"]["household_id"] for body, _, _ in broker.drain(tap)]
    assert sorted(published) == sorted(ids)
    print(f"\n[broker outage] 20 registrations during the outage, slowest request {slowest * 1000:.0f} ms; "
          f"caught up {caught_up:.2f} s after the broker returned")
    assert slowest < 5.0
