"""Every route of the households service, walked as grid A's worker asking for grid B's objects, and as
community C1's staff asking for community C2's; every answer 403 or 404 (the lists of grids and communities
answer 200 with the caller's own only, checked), and nothing is stored."""
import io

import mongoengine

from services.households.models import Household, Visit
from shared import clock
from tests.support.access import leaks, let_through, outsiders, report, walk, walk_detail
from tests.support.callers import headers_for
from tests.support.data import household, phone
from tests.support.fuzz import fingerprint
from tests.support.imports import follow, post_import
from tests.support.objects import households_district, households_objects, network_objects

VISIT = {"visited_at": "2026-11-20T10:00:00+08:00", "notes": "走访"}


def bodies(other: dict, own_grid: str) -> dict:
    """A valid body for every write route, aimed at the other side's objects."""
    grid_b = other["grid_id"]
    body = {k: v for k, v in household(grid_b, 2).items() if k != "grid_id"}
    return {
        "households.create_street": {"id": "S9", "name": "街道", "district": "区"},
        "households.create_community": {"id": "C9", "name": "社区", "street_id": "S1"},
        "households.update_street": {"name": "街道"},
        "households.update_community": {"name": "社区"},
        "households.update_grid": {"worker_ids": ["w9"]},
        "households.create_grid": {"id": other["community_id"] + "-G7", "name": "七网格",
                                   "community_id": other["community_id"]},
        "households.redraw": {"to_grid_id": own_grid, "buildings": ["1栋"], "reason": "调整"},
        "households.register_household": household(grid_b, 3),
        "households.update_household": {**body, "version": 1},
        "households.reveal_household": {"reason": "核对"},
        "households.lookup_households": {"number": phone(1), "reason": "核对", "grid_id": grid_b},
        "households.move_household": {"to_grid_id": own_grid, "version": 1},
        "households.household_left": {"moved_out_on": "2026-11-01", "version": 1},
        "households.flag_care": {"tag": "disability"},
        "households.clear_care": {"tag": "disability"},
        "households.log_visit": VISIT,
        "households.complete_follow_up": {},
        "transfer.import_register": lambda: {"data": {"file": (io.BytesIO("楼栋,房号\n".encode()), "a.csv")},
                                             "content_type": "multipart/form-data"},
        "transfer.export_register_revealed": {"format": "csv", "reason": "核对"},
        "transfer.set_import_mapping": {"mapping": {"备注": None}},
        "network.set_building_head": {"building": "1栋", "name": "楼长", "phone": "13900001111"},
        "network.remove_building_head": {},
        "network.reveal_building_head": {"reason": "核对"},
        "network.create_ten_group": {"name": "联户", "household_ids": [other["household_id"], "0" * 24],
                                     "lead_household_id": other["household_id"]},
        "network.update_ten_group": {"name": "联户", "household_ids": [other["household_id"], "0" * 24],
                                     "lead_household_id": other["household_id"], "version": 1},
        "network.dissolve_ten_group": {},
        "network.create_residents_group": {"number": 9, "name": "第九居民小组", "buildings": ["1栋"]},
        "network.update_residents_group": {"number": 9, "name": "第九居民小组", "buildings": ["1栋"]},
        "network.delete_residents_group": {},
        "network.reveal_residents_group_leader": {"reason": "核对"},
    }


def finished_import(client, grid_id: str) -> str:
    """The id of an import job of the grid, ended (a file without rows), for the walk's <job_id>."""
    admin = headers_for(role="admin")
    r = post_import(client, grid_id, headers=admin, file=(io.BytesIO("楼栋,房号\n".encode()), "a.csv"))
    follow(client, r.headers["Location"], headers=admin)
    return r.json["id"]


def queries(other: dict) -> dict:
    return {"households.list_households": {"grid_id": other["grid_id"]},
            "households.list_grids": {"community_id": other["community_id"]},
            "households.place_names": {"ids": f"{other['grid_id']},{other['community_id']}"},
            "household_reports.month": {"community_id": other["community_id"], "month": clock.previous_month()}}


def test_grid_a_worker_gets_403_or_404_for_every_route_on_grid_b(client, households_app, district, as_staff):
    grid_b = district["grid_b"]
    hid = client.post("/households", json=household(grid_b, 1), headers=as_staff).json["id"]
    resident = Household.objects.get(pk=hid).residents[0].resident_id
    visit = client.post(f"/households/{hid}/visits", json={**VISIT, "follow_up_needed": True, "follow_up": "复访"},
                        headers=as_staff).json["id"]
    second = client.post("/households", json=household(grid_b, 2), headers=as_staff).json
    other = {"community_id": "C1", "grid_id": grid_b, "household_id": hid, "resident_id": resident, "visit_id": visit,
             **network_objects(client, households_app, grid_b, [client.get(f"/households/{hid}", headers=as_staff).json,
                                                                second]),
             "job_id": finished_import(client, grid_b)}
    worker_a = headers_for(households_app, role="grid_worker", user_id="w-a", grids=[district["grid_a"]])
    before = (Household.objects.count(), Visit.objects.count())
    answers = walk(households_app, client, headers=worker_a, ids={**other, "street_id": "S1"},
                   bodies=bodies(other, district["grid_a"]),
                   query=queries(other))
    print("\n" + report("households service", answers, "grid A's worker on grid B's objects"))
    let = let_through(answers)
    # Listing grids and communities answers 200 but holds only the caller's own grid: checked below.
    assert {(m, r) for m, r, _ in let} <= {("GET", "/grids"), ("GET", "/communities"), ("GET", "/places")}, let
    assert [g["id"] for g in client.get("/grids", query_string={"community_id": "C1"}, headers=worker_a).json] == [
        district["grid_a"]]
    assert (Household.objects.count(), Visit.objects.count()) == before


def test_community_c1_staff_get_403_or_404_for_every_route_on_community_c2(client, households_app, district):
    other = {**households_objects(client, households_app, "C2-G1"), "job_id": finished_import(client, "C2-G1")}
    staff = headers_for(households_app, role="community_staff", user_id="s-c1", communities=["C1"])
    before = fingerprint(mongoengine.get_db())
    answers = walk_detail(households_app, client, headers=staff, ids={**other, "street_id": "S1"},
                          bodies=bodies(other, "C1-G1"),
                          query=queries(other))
    assert let_through(answers, {("GET", "/grids"), ("GET", "/communities"), ("GET", "/places")}) == []
    assert leaks(answers, [other["household_id"], other["visit_id"], "C2-G1", "和平社区"]) == []
    assert fingerprint(mongoengine.get_db()) == before
    print("\n" + report("households service", answers, "community C1's staff on community C2's objects"))


def test_every_route_refuses_identities_not_from_the_gateway(households_app, client):
    """Every route, public ones included, answers 401 to an identity the gateway did not sign (or signed too
    long ago, or for a role that does not exist), and stores nothing."""
    households_district(client, households_app)
    own = {**households_objects(client, households_app, "C1-G1"), "job_id": finished_import(client, "C1-G1")}
    before = fingerprint(mongoengine.get_db())
    walked = 0
    for label, headers in outsiders(households_app):
        answers = walk(households_app, client, headers=headers, ids={**own, "street_id": "S1"},
                       bodies=bodies(own, "C1-G2"),
                       query=queries(own))
        walked += len(answers)
        assert {s for _, _, s in answers} == {401}, (label, [a for a in answers if a[2] != 401])
    assert fingerprint(mongoengine.get_db()) == before
    print(f"\n[access walk] households service: {walked} calls with identities not from the gateway "
          f"({len(outsiders(households_app))} kinds), all 401")
