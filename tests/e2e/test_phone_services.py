"""The phone pages of volunteers, drills and mediation, end to end in a real chromium at 360 px, with every
service running behind the gateway: a resident signs up through a public link (and again, recognised), a grid
worker ticks households in a live drill with the network cut and the ticks are sent once when it returns, a
mediation intake gives a receipt with a case number; no page scrolls sideways; other areas are refused."""
import re
from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, no_horizontal_scroll, sign_in
from tests.support.stack import staff_principal

pytestmark = pytest.mark.e2e



def live_drill(full, grid_ids=("g1",)) -> dict:
    soon = datetime.now(timezone.utc) + timedelta(minutes=5)
    staff = staff_principal()
    r = full.call("drills", "POST", "/drills", principal=staff, json={
        "community_id": "c1", "grid_ids": list(grid_ids), "title": "消防疏散演练", "hazard": "accident", "level": "IV",
        "kind": "special", "starts_at": soon.isoformat(), "ends_at": (soon + timedelta(hours=1)).isoformat()})
    assert r.status_code == 201, r.text
    drill = r.json()
    assert full.call("drills", "POST", f"/drills/{drill['id']}/start", principal=staff).status_code == 200
    return drill


def ticks_of(full, drill_id, household_id) -> list[dict]:
    r = full.call("drills", "GET", f"/drills/{drill_id}/grids/g1/households/{household_id}/ticks")
    assert r.status_code == 200, r.text
    return r.json()["ticks"]


def test_roll_call_ticks_wait_offline_and_are_sent_once(full_phone, full):
    drill = live_drill(full)
    page = full_phone.new_page()
    sign_in(page, "worker-g1")
    page.goto(f"/drills/{drill['id']}/grids/g1/roll")
    assert "演练" in page.inner_text(".exercise")
    rows = page.locator("li.hh")
    assert rows.count() == 12
    ids = [rows.nth(i).get_attribute("id")[2:] for i in range(3)]
    full_phone.set_offline(True)
    for hid, label in zip(ids, ("需要帮助", "已撤离", "在家")):
        page.click(f"#h-{hid} button:has-text('{label}')")
    for hid in ids:
        row = page.locator(f"#h-{hid}")
        assert "等待发送" in row.inner_text() and "waiting" in row.get_attribute("class")
    assert page.locator("#queue li.waiting").count() == 3
    assert "需要帮助" in page.inner_text(f"#h-{ids[0]} .st")
    queued = page.evaluate("JSON.parse(localStorage.getItem('grid.queue.v1')).map(e => e.id)")
    assert [ticks_of(full, drill["id"], hid) for hid in ids] == [[], [], []]
    assert no_horizontal_scroll(page)
    full_phone.set_offline(False)
    expect(page.locator("li.hh.sent")).to_have_count(3)
    assert page.evaluate("JSON.parse(localStorage.getItem('grid.queue.v1') || '[]').length") == 0
    stored = [ticks_of(full, drill["id"], hid) for hid in ids]
    assert [len(t) for t in stored] == [1, 1, 1]
    assert sorted(t[0]["client_id"] for t in stored) == sorted(queued)
    assert [t[0]["status"] for t in stored] == ["needs_help", "evacuated", "at_home"]
    assert page.inner_text("#accounted") == "3"
    page.reload()  # nothing is left to send twice
    page.wait_for_load_state("load")
    assert [len(ticks_of(full, drill["id"], hid)) for hid in ids] == [1, 1, 1]
    assert "需要帮助" in page.inner_text(f"#h-{ids[0]} .st")


def test_live_board_follows_the_ticks(full_phone, full):
    drill = live_drill(full, grid_ids=("g1", "g2"))
    staff = full_phone.new_page()
    sign_in(staff, "staff-c1")
    staff.goto(f"/drills/{drill['id']}/board")
    assert staff.inner_text('[data-f="accounted"]') == "0" and no_horizontal_scroll(staff)
    roster = full.call("drills", "GET", f"/drills/{drill['id']}/grids/g1/roster").json()["households"]
    r = full.call("drills", "POST", f"/drills/{drill['id']}/grids/g1/ticks", json={"ticks": [
        {"client_id": f"board-{n:04d}", "household_id": h["household_id"], "status": "at_home"}
        for n, h in enumerate(roster[:4])]})
    assert r.status_code == 200, r.text
    expect(staff.locator('[data-f="accounted"]')).to_have_text("4", timeout=15000)
    assert staff.inner_text('tr[data-grid="g1"] [data-g="accounted"]') == "4"


def make_link(full, **body) -> dict:
    r = full.call("volunteers", "POST", "/links", principal=staff_principal(), json={"community_id": "c1", **body})
    assert r.status_code == 201, r.text
    return r.json()


def fill_signup(page, name: str, phone: str):
    page.fill("#name", name)
    page.fill("#phone", phone)
    page.check("input[name=skills][value=elderly_care]")
    page.check("input[name=availability][value=sat_morning]")
    page.select_option("#grid_id", "g1")
    page.check("#consent")
    page.click("form button[type=submit]")
    page.wait_for_load_state("load")


def test_a_resident_signs_up_through_a_public_link_and_again_waits_for_staff(full_phone, full):
    link = make_link(full, title="社区志愿者招募")
    page = full_phone.new_page()
    page.goto(f"/v/{link['token']}")  # as from the QR code: no account, no sign-in
    assert "志愿者报名" in page.inner_text("h1") and "幸福社区" in page.content()
    assert no_horizontal_scroll(page)
    fill_signup(page, "陈阿姨", "139 1234 5678")
    assert "报名已收到" in page.inner_text("h1") and no_horizontal_scroll(page)
    own = page.get_attribute("#personal-link", "href")
    page.goto(f"/v/{link['token']}")
    fill_signup(page, "陈阿姨", "13912345678")  # the same answer: nothing of the stored record, a claim for staff
    assert "报名已收到" in page.inner_text("h1") and page.get_attribute("#personal-link", "href") != own
    listed = full.call("volunteers", "GET", "/volunteers", principal=staff_principal(),
                       params={"community_id": "c1", "link_id": link["id"]}).json()
    assert listed["total"] == 1
    page.goto(own)
    assert "我的志愿服务" in page.inner_text("h1") and "陈阿姨" in page.content() and no_horizontal_scroll(page)


def test_sign_up_works_without_javascript_and_shows_reasons(browser, full):
    context = browser.new_context(base_url=full.gateway_url, java_script_enabled=False, **PHONE)
    try:
        link = make_link(full)
        page = context.new_page()
        page.goto(f"/v/{link['token']}")
        page.fill("#name", "林先生")
        page.fill("#phone", "12345")
        page.check("#consent")
        page.click("form button[type=submit]")
        assert "手机号码为 11 位数字" in page.inner_text("form") and no_horizontal_scroll(page)
        page.fill("#phone", "13712345678")
        page.check("#consent")
        page.click("form button[type=submit]")
        assert "报名已收到" in page.inner_text("h1")
    finally:
        context.close()


def test_a_mediation_intake_gives_a_receipt_with_a_case_number(full_phone, full):
    page = full_phone.new_page()
    sign_in(page, "worker-g1")
    page.goto("/disputes/new")
    assert no_horizontal_scroll(page)
    page.fill("#q", "居民2")
    page.click("button[value=search]")
    page.click("button[value^='applicant:'] >> nth=0")
    assert "来自台账" in page.inner_text(".picked")
    page.fill("#respondent_name", "某物业公司")
    page.check("#respondent_organisation")
    page.check("input[name=category][value=property_management]")
    page.fill("#description", "物业费争议，电梯长期停运")
    page.click("button[value=register]")
    page.wait_for_url(re.compile(r"/disputes/[0-9a-f]{24}/receipt$"))
    number = page.inner_text("#case-number")
    assert re.match(r"^\d{4}-XF-\d{4}$", number)
    assert "一次性告知书" in page.content() and no_horizontal_scroll(page)
    dispute_id = re.search(r"/disputes/([0-9a-f]{24})/receipt", page.url)[1]
    stored = full.call("mediation", "GET", f"/disputes/{dispute_id}").json()
    assert stored["number"] == number and stored["category"] == "property_management"
    page.click("text=打开案件")
    assert number in page.inner_text("h1") and no_horizontal_scroll(page)


def test_other_areas_are_refused_on_the_new_pages(full_phone, full):
    soon = datetime.now(timezone.utc) + timedelta(hours=1)
    other = staff_principal("c2", user_id="s-c2")
    drill = full.call("drills", "POST", "/drills", principal=other, json={
        "community_id": "c2", "title": "和平社区演练", "hazard": "accident", "level": "IV", "kind": "special",
        "starts_at": soon.isoformat(), "ends_at": (soon + timedelta(hours=1)).isoformat()}).json()
    case = full.call("mediation", "POST", "/disputes", principal=other, json={
        "community_id": "c2", "category": "family", "description": "家庭纠纷", "channel": "walk_in",
        "parties": [{"role": "applicant", "kind": "person", "name": "郑女士"}]}).json()["dispute"]
    page = full_phone.new_page()
    sign_in(page, "worker-g1")
    for path in (f"/drills/{drill['id']}", f"/drills/{drill['id']}/grids/g3/roll", f"/disputes/{case['id']}",
                 f"/disputes/{case['id']}/receipt", "/grids/g3/today"):
        response = page.goto(path)
        assert response.status == 404, path
        assert "不在您的负责范围内" in page.content() and "郑女士" not in page.content() and no_horizontal_scroll(page)
    staff = full_phone.browser.new_context(base_url=full.gateway_url, **PHONE)
    try:
        p2 = staff.new_page()
        sign_in(p2, "staff-c2")
        assert p2.goto("/volunteers/c1").status == 404
        assert p2.goto("/volunteers/c1/links").status == 404
    finally:
        staff.close()


def test_new_pages_fit_360px_with_big_touch_targets(full_phone, full):
    drill = live_drill(full)
    link = make_link(full)
    case = full.call("mediation", "POST", "/disputes", principal=staff_principal(), json={
        "grid_id": "g1", "category": "neighbours", "description": "噪音扰民", "channel": "walk_in",
        "parties": [{"role": "applicant", "kind": "person", "name": "何先生"},
                    {"role": "respondent", "kind": "person", "name": "楼上住户"}]}).json()["dispute"]
    pages = {
        "worker-g1": ["/grids/g1/today", "/drills", f"/drills/{drill['id']}", f"/drills/{drill['id']}/grids/g1/roll",
                      "/disputes", "/disputes/new", f"/disputes/{case['id']}", f"/disputes/{case['id']}/receipt",
                      "/drills/grids/g1/care", f"/disputes/{case['id']}/edit"],
        "staff-c1": ["/volunteers/c1", "/volunteers/c1/links", f"/volunteers/links/{link['id']}",
                     "/volunteers/c1/teams", "/volunteers/c1/needs", "/volunteers/c1/reports",
                     "/volunteers/c1/certificates", "/volunteers/c1/people", "/drills/new", "/drills/plans",
                     "/drills/shelters", "/drills/supplies", "/drills/supplies/report", "/drills/actions",
                     "/drills/compliance", f"/drills/{drill['id']}/board", f"/drills/{drill['id']}/report",
                     f"/disputes/{case['id']}", "/disputes/hotspots", f"/disputes/{case['id']}/session",
                     f"/disputes/{case['id']}/outcome", "/disputes/mediators", f"/disputes/{case['id']}/edit"],
        "mediator": ["/disputes", f"/disputes/{case['id']}"],
        "leader": ["/volunteers", "/volunteers/c1"],
        None: [f"/v/{link['token']}", "/v/cert", "/v/cert/VS2000-000000-X"],
    }
    heights = []
    for username, paths in pages.items():
        context = full_phone.browser.new_context(base_url=full.gateway_url, **PHONE)
        try:
            page = context.new_page()
            if username:
                sign_in(page, username)
            for path in paths:
                response = page.goto(path)
                assert response.status in (200, 404), (path, response.status)
                assert no_horizontal_scroll(page), path
                heights += page.evaluate("""() => Array.from(document.querySelectorAll(
                    'main button, main .btn, main input:not([type=hidden]), main select, main summary'))
                    .filter(e => e.offsetParent !== null).map(e => e.getBoundingClientRect().height)""")
        finally:
            context.close()
    assert min(heights) >= 22 and sorted(heights)[len(heights) // 2] >= 44  # big touch targets
