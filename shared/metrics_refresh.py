"""Gauges refreshed in the background, so that a scrape of /metrics reads nothing and renders little: the live
metrics (HTTP, events) as they stand and the refreshed gauges as rendered after their last refresh.

A process's refreshers (the callables that read its figures from the database or the broker) run one at a time in
one thread every METRICS_REFRESH_S seconds; the thread starts at the first scrape (after gunicorn has forked, and
never in a test that does not scrape) and stops at exit. METRICS_REFRESH_S = 0 refreshes on every scrape instead.
Each process keeps its own gauges: the age of its figures is on grid_metrics_refreshed_timestamp_seconds.
"""
import atexit
import logging
import threading
import time
from collections.abc import Callable, Iterable

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Gauge, generate_latest
from prometheus_client.metrics import MetricWrapperBase

from shared.metrics import (
    METRICS_REFRESH_DURATION,
    METRICS_REFRESH_FAILURES,
    METRICS_REFRESH_INTERVAL,
    METRICS_REFRESHED,
)

log = logging.getLogger(__name__)
# The refreshed gauges are rendered once per refresh, not per scrape: at a city's 2,500 grids they are some 10,000
# samples, whose rendering alone would take a scrape past 100 ms.
REFRESHED = CollectorRegistry()
_PUBLISHING = threading.Lock()  # a refresh's figures reach the gauges whole: a scrape never renders half of them
_rendered = [b""]  # REFRESHED as of the last refresh


def refreshed_gauge(name: str, documentation: str, labelnames) -> Gauge:
    """A gauge that only a refresh sets (through `Figures`), rendered with the others after each refresh."""
    return Gauge(name, documentation, labelnames, registry=REFRESHED)


class Figures:
    """A refresh's gauge values, read in full first and then put on the gauges at once (`publish`): a read that
    fails half-way leaves the last figures, and gauges not given a value for some labels lose those labels."""

    def __init__(self, *gauges: MetricWrapperBase):
        self.gauges = gauges
        self.values: list[tuple[MetricWrapperBase, tuple, float]] = []

    def set(self, gauge: MetricWrapperBase, labels: tuple, value: float) -> None:
        """Give `gauge` this value for these label values (in the gauge's label order)."""
        self.values.append((gauge, labels, value))

    def publish(self) -> None:
        """Replace the gauges' samples with these figures."""
        with _PUBLISHING:
            for gauge in self.gauges:
                gauge.clear()
            for gauge, labels, value in self.values:
                gauge.labels(*labels).set(value)
            _rendered[0] = generate_latest(REFRESHED)


class GaugeRefresh:
    """One process's refreshers, run one refresh at a time, timed; in the background when `every_s` > 0."""

    def __init__(self, service: str, refreshers: Iterable[Callable[[], object]], *, every_s: float):
        self.service = service
        self.refreshers = list(refreshers)
        self.every_s = every_s
        self._refreshing = threading.Lock()
        self._starting = threading.Lock()
        self._stop = threading.Event()
        self.thread: threading.Thread | None = None
        if self.refreshers:  # exported at 0 from the start, so rate() sees the first failure
            METRICS_REFRESH_FAILURES.labels(service)

    def refresh(self) -> bool:
        """Run every refresher once; True when all succeeded. A failing one is logged and counted and leaves its
        gauges as they were; the others still run."""
        with self._refreshing:
            started, ok = time.monotonic(), True
            for refresher in self.refreshers:
                try:
                    refresher()
                except Exception:  # the database or broker away, or a bug: the next refresh tries again
                    ok = False
                    METRICS_REFRESH_FAILURES.labels(self.service).inc()
                    log.exception("metrics refresh failed", extra={"refresher": _name(refresher)})
            METRICS_REFRESH_DURATION.labels(self.service).set(time.monotonic() - started)
            if ok:
                METRICS_REFRESHED.labels(self.service).set(time.time())
            return ok

    def scrape(self) -> tuple[bytes, int, dict]:
        """The answer to GET /metrics: the registry as it is (refreshed first only when `every_s` is 0)."""
        if self.refreshers and self.every_s > 0:  # a process without refreshers (the gateway) only renders
            self.start()
        elif self.refreshers:
            self.refresh()
        with _PUBLISHING:
            return generate_latest(REGISTRY) + _rendered[0], 200, {"Content-Type": CONTENT_TYPE_LATEST}

    def start(self) -> "GaugeRefresh":
        """Start the background thread unless it runs (the first refresh begins at once)."""
        with self._starting:
            if self.thread is None:
                METRICS_REFRESHED.labels(self.service).set(time.time())  # nothing is older than the refresher
                METRICS_REFRESH_INTERVAL.labels(self.service).set(self.every_s)
                self.thread = threading.Thread(target=self._run, name=f"metrics-refresh-{self.service}", daemon=True)
                self.thread.start()
                atexit.register(self.stop)
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the background thread after its current refresh (waits at most `timeout` seconds)."""
        self._stop.set()
        if self.thread is not None:
            self.thread.join(timeout)
            atexit.unregister(self.stop)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.refresh()
            self._stop.wait(self.every_s)


def _name(refresher: Callable) -> str:
    return f"{getattr(refresher, '__module__', '')}.{getattr(refresher, '__qualname__', repr(refresher))}"
