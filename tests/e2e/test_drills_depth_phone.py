"""Drills that mean it, on a 360 px phone in a real chromium, every service running behind the gateway: the live
drill page shows its response level's activation criteria and measures as a checklist, and the supplies page books
supplies in on an item's ledger; neither page scrolls sideways."""
from datetime import datetime, timedelta, timezone

import pytest

from tests.e2e.conftest import no_horizontal_scroll, sign_in
from tests.support.stack import staff_principal

pytestmark = pytest.mark.e2e
STAFF = staff_principal()



def test_the_live_drill_shows_its_steps_and_the_supplies_ledger_takes_a_booking(full_phone, full):
    soon = datetime.now(timezone.utc) + timedelta(minutes=5)
    drill = full.call("drills", "POST", "/drills", principal=STAFF, json={
        "community_id": "c1", "grid_ids": ["g1"], "title": "燃气泄漏疏散演练", "hazard": "accident", "level": "IV",
        "kind": "special", "starts_at": soon.isoformat(), "ends_at": (soon + timedelta(hours=1)).isoformat()}).json()
    assert full.call("drills", "POST", f"/drills/{drill['id']}/start", principal=STAFF).status_code == 200
    supply = full.call("drills", "POST", "/supplies", principal=STAFF, json={
        "community_id": "c1", "name": "应急照明灯", "category": "lighting", "unit": "个", "quantity": 2,
        "required_quantity": 8, "location": "社区仓库"}).json()

    page = full_phone.new_page()
    sign_in(page, "staff-c1")
    page.goto(f"/drills/{drill['id']}")
    level = page.locator("#level")
    assert "启动条件" in level.inner_text() and "响应措施" in level.inner_text()
    steps = level.locator("ol.checklist input[type=checkbox]")
    assert steps.count() >= 3  # the defaults for an accident at level IV: no plan gives them
    steps.first.check()
    assert steps.first.is_checked() and no_horizontal_scroll(page)

    page.goto("/drills/supplies?community_id=c1")
    item = page.locator(f"#s-{supply['id']}")
    item.locator("summary", has_text="出入库台账").click()
    item.locator("input[name=direction][value=in]").check()
    item.locator("input[name=quantity]").fill("6")
    item.locator("input[name=reason]").fill("采购")
    item.locator("button", has_text="登记").click()
    page.wait_for_load_state("load")
    assert "已登记到出入库台账" in page.inner_text("body")
    assert full.call("drills", "GET", f"/supplies/{supply['id']}").json()["quantity"] == 8
    item = page.locator(f"#s-{supply['id']}")
    item.locator("summary", has_text="出入库台账").click()
    assert "采购" in item.inner_text() and no_horizontal_scroll(page)
