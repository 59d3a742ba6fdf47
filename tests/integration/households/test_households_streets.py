"""Streets are real in the register: listed in scope, renamed by the district's admin, a street's overview with its
communities' figures and staffing (grid workers against max(GRID_WORKERS_MIN, ceil(households /
GRID_WORKER_HOUSEHOLDS))), names by id for every page, and the grid band read from settings."""
import pytest

from services.households import metrics
from services.households.app import create_app as create_households
from services.households.config import SETTINGS
from services.households.service import refresh_summary
from shared.config import TestConfig
from tests.integration.apps import _app, _config
from tests.support.callers import headers_for
from tests.support.data import household

ADMIN = headers_for(role="admin", user_id="admin")
OPERATOR = headers_for(role="operator", user_id="op")


def _street_staff(streets, communities=()):
    from shared.identity import Principal
    from shared.web.signing_test_client import marker

    return marker(Principal(user_id="st", role="street_staff", name="街道干部", street_ids=tuple(streets),
                            community_ids=tuple(communities)))


@pytest.fixture
def small_rules_config(mongo_url, amqp_url, run_id):
    """Settings small enough to count by hand: a band of 2–3, one worker per 2 households, at least 1."""
    yield from _config(TestConfig("households", SETTINGS, mongo_url=mongo_url, run_id=run_id, amqp_url=amqp_url,
                                  GRID_BAND_MIN=2, GRID_BAND_MAX=3, GRID_WORKER_HOUSEHOLDS=2, GRID_WORKERS_MIN=1))


@pytest.fixture
def hh(small_rules_config):
    for app in _app(create_households, small_rules_config):
        yield app.test_client()


@pytest.fixture
def two_streets(hh):
    """Street S1 (communities C1 with grids C1-G1, C1-G2; C2 with C2-G1) and street S2 (community D1, grid D1-G1)."""
    def ok(r):
        assert r.status_code in (200, 201), r.json
        return r.json

    ok(hh.post("/streets", json={"id": "S1", "name": "城关街道", "district": "示范区"}, headers=ADMIN))
    ok(hh.post("/streets", json={"id": "S2", "name": "东城街道", "district": "示范区"}, headers=ADMIN))
    for cid, name, street in (("C1", "幸福社区", "S1"), ("C2", "和平社区", "S1"), ("D1", "东门社区", "S2")):
        ok(hh.post("/communities", json={"id": cid, "name": name, "street_id": street}, headers=ADMIN))
    for gid, cid in (("C1-G1", "C1"), ("C1-G2", "C1"), ("C2-G1", "C2"), ("D1-G1", "D1")):
        ok(hh.post("/grids", json={"id": gid, "name": f"{gid}网格", "community_id": cid}, headers=ADMIN))
    return hh


def _fill(hh, grid_id: str, n: int, start: int = 0):
    for i in range(start, start + n):
        r = hh.post("/households", json=household(grid_id, i), headers=ADMIN)
        assert r.status_code == 201, r.json
    refresh_summary(grid_id=grid_id)


def test_streets_are_listed_in_scope_and_only_the_admin_renames_them(two_streets):
    hh = two_streets
    assert [s["id"] for s in hh.get("/streets", headers=OPERATOR).json] == ["S1", "S2"]
    assert [s["id"] for s in hh.get("/streets", headers=_street_staff(["S1"])).json] == ["S1"]
    assert hh.get("/streets/S2", headers=_street_staff(["S1"])).status_code == 404
    assert hh.get("/streets/S1", headers=_street_staff(["S1"])).json["name"] == "城关街道"
    # community staff and grid workers have no street pages
    assert hh.get("/streets", headers=headers_for(role="community_staff", communities=["C1"])).status_code == 403
    assert hh.patch("/streets/S1", json={"name": "新街道"}, headers=_street_staff(["S1"])).status_code == 403
    assert hh.patch("/streets/S1", json={"name": "新街道"}, headers=OPERATOR).status_code == 403
    r = hh.patch("/streets/S1", json={"name": "城关镇", "district": "新区"}, headers=ADMIN)
    assert r.status_code == 200 and (r.json["name"], r.json["district"]) == ("城关镇", "新区")
    bad = hh.patch("/streets/S1", json={"name": ""}, headers=ADMIN)
    assert bad.status_code == 422 and "name" in bad.json["fields"]
    assert hh.patch("/streets/S1", json={"code": "x"}, headers=ADMIN).status_code == 422
    assert hh.get("/streets/S1", headers=ADMIN).json["name"] == "城关镇"
    assert hh.patch("/streets/NOPE", json={"name": "某街道"}, headers=ADMIN).status_code == 404


def test_communities_are_listed_with_their_street_and_renamed_by_the_admin(two_streets):
    hh = two_streets
    staff_s1 = _street_staff(["S1"])
    assert [(c["id"], c["name"], c["street_id"]) for c in hh.get("/communities", headers=staff_s1).json] == [
        ("C1", "幸福社区", "S1"), ("C2", "和平社区", "S1")]
    assert [c["id"] for c in hh.get("/communities?street_id=S2", headers=OPERATOR).json] == ["D1"]
    assert hh.get("/communities?street_id=S2", headers=staff_s1).json == []
    assert hh.patch("/communities/C1", json={"name": "幸福里社区"}, headers=staff_s1).status_code == 403
    assert hh.patch("/communities/C1", json={"name": "幸福里社区"},
                    headers=headers_for(role="community_staff", communities=["C1"])).status_code == 403
    r = hh.patch("/communities/C1", json={"name": "幸福里社区"}, headers=ADMIN)
    assert r.status_code == 200 and r.json["name"] == "幸福里社区"
    moved = hh.patch("/communities/C2", json={"street_id": "S9"}, headers=ADMIN)
    assert moved.status_code == 422 and "street_id" in moved.json["fields"]
    assert hh.patch("/communities/XX", json={"name": "某社区"}, headers=ADMIN).status_code == 404


def test_names_of_places_for_every_signed_in_role(two_streets):
    hh = two_streets
    worker = headers_for(role="grid_worker", grids=["C1-G1"])
    r = hh.get("/places", query_string={"ids": "C1,S1,C1-G1,NOPE"}, headers=worker)
    assert r.status_code == 200
    assert {p["id"]: (p["kind"], p["name"]) for p in r.json} == {
        "S1": ("street", "城关街道"), "C1": ("community", "幸福社区"), "C1-G1": ("grid", "C1-G1网格")}
    assert hh.get("/places", headers=worker).status_code == 422
    # only names within the caller's area: a street's staff see their street's, not another street's
    seen = hh.get("/places", query_string={"ids": "S1,S2,C1,C2,D1,D1-G1"}, headers=_street_staff(["S1"])).json
    assert sorted(p["id"] for p in seen) == ["C1", "C2", "S1"]
    everything = hh.get("/places", query_string={"ids": "S1,S2,C1,C2,D1,D1-G1"}, headers=OPERATOR).json
    assert sorted(p["id"] for p in everything) == ["C1", "C2", "D1", "D1-G1", "S1", "S2"]


def test_street_overview_counts_band_households_and_staffing_per_community(two_streets):
    hh = two_streets
    _fill(hh, "C1-G1", 3)          # within the band 2–3
    _fill(hh, "C1-G2", 4, 100)     # above
    _fill(hh, "C2-G1", 1, 200)     # below
    # C1: 7 households need max(1, ceil(7/2)) = 4 workers; w1 serves both grids and counts once
    r = hh.patch("/grids/C1-G1", json={"worker_ids": ["w1", "w2"], "worker_name": "王网格"}, headers=ADMIN)
    assert r.status_code == 200 and r.json["worker_ids"] == ["w1", "w2"]
    assert (r.json["band"], r.json["band_min"], r.json["band_max"]) == ("within", 2, 3)
    assert hh.patch("/grids/C1-G2", json={"worker_ids": ["w1", "w3"]}, headers=ADMIN).status_code == 200
    assert hh.patch("/grids/C2-G1", json={"worker_ids": ["w4"]}, headers=ADMIN).status_code == 200
    # street staff act on nothing; a grid worker assigns nobody
    assert hh.patch("/grids/C2-G1", json={"worker_ids": []}, headers=_street_staff(["S1"], ["C1", "C2"])
                    ).status_code == 403
    bad = hh.patch("/grids/C2-G1", json={"worker_ids": ["not ok!"]}, headers=ADMIN)
    assert bad.status_code == 422 and "worker_ids.0" in bad.json["fields"]

    view = hh.get("/streets/S1/overview", headers=_street_staff(["S1"]))
    assert view.status_code == 200, view.json
    rows = {row["id"]: row for row in view.json["communities"]}
    assert set(rows) == {"C1", "C2"} and view.json["name"] == "城关街道"
    c1, c2 = rows["C1"], rows["C2"]
    assert (c1["name"], c1["grids"], c1["households"], c1["grids_within"], c1["grids_above"]) == ("幸福社区", 2, 7, 1, 1)
    assert (c1["workers"], c1["workers_required"], c1["understaffed"]) == (3, 4, True)
    assert (c2["households"], c2["grids_below"], c2["workers"], c2["workers_required"], c2["understaffed"]) == (
        1, 1, 1, 1, False)
    assert view.json["totals"]["communities_understaffed"] == 1
    assert view.json["totals"]["households"] == 8
    assert hh.get("/streets/S2/overview", headers=_street_staff(["S1"])).status_code == 404
    assert hh.get("/streets/S1/overview", headers=headers_for(role="community_staff", communities=["C1"])
                  ).status_code == 403

    figures = hh.get("/communities", query_string={"figures": "true"},
                     headers=headers_for(role="community_staff", communities=["C1"])).json
    assert [(c["id"], c["workers"], c["workers_required"]) for c in figures] == [("C1", 3, 4)]

    metrics.refresh()
    assert metrics.WORKERS.labels("C1")._value.get() == 3
    assert metrics.WORKERS_REQUIRED.labels("C1")._value.get() == 4
    assert metrics.WORKERS_REQUIRED.labels("D1")._value.get() == 1


def test_a_grid_worker_named_but_without_ids_counts_once_by_name(two_streets):
    hh = two_streets
    assert hh.patch("/grids/C1-G1", json={"worker_name": "李四"}, headers=ADMIN).status_code == 200
    assert hh.patch("/grids/C1-G2", json={"worker_name": "李四"}, headers=ADMIN).status_code == 200
    rows = {r["id"]: r for r in hh.get("/streets/S1/overview", headers=ADMIN).json["communities"]}
    assert rows["C1"]["workers"] == 1


def test_band_and_staffing_defaults_are_the_rule():
    from services.households import rules

    assert SETTINGS.declared["GRID_BAND_MIN"].default == 400 and SETTINGS.declared["GRID_BAND_MAX"].default == 500
    assert [rules.band(n, low=400, high=500) for n in (399, 400, 500, 501)] == ["below", "within", "within", "above"]
    per, least = SETTINGS.declared["GRID_WORKER_HOUSEHOLDS"].default, SETTINGS.declared["GRID_WORKERS_MIN"].default
    assert [rules.workers_required(n, per_worker=per, minimum=least) for n in (0, 1200, 1201, 2000)] == [3, 3, 4, 5]
