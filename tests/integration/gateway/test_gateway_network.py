"""The four-in-one network pages against the real services: a grid's network page where a grid worker names a
building head and forms a ten-household group (the service's refusals in Chinese on the form), community staff add
a residents' group; the household page shows its residents' group, its building head (phone masked) and its
group with the lead; the head's phone in full only on a recorded reveal; the roll-call handed out by building and
by group, and its printable list."""
import re
from datetime import datetime, timedelta, timezone

import pytest

from tests.support.pages import signed_in, text
from tests.support.stack import page_token, staff_principal

pytestmark = pytest.mark.integration


def households(s) -> list[dict]:
    return s.households_call("GET", "/households", params={"grid_id": "g1", "page_size": 100}).json()["items"]


def label(h) -> str:
    a = h["address"]
    return f"{a['building']}{a.get('unit') or ''}{a['room']}"


def network_section(page: str) -> str:
    return page.split('<section class="card network"', 1)[1].split("</section>", 1)[0]


def test_network_page_sets_head_and_group_and_the_household_page_shows_them(s):
    worker, staff = signed_in(s, "worker-g1"), signed_in(s, "staff-c1")
    homes = households(s)
    first, lead = homes[0], homes[1]
    page = text(worker.get("/grids/g1/network"))
    assert "四位一体网络" in page and "楼栋与楼栋长" in page and "暂无" in page
    page = text(worker.get("/grids/g1/network", query_string={"building": "1栋"}))
    assert "设置楼栋长" in page and "建立十联户小组" in page
    assert "新增居民小组" not in page  # residents' groups are the community staff's
    token = page_token(worker, "/grids/g1/network")

    # a building head from the building's residents (the phone is the resident's)
    r = worker.post("/grids/g1/network/head?building=1栋", data={
        "csrf_token": token, "head-resident_id": first["residents"][0]["resident_id"]})
    assert r.status_code == 303, text(r)
    assert "已设置1栋楼栋长" in text(worker.get(r.headers["Location"]))
    # no name and no resident: the service's reason, in Chinese, on the form (kept, status 422)
    r = worker.post("/grids/g1/network/head?building=1栋", data={"csrf_token": token, "head-phone": "13900001111"})
    assert r.status_code == 422 and "请选择本楼栋的居民，或填写姓名" in text(r)

    # a ten-household group: a lead that is not a member is refused on its field, what was typed is kept
    members = [h["id"] for h in homes[1:6]]
    form = {"csrf_token": token, "group-name": "幸福一联户", "group-household_ids": members,
            "group-lead_household_id": homes[8]["id"]}
    r = worker.post("/grids/g1/network/groups?building=1栋", data=form)
    assert r.status_code == 422 and "联户长必须是本组的住户之一" in text(r) and 'value="幸福一联户"' in text(r)
    r = worker.post("/grids/g1/network/groups?building=1栋", data={**form, "group-lead_household_id": lead["id"]})
    assert r.status_code == 303
    page = text(worker.get(r.headers["Location"]))
    assert "已建立十联户小组幸福一联户" in page and label(lead) in page

    # community staff add a residents' group covering 1栋
    r = staff.post("/grids/g1/network/residents-groups", data={
        "csrf_token": page_token(staff, "/grids/g1/network"), "rg-number": "1", "rg-name": "第一居民小组",
        "rg-buildings": ["1栋"], "rg-leader_name": "赵组长", "rg-leader_phone": "13700002222"})
    assert r.status_code == 303, text(r)

    # the household page: its residents' group, its building head (masked) and its group with the lead
    section = network_section(text(worker.get(f"/households/{homes[2]['id']}")))
    assert "第一居民小组" in section and "赵组长" in section and "137********" in section
    assert "楼栋长" in section and first["residents"][0]["name"] in section and "138********" in section
    assert "幸福一联户" in section and "联户长" in section and label(lead) in section
    assert "13800000000" not in section and "13700002222" not in section
    assert "本户" in network_section(text(worker.get(f"/households/{lead['id']}")))
    assert "暂无" in network_section(text(worker.get(f"/households/{homes[9]['id']}")))  # in no group

    # the head's phone in full: asked with a reason, recorded
    page = text(worker.get("/grids/g1/network", query_string={"building": "1栋"}))
    head_id = re.search(r"/network/heads/([0-9a-f]{24})/reveal", page)[1]
    r = worker.post(f"/grids/g1/network/heads/{head_id}/reveal?building=1栋",
                    data={"csrf_token": token, "reason": "通知楼栋长参加演练"})
    assert r.status_code == 200 and "13800000000" in text(r) and "已记录" in text(r)
    assert r.headers["Cache-Control"] == "no-store"
    assert "13800000000" not in text(worker.get("/grids/g1/network", query_string={"building": "1栋"}))


def test_the_roll_call_handed_out_by_group_and_by_building(s):
    homes = households(s)
    if not s.call("households", "GET", "/grids/g1/network").json()["ten_groups"]:
        r = s.households_call("POST", "/grids/g1/ten-groups", json={
            "name": "幸福一联户", "household_ids": [h["id"] for h in homes[1:6]], "lead_household_id": homes[1]["id"]})
        assert r.status_code == 201, r.text
    soon = datetime.now(timezone.utc) + timedelta(minutes=5)
    r = s.call("drills", "POST", "/drills", principal=staff_principal("c1"), json={
        "community_id": "c1", "grid_ids": ["g1"], "title": "十联户疏散演练", "hazard": "natural_disaster",
        "level": "III", "kind": "comprehensive", "scenario": "暴雨内涝", "starts_at": soon.isoformat(),
        "ends_at": (soon + timedelta(hours=2)).isoformat()})
    assert r.status_code == 201, r.text
    drill_id = r.json()["id"]
    # the group's event reaches drills
    s.wait_for(lambda: (s.call("drills", "GET", f"/drills/{drill_id}/grids/g1/roster", params={"by": "group"})
                        .json()["sections"][0]["title"] == "幸福一联户"), timeout=60)
    worker = signed_in(s, "worker-g1")
    page = text(worker.get(f"/drills/{drill_id}/grids/g1/roll?by=group"))
    assert page.count('class="card hh') == 12  # every household once
    assert "幸福一联户" in page and "未编入十联户" in page and "联户长" in page and label(homes[1]) in page
    assert 'name="by" value="group"' in page and "打印清单" in page
    printable = text(worker.get(f"/drills/{drill_id}/grids/g1/roll?by=group&print=1"))
    assert printable.count("<tr><td>") == 12 and printable.count('class="handout"') == 2
    assert "演练" in printable and "☐" in printable and 'name="tick"' not in printable
    by_building = text(worker.get(f"/drills/{drill_id}/grids/g1/roll?by=building"))
    assert '<h2 class="section">1栋' in by_building and by_building.count('class="card hh') == 12


def test_a_group_whose_lead_moved_out_gets_a_new_lead_on_the_page(s):
    homes = households(s)
    groups = s.households_call("GET", "/grids/g1/network").json()["ten_groups"]
    group = groups[0] if groups else s.households_call("POST", "/grids/g1/ten-groups", json={
        "name": "幸福一联户", "household_ids": [h["id"] for h in homes[1:6]],
        "lead_household_id": homes[1]["id"]}).json()
    lead = group["lead_household_id"]
    version = s.households_call("GET", f"/households/{lead}").json()["version"]
    r = s.households_call("POST", f"/households/{lead}/leave", json={"moved_out_on": "2024-01-01", "version": version})
    assert r.status_code == 200, r.text
    worker = signed_in(s, "worker-g1")
    page = text(worker.get("/grids/g1/network"))
    assert "暂无，请重新选定联户长" in page and "选定联户长" in page
    new_lead = s.households_call("GET", f"/ten-groups/{group['id']}").json()["household_ids"][0]
    r = worker.post(f"/grids/g1/network/groups/{group['id']}/lead",
                    data={"csrf_token": page_token(worker, "/grids/g1/network"), "lead_household_id": new_lead})
    assert r.status_code == 303
    assert f"已选定{group['name']}的联户长" in text(worker.get(r.headers["Location"]))
    assert s.households_call("GET", f"/ten-groups/{group['id']}").json()["lead_household_id"] == new_lead
    # a lead that is not a member is refused with the service's reason
    r = worker.post(f"/grids/g1/network/groups/{group['id']}/lead",
                    data={"csrf_token": page_token(worker, "/grids/g1/network"), "lead_household_id": lead})
    assert "联户长必须是本组的住户之一" in text(worker.get(r.headers["Location"]))
