"""A street's staff on a phone, end to end in a real chromium at 360 px: street-cg (the demo cast's street staff)
signs in, opens 街道 from the menu and lands on 城关街道's overview, its communities named (幸福社区, not XF), with
grids against the band and staffing; nothing scrolls sideways."""
import pytest
from playwright.sync_api import expect

from gateway.seed import demo_users, seed_demo_users
from tests.e2e.conftest import PASSWORD, PHONE, no_horizontal_scroll, sign_in
from tests.support.data import household
from tests.support.stack import register, stack

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def district(mongo_url):
    """The demo street CG (城关街道) with 幸福社区 (XF: two grids, 30 households) and 和平村 (HP: one grid)."""
    with stack(mongo_url) as s:
        def ok(response):
            assert response.status_code in (200, 201), response.text

        ok(s.households_call("POST", "/streets", json={"id": "CG", "name": "城关街道", "district": "示范区"}))
        for cid, name, kind in (("XF", "幸福社区", "urban"), ("HP", "和平村", "rural")):
            ok(s.households_call("POST", "/communities", json={"id": cid, "name": name, "street_id": "CG",
                                                               "kind": kind}))
        for gid, name, cid, workers in (("XF-01", "幸福一网格", "XF", ["worker-xf-01"]),
                                        ("XF-02", "幸福二网格", "XF", ["worker-xf-02"]), ("HP-01", "和平一网格", "HP", [])):
            ok(s.households_call("POST", "/grids", json={"id": gid, "name": name, "community_id": cid,
                                                         "worker_ids": workers}))
        for n in range(30):
            register(s, household("XF-01", n))
        cast = [u for u in demo_users(grid_ids=[], community_ids=[], street_ids=["CG"]) if u["role"] == "street_staff"]
        assert [u["username"] for u in cast] == ["street-cg"]
        seed_demo_users(s.gateway_app, password=PASSWORD, users=cast)
        yield s


@pytest.fixture
def phone(browser, district):
    context = browser.new_context(base_url=district.gateway_url, **PHONE)
    context.set_default_timeout(15000)
    yield context
    context.close()


def test_street_staff_open_their_street_overview_on_a_phone(phone):
    page = phone.new_page()
    sign_in(page, "street-cg")
    page.click("nav >> text=街道")
    page.wait_for_load_state("load")
    assert page.url.endswith("/streets/CG")
    expect(page.locator("h1")).to_contain_text("城关街道")
    cards = page.locator("li.community")
    expect(cards).to_have_count(2)
    expect(cards.nth(0)).to_contain_text("和平村")
    expect(cards.nth(1)).to_contain_text("幸福社区")
    expect(cards.nth(1)).to_contain_text("2 人（应配 3 人）")
    expect(cards.nth(1)).to_contain_text("配备不足")
    assert "XF-01" not in page.locator("main").inner_text()
    assert no_horizontal_scroll(page)
    page.click("text=幸福社区")
    page.wait_for_load_state("load")
    expect(page.locator("h1")).to_contain_text("幸福社区的网格")
    assert no_horizontal_scroll(page)
