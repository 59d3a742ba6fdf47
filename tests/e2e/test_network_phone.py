"""The four-in-one network on a phone, in a real chromium at 360 px with every service behind the gateway: a grid
worker names a building head and forms a ten-household group on the grid's network page, the household page shows
its group, its lead and its building head (phone masked), and the drill's roll-call is handed out by group; no page
scrolls sideways."""
from datetime import datetime, timedelta, timezone

import pytest

from tests.e2e.conftest import no_horizontal_scroll, sign_in
from tests.support.stack import staff_principal

pytestmark = pytest.mark.e2e



def test_network_page_household_page_and_roll_call_by_group(full_phone, full):
    homes = full.seeded["g1"]
    page = full_phone.new_page()
    sign_in(page, "worker-g1")
    page.goto("/grids/g1/network")
    assert "四位一体网络" in page.inner_text("h1") and no_horizontal_scroll(page)
    page.click("text=本楼栋的住户与十联户")
    # the building head (its form is open while the building has none): the first resident, with their phone
    page.check("#head-resident_id-0")
    page.click("form[action*='/network/head'] button[type=submit]")
    page.wait_for_load_state("load")
    assert "已设置1栋楼栋长" in page.inner_text("body")
    # a ten-household group of four, the second of them the lead
    page.click("text=建立十联户小组")
    page.fill("#group-name", "幸福一联户")
    members = []
    for i in range(4):
        page.check(f"#group-household_ids-{i}")
        members.append(page.locator(f"#group-household_ids-{i}").get_attribute("value"))
    lead = members[1]
    page.select_option("#group-lead_household_id", lead)
    page.click("form[action*='/network/groups'] button[type=submit]")
    page.wait_for_load_state("load")
    assert "已建立十联户小组幸福一联户" in page.inner_text("body") and no_horizontal_scroll(page)

    page.goto(f"/households/{members[0]}")
    section = page.inner_text("section.network")
    assert "幸福一联户" in section and "联户长" in section and "楼栋长" in section and "138********" in section
    assert no_horizontal_scroll(page)

    soon = datetime.now(timezone.utc) + timedelta(minutes=5)
    r = full.call("drills", "POST", "/drills", principal=staff_principal(), json={
        "community_id": "c1", "grid_ids": ["g1"], "title": "十联户疏散演练", "hazard": "accident", "level": "IV",
        "kind": "special", "starts_at": soon.isoformat(), "ends_at": (soon + timedelta(hours=1)).isoformat()})
    assert r.status_code == 201, r.text
    drill_id = r.json()["id"]
    full.wait_for(lambda: full.call("drills", "GET", f"/drills/{drill_id}/grids/g1/roster", params={"by": "group"})
                  .json()["sections"][0]["title"] == "幸福一联户", timeout=60)
    page.goto(f"/drills/{drill_id}/grids/g1/roll")
    page.click("text=按十联户")
    page.wait_for_load_state("load")
    headings = page.locator("h2.section").all_inner_texts()
    assert headings[0].startswith("幸福一联户") and headings[-1].startswith("未编入十联户")
    assert page.locator("li.hh").count() == len(homes) and no_horizontal_scroll(page)
    page.click("text=打印清单")
    page.wait_for_load_state("load")
    assert page.locator("section.handout").count() == 2 and no_horizontal_scroll(page)
