"""The drills pages of the gateway against the real services: the live roll-call from a grid worker's phone
(with and without scripts; a tick sent twice counts once), the live board, start and end, the after-action
report and corrective actions, the exercise marker on every page, and scope."""
import re
from datetime import date, datetime, timedelta, timezone

import pytest

from tests.support.pages import signed_in, text
from tests.support.stack import page_token, staff_principal

pytestmark = pytest.mark.integration
PASSWORD = "demo-pass-1"


def plan(s, community="c1", **over):
    soon = datetime.now(timezone.utc) + timedelta(minutes=5)
    body = {"community_id": community, "title": "防汛综合演练", "hazard": "natural_disaster", "level": "III",
            "kind": "comprehensive", "scenario": "暴雨内涝，低洼楼栋转移", "starts_at": soon.isoformat(),
            "ends_at": (soon + timedelta(hours=2)).isoformat()}
    body.update(over)
    r = s.call("drills", "POST", "/drills", principal=staff_principal(community, user_id=f"s-{community}"), json=body)
    assert r.status_code == 201, r.text
    return r.json()


def ticks_of(s, drill_id, grid_id, household_id):
    r = s.call("drills", "GET", f"/drills/{drill_id}/grids/{grid_id}/households/{household_id}/ticks")
    assert r.status_code == 200, r.text
    return r.json()["ticks"]


def test_live_roll_call_from_the_grid_workers_phone(s):
    d = plan(s, grid_ids=["g1", "g2"])
    worker, staff = signed_in(s, "worker-g1"), signed_in(s, "staff-c1")
    preview = text(worker.get(f"/drills/{d['id']}/grids/g1/roll"))
    assert "演练" in preview and "尚未开始" in preview and "disabled" in preview
    assert "防汛综合演练" in text(worker.get("/drills"))
    assert worker.post(f"/drills/{d['id']}/start", data={"csrf_token": page_token(worker)}).status_code == 404 \
        or s.call("drills", "GET", f"/drills/{d['id']}").json()["status"] == "planned"
    r = staff.post(f"/drills/{d['id']}/start", data={"csrf_token": page_token(staff)})
    assert r.status_code == 303 and "演练已开始" in text(staff.get(r.headers["Location"]))
    page = text(worker.get(f"/drills/{d['id']}/grids/g1/roll"))
    assert page.count('class="card hh') == 12 and "演练" in page and "不是真实的紧急情况" in page
    rows = re.findall(r'<li class="card hh( special)?" id="h-([0-9a-f]{24})"', page)
    assert [bool(x) for x, _ in rows[:3]] == [True, True, True] and not rows[-1][0]  # special care first
    first, second = rows[0][1], rows[5][1]
    nonce = re.search(r'name="nonce" value="([0-9a-f]+)"', page)[1]
    form = {"csrf_token": page_token(worker), "nonce": nonce, "tick": f"{first}:needs_help"}
    r = worker.post(f"/drills/{d['id']}/grids/g1/tick", data=form)
    assert r.status_code == 303 and r.headers["Location"].endswith(f"#h-{first}")
    assert worker.post(f"/drills/{d['id']}/grids/g1/tick", data=form).status_code == 303  # a double tap
    assert len(ticks_of(s, d["id"], "g1", first)) == 1
    page = text(worker.get(f"/drills/{d['id']}/grids/g1/roll"))
    assert "已记录：需要帮助" in page and '<b id="accounted">1</b>' in page
    # the phone's queue sends JSON through the pass-through API; a resend (same client_id) counts once
    token = worker.get("/api/me").json["csrf_token"]
    url = f"/api/drills/drills/{d['id']}/grids/g1/households/{second}/tick"
    body = {"client_id": "phone-offline-0001", "status": "evacuated", "at": datetime.now(timezone.utc).isoformat(),
            "sent_at": datetime.now(timezone.utc).isoformat()}
    assert worker.post(url, json=body, headers={"X-CSRFToken": token}).status_code == 201
    again = worker.post(url, json=body, headers={"X-CSRFToken": token})
    assert again.status_code == 200 and again.json["results"][0]["outcome"] == "duplicate"
    assert len(ticks_of(s, d["id"], "g1", second)) == 1
    board = text(staff.get(f"/drills/{d['id']}/board"))
    assert "实时看板" in board and "演练" in board and 'data-grid="g1"' in board and 'data-grid="g2"' in board
    assert re.search(r'<span data-f="accounted">2</span>/<span data-f="total">12</span>', board)
    assert worker.get(f"/api/drills/drills/{d['id']}/board").json["accounted"] == 2
    # the grid worker sees only their grid, on every page and through the API
    assert worker.get(f"/drills/{d['id']}/grids/g2/roll").status_code == 404
    assert worker.post(f"/drills/{d['id']}/grids/g2/tick", data={**form, "tick": f"{first}:at_home"}).status_code == 303
    other = plan(s, community="c2")
    assert worker.get(f"/drills/{other['id']}").status_code == 404
    assert "不在您的负责范围内" in text(worker.get(f"/drills/{other['id']}/board"))
    assert worker.get(f"/api/drills/drills/{other['id']}").status_code == 404
    assert signed_in(s, "staff-c2").get(f"/drills/{d['id']}/grids/g1/roll").status_code == 404


def test_end_report_and_corrective_actions(s):
    d = plan(s, grid_ids=["g1"])
    staff = signed_in(s, "staff-c1")
    assert staff.post(f"/drills/{d['id']}/start", data={"csrf_token": page_token(staff)}).status_code == 303
    page = text(staff.get(f"/drills/{d['id']}/grids/g1/roll"))
    hid = re.search(r'id="h-([0-9a-f]{24})"', page)[1]
    nonce = re.search(r'name="nonce" value="([0-9a-f]+)"', page)[1]
    staff.post(f"/drills/{d['id']}/grids/g1/tick", data={"csrf_token": page_token(staff), "nonce": nonce,
                                                          "tick": f"{hid}:at_home"})
    r = staff.post(f"/drills/{d['id']}/end", data={"csrf_token": page_token(staff), "problems": "3栋广播听不清\n\n"})
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/drills/{d['id']}/report")
    report = text(staff.get(r.headers["Location"]))
    assert "复盘报告" in report and "演练" in report and "3栋广播听不清" in report and "从未清点到的住户" in report
    assert "1/12" in report
    pdf = staff.get(f"/drills/{d['id']}/report.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    bad = staff.post(f"/drills/{d['id']}/actions", data={"csrf_token": page_token(staff), "title": "",
                                                         "owner_name": "王主任", "due_on": "2020-01-01"})
    assert bad.status_code == 422 and "必填" in text(bad)
    bad = staff.post(f"/drills/{d['id']}/actions", data={"csrf_token": page_token(staff), "title": "更换广播",
                                                         "owner_name": "王主任", "due_on": "2020-01-01"})
    assert bad.status_code == 422 and "不能早于今天" in text(bad)
    due = (date.today() + timedelta(days=14)).isoformat()
    ok = staff.post(f"/drills/{d['id']}/actions", data={"csrf_token": page_token(staff), "title": "更换广播",
                                                        "owner_name": "王主任", "due_on": due, "grid_id": "g1"})
    assert ok.status_code == 303
    report = text(staff.get(f"/drills/{d['id']}/report"))
    action_id = re.search(r"/drills/actions/([0-9a-f]{24})/close", report)[1]
    r = staff.post(f"/drills/actions/{action_id}/close?next=/drills/{d['id']}/report",
                   data={"csrf_token": page_token(staff), "resolution": "已更换新广播"})
    assert r.status_code == 303 and "已更换新广播" in text(staff.get(f"/drills/{d['id']}/report"))
    worker = signed_in(s, "worker-g1")
    late = worker.post(f"/drills/{d['id']}/start", data={"csrf_token": page_token(worker)})
    assert late.status_code in (403, 404)


def test_staff_plan_drills_and_keep_plans_shelters_and_supplies(s):
    staff = signed_in(s, "staff-c1")
    home = text(staff.get("/drills"))
    assert "计划演练" in home and "应急预案" in home and "演练" in home
    page = text(staff.get("/drills/new"))
    assert 'name="grid_ids"' in page and "g1" in page and "演练" in page
    r = staff.post("/drills/shelters", data={"csrf_token": page_token(staff), "community_id": "c1",
                                             "name": "社区小学操场", "kind": "outdoor", "location": "和平路1号",
                                             "capacity": "800", "status": "ready", "facilities": "饮水，照明"})
    assert r.status_code == 303 and "社区小学操场" in text(staff.get("/drills/shelters"))
    shelter_id = s.call("drills", "GET", "/shelters?community_id=c1").json()[0]["id"]
    bad = staff.post("/drills/plans", data={"csrf_token": page_token(staff), "community_id": "c1", "title": "防汛预案",
                                            "hazard": "natural_disaster", "level": "III", "roles": "指挥"})
    assert bad.status_code == 422 and "第 1 行" in text(bad)
    r = staff.post("/drills/plans", data={"csrf_token": page_token(staff), "community_id": "c1", "title": "防汛预案",
                                          "hazard": "natural_disaster", "level": "III",
                                          "response_steps": "发布预警\n组织转移", "roles": "总指挥，王主任\n网格清点，张三，g1 g2",
                                          "assembly_points": "北门广场，和平路北门", "shelter_ids": [shelter_id]})
    assert r.status_code == 303
    plans = text(staff.get("/drills/plans"))
    assert "防汛预案" in plans and "网格清点" in plans and "北门广场" in plans and "社区小学操场" in plans
    plan_id = s.call("drills", "GET", "/plans?community_id=c1").json()[0]["id"]
    form = {"csrf_token": page_token(staff), "community_id": "c1", "title": "避难场所启用演练", "kind": "shelter",
            "hazard": "natural_disaster", "level": "IV", "starts_at": "2030-05-12T09:00",
            "ends_at": "2030-05-12T08:00", "helpers_wanted": "4", "skills": ["first_aid"], "plan_id": plan_id}
    bad = staff.post("/drills/new", data={**form, "action": "plan"})
    assert bad.status_code == 422 and "必须晚于开始时间" in text(bad)
    bad = staff.post("/drills/new", data={**form, "action": "plan", "ends_at": "2030-05-12T11:00"})
    assert bad.status_code == 422 and "避难场所启用演练至少要启用一处避难场所" in text(bad)
    r = staff.post("/drills/new", data={**form, "action": "plan", "ends_at": "2030-05-12T11:00",
                                        "shelter_ids": [shelter_id], "grid_ids": ["g1"]})
    assert r.status_code == 303
    page = text(staff.get(r.headers["Location"]))
    assert "避难场所启用演练" in page and "开始演练" in page
    r = staff.post("/drills/supplies", data={"csrf_token": page_token(staff), "community_id": "c1", "name": "矿泉水",
                                             "category": "water", "unit": "箱", "quantity": "3",
                                             "required_quantity": "10", "location": "社区仓库",
                                             "expires_on": "2020-01-01"})
    assert r.status_code == 303
    supplies = text(staff.get("/drills/supplies"))
    assert "矿泉水" in supplies and "已过期" in supplies and "储备不足" in supplies
    report = text(staff.get("/drills/supplies/report"))
    assert "过期与短缺报告" in report and "矿泉水" in report
    supply_id = s.call("drills", "GET", "/supplies?community_id=c1").json()[0]["id"]
    assert staff.post(f"/drills/supplies/{supply_id}/flag?next=/drills/supplies",
                      data={"csrf_token": page_token(staff), "problem": "damaged", "note": "包装破损"}).status_code == 303
    assert "已标记问题" in text(staff.get("/drills/supplies"))
    assert staff.post(f"/drills/supplies/{supply_id}/clear?next=/drills/supplies",
                      data={"csrf_token": page_token(staff)}).status_code == 303
    assert staff.get("/drills/actions").status_code == 200
    compliance = text(staff.get("/drills/compliance"))
    assert "年度演练情况" in compliance and "c1" in compliance
    worker = signed_in(s, "worker-g1")
    assert worker.get("/drills/new").status_code == 403
    assert worker.post("/drills/shelters", data={"csrf_token": page_token(worker), "community_id": "c1"}).status_code == 403


def test_drill_day_check_ins_shelters_problems_and_special_care_help(s):
    staff, worker = signed_in(s, "staff-c1"), signed_in(s, "worker-g1")
    link = s.call("volunteers", "POST", "/links", principal=staff_principal(), json={"community_id": "c1"}).json()
    c = s.gateway_app.test_client()
    page = text(c.get(f"/v/{link['token']}"))
    c.post(f"/v/{link['token']}", data={"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', page)[1],
                                        "name": "救援志愿者", "phone": "13655556666", "consent": "y"})
    s.wait_for(lambda: any(v["name"] == "救援志愿者" for v in s.call("drills", "GET", "/volunteers?community_id=c1").json()))
    care = text(worker.get("/drills/grids/g1/care"))
    resident = re.search(r'action="/drills/grids/g1/care/([A-Za-z0-9_-]+)"', care)[1]
    r = worker.post(f"/drills/grids/g1/care/{resident}", data={"csrf_token": page_token(worker), "needs_help": "y",
                                                               "need": "轮椅", "helper_name": "邻居老王"})
    assert r.status_code == 303 and "轮椅" in text(worker.get("/drills/grids/g1/care"))
    assert worker.get("/drills/grids/g3/care").status_code == 404
    shelter = s.call("drills", "POST", "/shelters", principal=staff_principal(), json={
        "community_id": "c1", "name": "活动中心", "location": "中心路2号", "capacity": 200}).json()
    d = plan(s, grid_ids=["g1"])
    assert staff.post(f"/drills/{d['id']}/start", data={"csrf_token": page_token(staff)}).status_code == 303
    roll = text(worker.get(f"/drills/{d['id']}/grids/g1/roll"))
    assert "轮椅" in roll and "帮扶人：邻居老王" in roll
    page = text(worker.get(f"/drills/{d['id']}"))
    assert "演练进行中" in page and "救援志愿者" in page
    volunteer_id = re.search(r'<option value="([^"]+)">救援志愿者</option>', page)[1]
    assert worker.post(f"/drills/{d['id']}/checkins", data={"csrf_token": page_token(worker),
                                                            "volunteer_id": volunteer_id}).status_code == 303
    assert worker.post(f"/drills/{d['id']}/problems", data={"csrf_token": page_token(worker), "text": "楼道照明不足",
                                                            "grid_id": "g1"}).status_code == 303
    r = staff.post(f"/drills/{d['id']}/shelters", data={"csrf_token": page_token(staff), "shelter_id": shelter["id"],
                                                        "people": "x"})  # the service's reason, on its field
    assert r.status_code == 303 and "请填写整数" in text(staff.get(r.headers["Location"]))
    assert staff.post(f"/drills/{d['id']}/shelters", data={"csrf_token": page_token(staff), "shelter_id": shelter["id"],
                                                           "people": "35"}).status_code == 303
    assert worker.post(f"/drills/{d['id']}/checkins/{volunteer_id}/out",
                       data={"csrf_token": page_token(worker)}).status_code == 303
    staff.post(f"/drills/{d['id']}/end", data={"csrf_token": page_token(staff)})
    report = text(staff.get(f"/drills/{d['id']}/report"))
    assert "救援志愿者" in report and "楼道照明不足" in report and "活动中心" in report and "35 人" in report
