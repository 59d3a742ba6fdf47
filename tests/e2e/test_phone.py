"""The grid worker's phone, end to end: sign in, find a household, log a visit with the network cut,
a cross-grid attempt, 360 px without horizontal scrolling, and the pages without JavaScript."""
import re

import pytest

from tests.e2e.conftest import no_horizontal_scroll, sign_in

pytestmark = pytest.mark.e2e


def visits_of(live, household_id: str) -> list[dict]:
    r = live.households_call("GET", f"/households/{household_id}/visits")
    assert r.status_code == 200, r.text
    return r.json()


def test_sign_in_and_find_a_household_by_search(phone, live):
    page = phone.new_page()
    sign_in(page, "worker-g1")
    assert page.url.endswith("/grids/g1/today")
    assert page.locator("h1").inner_text().startswith("我的网格 今日")
    page.click("header nav >> text=台账")
    assert "共找到 60 户" in page.content()
    page.fill("#q", "居民13")
    page.click("form[role=search] button")
    page.wait_for_url(re.compile(r"q=%E5%B1%85%E6%B0%9113"))
    rows = page.locator("ul.list a.row")
    assert rows.count() == 1
    rows.first.click()
    page.wait_for_url(re.compile(r"/households/[0-9a-f]{24}$"))
    assert "居民13" in page.inner_text(".member")
    assert re.search(r"11\*{16}", page.inner_text(".member"))  # masked until revealed: the province only
    page.click("summary >> text=查看完整身份证号和电话")
    page.fill("#reason", "核对低保材料")
    page.click("text=查看完整信息 >> nth=-1")
    assert "本次查看已记录" in page.content()
    member = page.inner_text(".member")
    assert not re.search(r"11\*{16}", member) and re.search(r"110\d{14}[\dX]", member)


def test_visit_logged_offline_waits_then_is_sent_exactly_once(phone, live):
    target = live.g1[5]
    page = phone.new_page()
    sign_in(page, "worker-g1")
    page.goto(f"/households/{target['id']}/visit")
    page.wait_for_load_state("load")
    phone.set_offline(True)
    page.check("input[name=seen]")
    page.fill("#notes", "楼道里断网时记录的走访")
    page.click("form[data-queue] button[type=submit]")
    waiting = page.locator("#queue li.waiting")
    waiting.wait_for()
    assert "等待发送" in waiting.inner_text()
    client_id = page.evaluate("JSON.parse(localStorage.getItem('grid.queue.v1'))[0].id")
    assert visits_of(live, target["id"]) == []
    phone.set_offline(False)
    page.locator("#queue li.sent").wait_for()
    assert "已发送" in page.inner_text("#queue")
    assert page.evaluate("JSON.parse(localStorage.getItem('grid.queue.v1') || '[]').length") == 0
    stored = visits_of(live, target["id"])
    assert len(stored) == 1 and stored[0]["client_id"] == client_id
    assert stored[0]["notes"] == "楼道里断网时记录的走访" and stored[0]["seen"] == ["居民5"]
    page.reload()  # a page load flushes again: nothing is left to send twice
    page.goto(f"/households/{target['id']}")
    assert "楼道里断网时记录的走访" in page.content()
    assert len(visits_of(live, target["id"])) == 1


def test_a_queued_visit_survives_closing_the_page(phone, live):
    target = live.g1[6]
    page = phone.new_page()
    sign_in(page, "worker-g1")
    page.goto(f"/households/{target['id']}/visit")
    phone.set_offline(True)
    page.fill("#notes", "关掉页面也不丢")
    page.click("form[data-queue] button[type=submit]")
    page.locator("#queue li.waiting").wait_for()
    page.close()
    phone.set_offline(False)
    again = phone.new_page()
    again.goto("/grids/g1/today")  # the next page load sends what waits
    again.locator("#queue li.sent").wait_for()
    assert [v["notes"] for v in visits_of(live, target["id"])] == ["关掉页面也不丢"]


def test_grid_worker_cannot_open_another_grids_household(phone, live):
    page = phone.new_page()
    sign_in(page, "worker-g1")
    other = live.g3[0]["id"]
    response = page.goto(f"/households/{other}")
    assert response.status == 404
    assert "不在您的负责范围内" in page.content()
    assert "居民1000" not in page.content()
    response = page.goto("/grids/g3/households?q=居民")
    assert response.status == 404
    response = page.goto(f"/api/households/households/{other}")
    assert response.status == 404


def test_pages_fit_360px_without_horizontal_scrolling(phone, live):
    page = phone.new_page()
    sign_in(page, "worker-g1")
    hid = live.g1[0]["id"]
    for path in ("/grids/g1/today", "/grids/g1/households", f"/households/{hid}", f"/households/{hid}/visit",
                 f"/households/{hid}/edit", "/grids/g1/households/new", f"/households/{hid}/move"):
        page.goto(path)
        assert no_horizontal_scroll(page), path
    staff = phone.browser.new_context(base_url=live.gateway_url, viewport={"width": 360, "height": 740},
                                      is_mobile=True, has_touch=True)
    p2 = staff.new_page()
    sign_in(p2, "staff-c1")
    for path in ("/grids", "/grids/g1/redraw", "/grids/g1/import"):
        p2.goto(path)
        assert no_horizontal_scroll(p2), path
    staff.close()
    touch = page.evaluate("""() => Array.from(document.querySelectorAll('button, .btn, input:not([type=hidden]), select'))
        .filter(e => e.offsetParent !== null).map(e => e.getBoundingClientRect().height)""")
    assert min(touch) >= 24 and sorted(touch)[len(touch) // 2] >= 44  # big touch targets


def test_reading_and_logging_a_visit_work_without_javascript(phone_without_js, live):
    target = live.g1[8]
    page = phone_without_js.new_page()
    sign_in(page, "worker-g1")
    page.goto("/grids/g1/households?q=居民8")
    page.click("ul.list a.row >> nth=0")
    assert "居民8" in page.inner_text(".member")
    page.click("text=记录走访")
    page.fill("#notes", "没有脚本也能记录")
    page.check("#follow_up_needed")
    page.fill("#follow_up", "下周送药")
    page.click("form button[type=submit]")
    page.wait_for_url(re.compile(r"/households/[0-9a-f]{24}$"))
    assert "走访记录已保存" in page.content() and "没有脚本也能记录" in page.content()
    stored = visits_of(live, target["id"])
    assert len(stored) == 1 and stored[0]["follow_up"] == "下周送药"
    page.goto("/grids/g1/today")
    assert "下周送药" in page.content()
    assert no_horizontal_scroll(page)


def test_english_is_one_link_away(phone, live):
    page = phone.new_page()
    sign_in(page, "worker-g1")
    page.click("header a.lang")
    assert page.locator("h1").inner_text().startswith("My grid today")
    page.click("header a.lang")
    assert page.locator("h1").inner_text().startswith("我的网格 今日")
