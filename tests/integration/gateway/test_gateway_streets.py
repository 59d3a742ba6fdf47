"""Streets through the gateway, against every service (each a process): a street's staff are signed with every
community of their street and read them in each service (the register masked), act on nothing, and see nothing of
another street; a community added to the street is seen once the kept list lapses (PLACES_CACHE_S); the streets
pages and the overview with staffing and the other services' figures; pages name communities, not codes; the admin
gives users streets."""
import re

import pytest

from gateway import places
from gateway.models import User
from gateway.seed import seed_demo_users
from tests.support.pages import signed_in, text
from tests.support.stack import DEMO_PASSWORD, page_token

pytestmark = pytest.mark.integration
PERSON = {"kind": "person", "phone": "13912345678"}


def _ok(response, status=(200, 201)):
    assert response.status_code in status, response.text
    return response.json()


def _dispute(s, grid_id: str, description: str) -> str:
    body = {"grid_id": grid_id, "category": "neighbours", "description": description, "urgency": "normal",
            "channel": "walk_in", "parties": [{**PERSON, "role": "applicant", "name": "张三"},
                                              {**PERSON, "role": "respondent", "name": "李四"}]}
    return _ok(s.call("mediation", "POST", "/disputes", json=body))["dispute"]["id"]


@pytest.fixture(scope="module")
def streets(s):
    """Beside the seeded street s1 (communities c1, c2): street s2 with community d1, grid d1-g1 and a household;
    a dispute in c1 and one in d1; users street-s1 and street-s2."""
    _ok(s.households_call("POST", "/streets", json={"id": "s2", "name": "东城街道", "district": "测试区"}))
    _ok(s.households_call("POST", "/communities", json={"id": "d1", "name": "东门社区", "street_id": "s2"}))
    _ok(s.households_call("POST", "/grids", json={"id": "d1-g1", "name": "东门一网格", "community_id": "d1"}))
    _ok(s.households_call("POST", "/households", json={
        "grid_id": "d1-g1", "residency": "registered", "address": {"building": "8栋", "room": "801"},
        "residents": [{"name": "东门居民", "relation": "head", "phone": "13700000001"}]}))
    _ok(s.households_call("PATCH", "/grids/g1", json={"worker_ids": ["w1", "w2"]}))
    seed_demo_users(s.gateway_app, password=DEMO_PASSWORD, users=[
        {"username": "street-s1", "name": "街道干部甲", "role": "street_staff", "street_ids": ["s1"]},
        {"username": "street-s2", "name": "街道干部乙", "role": "street_staff", "street_ids": ["s2"]}])

    def mediation_knows_d1():
        rows = s.call("mediation", "GET", "/register/households", params={"grid_id": "d1-g1", "limit": 10})
        return rows.status_code == 200 and len(rows.json()) == 1

    s.wait_for(mediation_knows_d1, timeout=120)
    places.forget()
    return {"c1_dispute": _dispute(s, "g1", "楼道堆物"), "d1_dispute": _dispute(s, "d1-g1", "噪音扰民")}


def test_street_staff_read_every_community_of_their_street_in_each_service_and_nothing_else(s, streets):
    c = signed_in(s, "street-s1")
    csrf = {"X-CSRFToken": c.get("/api/me").json["csrf_token"]}
    # households: the register of every grid of the street, masked; nothing of street s2; no writes
    grids = c.get("/api/households/grids").json
    assert sorted(g["id"] for g in grids) == ["g1", "g2", "g3"]
    page = c.get("/api/households/households", query_string={"grid_id": "g1"})
    assert page.status_code == 200 and page.json["total"] == 12
    phones = [r["phone"] for h in page.json["items"] for r in h["residents"] if r.get("phone")]
    assert phones and not any(re.fullmatch(r"\d{11}", p) for p in phones), phones[:3]  # masked
    assert c.get("/api/households/households", query_string={"grid_id": "d1-g1"}).status_code in (403, 404)
    one = page.json["items"][0]["id"]
    assert c.post(f"/api/households/households/{one}/reveal", json={"reason": "核对"}, headers=csrf).status_code == 403
    assert c.post("/api/households/households", json={"grid_id": "g1"}, headers=csrf).status_code in (403, 422)
    assert c.patch("/api/households/grids/g1", json={"worker_ids": []}, headers=csrf).status_code == 403
    assert [x["id"] for x in c.get("/api/households/streets").json] == ["s1"]
    assert c.get("/api/households/streets/s2/overview").status_code == 404
    # volunteers: both communities' figures; not another street's; no writes
    assert c.get("/api/volunteers/communities/c1/figures").status_code == 200
    assert c.get("/api/volunteers/communities/c2/figures").status_code == 200
    assert c.get("/api/volunteers/communities/d1/figures").status_code in (403, 404)
    assert c.post("/api/volunteers/teams", json={"community_id": "c1", "name": "街道队"},
                  headers=csrf).status_code == 403
    # drills: the street's communities only; no writes
    compliance = c.get("/api/drills/compliance")
    assert compliance.status_code == 200 and {r["community_id"] for r in compliance.json} <= {"c1", "c2"}
    shelter = {"name": "操场", "kind": "outdoor", "location": "幸福路12号", "capacity": 100, "community_id": "c1"}
    assert c.post("/api/drills/shelters", json=shelter, headers=csrf).status_code == 403
    # mediation: the street's disputes, not another street's; no writes
    listed = c.get("/api/mediation/disputes", query_string={"status": "all", "page_size": 200}).json
    ids = {d["id"] for d in listed["items"]}
    assert streets["c1_dispute"] in ids and streets["d1_dispute"] not in ids
    assert c.get(f"/api/mediation/disputes/{streets['d1_dispute']}").status_code == 404
    assert c.post("/api/mediation/disputes", json={"grid_id": "g1"}, headers=csrf).status_code in (403, 422)
    # the other street's staff see their own, and none of street s1's
    other = signed_in(s, "street-s2")
    assert [g["id"] for g in other.get("/api/households/grids").json] == ["d1-g1"]
    assert other.get(f"/api/mediation/disputes/{streets['c1_dispute']}").status_code == 404


def test_a_community_added_to_the_street_is_in_scope_once_the_kept_list_lapses(s, streets, monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(places, "clock", lambda: now[0])
    places.forget()
    c = signed_in(s, "street-s1")
    assert "c3-g1" not in {g["id"] for g in c.get("/api/households/grids").json}
    _ok(s.households_call("POST", "/communities", json={"id": "c3", "name": "新建社区", "street_id": "s1"}))
    _ok(s.households_call("POST", "/grids", json={"id": "c3-g1", "name": "新建一网格", "community_id": "c3"}))
    assert "c3-g1" not in {g["id"] for g in c.get("/api/households/grids").json}  # kept for PLACES_CACHE_S
    now[0] += s.gateway_app.config["PLACES_CACHE_S"] + 1
    assert "c3-g1" in {g["id"] for g in c.get("/api/households/grids").json}


def test_streets_pages_overview_with_staffing_and_figures_and_names_not_codes(s, streets):
    places.forget()
    c = signed_in(s, "street-s1")
    home = text(c.get("/grids"))
    assert 'href="/streets"' in home and "街道" in home
    assert c.get("/streets").headers["Location"].endswith("/streets/s1")  # their one street, straight away
    page = c.get("/streets/s1")
    assert page.status_code == 200
    body = text(page)
    assert "测试街道" in body and "c1社区" in body and "c2社区" in body and "东门社区" not in body
    # c1: 12 households, g1's two workers, 3 needed; the other services' figures per community
    assert re.search(r"2 人（应配 3 人）", body) and "配备不足" in body
    assert re.search(r"<dt>\d{4} 年演练</dt><dd>0</dd>", body) and "<dt>在办纠纷</dt><dd>1</dd>" in body
    assert "0 / 目标 2" in body  # c1's volunteers against its target
    assert "每 400 户配备 1 名专职网格员" in body
    assert c.get("/streets/s2").status_code == 404
    # names, not codes: the grids page names the community
    grids = text(c.get("/grids?community_id=c1"))
    assert "c1社区的网格" in grids and "社区 c1" not in grids
    case = text(c.get(f"/disputes/{streets['c1_dispute']}"))
    assert "c1社区" in case
    # a grid worker has no streets page and no link to one
    worker = signed_in(s, "worker-g1")
    assert 'href="/streets"' not in text(worker.get("/grids/g1/households"))
    assert worker.get("/streets").status_code == 403


def test_the_admin_renames_streets_and_communities_and_gives_users_streets(s, streets):
    c = signed_in(s, "admin")
    listed = text(c.get("/streets"))
    assert "测试街道" in listed and "东城街道" in listed and "改名" in listed
    token = page_token(c, "/streets")
    r = c.post("/streets/s2", data={"csrf_token": token, "s2-name": "东城镇", "s2-district": "测试区"})
    assert r.status_code == 303
    assert "东城镇" in text(c.get("/streets"))
    r = c.post("/streets/s2/communities/d1", data={"csrf_token": token, "d1-name": "东门里社区"})
    assert r.status_code == 303
    assert "东门里社区" in text(c.get("/streets/s2"))
    # a street's staff cannot rename
    staff = signed_in(s, "street-s2")
    assert staff.post("/streets/s2", data={"csrf_token": page_token(staff, "/streets/s2"), "s2-name": "X",
                                           "s2-district": "Y"}).status_code == 403
    form = {"csrf_token": page_token(c, "/admin/users/new"), "username": "jie-dao", "name": "街道干部丙",
            "role": "street_staff", "grid_ids": "", "community_ids": "", "street_ids": "",
            "password": "a-good-password", "active": "y"}
    r = c.post("/admin/users/new", data=form)
    assert r.status_code == 422 and "街道干部至少需要一个街道" in text(r)
    r = c.post("/admin/users/new", data={**form, "street_ids": "s1, nosuchstreet"})
    assert r.status_code == 422 and "nosuchstreet" in text(r)
    r = c.post("/admin/users/new", data={**form, "role": "community_staff", "community_ids": "c1",
                                         "street_ids": "s1"})
    assert r.status_code == 422 and "只有街道干部才能分配街道" in text(r)
    assert c.post("/admin/users/new", data={**form, "street_ids": "s1"}).status_code == 303
    assert User.objects(username="jie-dao").first().street_ids == ["s1"]
    assert "街道：s1" in text(c.get("/admin/users?q=jie"))


def test_community_staff_assign_grid_workers_and_the_grids_page_shows_staffing(s, streets):
    c = signed_in(s, "staff-c2")
    page = text(c.get("/grids?community_id=c2"))
    assert "c2社区 · 网格员 0 人（应配 3 人）" in page and "配备不足" in page
    token = page_token(c, "/grids")
    r = c.post("/grids/g3/workers", data={"csrf_token": token, "g3-worker_ids": "worker-g3, nobody-here"})
    assert r.status_code == 303
    assert "不是网格员账号：nobody-here" in text(c.get(r.headers["Location"]))
    assert s.households_call("GET", "/grids/g3").json()["worker_ids"] == []
    r = c.post("/grids/g3/workers", data={"csrf_token": token, "g3-worker_ids": "worker-g3, worker-g1"})
    assert r.status_code == 303
    assert s.households_call("GET", "/grids/g3").json()["worker_ids"] == ["worker-g3", "worker-g1"]
    assert "网格员 2 人（应配 3 人）" in text(c.get("/grids?community_id=c2"))
    # another community's grid: as if it did not exist; a street's staff assign nobody
    assert c.post("/grids/g1/workers", data={"csrf_token": token, "g1-worker_ids": "worker-g3"}).status_code == 404
    street = signed_in(s, "street-s1")
    assert street.post("/grids/g3/workers", data={"csrf_token": page_token(street, "/grids"),
                                                  "g3-worker_ids": ""}).status_code == 403


def test_the_intake_form_names_the_communities_it_offers(s, streets):
    places.forget()
    staff = signed_in(s, "staff-c1")
    form = text(staff.get("/disputes/new"))
    assert "c1社区（不限网格）" in form and "社区 c1" not in form
