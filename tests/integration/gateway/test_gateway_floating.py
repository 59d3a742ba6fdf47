"""Issue 15 point 6 on the pages: the household form carries the floating population's fields (户籍地, 居住证号,
有效期, 来本地日期, 预计居住期限) without JS, the household page shows them with the permit number masked, the
service's refusals come back in Chinese on their fields, and "my grid today" and the permits page list the
permits expiring soon and those expired."""
from datetime import timedelta

import pytest

from gateway.seed import seed_demo_users
from shared import clock
from tests.support.data import household
from tests.support.pages import signed_in, text
from tests.support.stack import page_token, register, seed_district, stack

pytestmark = pytest.mark.integration
PASSWORD = "demo-pass-1"
PERMIT = "GZ44010600778899"


def day(offset: int) -> str:
    return (clock.today() + timedelta(days=offset)).isoformat()


@pytest.fixture(scope="module")
def s(mongo_url):
    with stack(mongo_url) as st:
        seed_district(st)
        seed_demo_users(st.gateway_app, password=PASSWORD, grid_ids=["g1", "g3"], community_ids=["c1", "c2"])
        yield st


def rows(residents: list[dict]) -> dict:
    return {f"residents-{i}-{k}": v for i, row in enumerate(residents) for k, v in row.items()}


def floating_form(c, room: str, residency="floating", **head) -> dict:
    person = {"name": "赵流动", "relation": "head", "hukou_place": "湖南省邵阳市", "permit_number": PERMIT,
              "permit_expires_on": day(5), "arrived_on": day(-200), "stay_months": "18", **head}
    return {"csrf_token": page_token(c, "/grids/g1/households/new"), "building": "20栋", "unit": "1单元",
            "room": room, "residency": residency, **rows([person])}


def test_the_form_round_trip_shows_the_permit_masked_and_keeps_it_on_an_edit(s):
    c = signed_in(s, "worker-g1", PASSWORD)
    blank = text(c.get("/grids/g1/households/new"))
    for label in ("流动人口信息", "户籍地", "居住证号", "居住证有效期至", "来本地日期", "预计居住期限（月）"):
        assert label in blank
    assert 'name="residents-0-permit_number"' in blank and "<script" not in blank.split("<main", 1)[-1]

    r = c.post("/grids/g1/households/new", data=floating_form(c, "2001"))
    assert r.status_code == 303, text(r)
    page = text(c.get(r.headers["Location"]))
    assert "湖南省邵阳市" in page and "GZ**************" in page and PERMIT not in page
    assert day(5) in page and day(-200) in page and "18 个月" in page

    hid = r.headers["Location"].rsplit("/", 1)[-1]
    edit = text(c.get(f"/households/{hid}/edit"))
    assert 'placeholder="GZ**************"' in edit and 'value="湖南省邵阳市"' in edit and PERMIT not in edit
    current = s.households_call("GET", f"/households/{hid}").json()
    form = {**floating_form(c, "2001", permit_number="", hukou_place="湖南省衡阳市"),
            "version": str(current["version"]),
            "residents-0-resident_id": current["residents"][0]["resident_id"]}
    r = c.post(f"/households/{hid}/edit", data=form)
    assert r.status_code == 303, text(r)
    full = s.households_call("POST", f"/households/{hid}/reveal", json={"reason": "居住证核对"}).json()
    assert (full["residents"][0]["permit_number"], full["residents"][0]["hukou_place"]) == (PERMIT, "湖南省衡阳市")
    shown = text(c.post(f"/households/{hid}/reveal", data={"csrf_token": page_token(c), "reason": "续签"}))
    assert PERMIT in shown


def test_refusals_come_back_in_chinese_on_their_fields(s):
    c = signed_in(s, "worker-g1", PASSWORD)
    r = c.post("/grids/g1/households/new", data=floating_form(c, "2002", permit_expires_on=day(-300)))
    assert r.status_code == 422 and "居住证有效期不能早于来本地日期。" in text(r)
    r = c.post("/grids/g1/households/new", data=floating_form(c, "2002", permit_number="12-3"))
    assert r.status_code == 422 and "居住证号为 6 至 30 位字母或数字。" in text(r)
    r = c.post("/grids/g1/households/new", data=floating_form(c, "2002", residency="registered"))
    body = text(r)
    assert r.status_code == 422 and "仅流动人口填写" in body
    assert 'class="floating"' in body and "Only for a floating household" not in body
    assert s.households_call("GET", "/households", params={"grid_id": "g1", "q": "2002"}).json()["total"] == 0


def test_today_and_the_permits_page_list_expiring_and_expired_permits(s):
    soon = household("g1", 301)
    soon.update(residency="floating")
    soon["residents"][0].update(name="钱将到期", permit_number="PERMITSOON1", permit_expires_on=day(7))
    gone = household("g1", 302)
    gone.update(residency="floating")
    gone["residents"][0].update(name="孙已过期", permit_number="PERMITGONE2", permit_expires_on=day(-3))
    later = household("g1", 303)
    later.update(residency="floating")
    later["residents"][0].update(name="李还早", permit_number="PERMITLATE3", permit_expires_on=day(90))
    for body in (soon, gone, later):
        register(s, body)

    c = signed_in(s, "worker-g1", PASSWORD)
    today = text(c.get("/grids/g1/today"))
    section = today.split('<section id="permits">', 1)[1].split("</section>", 1)[0]
    assert "居住证即将到期" in section and "钱将到期" in section and "还剩 7 天" in section
    assert "孙已过期" in section and "已过期" in section and "李还早" not in section
    assert section.index("孙已过期") < section.index("钱将到期")            # expired first
    assert "PERMITSOON1" not in today and "PE*********" in section
    assert "居住证即将到期或已过期" in today                                   # the tile at the top

    page = c.get("/grids/g1/permits")
    assert page.status_code == 200
    body = text(page)
    assert "钱将到期" in body and "孙已过期" in body and "李还早" not in body and "PERMITGONE2" not in body
    assert c.get("/grids/g2/permits").status_code in (403, 404)               # not the worker's grid
