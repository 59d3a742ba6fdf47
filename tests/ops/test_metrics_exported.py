"""Every metric the dashboards and alert rules use is really served on /metrics.

Each service's API and the gateway are built in-process (create_app with a test config, on the session's
MongoDB-wire server) and scraped once: the scrape runs the business-metric refreshers against a real, empty
database. prometheus-client prints `# TYPE` for every registered metric, also for a labelled gauge or counter
with no samples yet, so the names are found without seeding data.
"""
import importlib
import json
import re
import uuid

import mongoengine
import pytest

from .helpers import DEPLOY, HISTOGRAM_SUFFIXES, load_yaml, promql, promql_selectors, service_names

# Modules whose metrics a worker serves, not its API.
WORKER_METRICS = {"gateway.reports.metrics": "gateway-worker"}
TYPE_LINE = re.compile(r"^# TYPE (\w+) (\w+)$", re.M)
SAMPLE_LINE = re.compile(r"^([a-zA-Z_:][\w:]*)[{ ]", re.M)


def series_names(text: str) -> set[str]:
    """The series names a Prometheus scrape of this text would store."""
    names = set(SAMPLE_LINE.findall(text))
    for name, kind in TYPE_LINE.findall(text):
        if kind == "histogram":
            names |= {name + suffix for suffix in HISTOGRAM_SUFFIXES}
        elif kind == "summary":
            names |= {name + "_sum", name + "_count", name}
        else:
            names.add(name)  # counters are printed with their _total
    return names


def referenced_metrics() -> dict[str, set[str]]:
    """Metric name -> where it is used, over every dashboard panel, template variable and alert rule."""
    used: dict[str, set[str]] = {}
    for path in sorted((DEPLOY / "grafana" / "dashboards").glob("*.json")):
        board = json.loads(path.read_text(encoding="utf-8"))
        for panel in board["panels"]:
            for target in panel.get("targets", []):
                for name in promql_selectors(promql(target["expr"])):
                    used.setdefault(name, set()).add(f"{path.name}: {panel['title']}")
        for var in board.get("templating", {}).get("list", []):
            match = re.match(r"label_values\((\w+),", var.get("query", {}).get("query", ""))
            if match:
                used.setdefault(match.group(1), set()).add(f"{path.name}: ${var['name']}")
    for group in load_yaml(DEPLOY / "prometheus" / "alerts.yml")["groups"]:
        for rule in group["rules"]:
            for name in promql_selectors(rule["expr"]):
                used.setdefault(name, set()).add(f"alerts.yml: {rule['alert']}")
    return used


def _service_app(name: str, mongo_url: str, run_id: str):
    from shared.config import TestConfig

    config = TestConfig(name, mongo_url=mongo_url, run_id=run_id)
    return importlib.import_module(f"services.{name}.app").create_app(config), config.MONGO_DB


def _gateway_app(mongo_url: str, run_id: str):
    from gateway.app import create_app
    from gateway.config import TestConfig

    config = TestConfig(mongo_url=mongo_url, run_id=run_id)
    return create_app(config), config.MONGO_DB


def _gateway_worker_app(mongo_url: str, run_id: str):
    """The gateway worker's /metrics app (python -m gateway.worker), its jobs in a gateway app; its reports' gauges
    refreshed with no communities (the register is not running here)."""
    from gateway import worker as gateway_worker
    from gateway.reports import metrics
    from shared.config import TestConfig
    from shared.db import connect_db
    from shared.messaging.worker import Worker
    from shared.messaging.worker_http import create_worker_app

    gateway, database = _gateway_app(mongo_url, run_id)
    config = TestConfig("gateway", mongo_url=mongo_url, run_id=run_id)
    connect_db(config)
    parts = gateway_worker.bootstrap(config, app=gateway)

    def reports_refreshed():
        with gateway.app_context():
            metrics.refresh(community_ids=[])

    worker = Worker(config, handlers=parts["handlers"], documents=parts["documents"], periodic=parts["periodic"])
    app = create_worker_app(config, worker, refreshers=[reports_refreshed])
    app.extensions["metric_refreshers"] = parts["refreshers"]
    return app, database


@pytest.fixture(scope="module")
def built(mongo_url) -> dict[str, tuple[str, list]]:
    """App name -> (the text of one GET /metrics, the app's metric refreshers); each app is built, scraped
    and its database dropped in turn."""
    run_id = "ops" + uuid.uuid4().hex[:8]
    builders = {name: (lambda name=name: _service_app(name, mongo_url, run_id)) for name in service_names()}
    builders["gateway"] = lambda: _gateway_app(mongo_url, run_id)
    builders["gateway-worker"] = lambda: _gateway_worker_app(mongo_url, run_id)
    found = {}
    for name, build in builders.items():
        app, database = build()
        try:
            response = app.test_client().get("/metrics")
            assert response.status_code == 200, f"{name} /metrics: {response.status_code} {response.get_data(True)[:300]}"
            found[name] = (response.get_data(as_text=True), list(app.extensions.get("metric_refreshers", [])))
        finally:
            mongoengine.get_db().client.drop_database(database)
    return found


@pytest.fixture(scope="module")
def scrapes(built) -> dict[str, str]:
    return {name: text for name, (text, _) in built.items()}


def test_every_app_serves_metrics(scrapes):
    assert set(scrapes) == set(service_names()) | {"gateway", "gateway-worker"}
    for name, text in scrapes.items():
        if name != "gateway-worker":  # a worker serves no HTTP routes of its own
            assert "grid_http_requests_total" in series_names(text), name


def test_dashboards_and_rules_use_only_metrics_that_are_served(scrapes):
    contract = load_yaml(DEPLOY / "metrics.yml")
    builtin = set(contract["builtin"]) | set(contract.get("external", {}))  # Prometheus's own (up), other exporters
    served = set().union(*(series_names(text) for text in scrapes.values()))
    missing = {name: sorted(where) for name, where in referenced_metrics().items()
               if name not in served and name not in builtin}
    assert not missing, f"used but not on any /metrics: {missing}"


def test_each_business_metric_is_served_by_its_own_service(scrapes):
    """deploy/metrics.yml names each metric's module; the app of that service (or the gateway) serves it."""
    contract = load_yaml(DEPLOY / "metrics.yml")["metrics"]
    for name, meta in contract.items():
        owner = meta["source"].split(".")
        app = (owner[1] if owner[0] == "services" else WORKER_METRICS.get(meta["source"], "gateway")
               if owner[0] == "gateway" else None)
        apps = [app] if app else list(scrapes)  # shared.metrics: every app
        suffixes = HISTOGRAM_SUFFIXES if meta["type"] == "histogram" else ("",)
        for each in apps:
            assert {name + s for s in suffixes} <= series_names(scrapes[each]), f"{each} /metrics lacks {name}"


@pytest.mark.parametrize("name", service_names())
def test_each_api_refreshes_its_business_metrics_on_scrape(name, built):
    """Business gauges are set from the database when the API is scraped: its factory wires metrics.refresh."""
    module = importlib.import_module(f"services.{name}.metrics")
    _, refreshers = built[name]
    assert getattr(module, "refresh", None) in refreshers, f"services.{name}.app does not refresh {module.__name__}"

