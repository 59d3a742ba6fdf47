"""Proves: a worker killed with SIGKILL in the middle of a batch loses no event and doubles no effect
once it is restarted."""
import json
import os
import signal
import subprocess
import sys
import time

from services.households.models import GridSummary, Household
from shared.messaging.inbox import ProcessedEvent
from tests.support import broker
from tests.support.data import household


def start_worker(config, port):
    env = {**os.environ, "MONGO_URL": config.MONGO_URL, "HOUSEHOLDS_MONGO_DB": config.MONGO_DB,
           "AMQP_URL": config.AMQP_URL, "EVENT_EXCHANGE": config.EVENT_EXCHANGE,
           "QUEUE_PREFIX": config.QUEUE_PREFIX,
           "QUEUE_EXPIRES_MS": str(config.QUEUE_EXPIRES_MS), "OUTBOX_POLL_S": "0.05",
           "RETRY_DELAYS_MS": "50,100,200", "METRICS_PORT": str(port)}
    return subprocess.Popen([sys.executable, "-m", "services.households.worker"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_sigkill_mid_batch_loses_nothing_and_doubles_nothing(client, district, as_worker, households_config):
    from tests.support.mongo import free_port

    tap = broker.tap(households_config.EVENT_EXCHANGE, "household.registered")
    total = 400
    for n in range(total):
        assert client.post("/households", json=household(district["grid_a"], n), headers=as_worker).status_code == 201
    seen = []
    worker = start_worker(households_config, free_port())
    try:
        broker.wait_until(lambda: seen.extend(broker.drain(tap)) or len(seen) >= total // 4, timeout=60)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    killed_after = len(seen)
    left_in_outbox = sum(len(h.outbox) for h in Household.objects.only("outbox"))
    began = time.perf_counter()
    worker = start_worker(households_config, free_port())
    try:
        broker.wait_until(lambda: sum(len(h.outbox) for h in Household.objects.only("outbox")) == 0, timeout=120)
        broker.wait_until(lambda: (GridSummary.objects(pk=district["grid_a"]).first() or GridSummary()).households
                          == total, timeout=120)
        processed = ProcessedEvent.objects(consumer=f"{households_config.QUEUE_PREFIX}households.refresh_grids",
                                           event_type="household.registered")
        broker.wait_until(lambda: processed.count() >= total, timeout=120)
        recovered = time.perf_counter() - began
        time.sleep(0.5)
        seen.extend(broker.drain(tap))
    finally:
        worker.terminate()
        worker.wait(10)
    published = [json.loads(body)["data"]["household_id"] for body, _, _ in seen]
    assert set(published) == {str(h.pk) for h in Household.objects.only("id")}, "an event was lost"
    assert processed.count() == len(set(processed.scalar("event_id"))) == total  # each handled once
    assert GridSummary.objects.get(pk=district["grid_a"]).households == total
    print(f"\n[worker SIGKILL] killed after {killed_after} of {total} events published, {left_in_outbox} still in "
          f"outboxes; after restart all {total} published ({len(published) - total} published twice, absorbed by "
          f"the consumers' inbox); recovered in {recovered:.1f} s")
