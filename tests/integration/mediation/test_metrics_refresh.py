"""/metrics in production (METRICS_REFRESH_S > 0): a scrape only renders the registry, the refreshers run in one
background thread, the figures catch up after a refresh, a failing refresh keeps the last figures and is logged and
counted, and the staleness gauges move. Shown on the mediation service, whose gauges read its cases."""
import threading

import pytest

from services.mediation import metrics
from tests.integration.mediation.test_desk_metrics import by_kind, case
from tests.support.broker import wait_until
from tests.support.scrapes import samples


@pytest.fixture
def refreshed_in_background(mediation_config):
    mediation_config.METRICS_REFRESH_S = 0.1  # before the app is built: its factory applies the settings


@pytest.fixture
def calls(refreshed_in_background, mediation_app):
    """The threads the app's refreshers ran in (the refreshers wrapped before the first scrape)."""
    threads: list[threading.Thread] = []
    refreshers = mediation_app.extensions["metric_refreshers"]

    def recorded(refresh):
        def run():
            threads.append(threading.current_thread())
            refresh()
        return run

    refreshers[:] = [recorded(r) for r in refreshers]
    yield threads
    gauges = mediation_app.extensions.get("metrics_refresh")
    if gauges:
        gauges.stop()
        assert not gauges.thread.is_alive()


def sample(text: str, name: str) -> float | None:
    return samples(text, name).get((("service", "mediation"),))


def scrape_until(api, condition) -> str:
    """Scrape until `condition(text)` holds (within the deadline); return that scrape."""
    def scraped():
        text = api.get("/metrics").text
        return text if condition(text) else None
    return wait_until(scraped, timeout=10)


def test_a_scrape_runs_no_refresher_and_the_figures_catch_up_in_the_background(calls, api, today):
    today.set("2026-06-10")
    case("request", "C1", status="dispatched", registered="2026-06-08", due="2026-06-17")

    first = api.get("/metrics")
    assert first.status_code == 200
    assert sample(first.text, "grid_metrics_refresh_interval_seconds") == 0.1
    text = scrape_until(api, lambda t: by_kind(t, "grid_cases_open", "C1"))
    assert by_kind(text, "grid_cases_open", "C1") == {"dispute": 0, "request": 1, "incident": 0}
    assert threading.current_thread() not in calls  # every database read happened off the scrape's thread
    assert {t.name for t in calls} == {"metrics-refresh-mediation"}

    case("incident", "C1", status="handled", registered="2026-06-09", due="2026-06-18")
    text = scrape_until(api, lambda t: by_kind(t, "grid_cases_open", "C1")["incident"])
    assert by_kind(text, "grid_cases_open", "C1") == {"dispute": 0, "request": 1, "incident": 1}
    assert threading.current_thread() not in calls


def test_a_failing_refresh_keeps_the_last_figures_and_is_counted_and_logged(calls, api, today, monkeypatch, caplog):
    today.set("2026-06-10")
    case("dispute", "C1", status="registered", registered="2026-06-08", due="2026-06-17", category="neighbours")
    text = scrape_until(api, lambda t: samples(t, "grid_disputes_by_category"))
    assert sample(text, "grid_metrics_refresh_duration_seconds") > 0
    failures = sample(text, "grid_metrics_refresh_failures_total") or 0  # counted for the whole test process

    def broken(self, row):
        raise RuntimeError("the cases cannot be read")

    monkeypatch.setattr(metrics.DisputeFigures, "count", broken)  # fails half-way through reading the cases
    # the figures' time as of the first failed refresh (a good one may still finish while the patch goes in)
    text = scrape_until(api, lambda t: sample(t, "grid_metrics_refresh_failures_total") > failures)
    refreshed_at = sample(text, "grid_metrics_refreshed_timestamp_seconds")
    failures = sample(text, "grid_metrics_refresh_failures_total")
    case("dispute", "C2", status="registered", registered="2026-06-09", due="2026-06-18", category="other")
    text = scrape_until(api, lambda t: sample(t, "grid_metrics_refresh_failures_total") > failures + 1)
    assert samples(text, "grid_disputes_by_category") == {(("category", "neighbours"), ("community_id", "C1")): 1.0}
    assert by_kind(text, "grid_cases_registered", "C1")["dispute"] == 1  # the desk's gauges keep theirs too
    assert sample(text, "grid_metrics_refreshed_timestamp_seconds") == refreshed_at  # the figures' age shows
    assert any(r.getMessage() == "metrics refresh failed" for r in caplog.records)

    monkeypatch.undo()
    text = scrape_until(api, lambda t: sample(t, "grid_metrics_refreshed_timestamp_seconds") > refreshed_at)
    assert samples(text, "grid_disputes_by_category") == {(("category", "neighbours"), ("community_id", "C1")): 1.0,
                                                          (("category", "other"), ("community_id", "C2")): 1.0}
