"""Follow-ups and overdue visits move with the household: after a move or a redraw the open follow-ups are on the
new grid's list (its worker sees and completes them; the old grid's worker no longer does), the household's
overdue status counts in the new grid's summary and not the old one's, and the visit history stays with the
household, each visit keeping the grid it was made in."""
from datetime import timedelta

import pytest

from services.households import events, handlers
from services.households.models import Household, Visit
from services.households.worker import bootstrap
from shared import clock
from shared.messaging.worker import Worker
from tests.support import broker
from tests.support.callers import headers_for
from tests.support.data import household


@pytest.fixture
def as_worker_b(households_app, district):
    """The grid worker of grid B."""
    return headers_for(households_app, role="grid_worker", user_id="w-b", grids=[district["grid_b"]])


def register(client, headers, body) -> str:
    r = client.post("/households", json=body, headers=headers)
    assert r.status_code == 201, r.json
    return r.json["id"]


def visit(client, headers, household_id: str, *, days_ago: float, follow_up: str | None = None) -> str:
    body = {"visited_at": (clock.now() - timedelta(days=days_ago)).isoformat(), "notes": "探访"}
    if follow_up:
        body.update(follow_up_needed=True, follow_up=follow_up)
    r = client.post(f"/households/{household_id}/visits", json=body, headers=headers)
    assert r.status_code == 201, r.json
    return r.json["id"]


def follow_ups(client, headers, grid: str) -> list[str]:
    r = client.get(f"/grids/{grid}/follow-ups", headers=headers)
    assert r.status_code == 200, r.json
    return [v["follow_up"] for v in r.json]


def overdue(client, headers, grid: str) -> list[str]:
    r = client.get(f"/grids/{grid}/overdue-visits", headers=headers)
    assert r.status_code == 200, r.json
    return [row["household_id"] for row in r.json]


def overdue_counts(client, headers, *grids) -> tuple:
    return tuple(client.get(f"/grids/{g}", headers=headers).json.get("care_households_overdue") for g in grids)


def test_a_moved_household_takes_its_open_follow_ups_and_overdue_status_to_the_new_grid(
        client, district, as_worker, as_worker_b, as_staff, households_config):
    a, b = district["grid_a"], district["grid_b"]
    hid = register(client, as_staff, household(a, 1, care_tag="elderly_alone"))
    register(client, as_staff, household(a, 2))  # stays in A
    done = visit(client, as_worker, hid, days_ago=20, follow_up="联系社区医生")
    assert client.post(f"/visits/{done}/follow-up-done", headers=as_worker).status_code == 200
    still_open = visit(client, as_worker, hid, days_ago=10, follow_up="帮助申请助餐")  # 10 > 7 days: overdue
    assert follow_ups(client, as_worker, a) == ["帮助申请助餐"] and overdue(client, as_worker, a) == [hid]

    worker = Worker(households_config, **bootstrap(households_config)).start()
    try:
        broker.wait_until(lambda: overdue_counts(client, as_staff, a, b) == (1, 0))
        version = Household.objects.get(pk=hid).version
        r = client.post(f"/households/{hid}/move", json={"to_grid_id": b, "version": version, "reason": "搬家"},
                        headers=as_staff)
        assert r.status_code == 200, r.json
        # the old grid's worker no longer has it; the new grid's worker has it, and can complete it
        assert follow_ups(client, as_worker, a) == [] and overdue(client, as_worker, a) == []
        assert follow_ups(client, as_worker_b, b) == ["帮助申请助餐"] and overdue(client, as_worker_b, b) == [hid]
        # both summaries are recounted from the household.moved event: the overdue status counts in B, not A
        broker.wait_until(lambda: overdue_counts(client, as_staff, a, b) == (0, 1))
    finally:
        worker.shutdown()
    moved, kept = Visit.objects.get(pk=still_open), Visit.objects.get(pk=done)
    assert (moved.grid_id, moved.visited_in_grid_id, moved.community_id) == (b, a, "C1")
    assert (kept.grid_id, kept.visited_in_grid_id) == (a, a)  # a done follow-up stays where it was done
    history = client.get(f"/households/{hid}/visits", headers=as_worker_b).json
    assert [(v["id"], v["visited_in_grid_id"]) for v in history] == [(still_open, a), (done, a)]
    assert client.post(f"/visits/{still_open}/follow-up-done", headers=as_worker).status_code == 404
    assert client.post(f"/visits/{still_open}/follow-up-done", headers=as_worker_b).status_code == 200


def test_the_worker_carries_follow_ups_the_move_left_behind_and_repeats_harmlessly(client, district, as_worker,
                                                                                   as_staff):
    """A crash between the move's write and its follow-ups' (or follow-ups logged on a slow phone meanwhile): the
    household.moved event moves them; handled twice, nothing changes the second time."""
    a, b = district["grid_a"], district["grid_b"]
    hid = register(client, as_staff, household(a, 3, care_tag="disability"))
    vid = visit(client, as_worker, hid, days_ago=1, follow_up="修理轮椅")
    h = Household.objects.get(pk=hid)
    r = client.post(f"/households/{hid}/move", json={"to_grid_id": b, "version": h.version}, headers=as_staff)
    assert r.status_code == 200, r.json
    Visit.objects(pk=vid).update_one(set__grid_id=a)  # as if the move had stopped before its follow-ups
    event = events.household_moved(Household.objects.get(pk=hid), from_grid_id=a, from_community_id="C1").load()
    handlers.follow_households(event)
    assert Visit.objects.get(pk=vid).grid_id == b
    handlers.follow_households(event)
    assert Visit.objects.get(pk=vid).grid_id == b and follow_ups(client, as_worker, a) == []


def test_a_redraw_moves_open_follow_ups_and_recounts_both_grids_at_once(client, district, as_worker, as_staff):
    a = district["grid_a"]
    moving = register(client, as_staff, household(a, 4, care_tag="left_behind_child", building="9栋"))
    staying = register(client, as_staff, household(a, 5, care_tag="elderly_alone", building="8栋"))
    visit(client, as_worker, moving, days_ago=9, follow_up="联系学校老师")
    visit(client, as_worker, staying, days_ago=1, follow_up="送降压药")
    assert sorted(follow_ups(client, as_worker, a)) == ["联系学校老师", "送降压药"]
    r = client.post(f"/grids/{a}/redraw", json={"to_grid_id": "C1-G9", "new_grid_name": "第九网格",
                                                "buildings": ["9栋"], "reason": "9栋划入新网格"}, headers=as_staff)
    assert r.status_code == 201, r.json
    worker_g9 = headers_for(None, role="grid_worker", user_id="w-9", grids=["C1-G9"])
    assert follow_ups(client, as_worker, a) == ["送降压药"] and overdue(client, as_worker, a) == []
    assert follow_ups(client, worker_g9, "C1-G9") == ["联系学校老师"] and overdue(client, worker_g9, "C1-G9") == [moving]
    # no worker runs here: the redraw itself recounted both grids (its event went out before the households moved)
    assert overdue_counts(client, as_staff, a, "C1-G9") == (0, 1)
