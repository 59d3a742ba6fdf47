"""A worker's periodic jobs: each first runs after its own delay (the gateway's monthly run a minute after a start, so a
worker restarted more often than its period still runs it), then every period; a job that fails runs again."""
import threading

from shared.config import TestConfig
from shared.messaging.worker import Every, Worker


def worker_with(*periodic) -> Worker:
    config = TestConfig("gateway", mongo_url="mongodb://127.0.0.1:9", run_id="periodic")
    return Worker(config, documents=[], handlers={}, periodic=periodic)


def test_a_job_with_a_first_delay_runs_then_and_not_again_before_its_period():
    ran, runs = threading.Event(), []

    def monthly_run():
        runs.append(1)
        ran.set()

    def hourly():
        runs.append("hourly")

    worker = worker_with((3600, monthly_run, 0), (3600, hourly))
    assert worker.periodic == [Every(3600, monthly_run, 0), Every(3600, hourly, None)]
    for every in worker.periodic:
        worker._spawn(every.job.__name__, lambda every=every: worker._repeat(every))
    try:
        assert ran.wait(5)
        assert not worker.stop.wait(0.3)
        assert runs == [1]  # once, and the job without a first delay waits its whole period
    finally:
        worker.shutdown(timeout=1)


def test_a_failing_job_is_tried_again_at_its_period():
    tries = []
    third = threading.Event()

    def flaky():
        tries.append(1)
        if len(tries) == 3:
            third.set()
        raise RuntimeError("the services are not up yet")

    worker = worker_with((0.05, flaky, 0))
    worker._spawn("flaky", lambda: worker._repeat(worker.periodic[0]))
    try:
        assert third.wait(5)
    finally:
        worker.shutdown(timeout=1)
