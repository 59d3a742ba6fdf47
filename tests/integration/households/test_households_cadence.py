"""Visit cadence per care tag (VISIT_CADENCE_DAYS_BY_TAG): overdue lists, the grid summary and its metric use the
tag's days, a household with several tags is due at the shortest, and the settings override it through config.
The table goes to other services as care.cadences_set, and with each care flag as cadence_days."""
from datetime import timedelta

import pytest

from services.households import metrics
from services.households.config import DEFAULT_CADENCES, SETTINGS, tag_days
from services.households.models import CadenceTable, GridSummary, Household
from services.households.service import publish_cadences, refresh_summary
from services.households.worker import bootstrap
from shared import clock
from shared.config import TestConfig
from shared.metrics_refresh import REFRESHED
from shared.settings import ConfigError
from tests.integration.apps import _config
from tests.support.data import household


@pytest.fixture
def households_config(mongo_url, amqp_url, run_id, request):
    """The households config; a test gives settings of its own by indirect parametrization."""
    yield from _config(TestConfig("households", SETTINGS, mongo_url=mongo_url, run_id=run_id, amqp_url=amqp_url,
                                  **getattr(request, "param", {})))


def register(client, headers, body) -> str:
    r = client.post("/households", json=body, headers=headers)
    assert r.status_code == 201, r.json
    return r.json["id"]


def visited(client, headers, household_id: str, days_ago: float) -> None:
    at = (clock.now() - timedelta(days=days_ago)).isoformat()
    r = client.post(f"/households/{household_id}/visits", json={"visited_at": at, "notes": "探访"}, headers=headers)
    assert r.status_code == 201, r.json


def overdue(client, headers, grid: str) -> dict[str, int]:
    r = client.get(f"/grids/{grid}/overdue-visits", headers=headers)
    assert r.status_code == 200, r.json
    return {row["household_id"]: row["cadence_days"] for row in r.json}


def test_each_care_tag_is_overdue_after_its_own_days(client, district, as_worker):
    grid = district["grid_a"]
    alone = register(client, as_worker, household(grid, 1, care_tag="elderly_alone"))        # 7 days
    nest = register(client, as_worker, household(grid, 2, care_tag="empty_nest"))            # 14 days
    nest_late = register(client, as_worker, household(grid, 3, care_tag="empty_nest"))
    poor = register(client, as_worker, household(grid, 4, care_tag="subsistence"))           # 30 days
    child = register(client, as_worker, household(grid, 5, care_tag="left_behind_child"))    # 7 days, never seen
    for hid, days in ((alone, 10), (nest, 10), (nest_late, 20), (poor, 20)):
        visited(client, as_worker, hid, days)
    assert overdue(client, as_worker, grid) == {alone: 7, nest_late: 14, child: 7}
    # the grid summary (and so the metric operators watch) counts the same households
    summary = refresh_summary(grid_id=grid)
    assert summary.care_households_overdue == 3
    metrics.refresh()
    assert REFRESHED.get_sample_value("grid_care_households_overdue",
                                     {"community_id": district["community"], "grid_id": grid}) == 3


def test_a_household_with_several_tags_is_due_at_the_shortest(client, district, as_worker):
    grid = district["grid_a"]
    body = household(grid, 6, care_tag="subsistence")  # 30 days
    body["residents"].append({"name": "孙子", "gender": "male", "birth_date": "2015-03-01", "relation": "grandchild",
                              "care_tags": [{"tag": "left_behind_child", "since": "2024-01-01"}]})  # 7 days
    both = register(client, as_worker, body)
    only_poor = register(client, as_worker, household(grid, 7, care_tag="subsistence"))
    for hid in (both, only_poor):
        visited(client, as_worker, hid, 10)
    assert overdue(client, as_worker, grid) == {both: 7}
    # a tag that has ended no longer shortens the cadence
    h = Household.objects.get(pk=both)
    h.residents[1].care_tags[0].until = clock.today()
    h.save()
    assert overdue(client, as_worker, grid) == {}


@pytest.mark.parametrize("households_config", [
    {"VISIT_CADENCE_DAYS_BY_TAG": tag_days("elderly_alone=3, disability=60"), "VISIT_CADENCE_DAYS": 45}],
    indirect=True)
def test_settings_override_the_cadences_through_config(client, district, as_worker):
    grid = district["grid_a"]
    alone = register(client, as_worker, household(grid, 8, care_tag="elderly_alone"))    # 3 days now
    disabled = register(client, as_worker, household(grid, 9, care_tag="disability"))    # 60 days now
    poor = register(client, as_worker, household(grid, 10, care_tag="subsistence"))      # not named: 45 days
    visited(client, as_worker, alone, 5)
    visited(client, as_worker, disabled, 40)
    visited(client, as_worker, poor, 40)
    assert overdue(client, as_worker, grid) == {alone: 3}
    visited(client, as_worker, poor, 50)  # an older visit changes nothing: the latest counts
    assert overdue(client, as_worker, grid) == {alone: 3}


def test_the_cadence_setting_is_read_as_written_and_refused_when_wrong():
    cadences = SETTINGS.declared["VISIT_CADENCE_DAYS_BY_TAG"]
    assert cadences.read({}) == DEFAULT_CADENCES
    assert DEFAULT_CADENCES == {"elderly_alone": 7, "empty_nest": 14, "left_behind_child": 7, "child_in_difficulty": 7,
                                "disability": 14, "subsistence": 30, "extreme_poverty": 30, "entitled_group": 30}
    # the documented default is the form the environment takes
    assert cadences.read({"VISIT_CADENCE_DAYS_BY_TAG": str(DEFAULT_CADENCES)}) == DEFAULT_CADENCES
    assert cadences.read({"VISIT_CADENCE_DAYS_BY_TAG": " empty_nest = 10 "}) == {"empty_nest": 10}
    for wrong in ("lonely=7", "elderly_alone=0", "elderly_alone=400", "elderly_alone", "elderly_alone=weekly"):
        with pytest.raises(ConfigError):
            cadences.read({"VISIT_CADENCE_DAYS_BY_TAG": wrong})


def test_the_cadence_table_is_published_once_and_again_when_it_changes(client, district, as_worker,
                                                                       households_config):
    assert publish_cadences() is True
    stored = CadenceTable.objects.get(pk="published")
    [event] = [e.envelope for e in stored.outbox]
    assert event["type"] == "care.cadences_set" and event["data"] == {"cadences": dict(DEFAULT_CADENCES),
                                                                      "default_days": 30}
    assert publish_cadences() is False  # the worker's next pass, or a restart with the same settings
    assert len(CadenceTable.objects.get(pk="published").outbox) == 1
    households_config.VISIT_CADENCE_DAYS_BY_TAG = {**DEFAULT_CADENCES, "disability": 7}  # restarted with a change
    assert publish_cadences() is True
    latest = CadenceTable.objects.get(pk="published").outbox[-1].envelope["data"]
    assert latest["cadences"]["disability"] == 7
    # each care flag carries its tag's cadence too
    hid = register(client, as_worker, household(district["grid_a"], 11, care_tag="disability"))
    [flag] = [e.envelope for e in Household.objects.get(pk=hid).outbox if e.type == "resident.care_flagged"]
    assert flag["data"]["cadence_days"] == 7


def test_the_worker_publishes_once_after_its_start(client, district, households_config):
    """Settings are read at the start: the worker's job publishes once (a failed try is tried again), so an older
    replica still running in a rolling update does not undo the table a newer one published."""
    [job] = [job for _, job in bootstrap(households_config)["periodic"] if job.__name__ == "publish_cadences"]
    job()
    assert [e.type for e in CadenceTable.objects.get(pk="published").outbox] == ["care.cadences_set"]
    households_config.VISIT_CADENCE_DAYS_BY_TAG = {**DEFAULT_CADENCES, "empty_nest": 7}  # a newer replica's table
    assert publish_cadences() is True
    households_config.VISIT_CADENCE_DAYS_BY_TAG = DEFAULT_CADENCES  # back in the old replica, its job runs again
    job()
    stored = CadenceTable.objects.get(pk="published")
    assert len(stored.outbox) == 2 and stored.cadences["empty_nest"] == 7


def test_the_summary_keeps_its_overdue_count_per_grid(client, district, as_worker):
    """A household visited in time is not counted; one never visited is, in its own grid only."""
    a, b = district["grid_a"], district["grid_b"]
    seen = register(client, as_worker, household(a, 12, care_tag="elderly_alone"))
    visited(client, as_worker, seen, 2)
    register(client, as_worker, household(a, 13, care_tag="empty_nest"))
    for grid in (a, b):
        refresh_summary(grid_id=grid)
    assert (GridSummary.objects.get(pk=a).care_households_overdue,
            GridSummary.objects.get(pk=b).care_households_overdue) == (1, 0)
