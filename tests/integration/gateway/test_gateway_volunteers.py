"""The volunteers pages of the gateway against the real services (each a process, events over the broker):
the public sign-up link, the volunteer's own page, certificate checks, rate limits, and the staff pages."""
import re
from datetime import date, datetime, timedelta, timezone

import pytest
from pymongo import MongoClient

from tests.support.pages import signed_in, text
from tests.support.stack import page_token, staff_principal

pytestmark = pytest.mark.integration
PASSWORD = "demo-pass-1"


@pytest.fixture
def s(seeded_stack):
    return seeded_stack


def make_link(s, **body):
    r = s.call("volunteers", "POST", "/links", principal=staff_principal(), json={"community_id": "c1", **body})
    assert r.status_code == 201, r.text
    return r.json()


def signup_form(c, token, n, **over):
    page = c.get(f"/v/{token}")
    assert page.status_code == 200, text(page)
    form = {"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', text(page))[1], "name": f"志愿者{n}",
            "phone": f"139 {n:04d} {n:04d}", "id_number": "", "skills": ["elderly_care", "first_aid"],
            "availability": ["sat_morning", "sun_afternoon"], "grid_id": "g1", "consent": "y"}
    form.update(over)
    return form


def test_sign_up_through_a_public_link_and_a_repeat_waits_for_staff(s):
    link = make_link(s, title="重阳节助老志愿者招募")
    c = s.gateway_app.test_client()
    page = text(c.get(f"/v/{link['token']}"))
    assert "志愿者报名" in page and "幸福社区" in page and "重阳节助老志愿者招募" in page
    assert "第g1网格" in page and "我同意" in page and "周六" in page and "急救" in page
    r = c.post(f"/v/{link['token']}", data=signup_form(c, link["token"], 1))
    body = text(r)
    assert r.status_code == 200 and "您的报名已收到，将由团队负责人核实后确认" in body, body
    personal = re.search(r'id="personal-link" href="(http://[^"]+/v/me/([A-Za-z0-9_-]+))"', body)
    assert personal and r.headers["Cache-Control"] == "no-store"
    again = c.post(f"/v/{link['token']}", data=signup_form(c, link["token"], 1, name="志愿者1"))
    assert again.status_code == 200 and "您的报名已收到，将由团队负责人核实后确认" in text(again)
    assert personal[2] not in text(again)  # someone else's personal link is never shown
    listed = s.call("volunteers", "GET", "/volunteers", principal=staff_principal(),
                    params={"community_id": "c1", "link_id": link["id"]}).json()
    assert listed["total"] == 1 and listed["items"][0]["skills"] == ["elderly_care", "first_aid"]
    own = c.get(f"/v/me/{personal[2]}")
    assert own.status_code == 200 and "我的志愿服务" in text(own) and "志愿者1" in text(own)
    english = s.gateway_app.test_client()
    english.get(f"/lang/en?next=/v/{link['token']}")
    page = text(english.get(f"/v/{link['token']}"))
    assert "Volunteer sign-up" in page and "Elderly care" in page and "Sat" in page and 'lang="en"' in page


def test_bad_input_shows_each_field_and_its_reason_in_chinese(s):
    link = make_link(s)
    c = s.gateway_app.test_client()
    r = c.post(f"/v/{link['token']}", data=signup_form(c, link["token"], 2, name="", phone="12345", consent=""))
    body = text(r)
    assert r.status_code == 422
    assert body.count('class="err"') >= 3 and "必填" in body and "手机号码为 11 位数字" in body
    assert "请同意使用您的信息" in body
    r = c.post(f"/v/{link['token']}", data=signup_form(c, link["token"], 2, id_number="110105199001011234"))
    assert r.status_code == 422 and "身份证号校验位不对" in text(r)  # the service's reason, on its field
    r = c.post(f"/v/{link['token']}", data=signup_form(c, link["token"], 2, grid_id="g3"))
    assert r.status_code == 422 and "不是本社区的网格" in text(r)


def test_full_expired_closed_and_unknown_links_say_so(s):
    full = make_link(s, capacity=1)
    c = s.gateway_app.test_client()
    assert c.post(f"/v/{full['token']}", data=signup_form(c, full["token"], 3)).status_code == 200
    page = text(c.get(f"/v/{full['token']}"))
    assert "名额已满" in page and "候补名单" in page
    r = c.post(f"/v/{full['token']}", data=signup_form(c, full["token"], 4))
    own = re.search(r'id="personal-link" href="http://[^"]+(/v/me/[A-Za-z0-9_-]+)"', text(r))[1]
    assert r.status_code == 200 and "候补第 1 位" in text(c.get(own))  # where they stand: on their own page
    closed = make_link(s)
    form = signup_form(c, closed["token"], 5)
    assert s.call("volunteers", "POST", f"/links/{closed['id']}/close", principal=staff_principal()).status_code == 200
    r = c.post(f"/v/{closed['token']}", data=form)
    assert r.status_code == 410 and "此报名链接已关闭" in text(r) and "<form method=\"post\" class=\"card\"" not in text(r)
    expired = make_link(s)
    form = signup_form(c, expired["token"], 6)
    with MongoClient(s.mongo_url) as client:
        client[f"test_{s.run_id}_volunteers"].signup_links.update_one(
            {"token": expired["token"]}, {"$set": {"expires_at": datetime.now(timezone.utc) - timedelta(days=1)}})
    assert "此报名链接已于" in text(c.get(f"/v/{expired['token']}"))
    r = c.post(f"/v/{expired['token']}", data=form)
    assert r.status_code == 410 and "过期，请向社区索取新的链接" in text(r)
    unknown = c.get("/v/" + "x" * 43)
    assert unknown.status_code == 404 and "报名链接不存在" in text(unknown)
    assert c.get("/v/short").status_code == 404


def test_own_page_reports_service_and_downloads_the_certificate_and_it_verifies(s):
    link = make_link(s)
    c = s.gateway_app.test_client()
    done = text(c.post(f"/v/{link['token']}", data=signup_form(c, link["token"], 7)))
    token = re.search(r"/v/me/([A-Za-z0-9_-]{20,})", done)[1]
    page = text(c.get(f"/v/me/{token}"))
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
    bad = c.post(f"/v/me/{token}/report", data={"csrf_token": csrf, "served_on": date.today().isoformat(),
                                                "hours": "abc", "description": ""})
    assert bad.status_code == 422 and "请用数字填写小时数" in text(bad) and "必填" in text(bad)
    served = (date.today() - timedelta(days=1)).isoformat()
    r = c.post(f"/v/me/{token}/report", data={"csrf_token": csrf, "served_on": served, "hours": "2.5",
                                              "description": "陪同独居老人就医"})
    assert r.status_code == 303
    page = text(c.get(f"/v/me/{token}"))
    assert "陪同独居老人就医" in page and "等待审核" in page
    reports = s.call("volunteers", "GET", "/service-reports", principal=staff_principal(),
                     params={"community_id": "c1"}).json()
    report = next(x for x in reports if x["description"] == "陪同独居老人就医")
    assert s.call("volunteers", "POST", f"/service-reports/{report['id']}/approve", principal=staff_principal(),
                  json={}).status_code == 200
    cert = s.call("volunteers", "POST", "/certificates", principal=staff_principal(),
                  json={"volunteer_id": report["volunteer_id"], "period_from": served, "period_to": served}).json()
    page = text(c.get(f"/v/me/{token}"))
    assert "2.5" in page and cert["serial"] in page
    pdf = c.get(f"/v/me/{token}/certificates/{cert['serial']}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    ok = c.get(f"/v/cert/{cert['serial']}")
    assert ok.status_code == 200 and "真实有效" in text(ok) and "志*" in text(ok)
    tampered = cert["serial"][:-1] + ("A" if cert["serial"][-1] != "A" else "B")
    bad = c.get(f"/v/cert/{tampered}")
    assert bad.status_code == 404 and "查无此证书" in text(bad)
    assert c.get("/v/cert?serial=" + cert["serial"]).status_code == 303
    assert c.get("/v/me/" + "y" * 43).status_code == 404


def test_public_pages_are_rate_limited_per_address_and_per_link(s):
    from gateway.app import create_app
    from gateway.config import TestConfig

    app = create_app(TestConfig(mongo_url=s.mongo_url, run_id=s.run_id,
                                households_url=s.urls["households"], service_urls=s.urls,
                                PUBLIC_READ_LIMIT_IP="20 per minute", PUBLIC_READ_LIMIT_TOKEN="50 per minute",
                                PUBLIC_WRITE_LIMIT_IP="5 per minute", PUBLIC_WRITE_LIMIT_TOKEN="8 per minute"))
    link, busy, other = make_link(s), make_link(s), make_link(s)
    c = app.test_client()
    codes = [c.get(f"/v/{link['token']}").status_code for _ in range(100)]
    assert codes.count(200) == 20 and codes.count(429) == 80  # 100 rapid requests from one address
    assert "请求过于频繁" in text(c.get(f"/v/{other['token']}"))  # the address's budget is for all links
    fresh = app.test_client()  # many addresses on one link: the link's own budget (50) holds
    codes = [fresh.get(f"/v/{busy['token']}", environ_base={"REMOTE_ADDR": f"10.0.{n // 200}.{n % 200}"}).status_code
             for n in range(60)]
    assert codes.count(200) == 50 and codes.count(429) == 10
    assert fresh.get(f"/v/{other['token']}", environ_base={"REMOTE_ADDR": "10.9.9.9"}).status_code == 200
    posts = app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', text(posts.get(
        f"/v/{other['token']}", environ_base={"REMOTE_ADDR": "10.8.8.8"})))[1]
    codes = [posts.post(f"/v/{other['token']}", data={"csrf_token": token, "name": ""},
                        environ_base={"REMOTE_ADDR": "10.8.8.8"}).status_code for _ in range(10)]
    assert codes.count(422) == 5 and codes.count(429) == 5


def sign_up_person(s, token, n):
    c = s.gateway_app.test_client()
    r = c.post(f"/v/{token}", data=signup_form(c, token, n))
    assert r.status_code == 200, text(r)
    return re.search(r"/v/me/([A-Za-z0-9_-]{20,})", text(r))[1]


def test_staff_make_links_with_qr_codes_and_see_the_figures(s):
    staff = signed_in(s, "staff-c1")
    r = staff.get("/volunteers")
    assert r.status_code == 302 and r.headers["Location"].endswith("/volunteers/c1")
    figures = text(staff.get("/volunteers/c1"))
    assert "注册志愿者" in figures and "志愿服务队伍" in figures and "/ 5" in figures and "近 90 天活跃" in figures
    bad = staff.post("/volunteers/c1/links", data={"csrf_token": page_token(staff), "valid_days": "abc"})
    assert bad.status_code == 422 and "请填写整数" in text(bad)
    too_long = staff.post("/volunteers/c1/links", data={"csrf_token": page_token(staff), "valid_days": "999"})
    assert too_long.status_code == 422 and "请填写 1 到 366 之间的数" in text(too_long)
    r = staff.post("/volunteers/c1/links", data={"csrf_token": page_token(staff), "title": "敬老院探访",
                                                 "valid_days": "7", "capacity": "2"})
    assert r.status_code == 303
    page = text(staff.get(r.headers["Location"]))
    token = re.search(r"http://[^\"<]+/v/([A-Za-z0-9_-]{20,})", page)[1]
    link_id = re.search(r"/volunteers/links/([0-9a-f]{24})/qr\.svg", page)[1]
    svg = staff.get(f"/volunteers/links/{link_id}/qr.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml" and b"<svg" in svg.data
    png = staff.get(f"/volunteers/links/{link_id}/qr.png?download=1")
    assert png.data.startswith(b"\x89PNG") and png.headers["Content-Disposition"].startswith("attachment")
    assert "敬老院探访" in text(staff.get("/volunteers/c1/links"))
    assert staff.post(f"/volunteers/links/{link_id}/capacity", data={"csrf_token": page_token(staff),
                                                                     "capacity": "5"}).status_code == 303
    assert staff.post(f"/volunteers/links/{link_id}/close", data={"csrf_token": page_token(staff)}).status_code == 303
    assert "已关闭" in text(staff.get(f"/volunteers/links/{link_id}"))
    assert "此报名链接已关闭" in text(s.gateway_app.test_client().get(f"/v/{token}"))
    listed = staff.get("/api/volunteers/links?community_id=c1")
    assert listed.status_code == 200 and any(x["id"] == link_id for x in listed.json)
    assert staff.get(f"/api/volunteers/public/links/{token}").status_code == 404  # public routes: only /v/...
    other = signed_in(s, "staff-c2")
    assert other.get("/volunteers/c1").status_code == 404
    assert other.get(f"/volunteers/links/{link_id}").status_code == 404
    assert "不在您的负责范围内" in text(other.get(f"/volunteers/links/{link_id}"))
    assert signed_in(s, "worker-g1").get("/volunteers/c1/links").status_code == 403


def test_teams_needs_approvals_and_certificates(s):
    staff, leader = signed_in(s, "staff-c1"), signed_in(s, "leader")
    link = make_link(s)
    token = sign_up_person(s, link["token"], 40)
    r = staff.post("/volunteers/c1/teams", data={"csrf_token": page_token(staff), "name": "", "description": ""})
    assert r.status_code == 422 and "必填" in text(r)
    leader_id = re.search(r'name="leader_ids" type="checkbox" value="([0-9a-f]{24})"', text(r))[1]
    r = staff.post("/volunteers/c1/teams", data={"csrf_token": page_token(staff), "name": "助老服务队",
                                                 "leader_ids": [leader_id]})
    assert r.status_code == 303
    team_id = r.headers["Location"].rsplit("/", 1)[1]
    page = text(staff.get(f"/volunteers/teams/{team_id}"))
    volunteer_id = re.search(r'<option value="([0-9a-f]{24})">志愿者40', page)[1]
    assert staff.post(f"/volunteers/teams/{team_id}/members", data={"csrf_token": page_token(staff),
                                                                    "volunteer_id": volunteer_id}).status_code == 303
    assert "志愿者40" in text(leader.get(f"/volunteers/teams/{team_id}"))
    assert "助老服务队" in text(leader.get("/volunteers"))  # the leader's own teams
    bad = staff.post("/volunteers/c1/needs", data={"csrf_token": page_token(staff), "title": "",
                                                   "starts_at": "", "people_wanted": "1"})
    assert bad.status_code == 422 and text(bad).count('class="err"') >= 2
    r = staff.post("/volunteers/c1/needs", data={"csrf_token": page_token(staff), "title": "陪老人买菜",
                                                 "starts_at": "2030-06-01T09:00", "people_wanted": "1",
                                                 "skills": ["elderly_care"], "grid_id": "g1", "team_ids": [team_id]})
    assert r.status_code == 303
    need_id = r.headers["Location"].rsplit("/", 1)[1]
    page = text(staff.get(f"/volunteers/needs/{need_id}"))
    assert "匹配的志愿者" in page and "志愿者40" in page
    assert leader.post(f"/volunteers/needs/{need_id}/assignments", data={"csrf_token": page_token(leader),
                                                                         "volunteer_ids": [volunteer_id]}).status_code == 303
    served = (date.today() - timedelta(days=2)).isoformat()
    r = leader.post(f"/volunteers/needs/{need_id}/assignments/{volunteer_id}/complete",
                    data={"csrf_token": page_token(leader), "hours": "3", "served_on": served})
    assert r.status_code == 303 and "服务时长已记录" in text(leader.get(r.headers["Location"]))
    # a reported service waits for approval; rejecting needs a reason
    c = s.gateway_app.test_client()
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', text(c.get(f"/v/me/{token}")))[1]
    c.post(f"/v/me/{token}/report", data={"csrf_token": csrf, "served_on": served, "hours": "1.5",
                                          "description": "清理楼道小广告"})
    page = text(staff.get("/volunteers/c1/reports"))
    report_id = re.search(r"/volunteers/reports/([0-9a-f]{24})/approve", page)[1]
    r = staff.post(f"/volunteers/reports/{report_id}/reject?next=/volunteers/c1/reports",
                   data={"csrf_token": page_token(staff), "note": ""})
    assert r.status_code == 303 and "请说明不通过的原因" in text(staff.get(r.headers["Location"]))
    assert staff.post(f"/volunteers/reports/{report_id}/approve?next=/volunteers/c1/reports",
                      data={"csrf_token": page_token(staff)}).status_code == 303
    assert "清理楼道小广告" in text(staff.get("/volunteers/c1/reports?status=approved"))
    person = text(staff.get(f"/volunteers/people/{volunteer_id}"))
    assert "4.5" in person and "陪老人买菜" in person
    r = staff.post("/volunteers/c1/certificates", data={"csrf_token": page_token(staff), "volunteer_id": volunteer_id,
                                                        "period_from": "2001-01-01", "period_to": "2001-12-31"})
    assert r.status_code == 422 and "该期间没有服务时长记录" in text(r)
    r = staff.post("/volunteers/c1/certificates", data={"csrf_token": page_token(staff), "volunteer_id": volunteer_id,
                                                        "period_from": served, "period_to": date.today().isoformat()})
    assert r.status_code == 303
    page = text(staff.get("/volunteers/c1/certificates"))
    cert_id = re.search(r"/volunteers/certificates/([0-9a-f]{24})\.pdf", page)[1]
    pdf = staff.get(f"/volunteers/certificates/{cert_id}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert "4.5" in page and "VS" in page


def test_staff_reveal_edit_correct_revoke_and_name(s):
    staff = signed_in(s, "staff-c1")
    link = make_link(s)
    sign_up_person(s, link["token"], 60)
    listed = s.call("volunteers", "GET", "/volunteers", principal=staff_principal(),
                    params={"community_id": "c1", "link_id": link["id"]}).json()["items"][0]
    vid = listed["id"]
    page = text(staff.get(f"/volunteers/people/{vid}"))
    assert "1390060" not in page  # masked
    bad = staff.post(f"/volunteers/people/{vid}/reveal", data={"csrf_token": page_token(staff), "reveal-reason": ""})
    assert bad.status_code == 422 and "必填" in text(bad)
    shown = staff.post(f"/volunteers/people/{vid}/reveal", data={"csrf_token": page_token(staff),
                                                                 "reveal-reason": "联系参加活动"})
    assert shown.status_code == 200 and "13900600060" in text(shown) and shown.headers["Cache-Control"] == "no-store"
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page)[1]
    r = staff.post(f"/volunteers/people/{vid}/edit", data={"csrf_token": page_token(staff), "version": version,
                                                            "grid_id": "g2", "skills": ["driving"],
                                                            "availability": ["sun_evening"]})
    assert r.status_code == 303
    stale = staff.post(f"/volunteers/people/{vid}/edit", data={"csrf_token": page_token(staff), "version": version,
                                                                "grid_id": "g1"})
    assert stale.status_code == 422 and "已有他人修改" in text(stale)
    served = (date.today() - timedelta(days=1)).isoformat()
    # hours from a need, then corrected
    need = s.call("volunteers", "POST", "/needs", principal=staff_principal(), json={
        "community_id": "c1", "title": "送餐", "starts_at": "2030-01-01T09:00:00+08:00", "people_wanted": 1}).json()
    s.call("volunteers", "POST", f"/needs/{need['id']}/assignments", principal=staff_principal(),
           json={"volunteer_ids": [vid]})
    s.call("volunteers", "POST", f"/needs/{need['id']}/assignments/{vid}/complete", principal=staff_principal(),
           json={"hours": 2, "served_on": served})
    page = text(staff.get(f"/volunteers/people/{vid}"))
    entry = re.search(r"/volunteers/hours/([0-9a-f]{24})/correct", page)[1]
    r = staff.post(f"/volunteers/hours/{entry}/correct?next=/volunteers/people/{vid}",
                   data={"csrf_token": page_token(staff), "hours": "3", "reason": "少记一小时"})
    assert r.status_code == 303 and "原记录保留不变" in text(staff.get(r.headers["Location"]))
    assert s.call("volunteers", "GET", f"/volunteers/{vid}/hours").json()["total_hours"] == 3
    cert = s.call("volunteers", "POST", "/certificates", principal=staff_principal(),
                  json={"volunteer_id": vid, "period_from": served, "period_to": served}).json()
    r = staff.post(f"/volunteers/certificates/{cert['id']}/revoke?next=/volunteers/people/{vid}",
                   data={"csrf_token": page_token(staff), "reason": "重复出具"})
    assert r.status_code == 303
    assert "撤销" in text(s.gateway_app.test_client().get(f"/v/cert/{cert['serial']}"))
    assert staff.post(f"/volunteers/people/{vid}/leave", data={"csrf_token": page_token(staff),
                                                                "leave-reason": "搬离"}).status_code == 303
    assert "已退出" in text(staff.get(f"/volunteers/people/{vid}"))
    assert staff.post("/volunteers/c1/name", data={"csrf_token": page_token(staff), "name": "幸福里社区"}).status_code == 303
    assert "幸福里社区" in text(s.gateway_app.test_client().get(f"/v/{make_link(s)['token']}"))
    s.call("volunteers", "PUT", "/communities/c1", json={"name": "幸福社区"})
