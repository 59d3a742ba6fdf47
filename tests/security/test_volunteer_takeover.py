"""Issue 12 point 5: a public sign-up never takes over a volunteer, and a database read leaks no personal link.

Played through the gateway as an outsider would (no account, a shared sign-up link, a phone or ID number
they know): the answer is the same page as anyone's, the volunteer's record, hours and link stay theirs,
and staff see a pending match they confirm (merged) or reject.
"""
import re
from datetime import date, timedelta

import pytest
from pymongo import MongoClient

from tests.support.data import id_number
from tests.support.stack import sign_in, staff_principal

pytestmark = pytest.mark.integration
PASSWORD = "demo-pass-1"
RECEIVED = "您的报名已收到，将由团队负责人核实后确认"
PERSONAL = re.compile(r'id="personal-link" href="http://[^"]+/v/me/([A-Za-z0-9_-]+)"')


@pytest.fixture
def s(seeded_stack):
    return seeded_stack


def text(r):
    return r.get_data(as_text=True)


def make_link(s, **body):
    r = s.call("volunteers", "POST", "/links", principal=staff_principal(), json={"community_id": "c1", **body})
    assert r.status_code == 201, r.text
    return r.json()


def sign_up(s, token, name, phone, **over):
    """An outsider's sign-up through the public page: (response, its personal token)."""
    c = s.gateway_app.test_client()
    page = text(c.get(f"/v/{token}"))
    form = {"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', page)[1], "name": name, "phone": phone,
            "id_number": "", "skills": ["elderly_care"], "availability": ["sat_morning"], "grid_id": "g1",
            "consent": "y", **over}
    r = c.post(f"/v/{token}", data=form)
    found = PERSONAL.search(text(r))
    return r, found[1] if found else None


def volunteer(s, name):
    """The one volunteer of this name, in any status, as staff read it."""
    rows = [v for status in ("registered", "waitlisted", "left") for v in s.call(
        "volunteers", "GET", "/volunteers", principal=staff_principal(),
        params={"community_id": "c1", "status": status, "q": name}).json()["items"] if v["name"] == name]
    assert len(rows) == 1, rows
    return rows[0]


def hours(s, vid):
    return s.call("volunteers", "GET", f"/volunteers/{vid}/hours", principal=staff_principal()).json()["total_hours"]


def with_hours(s, token, name, phone, amount=2.5):
    """A volunteer signed up, with approved hours: (their personal token, their id)."""
    _, own = sign_up(s, token, name, phone)
    c = s.gateway_app.test_client()
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', text(c.get(f"/v/me/{own}")))[1]
    served = (date.today() - timedelta(days=1)).isoformat()
    assert c.post(f"/v/me/{own}/report", data={"csrf_token": csrf, "served_on": served, "hours": str(amount),
                                               "description": f"{name}探访独居老人"}).status_code == 303
    report = next(r for r in s.call("volunteers", "GET", "/service-reports", principal=staff_principal(),
                                    params={"community_id": "c1"}).json() if r["description"] == f"{name}探访独居老人")
    assert s.call("volunteers", "POST", f"/service-reports/{report['id']}/approve", principal=staff_principal(),
                  json={}).status_code == 200
    return own, report["volunteer_id"]


def staff_client(s):
    c = s.gateway_app.test_client()
    assert sign_in(c, "staff-c1", PASSWORD).status_code == 303
    return c


def shows_nothing_of(body, name, own, amount):
    return name not in body and own not in body and (not amount or f"{amount:g}" not in body) and "已退出" not in body \
        and "已登记" not in body and "候补" not in body


def decide(s, staff, claimed_name, decision):
    page = text(staff.get("/volunteers/c1/claims"))
    assert claimed_name in page, page
    block = page[page.index(claimed_name):]
    action = re.search(rf'action="(/volunteers/claims/[0-9a-f]{{24}}/{decision}[^"]*)"', block)[1].replace("&amp;", "&")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', block)[1]
    r = staff.post(action, data={"csrf_token": csrf, "note": "核实"})
    assert r.status_code == 303, text(r)
    return text(staff.get(r.headers["Location"]))


def test_a_sign_up_with_a_left_volunteers_phone_takes_nothing_and_staff_confirm_the_rejoin(s):
    link = make_link(s)
    own, vid = with_hours(s, link["token"], "李秀英", "13900110001")
    assert s.call("volunteers", "POST", f"/volunteers/{vid}/leave", principal=staff_principal(),
                  json={"reason": "搬家"}).json()["status"] == "left"

    r, claimed = sign_up(s, link["token"], "冒名者甲", "139 0011 0001")
    body = text(r)
    assert r.status_code == 200 and RECEIVED in body and shows_nothing_of(body, "李秀英", own, 2.5)
    assert claimed and claimed != own
    mine = s.gateway_app.test_client()
    old = text(mine.get(f"/v/me/{own}"))  # the old personal link still belongs to the old record
    assert "李秀英" in old and "已退出" in old and "2.5" in old
    assert volunteer(s, "李秀英")["status"] == "left" and hours(s, vid) == 2.5
    theirs = text(mine.get(f"/v/me/{claimed}"))
    assert "待团队负责人核实" in theirs and shows_nothing_of(theirs, "李秀英", own, 2.5)

    staff = staff_client(s)
    after = decide(s, staff, "冒名者甲", "confirm")
    assert "已确认" in after and "冒名者甲" not in after
    v = volunteer(s, "李秀英")
    assert (v["id"], v["status"], v["name"], hours(s, vid)) == (vid, "registered", "李秀英", 2.5)  # rejoined
    assert mine.get(f"/v/me/{own}").status_code == 404  # the link given at sign-up is now the only one
    page = text(mine.get(f"/v/me/{claimed}"))
    assert "李秀英" in page and "2.5" in page


def test_a_sign_up_with_an_active_volunteers_phone_or_id_number_waits_and_staff_may_reject(s):
    link = make_link(s)
    card = id_number(77, "19800101")
    _, own = sign_up(s, link["token"], "王建国", "13900110002", id_number=card)
    vid = volunteer(s, "王建国")["id"]
    for claimed_name, phone, over in (("冒名者乙", "139 0011 0002", {}), ("冒名者丙", "13900110099", {"id_number": card})):
        r, claimed = sign_up(s, link["token"], claimed_name, phone, **over)
        assert r.status_code == 200 and RECEIVED in text(r) and shows_nothing_of(text(r), "王建国", own, 0)
        staff = staff_client(s)
        after = decide(s, staff, claimed_name, "reject")
        assert claimed_name not in after
        v = volunteer(s, "王建国")
        assert (v["id"], v["status"], v["name"]) == (vid, "registered", "王建国")
        c = s.gateway_app.test_client()
        assert "王建国" in text(c.get(f"/v/me/{own}")) and "未获确认" in text(c.get(f"/v/me/{claimed}"))
    assert s.call("volunteers", "GET", "/volunteers", principal=staff_principal(),
                  params={"community_id": "c1", "q": "冒名者"}).json()["total"] == 0


def _page(r):
    """The answer with what differs between any two sign-ups taken out: the personal link and the form token."""
    body = re.sub(r"/v/me/[A-Za-z0-9_-]{20,}", "/v/me/TOKEN", text(r))
    return r.status_code, re.sub(r'(csrf_token|nonce)([^A-Za-z0-9_-]+)[A-Za-z0-9_.=-]{16,}', r"\1\2X", body)


def test_the_public_answer_is_the_same_for_a_match_and_a_non_match(s):
    link = make_link(s, capacity=10)
    sign_up(s, link["token"], "赵敏", "13900110003", id_number=id_number(78, "19850101"))
    places = lambda: s.call("volunteers", "GET", f"/links/{link['id']}", principal=staff_principal()).json()  # noqa
    answers = []
    for phone, card in (("13900110003", ""), ("13900110004", ""), ("13900110005", id_number(78, "19850101")),
                        ("13900110006", id_number(79, "19850101"))):  # match, new, match by ID, new with ID
        before = places()["filled"]
        r, _ = sign_up(s, link["token"], "张三", phone, id_number=card)
        answers.append(_page(r))
        assert places()["filled"] == before + 1  # a match takes a place too: places left tell nothing
    assert answers[0][0] == 200 and RECEIVED in answers[0][1]
    assert all(a == answers[0] for a in answers[1:])


def test_a_dump_of_the_volunteers_database_holds_no_working_personal_link(s):
    link = make_link(s)
    issued = [sign_up(s, link["token"], f"测试{n}", f"1390011{n:04d}")[1] for n in range(10, 13)]
    issued.append(sign_up(s, link["token"], "冒名者丁", "13900110010")[1])  # a claim's link
    vid = volunteer(s, "测试11")["id"]
    staff = staff_client(s)
    page = text(staff.get(f"/volunteers/people/{vid}"))
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
    r = staff.post(f"/volunteers/people/{vid}/personal-link", data={"csrf_token": csrf})
    renewed = re.search(r'id="new-personal-link" href="http://[^"]+/v/me/([A-Za-z0-9_-]+)"', text(r))[1]
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    c = s.gateway_app.test_client()
    assert c.get(f"/v/me/{issued[1]}").status_code == 404 and c.get(f"/v/me/{renewed}").status_code == 200
    issued.append(renewed)
    with MongoClient(s.mongo_url) as client:
        db = client[f"test_{s.run_id}_volunteers"]
        dump = {name: list(db[name].find()) for name in db.list_collection_names()}
    text_dump = repr(dump)
    assert not [t for t in issued if t in text_dump]
    stored = [d["personal_token"] for d in dump["volunteers"]] + \
        [d["token_hash"] for d in dump["signup_claims"] if d.get("token_hash")]
    assert stored and all(re.fullmatch(r"[0-9a-f]{64}", t) for t in stored)
    assert {c.get(f"/v/me/{t}").status_code for t in stored} == {404}
