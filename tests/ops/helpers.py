"""Loaders and parsers for the deployment tests (files under deploy/, docker-compose.yml)."""
import importlib
import os
import re
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")


def service_names() -> list[str]:
    """The services in the repo: every services/<name>/ with an API (wsgi.py) and a worker (worker.py)."""
    return sorted(p.parent.name for p in (REPO / "services").glob("*/wsgi.py")
                  if (p.parent / "worker.py").is_file())


class _RecordingEnviron(dict):
    """A stand-in for os.environ that remembers which variables were read."""

    def __init__(self, values):
        super().__init__(values)
        self.read: set[str] = set()

    def get(self, key, default=None):
        self.read.add(key)
        return super().get(key, default)

    def __getitem__(self, key):
        self.read.add(key)
        return super().__getitem__(key)


def _variables_read(make) -> set[str]:
    saved = os.environ
    os.environ = _RecordingEnviron({"SERVICE_SECRET": "x", "PATH": saved.get("PATH", "")})
    try:
        make()
        return os.environ.read
    finally:
        os.environ = saved


def service_settings(name: str) -> set[str]:
    """The environment variables a service declares on top of shared.config's (its config.SETTINGS), secrets
    (which come from a secret store, not a config file) left out."""
    if not (REPO / "services" / name / "config.py").is_file():
        return set()
    declared = importlib.import_module(f"services.{name}.config").SETTINGS.declared.values()
    return {setting.name for setting in declared if not setting.secret}


# Grafana's own variables, replaced by values PromQL accepts before parsing.
GRAFANA_VARS = [(re.compile(r"\$__(rate_)?interval|\$__range"), "5m"), (re.compile(r"\$\w+"), "x")]


def promql(expr: str) -> str:
    """A Grafana panel query as plain PromQL."""
    for pattern, value in GRAFANA_VARS:
        expr = pattern.sub(value, expr)
    return expr


def load_yaml(path: Path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def load_yaml_docs(path: Path) -> list[dict]:
    return [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]


def health_url(service: dict) -> str:
    """The URL an app service's compose healthcheck probes (/healthz; /metrics is on the same port)."""
    test = service["healthcheck"]["test"]
    urls = [part for part in test if isinstance(part, str) and part.startswith("http://")]
    assert len(urls) == 1, f"healthcheck names one URL: {test}"
    return urls[0]


def health_port(service: dict) -> int:
    return int(re.match(r"http://[^:/]+:(\d+)/", health_url(service)).group(1))


def promql_selectors(expr: str) -> dict[str, set[str]]:
    """Parse a PromQL expression (ValueError when invalid): metric name -> label names it matches on."""
    promql_parser = pytest.importorskip("promql_parser")
    found: dict[str, set[str]] = {}

    def visit(node):
        if isinstance(node, promql_parser.VectorSelector):
            found.setdefault(node.name, set()).update(m.name for m in node.matchers.matchers)
        return True

    promql_parser.walk(promql_parser.parse(expr), visit)
    return found


def check_query(expr: str, series_labels: dict[str, set[str]]) -> set[str]:
    """Assert the query parses and selects only known series by known labels; return the series."""
    selectors = promql_selectors(expr)
    assert selectors, f"no metric in {expr!r}"
    for name, labels in selectors.items():
        assert name in series_labels, f"unknown metric {name} in {expr!r} (add it to deploy/metrics.yml?)"
        assert labels <= series_labels[name], f"{name} has no label {labels - series_labels[name]}"
    return set(selectors)
