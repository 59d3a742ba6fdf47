"""The gateway worker (`python -m gateway.worker`) on the whole product: its outbox relay puts `report.issued` on
the real broker, its monthly run issues the previous month's reports once (first soon after it starts, then every
REPORTS_RUN_S), and its /metrics shows the places with a report per month and the communities still missing last
month's."""
import json

import pytest

from gateway.reports.models import Report
from gateway.reports.service import issue
from gateway.worker import bootstrap
from shared import clock
from shared.config import Config
from tests.support import broker
from tests.support.stack import free_port, full_stack, seed_district, staff_principal
from tests.support.workers import labelled, metric_samples, start_gateway_worker, stop_workers, wait_http


@pytest.fixture(scope="module")
def worker(mongo_url, amqp_url):
    """The product with a street s1 of communities c1, c2, and the gateway worker on it; its monthly run is left to
    the tests (an hour apart), which call the job it runs."""
    with full_stack(mongo_url) as s:
        seed_district(s)
        s.tap = broker.tap(f"test.{s.run_id}.events", "report.issued")
        s.metrics_port = free_port()
        proc = start_gateway_worker(s, metrics_port=s.metrics_port, extra_env={"REPORTS_RUN_S": "3600",
                                                                             "REPORTS_FIRST_RUN_S": "3600"})
        try:
            wait_http(s.metrics_port)
            yield s
        finally:
            stop_workers([proc])


def gauge(s, name: str, **labels) -> float | None:
    """A gauge's value on the worker's /metrics (None when it has no such sample)."""
    samples = [(head, value) for head, value in metric_samples(s.metrics_port, name)
               if all(f'{k}="{v}"' in head for k, v in labels.items())]
    return labelled(samples) if samples else None


def issued_events(s, into: list) -> list[dict]:
    """The `report.issued` events the tap has received so far (added to `into`)."""
    into.extend(json.loads(body) for body, _, _ in broker.drain(s.tap))
    return into


def test_a_report_issued_reaches_the_broker_and_the_metrics(worker):
    s, month = worker, clock.previous_month()
    assert gauge(s, "grid_report_missing", community_id="c1") == 1
    assert gauge(s, "grid_report_missing", community_id="c2") == 1
    assert gauge(s, "grid_reports_issued", kind="community", month=month) == 0

    with s.gateway_app.app_context():
        report = issue(kind="community", place_id="c1", month=month, principal=staff_principal("c1"),
                       issued_by="s-c1")
    events = s.wait_for(lambda: issued_events(s, []), timeout=30)
    (event,) = events
    assert event["type"] == "report.issued" and event["version"] == 1
    assert event["data"] == {"report_id": str(report.pk), "kind": "community", "place_id": "c1", "street_id": "s1",
                             "month": month, "version": 1, "number": report.number,
                             "issued_at": event["data"]["issued_at"]}
    assert "figures" not in json.dumps(event) and "names" not in event["data"]
    with s.gateway_app.app_context():
        assert s.wait_for(lambda: not Report.objects(pk=report.pk).first().outbox, timeout=30)

    assert gauge(s, "grid_report_missing", community_id="c1") == 0
    assert gauge(s, "grid_report_missing", community_id="c2") == 1
    assert gauge(s, "grid_reports_issued", kind="community", month=month) == 1
    assert gauge(s, "grid_reports_issued", kind="street", month=month) == 0
    assert gauge(s, "grid_reports_issued", kind="community", month=clock.month_after(month, -12)) == 0
    assert gauge(s, "grid_reports_issued", kind="community", month=clock.month_after(month, -13)) is None


def test_the_monthly_run_issues_each_missing_report_once(worker):
    s, month = worker, clock.previous_month()
    parts = bootstrap(Config("gateway"), app=s.gateway_app)
    ((every, monthly_run, first_after),) = parts["periodic"]
    assert every == s.gateway_app.config["REPORTS_RUN_S"] == 900  # the settings' defaults
    assert first_after == s.gateway_app.config["REPORTS_FIRST_RUN_S"] == 60
    assert parts["handlers"] == {} and Report in parts["documents"]

    monthly_run()
    monthly_run()
    with s.gateway_app.app_context():
        got = sorted((r.kind, r.place_id, r.report_version, r.issued_by) for r in Report.objects(month=month))
    # c1 had its report from the test above (a person issued it); the run added the others' first versions
    assert got == [("community", "c1", 1, "s-c1"), ("community", "c2", 1, "monthly"), ("street", "s1", 1, "monthly")]

    events = []
    s.wait_for(lambda: len(issued_events(s, events)) >= 2, timeout=30)
    assert sorted((e["data"]["kind"], e["data"]["place_id"]) for e in events) == [("community", "c2"), ("street", "s1")]
    assert gauge(s, "grid_report_missing", community_id="c2") == 0
    assert gauge(s, "grid_reports_issued", kind="community", month=month) == 2
    assert gauge(s, "grid_reports_issued", kind="street", month=month) == 1


def test_a_started_worker_runs_the_monthly_run_after_its_first_delay_not_its_period(worker):
    s, month = worker, clock.previous_month()
    with s.gateway_app.app_context():
        Report.objects(month=month).delete()
    port = free_port()
    proc = start_gateway_worker(s, metrics_port=port, extra_env={"REPORTS_RUN_S": "3600", "REPORTS_FIRST_RUN_S": "1"})
    try:
        wait_http(port)
        with s.gateway_app.app_context():
            assert s.wait_for(lambda: Report.objects(month=month).count() == 3, timeout=60)
            got = sorted((r.kind, r.place_id, r.issued_by) for r in Report.objects(month=month))
        assert got == [("community", "c1", "monthly"), ("community", "c2", "monthly"), ("street", "s1", "monthly")]
    finally:
        stop_workers([proc])
