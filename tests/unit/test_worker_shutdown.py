"""A worker stops within its deadline in all, however many threads are slow to end."""
import threading
import time

from shared.config import TestConfig
from shared.messaging.worker import Worker


def test_shutdown_waits_at_most_its_timeout_in_all_not_per_thread():
    config = TestConfig("households", mongo_url="mongodb://127.0.0.1:9", run_id="shutdown")
    worker = Worker(config, documents=[], handlers={})
    release = threading.Event()
    for n in range(4):  # four threads that ignore the stop flag until released
        worker._spawn(f"slow-{n}", release.wait)
    started = time.monotonic()
    worker.shutdown(timeout=0.4)
    took = time.monotonic() - started
    release.set()
    assert worker.stop.is_set()
    assert took < 1.2, f"shutdown took {took:.2f}s for 4 slow threads with a 0.4 s deadline"
