"""Fixtures for the deployment tests: the compose file and the metric contract (deploy/metrics.yml)."""
import sys

import pytest

from .helpers import DEPLOY, HISTOGRAM_SUFFIXES, REPO, load_yaml

TARGET_LABELS = {"job", "instance", "component"}  # added by Prometheus and prometheus.yml

if str(REPO) not in sys.path:  # test_prometheus imports shared.metrics to compare the contract
    sys.path.insert(0, str(REPO))


@pytest.fixture(scope="session")
def compose() -> dict:
    return load_yaml(REPO / "docker-compose.yml")


@pytest.fixture(scope="session")
def app_services(compose) -> dict:
    """Compose services built from deploy/Dockerfile: the APIs, workers and the gateway."""
    return {name: svc for name, svc in compose["services"].items()
            if (svc.get("build") or {}).get("dockerfile") == "deploy/Dockerfile"}


@pytest.fixture(scope="session")
def metric_contract() -> dict:
    """deploy/metrics.yml: name -> {type, source, labels}, the builtin `up` and other exporters' series included."""
    data = load_yaml(DEPLOY / "metrics.yml")
    return {**data["metrics"], **data["builtin"], **data.get("external", {})}


@pytest.fixture(scope="session")
def series_labels(metric_contract) -> dict[str, set[str]]:
    """Every series name a query may select (histograms as _bucket/_sum/_count) -> its label names,
    with the target labels Prometheus adds (job, instance, and `component` from prometheus.yml)."""
    series = {}
    for name, meta in metric_contract.items():
        labels = set(meta["labels"]) | TARGET_LABELS
        if meta["type"] == "histogram":
            series.update({name + suffix: labels for suffix in HISTOGRAM_SUFFIXES})
            series[name + "_bucket"] = labels | {"le"}
        else:
            series[name] = labels
    return series
