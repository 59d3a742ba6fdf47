"""The worker's /metrics with METRICS_REFRESH_S > 0: the outbox backlog (a database scan) and the dead-letter depths
(broker calls) are read in the background, never in the scrape's thread; the broker away keeps the last depths and
counts the failure."""
import threading
from types import SimpleNamespace

from prometheus_client.parser import text_string_to_metric_families

from shared.config import TestConfig
from shared.messaging.worker_http import create_worker_app
from shared.metrics import DEAD_LETTERS, OUTBOX_BACKLOG
from tests.support.broker import wait_until

SERVICE = "workerprobe"  # a service name of its own: the gauges are the test process's


def values(text: str) -> dict[tuple, float]:
    """{(sample name, service label): value} of one scrape."""
    return {(s.name, s.labels.get("service")): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


class Probe:
    """A worker whose relay and consumer note the threads they are asked from; the broker is away after one call."""

    def __init__(self):
        self.threads: list[threading.Thread] = []  # the worker's own threads (none run here)
        self.asked_from: list[threading.Thread] = []
        self.relay = SimpleNamespace(backlog=self.backlog)
        self.consumer = SimpleNamespace(dead_letter_depths=self.dead_letter_depths)
        self.broker_calls = 0

    def backlog(self) -> int:
        self.asked_from.append(threading.current_thread())
        OUTBOX_BACKLOG.labels(SERVICE).set(7)
        return 7

    def dead_letter_depths(self) -> dict:
        self.asked_from.append(threading.current_thread())
        self.broker_calls += 1
        if self.broker_calls > 1:
            raise ConnectionError("the broker is away")
        DEAD_LETTERS.labels(SERVICE, "q.dead").set(3)
        return {"q.dead": 3}


def test_the_worker_scrape_reads_nothing_and_the_broker_away_keeps_the_last_depths():
    config = TestConfig(SERVICE, mongo_url="mongodb://127.0.0.1:9", run_id="workermetrics", METRICS_REFRESH_S=0.05)
    probe = Probe()
    app = create_worker_app(config, probe)
    client = app.test_client()
    try:
        assert client.get("/metrics").status_code == 200
        scraped = wait_until(lambda: (v := values(client.get("/metrics").text)).get(
            ("grid_metrics_refresh_failures_total", SERVICE)) and v)
        assert scraped[("grid_outbox_backlog", SERVICE)] == 7
        assert scraped[("grid_dead_letter_messages", SERVICE)] == 3  # the last depths read, kept
        assert scraped[("grid_metrics_refresh_interval_seconds", SERVICE)] == 0.05
        assert threading.current_thread() not in probe.asked_from
        assert {t.name for t in probe.asked_from} == {f"metrics-refresh-{SERVICE}"}
    finally:
        app.extensions["metrics_refresh"].stop()
    assert not app.extensions["metrics_refresh"].thread.is_alive()
