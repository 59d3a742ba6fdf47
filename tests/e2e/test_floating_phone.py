"""Issue 15 point 6 on the phone at 360 px: a grid worker registers a floating household with its residence permit
(the floating fields appear once 流动人口 is chosen), sees the permit number masked, and finds the permit that
expires soon on "my grid today"."""
import re
from datetime import timedelta

import pytest

from shared import clock
from tests.e2e.conftest import no_horizontal_scroll, sign_in

pytestmark = pytest.mark.e2e
PERMIT = "CD51010700123456"


def test_a_floating_households_permit_is_added_on_the_phone_and_listed_on_today(phone, live):
    expires = (clock.today() + timedelta(days=12)).isoformat()
    arrived = (clock.today() - timedelta(days=90)).isoformat()
    page = phone.new_page()
    sign_in(page, "worker-g1")
    page.goto("/grids/g1/households/new")
    permit = page.locator("#residents-0-permit_number")
    assert not permit.is_visible()                       # 户籍 is chosen: the floating fields stay out of the way
    page.check("input[name=residency][value=floating]")
    assert permit.is_visible() and "流动人口信息" in page.inner_text("form")
    page.fill("#building", "30栋")
    page.fill("#room", "1201")
    page.fill("#residents-0-name", "冯新来")
    page.fill("#residents-0-hukou_place", "四川省成都市")
    permit.fill(PERMIT)
    page.fill("#residents-0-permit_expires_on", expires)
    page.fill("#residents-0-arrived_on", arrived)
    page.fill("#residents-0-stay_months", "24")
    assert no_horizontal_scroll(page)
    page.click("form.card button[type=submit] >> nth=-1")
    page.wait_for_url(re.compile(r"/households/[0-9a-f]{24}$"))
    member = page.inner_text(".member")
    assert "四川省成都市" in member and "CD**************" in member and PERMIT not in page.content()
    assert expires in member and "24 个月" in member
    assert no_horizontal_scroll(page)

    page.goto("/grids/g1/today")
    section = page.locator("#permits")
    assert "冯新来" in section.inner_text() and "还剩 12 天" in section.inner_text()
    assert no_horizontal_scroll(page)
    section.locator("a.row", has_text="冯新来").click()
    page.wait_for_url(re.compile(r"/households/[0-9a-f]{24}$"))
    assert "冯新来" in page.inner_text("h1 ~ ul.list")
