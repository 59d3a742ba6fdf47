"""deploy/grafana: provisioning points at the mounted dashboards; every panel queries known metrics."""
import json
import re
import shutil
import subprocess

import pytest
import yaml

from .helpers import DEPLOY, check_query, load_yaml, promql, promql_selectors

GRAFANA = DEPLOY / "grafana"
DASHBOARDS = sorted((GRAFANA / "dashboards").glob("*.json"))


@pytest.fixture(scope="module")
def datasource_uid() -> str:
    (source,) = load_yaml(GRAFANA / "provisioning" / "datasources" / "prometheus.yml")["datasources"]
    assert source["type"] == "prometheus" and source["url"] == "http://prometheus:9090"
    return source["uid"]


def test_dashboard_provider_reads_the_mounted_folder(compose):
    (provider,) = load_yaml(GRAFANA / "provisioning" / "dashboards" / "grid.yml")["providers"]
    mounts = dict(v.split(":")[:2] for v in compose["services"]["grafana"]["volumes"] if v.startswith("./"))
    assert mounts["./deploy/grafana/dashboards"] == provider["options"]["path"]
    assert mounts["./deploy/grafana/provisioning"] == "/etc/grafana/provisioning"


def test_the_boards_exist_with_unique_uids():
    boards = [json.loads(path.read_text(encoding="utf-8")) for path in DASHBOARDS]
    uids = {board["uid"] for board in boards}
    assert {"grid-service-health", "grid-district-overview", "grid-live-drill"} <= uids and len(uids) == len(boards)


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda p: p.stem)
def test_panels_fit_the_grid_without_overlapping(path):
    board = json.loads(path.read_text(encoding="utf-8"))
    cells = {}
    for panel in board["panels"]:
        pos = panel["gridPos"]
        assert pos["x"] + pos["w"] <= 24, panel["title"]
        for x in range(pos["x"], pos["x"] + pos["w"]):
            for y in range(pos["y"], pos["y"] + pos["h"]):
                assert (x, y) not in cells, f"{panel['title']} overlaps {cells[(x, y)]}"
                cells[(x, y)] = panel["title"]


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda p: p.stem)
def test_every_panel_queries_known_metrics(path, datasource_uid, series_labels):
    board = json.loads(path.read_text(encoding="utf-8"))
    panels = [p for p in board["panels"] if p["type"] != "row"]
    assert panels and len({p["id"] for p in panels}) == len(panels), "panel ids are unique"
    for panel in panels:
        assert panel["datasource"]["uid"] == datasource_uid and {"x", "y", "w", "h"} <= set(panel["gridPos"])
        assert panel["targets"], f"{panel['title']} has no query"
        for target in panel["targets"]:
            check_query(promql(target["expr"]), series_labels)
    for var in board["templating"]["list"]:
        metric, label = re.fullmatch(r"label_values\((\w+), (\w+)\)", var["query"]["query"]).groups()
        assert label in series_labels[metric], f"{metric} has no label {label}"


COVERAGE = {
    "service-health": ["grid_http_requests_total", "grid_http_request_duration_seconds_bucket",
                       "grid_events_published_total", "grid_events_consumed_total", "grid_events_retried_total",
                       "grid_events_dead_lettered_total", "grid_outbox_backlog", "grid_outbox_lag_seconds_bucket"],
    "district-overview": ["grid_households", "grid_grids_outside_band", "grid_care_residents",
                          "grid_care_households_overdue", "grid_community_workers", "grid_community_workers_required",
                          "grid_volunteers", "grid_volunteer_target", "grid_volunteer_teams",
                          "grid_disputes_open", "grid_disputes_overdue", "grid_disputes_by_category",
                          "grid_mediation_satisfaction_ratio", "grid_reports_issued", "grid_report_missing",
                          "grid_drills_held", "grid_drill_communities_without_drill", "grid_supplies_expired",
                          "grid_cases_registered", "grid_cases_open", "grid_cases_overdue", "grid_cases_closed",
                          "grid_cases_closed_on_time", "grid_cases_on_time_target"],
    "live-drill": ["grid_drill_rollcall_accounted_ratio", "grid_drill_ticks_total", "grid_drill_time_to_90_seconds"],
}


@pytest.mark.parametrize("stem", list(COVERAGE))
def test_boards_cover_what_operators_watch(stem):
    board = json.loads((GRAFANA / "dashboards" / f"{stem}.json").read_text(encoding="utf-8"))
    used = set().union(*(promql_selectors(promql(t["expr"])) for p in board["panels"] for t in p.get("targets", [])))
    assert not set(COVERAGE[stem]) - used, f"{stem} shows no {set(COVERAGE[stem]) - used}"


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool not installed")
def test_prometheus_accepts_every_panel_query(tmp_path):
    """Prometheus's own parser (via promtool, each query as a recording rule) agrees with the Python one."""
    exprs = [promql(t["expr"]) for path in DASHBOARDS for p in json.loads(path.read_text(encoding="utf-8"))["panels"]
             for t in p.get("targets", [])]
    rules = {"groups": [{"name": "dashboards", "rules": [{"record": f"dashboard:query_{i}", "expr": e}
                                                          for i, e in enumerate(exprs)]}]}
    (tmp_path / "queries.yml").write_text(yaml.safe_dump(rules, allow_unicode=True))
    result = subprocess.run(["promtool", "check", "rules", "queries.yml"], cwd=tmp_path, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
