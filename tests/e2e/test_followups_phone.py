"""A household moves to another grid: on a 360 px phone, the new grid worker's today page shows its open follow-up
(and that it came with the household) and its overdue visit at the tag's cadence; the old grid worker's does not."""
from datetime import timedelta

import pytest

from gateway.seed import seed_demo_users
from shared import clock
from tests.e2e.conftest import PASSWORD, PHONE, no_horizontal_scroll, sign_in
from tests.support.data import household
from tests.support.stack import register, seed_district, stack

pytestmark = pytest.mark.e2e
FOLLOW_UP = "帮助申请助餐补贴"


@pytest.fixture(scope="module")
def live(mongo_url):
    """A small district; a care household of g1 with an open follow-up, then moved to g2."""
    with stack(mongo_url) as s:
        seed_district(s)
        register(s, household("g1", 1))
        moving = register(s, household("g1", 2, care_tag="elderly_alone"))
        seed_demo_users(s.gateway_app, password=PASSWORD, grid_ids=["g1", "g2"], community_ids=["c1"])
        at = (clock.now() - timedelta(days=10)).isoformat()
        r = s.households_call("POST", f"/households/{moving['id']}/visits",
                              json={"visited_at": at, "notes": "独居，行动不便", "follow_up_needed": True,
                                    "follow_up": FOLLOW_UP})
        assert r.status_code == 201, r.text
        r = s.households_call("POST", f"/households/{moving['id']}/move",
                              json={"to_grid_id": "g2", "version": moving["version"], "reason": "搬到儿子家"})
        assert r.status_code == 200, r.text
        yield s


def today_of(browser, live, username: str, grid: str):
    context = browser.new_context(base_url=live.gateway_url, **PHONE)
    context.set_default_timeout(15000)
    page = context.new_page()
    sign_in(page, username)
    page.goto(f"/grids/{grid}/today")
    page.wait_for_load_state("load")
    return context, page


def test_the_new_grid_workers_today_page_shows_the_moved_follow_up_and_the_old_ones_does_not(browser, live):
    context, page = today_of(browser, live, "worker-g2", "g2")
    try:
        follow_ups = page.inner_text("#follow-ups")
        assert FOLLOW_UP in follow_ups and "随住户从网格 g1 转来" in follow_ups
        assert "应每7天探访一次" in page.inner_text("#overdue")  # elderly_alone: weekly, not the 30-day default
        assert no_horizontal_scroll(page)
    finally:
        context.close()
    context, page = today_of(browser, live, "worker-g1", "g1")
    try:
        assert FOLLOW_UP not in page.content()
        assert "没有待跟进事项" in page.inner_text("#follow-ups") and page.locator("#follow-ups li").count() == 0
    finally:
        context.close()
