"""Drills that mean it, on the gateway's pages against the whole product: a planned drill moved and cancelled from
its page (the volunteers' helper need moves, then closes, over the real bus), a running drill refused in Chinese;
the live drill page shows its level's activation criteria and response steps as a checklist; plan levels edited on
the plans page; a drill that accounted for nobody shows as held but incomplete on the compliance page; the supplies
page keeps the ledger and refuses an over-draw."""
from datetime import datetime, timedelta, timezone

import pytest

from tests.support.pages import signed_in, text
from tests.support.stack import page_token, staff_principal

pytestmark = pytest.mark.integration
STAFF = staff_principal("c1")


def plan_drill(s, **over):
    soon = datetime.now(timezone.utc) + timedelta(minutes=30)
    body = {"community_id": "c1", "title": "防汛综合演练", "hazard": "natural_disaster", "level": "III",
            "kind": "comprehensive", "starts_at": soon.isoformat(), "ends_at": (soon + timedelta(hours=2)).isoformat(),
            **over}
    r = s.call("drills", "POST", "/drills", principal=STAFF, json=body)
    assert r.status_code == 201, r.text
    return r.json()


def drill_needs(s, drill_id):
    r = s.call("volunteers", "GET", "/needs", params={"community_id": "c1", "kind": "drill", "status": "all"})
    assert r.status_code == 200, r.text
    return [n for n in r.json()["items"] if n["drill_id"] == drill_id]


def test_a_planned_drill_is_moved_and_cancelled_from_its_page(s):
    d = plan_drill(s, helpers_wanted=2)
    s.wait_for(lambda: drill_needs(s, d["id"]))
    staff = signed_in(s, "staff-c1")
    page = text(staff.get(f"/drills/{d['id']}"))
    assert "演练改期" in page and "取消原因" in page and "响应措施" in page and "启动条件" in page

    token = page_token(staff)
    r = staff.post(f"/drills/{d['id']}/reschedule", data={"csrf_token": token, "starts_at": "2030-05-01T09:00",
                                                          "reason": ""})
    assert r.status_code == 303 and "改期原因" in text(staff.get(r.headers["Location"]))
    assert s.call("drills", "GET", f"/drills/{d['id']}").json()["reschedules"] == []
    r = staff.post(f"/drills/{d['id']}/reschedule", data={"csrf_token": token, "starts_at": "2030-05-01T09:00",
                                                          "reason": "与社区活动冲突"})
    page = text(staff.get(r.headers["Location"]))
    assert "演练已改期" in page and "与社区活动冲突" in page
    moved = s.call("drills", "GET", f"/drills/{d['id']}").json()
    assert moved["starts_at"].startswith("2030-05-01T01:00")  # 09:00 in Shanghai
    s.wait_for(lambda: drill_needs(s, d["id"])[0]["starts_at"].startswith("2030-05-01T01:00"))

    r = staff.post(f"/drills/{d['id']}/cancel", data={"csrf_token": token, "reason": "暴雨预警，改为线上培训"})
    page = text(staff.get(r.headers["Location"]))
    assert "演练已取消" in page and "已取消" in page and "暴雨预警，改为线上培训" in page and "取消原因" not in page
    assert f"/drills/{d['id']}/report" not in page and f"/drills/{d['id']}/board" not in page
    s.wait_for(lambda: drill_needs(s, d["id"])[0]["status"] == "closed")
    assert drill_needs(s, d["id"])[0]["closed_reason"] == "drill cancelled"
    assert d["id"] not in text(staff.get("/drills"))  # not among the coming drills any more

    # a running drill: no cancel form, and a crafted post is refused in Chinese
    live = plan_drill(s, title="消防疏散演练", hazard="accident", level="II")
    s.call("drills", "POST", f"/drills/{live['id']}/start", principal=STAFF)
    r = staff.post(f"/drills/{live['id']}/cancel", data={"csrf_token": token, "reason": "不演了"})
    page = text(staff.get(r.headers["Location"]))
    assert "只有计划中的演练可以取消" in page and "取消原因" not in page
    assert s.call("drills", "GET", f"/drills/{live['id']}").json()["status"] == "live"


def test_the_live_drill_page_shows_its_levels_criteria_and_steps(s):
    staff = signed_in(s, "staff-c1")
    levels = [{"level": "II", "criteria": "一栋楼需要疏散", "steps": ["拨打119并报告街道", "疏散本楼居民", "集合点逐户清点"]}]
    r = s.call("drills", "POST", "/plans", principal=STAFF, json={
        "community_id": "c1", "hazard": "accident", "title": "火灾事故应急预案", "level": "II", "levels": levels})
    assert r.status_code == 201, r.text
    plan = r.json()

    # the plans page shows each level and edits them
    page = text(staff.get("/drills/plans?community_id=c1"))
    assert "一栋楼需要疏散" in page and "编辑响应级别" in page and "I级：启动条件" in page
    form = {"csrf_token": page_token(staff), "version": str(plan["version"])}
    for x in plan["levels"]:
        form[f"criteria_{x['level']}"] = x["criteria"] or ""
        form[f"steps_{x['level']}"] = "\n".join(x["steps"])
    form["steps_II"] += "\n安置受影响居民"
    r = staff.post(f"/drills/plans/{plan['id']}/levels?community_id=c1", data=form)
    assert r.status_code == 303 and "响应级别已保存" in text(staff.get(r.headers["Location"]))
    stored = {x["level"]: x for x in s.call("drills", "GET", f"/plans/{plan['id']}").json()["levels"]}
    assert stored["II"]["steps"][-1] == "安置受影响居民" and stored["I"]["criteria"]

    d = plan_drill(s, title="高层火灾疏散演练", hazard="accident", level="II", plan_id=plan["id"])
    s.call("drills", "POST", f"/drills/{d['id']}/start", principal=STAFF)
    page = text(signed_in(s, "worker-g1").get(f"/drills/{d['id']}"))
    assert "启动条件" in page and "一栋楼需要疏散" in page and 'class="checklist"' in page
    assert page.count('type="checkbox" name="step"') == 4 and "安置受影响居民" in page


def test_compliance_shows_held_but_incomplete_and_supplies_keep_a_ledger(s):
    staff = signed_in(s, "staff-c1")
    d = plan_drill(s, title="无人清点的演练")
    s.call("drills", "POST", f"/drills/{d['id']}/start", principal=STAFF)
    s.call("drills", "POST", f"/drills/{d['id']}/end", principal=STAFF, json={})
    page = text(staff.get("/drills/compliance"))
    assert "举行但未达标" in page and "清点 0%" in page and "90%" in page

    r = s.call("drills", "POST", "/supplies", principal=STAFF, json={
        "community_id": "c1", "name": "应急手电筒", "category": "lighting", "unit": "个", "quantity": 4,
        "required_quantity": 10, "location": "社区仓库"})
    assert r.status_code == 201, r.text
    item = r.json()
    page = text(staff.get("/drills/supplies?community_id=c1"))
    assert "出入库台账" in page and "初始库存" in page and "opening stock" in page and "入库" in page
    token = page_token(staff)
    path = f"/drills/supplies/{item['id']}/movements?next=/drills/supplies"
    r = staff.post(path, data={"csrf_token": token, "direction": "out", "quantity": "9", "reason": "演练发放"})
    assert r.status_code == 303 and "库存只有 4，不能出库 9" in text(staff.get(r.headers["Location"]))
    r = staff.post(path, data={"csrf_token": token, "direction": "in", "quantity": "6", "reason": "采购"})
    page = text(staff.get(r.headers["Location"]))
    assert "已登记到出入库台账" in page and "采购" in page
    assert s.call("drills", "GET", f"/supplies/{item['id']}").json()["quantity"] == 10
