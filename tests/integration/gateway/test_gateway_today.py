""""My grid today" with every service behind: open disputes (the grid's and mine, deadlines first), the next
drills and a live one with its roll-call, open volunteer needs (a care flag opens one); and each section
degrades to 暂不可用 when its service is down or not configured, never a 500."""
import re
from datetime import datetime, timedelta, timezone

import pytest

from tests.support.pages import text
from tests.support.stack import page_token, sign_in, staff_principal

pytestmark = pytest.mark.integration
PASSWORD = "demo-pass-1"


def signed_in(app, username):
    c = app.test_client()
    assert sign_in(c, username, PASSWORD).status_code == 303
    return c


def test_today_shows_disputes_drills_and_volunteer_needs(s):
    worker = signed_in(s.gateway_app, "worker-g1")
    s.wait_for(lambda: s.call("volunteers", "GET", "/needs", principal=staff_principal(),
                              params={"community_id": "c1", "kind": "care"}).json()["total"] >= 3)
    form = {"csrf_token": page_token(worker, "/disputes/new"), "action": "register", "channel": "grid_report",
            "category": "property_management", "urgency": "urgent", "description": "电梯停运一周",
            "applicant_name": "吴十", "place": "grid:g1"}
    assert worker.post("/disputes/new", data=form).status_code == 303
    soon = datetime.now(timezone.utc) + timedelta(hours=2)
    drill = s.call("drills", "POST", "/drills", principal=staff_principal(), json={
        "community_id": "c1", "grid_ids": ["g1"], "title": "年度综合演练", "hazard": "natural_disaster",
        "level": "II", "kind": "comprehensive", "starts_at": soon.isoformat(),
        "ends_at": (soon + timedelta(hours=2)).isoformat()}).json()
    page = text(worker.get("/grids/g1/today"))
    assert "在办纠纷" in page and "电梯停运一周" in page and "物业管理纠纷" in page
    assert "即将进行的演练" in page and "年度综合演练" in page
    assert "志愿需求" in page and "关爱探访" in page and "暂不可用" not in page
    assert s.call("drills", "POST", f"/drills/{drill['id']}/start", principal=staff_principal()).status_code == 200
    page = text(worker.get("/grids/g1/today"))
    assert "正在进行演练" in page and f"/drills/{drill['id']}/grids/g1/roll" in page and "演练" in page
    mediator = signed_in(s.gateway_app, "mediator")
    page = text(mediator.get("/grids/g1/today"))
    assert mediator.get("/grids/g1/today").status_code == 200 and "电梯停运一周" in page
    assert 'id="drills"' not in page  # a mediator has no part in drills: no section, not an error


def test_each_section_degrades_when_its_service_is_down(s):
    from gateway.app import create_app
    from gateway.config import TestConfig

    urls = {"households": s.urls["households"], "drills": "http://127.0.0.1:9", "volunteers": s.urls["volunteers"]}
    app = create_app(TestConfig(mongo_url=s.mongo_url, run_id=s.run_id,
                                households_url=s.urls["households"], service_urls=urls))
    worker = signed_in(app, "worker-g1")
    r = worker.get("/grids/g1/today")
    page = text(r)
    assert r.status_code == 200
    assert len(re.findall(r'<section id="(disputes|desk|drills)" class="unavailable">', page)) == 3
    assert page.count("<p class=\"card muted\">暂不可用</p>") == 3 and "志愿需求" in page and "户" in page
    assert "部分内容暂不可用：调解、求助与事件、演练。" in page  # one notice at the top names them
    assert worker.get("/disputes").status_code == 503 and "服务暂时不可用" in text(worker.get("/drills"))


def test_the_grid_cards_count_care_residents_by_tag(s):
    staff = signed_in(s.gateway_app, "staff-c1")
    register = s.call("households", "GET", "/households", principal=staff_principal(),
                      params={"grid_id": "g1", "care_tag": "elderly_alone"}).json()
    assert register["total"] >= 1  # one resident each in this district, so households = residents
    s.wait_for(lambda: re.search(rf"重点关爱:\s*孤寡/独居老人 {register['total']}\b", text(staff.get("/grids"))))
