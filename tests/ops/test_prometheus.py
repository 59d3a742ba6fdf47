"""deploy/prometheus: scrape config covers every process, rules are valid and use known metrics only."""
import importlib
import re
import shutil
import subprocess

import pytest
from prometheus_client.metrics import MetricWrapperBase

from .helpers import DEPLOY, REPO, check_query, health_port, load_yaml, load_yaml_docs

PROM = DEPLOY / "prometheus"
SEVERITIES = {"critical", "warning", "info"}
MUST_WATCH = {  # the rules that matter, by the metric they read
    "up", "grid_http_requests_total", "grid_http_request_duration_seconds_bucket",
    "grid_events_dead_lettered_total", "grid_outbox_backlog",
    "grid_grids_outside_band", "grid_care_households_overdue",
    "grid_disputes_overdue", "grid_drills_held", "grid_volunteers", "grid_volunteer_target",
    "grid_volunteer_teams", "grid_supplies_expired", "kube_cronjob_status_last_successful_time",
    "grid_cases_overdue", "grid_cases_closed", "grid_cases_closed_on_time", "grid_cases_on_time_target",
    "grid_report_missing",
}
# Every module that defines metrics; each of its metrics must be in deploy/metrics.yml.
METRIC_MODULES = ["shared.metrics", "gateway.metrics"] + sorted(
    f"services.{p.parent.name}.metrics" for p in (REPO / "services").glob("*/metrics.py"))


@pytest.fixture(scope="module")
def scrape_jobs() -> dict:
    config = load_yaml(PROM / "prometheus.yml")
    return {job["job_name"]: {t for sc in job["static_configs"] for t in sc["targets"]}
            for job in config["scrape_configs"]}


@pytest.fixture(scope="module")
def rules() -> list[dict]:
    return [rule for group in load_yaml(PROM / "alerts.yml")["groups"] for rule in group["rules"]]


def test_every_app_process_is_scraped_by_a_grid_job(app_services, scrape_jobs):
    grid_targets = set().union(*(t for job, t in scrape_jobs.items() if job.startswith("grid-")))
    for name, svc in app_services.items():
        assert f"{name}:{health_port(svc)}" in grid_targets, f"{name} /metrics is not scraped"


def test_broker_metrics_are_scraped(scrape_jobs):
    assert "rabbitmq:15692" in scrape_jobs["rabbitmq"]


def test_rule_files_exist():
    for name in load_yaml(PROM / "prometheus.yml")["rule_files"]:
        assert (PROM / name).is_file()


def test_each_rule_is_complete(rules):
    names = [rule["alert"] for rule in rules]
    assert len(names) == len(set(names)), "alert names are unique"
    for rule in rules:
        assert rule["expr"].strip() and rule["for"], rule["alert"]
        assert rule["labels"]["severity"] in SEVERITIES, rule["alert"]
        assert rule["annotations"]["summary"].strip(), rule["alert"]


def test_every_api_and_worker_is_scraped_under_its_job(app_services, scrape_jobs):
    for name, svc in app_services.items():
        job = "grid-gateway" if name == "gateway" else f"grid-{name.rsplit('-', 1)[1]}"
        assert f"{name}:{health_port(svc)}" in scrape_jobs[job], f"{name} belongs to {job}"


def test_rules_parse_and_use_known_metrics_only(rules, series_labels):
    used = set()
    for rule in rules:
        used |= check_query(rule["expr"], series_labels)
    assert MUST_WATCH <= used, f"no rule watches {MUST_WATCH - used}"


def _exported(module_name: str) -> dict:
    module = importlib.import_module(module_name)
    found = {}
    for obj in vars(module).values():
        if isinstance(obj, MetricWrapperBase):
            family = obj.describe()[0]
            name = family.name + ("_total" if family.type == "counter" else "")
            found[name] = {"type": family.type, "labels": list(obj._labelnames)}
    return found


def test_metric_contract_matches_the_code(metric_contract):
    """Every metric that rules and dashboards may use is defined in its module, same type and labels."""
    contract = load_yaml(DEPLOY / "metrics.yml")
    not_ours = {meta["source"] for section in ("builtin", "external") for meta in contract.get(section, {}).values()}
    for source in {meta["source"] for meta in metric_contract.values()} - not_ours:
        exported = _exported(source)
        for name, meta in metric_contract.items():
            if meta["source"] == source:
                assert name in exported, f"{name} is not defined in {source}"
                assert exported[name] == {"type": meta["type"], "labels": meta["labels"]}, name


def test_every_defined_metric_is_in_the_contract(metric_contract):
    """A metric added to the code is listed in deploy/metrics.yml, so rules and dashboards may use it."""
    for module in METRIC_MODULES:
        missing = set(_exported(module)) - set(metric_contract)
        assert not missing, f"add {sorted(missing)} ({module}) to deploy/metrics.yml"


def test_missed_backup_alert_watches_the_backup_cronjob():
    """The alert names the CronJob deploy/k8s/base/backup.yaml defines, and allows one missed night at most."""
    (cronjob,) = [d for d in load_yaml_docs(DEPLOY / "k8s" / "base" / "backup.yaml") if d["kind"] == "CronJob"]
    by_name = {rule["alert"]: rule["expr"] for g in load_yaml(PROM / "alerts.yml")["groups"] for rule in g["rules"]}
    expr = by_name["GridBackupMissed"]
    assert cronjob["spec"]["schedule"].split()[2:] == ["*", "*", "*"], "nightly"
    assert set(re.findall(r'cronjob="([^"]+)"', expr)) == {cronjob["metadata"]["name"]}
    assert set(re.findall(r"> (\d+) \* 3600", expr)) == {"26"}


def test_drill_alerts_use_the_drills_due_month():
    """GridDrillDue/GridDrillOverdue hard-code the month; it must be DRILL_DUE_MONTH's default and the ConfigMap's."""
    from services.drills.config import SETTINGS

    month = SETTINGS.declared["DRILL_DUE_MONTH"].default
    by_name = {rule["alert"]: rule["expr"] for g in load_yaml(PROM / "alerts.yml")["groups"] for rule in g["rules"]}
    assert re.search(r"month\(vector\(time\(\) \+ 8 \* 3600\)\) == (\d+)", by_name["GridDrillDue"]).group(1) == str(month)
    assert re.search(r"month\(vector\(time\(\) \+ 8 \* 3600\)\) > (\d+)", by_name["GridDrillOverdue"]).group(1) == str(month)
    (config,) = [d for d in load_yaml_docs(DEPLOY / "k8s" / "base" / "config.yaml") if d["kind"] == "ConfigMap"]
    assert config["data"]["DRILL_DUE_MONTH"] == str(month)


promtool = pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool not installed")


def _promtool(*args):
    result = subprocess.run(["promtool", *args], cwd=PROM, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


@promtool
def test_promtool_checks_config_and_rules():
    _promtool("check", "config", "prometheus.yml")
    _promtool("check", "rules", "alerts.yml")


@promtool
@pytest.mark.parametrize("tests", sorted(p.name for p in PROM.glob("alerts*.test.yml")))
def test_promtool_alert_unit_tests(tests):
    _promtool("test", "rules", tests)


def test_important_alerts_have_unit_tests():
    tested = set()
    for path in PROM.glob("alerts*.test.yml"):
        tested |= {case["alertname"] for group in load_yaml(path)["tests"] for case in group.get("alert_rule_test", [])
                   if case.get("exp_alerts")}
    important = {"GridTargetDown", "GridDeadLettersIncreasing", "GridHttp5xxRatioHigh", "GridCareVisitsOverdue",
                 "GridDisputesOverdue", "GridDrillOverdue", "GridVolunteersBelowTarget", "GridVolunteerTeamsFew",
                 "GridSuppliesExpired", "GridBackupMissed", "CasesOnTimeLow", "CasesOverdue",
                 "CommunityReportMissing"}
    assert important <= tested, f"no firing test for {important - tested}"
