"""The gateway's pages against the real households service: forms, errors in the user's language,
reveal, edit, move, community staff pages, admin, and the weight of a page."""
import gzip
import re

import pytest

from gateway.models import User
from gateway.seed import seed_demo_users
from tests.support.data import household, id_number, phone
from tests.support.stack import page_token, register, seed_district, sign_in, stack

pytestmark = pytest.mark.integration
PASSWORD = "demo-pass-1"


@pytest.fixture(scope="module")
def s(mongo_url):
    with stack(mongo_url) as st:
        seed_district(st)
        st.hh = [register(st, household("g1", n, care_tag="left_behind_child" if n % 5 == 0 else None))
                 for n in range(50)]
        seed_demo_users(st.gateway_app, password=PASSWORD, grid_ids=["g1", "g3"], community_ids=["c1", "c2"])
        yield st


def signed_in(s, username, password=PASSWORD):
    c = s.gateway_app.test_client()
    assert sign_in(c, username, password).status_code == 303
    return c


def text(r):
    return r.get_data(as_text=True)


def resident_rows(rows):
    out = {}
    for i, row in enumerate(rows):
        for k, v in row.items():
            out[f"residents-{i}-{k}"] = v
    return out


def test_register_is_searchable_filterable_and_paged(s):
    c = signed_in(s, "worker-g1")
    page = text(c.get("/grids/g1/households"))
    assert "共找到 50 户" in page and page.count('class="row"') == 50
    care = text(c.get("/grids/g1/households?care_tag=left_behind_child"))
    assert "共找到 10 户" in care and "留守儿童" in care
    found = text(c.get("/grids/g1/households?q=居民17"))
    assert "共找到 1 户" in found
    s.gateway_app.config["PAGE_SIZE"] = 20
    try:
        second = text(c.get("/grids/g1/households?page=2"))
        assert "第 2 / 3 页" in second and 'rel="prev"' in second and 'rel="next"' in second
    finally:
        s.gateway_app.config["PAGE_SIZE"] = 50


def test_register_a_household_shows_the_services_reasons_in_chinese(s):
    c = signed_in(s, "worker-g1")
    form = {"csrf_token": page_token(c, "/grids/g1/households/new"), "building": "9栋", "unit": "1单元",
            "room": "901", "residency": "registered",
            **resident_rows([{"name": "王大爷", "relation": "spouse", "id_number": "110105195001010001"},
                             {"name": "", "relation": "other"}])}
    r = c.post("/grids/g1/households/new", data=form)
    body = text(r)
    assert r.status_code == 422
    assert "身份证号校验位不对" in body  # residents.0.id_number, on its field
    assert "必须有且只有一名户主" in body
    form.update(resident_rows([{"name": "王大爷", "relation": "head", "id_number": id_number(901),
                                "phone": phone(901), "care_tags": "elderly_alone"}]))
    r = c.post("/grids/g1/households/new", data=form)
    assert r.status_code == 303, text(r)
    detail = text(c.get(r.headers["Location"]))
    assert "王大爷" in detail and "孤寡/独居老人" in detail and "走访记录" in detail
    assert id_number(901) not in detail  # masked
    again = c.post("/grids/g1/households/new", data=form)
    assert again.status_code == 422 and "本网格中这个地址已有登记的住户" in text(again)


def test_reasons_show_in_english_when_switched(s):
    c = signed_in(s, "worker-g1")
    c.get("/lang/en?next=/")
    form = {"csrf_token": page_token(c, "/grids/g1/households/new"), "building": "9栋", "room": "902",
            "residency": "registered", **resident_rows([{"name": "Li", "relation": "head", "phone": "12345"}])}
    body = text(c.post("/grids/g1/households/new", data=form))
    assert "A mobile number has 11 digits and starts with 1." in body and "Register a household" in body


def test_edit_keeps_id_numbers_left_blank_without_revealing_them(s):
    c = signed_in(s, "worker-g1")
    h = s.hh[3]
    page = text(c.get(f"/households/{h['id']}/edit"))
    assert "留空则保留原号码" in page
    rid = h["residents"][0]["resident_id"]
    form = {"csrf_token": page_token(c), "building": h["address"]["building"], "unit": h["address"]["unit"],
            "room": h["address"]["room"], "residency": "floating", "version": str(h["version"]),
            **resident_rows([{"resident_id": rid, "name": "居民3改", "relation": "head"},
                             {"name": "新成员", "relation": "child"}])}
    r = c.post(f"/households/{h['id']}/edit", data=form)
    assert r.status_code == 303, text(r)
    assert s.households_call("GET", f"/households/{h['id']}/reveals").json() == []  # editing revealed nothing
    full = s.households_call("POST", f"/households/{h['id']}/reveal", json={"reason": "test check"}).json()
    assert full["residency"] == "floating" and [x["name"] for x in full["residents"]] == ["居民3改", "新成员"]
    assert full["residents"][0]["id_number"] == id_number(3) and full["residents"][0]["phone"] == phone(3)
    stale = c.post(f"/households/{h['id']}/edit", data=form)  # the version read is gone now
    assert stale.status_code == 422 and "已有他人修改" in text(stale)


def test_reveal_needs_a_reason_and_is_not_cached(s):
    c = signed_in(s, "worker-g1")
    h = s.hh[4]
    token = page_token(c)
    assert c.post(f"/households/{h['id']}/reveal", data={"csrf_token": token, "reason": ""}).status_code == 422
    r = c.post(f"/households/{h['id']}/reveal", data={"csrf_token": token, "reason": "送达通知"})
    assert r.status_code == 200 and id_number(4) in text(r)
    assert r.headers["Cache-Control"] == "no-store"
    reveals = s.households_call("GET", f"/households/{h['id']}/reveals").json()
    assert reveals[0]["reason"] == "送达通知" and reveals[0]["role"] == "grid_worker"


def test_visit_form_posts_without_javascript_and_a_double_submit_is_stored_once(s):
    c = signed_in(s, "worker-g1")
    h = s.hh[7]
    page = text(c.get(f"/households/{h['id']}/visit"))
    client_id = re.search(r'name="client_id" type="hidden" value="([0-9a-f]+)"', page)[1]
    form = {"csrf_token": page_token(c), "visited_at": "2026-01-05T09:30", "seen": ["居民7"], "notes": "一切正常",
            "client_id": client_id}
    assert c.post(f"/households/{h['id']}/visit", data=form).status_code == 303
    assert c.post(f"/households/{h['id']}/visit", data=form).status_code == 303
    visits = s.households_call("GET", f"/households/{h['id']}/visits").json()
    assert len(visits) == 1 and visits[0]["visited_at"].startswith("2026-01-05T01:30")  # 09:30 in Beijing
    future = {**form, "client_id": "", "visited_at": "2099-01-01T10:00"}
    r = c.post(f"/households/{h['id']}/visit", data=future)
    assert r.status_code == 422 and "不能晚于当前时间" in text(r)


def test_follow_up_shows_today_and_can_be_closed(s):
    c = signed_in(s, "worker-g1")
    h = s.hh[9]
    form = {"csrf_token": page_token(c), "visited_at": "2026-01-06T09:30", "follow_up_needed": "y",
            "follow_up": "联系残联"}
    assert c.post(f"/households/{h['id']}/visit", data=form).status_code == 303
    today = text(c.get("/grids/g1/today"))
    assert "联系残联" in today
    vid = re.search(r'/visits/([0-9a-f]{24})/done', today)[1]
    r = c.post(f"/visits/{vid}/done?next=/grids/g1/today", data={"csrf_token": page_token(c)})
    assert r.status_code == 303 and r.headers["Location"].endswith("/grids/g1/today")
    assert "联系残联" not in text(c.get("/grids/g1/today"))


def test_care_tags_are_added_and_ended_from_the_household_page(s):
    c = signed_in(s, "worker-g1")
    h = s.hh[11]
    rid = h["residents"][0]["resident_id"]
    token = page_token(c)
    r = c.post(f"/households/{h['id']}/residents/{rid}/care", data={"csrf_token": token, "tag": "disability"})
    assert r.status_code == 303
    assert "残疾人" in text(c.get(f"/households/{h['id']}"))
    r = c.post(f"/households/{h['id']}/residents/{rid}/care/disability/clear", data={"csrf_token": token})
    assert r.status_code == 303
    page = text(c.get(f"/households/{h['id']}"))
    assert "已结束关爱类别" in page and '<span class="badge">残疾人</span>' not in page


def test_move_to_another_grid_of_the_community(s):
    c = signed_in(s, "staff-c1")
    h = s.hh[12]
    page = text(c.get(f"/households/{h['id']}/move"))
    assert 'value="g2"' in page and 'value="g3"' not in page  # only grids in scope
    current = s.households_call("GET", f"/households/{h['id']}").json()
    r = c.post(f"/households/{h['id']}/move", data={"csrf_token": page_token(c), "to_grid_id": "g2",
                                                      "version": str(current["version"]), "reason": "整栋划转",
                                                      "submit": "1"})
    assert r.status_code == 303, text(r)
    assert s.households_call("GET", f"/households/{h['id']}").json()["grid_id"] == "g2"
    worker = signed_in(s, "worker-g1")
    assert worker.get(f"/households/{h['id']}").status_code == 404  # it left g1 with its history


def test_community_staff_see_grids_with_band_and_can_redraw(s):
    c = signed_in(s, "staff-c1")
    page = text(c.get("/grids"))
    assert "第g1网格" in page and "第g2网格" in page and "第g3网格" not in page
    assert "不足 400 户" in page and "/grids/g1/redraw" in page and "/grids/g1/import" in page
    r = c.post("/grids/g1/redraw", data={"csrf_token": page_token(c), "to_grid_id": "g9", "reason": "新划网格",
                                         "buildings": ""})
    assert r.status_code == 422 and "请填写要调整的楼栋或住户" in text(r)
    r = c.post("/grids/g1/redraw", data={"csrf_token": page_token(c), "to_grid_id": "g4", "reason": "楼栋划转",
                                         "new_grid_name": "第四网格", "buildings": "2栋"})
    assert r.status_code == 303, text(r)
    assert "户调整到网格 g4" in text(c.get(r.headers["Location"]))
    worker = signed_in(s, "worker-g1")
    assert worker.get("/grids/g1/redraw").status_code == 403


def _upload(c, grid, csv_text, mode, dry_run=False):
    from io import BytesIO

    data = {"csrf_token": page_token(c, f"/grids/{grid}/import"), "mode": mode,
            "file": (BytesIO(csv_text.encode()), "register.csv")}
    if dry_run:
        data["dry_run"] = "y"
    return c.post(f"/grids/{grid}/import", content_type="multipart/form-data", data=data)


def test_import_shows_the_row_by_row_report_and_export_downloads(s):
    from tests.integration.gateway.test_gateway_import_mapping import ended

    c = signed_in(s, "staff-c1")
    assert c.get("/grids/g2/import").status_code == 200
    sheet = ("楼栋,单元,房号,户籍类型,与户主关系,姓名,身份证号\n"
             f"20栋,1单元,101,户籍,户主,张三,{id_number(2001)}\n"
             "20栋,1单元,102,户籍,户主,李四,110105195001010001\n")
    body = text(ended(c, _upload(c, "g2", sheet, "all_or_nothing")))
    assert "未完成" in body and "导入报告" in body
    assert "第 3 行" in body and "身份证号校验位不对" in body and "有问题的行数" in body
    assert "仅检查" in text(ended(c, _upload(c, "g2", sheet, "good_rows_only", dry_run=True)))
    assert "已导入户数" in text(ended(c, _upload(c, "g2", sheet, "good_rows_only")))
    listed = s.households_call("GET", "/households", params={"grid_id": "g2", "q": "张三"}).json()
    assert listed["total"] == 1
    export = c.get("/grids/g2/export?format=csv")
    assert export.status_code == 200 and export.headers["Content-Disposition"].startswith("attachment")
    assert "张三" in export.get_data().decode("utf-8-sig")
    assert c.get("/grids/g2/export?format=pdf").status_code == 404
    full = c.post("/grids/g2/export", data={"csrf_token": page_token(c), "format": "csv", "reason": "核对户籍"})
    assert full.status_code == 200 and id_number(2001) in full.get_data().decode("utf-8-sig")
    assert c.post("/grids/g2/export", data={"csrf_token": page_token(c), "format": "csv"}).status_code == 303
    worker = signed_in(s, "worker-g1")
    assert worker.get("/grids/g3/export?format=csv").status_code == 404  # another grid: nothing
    assert worker.get("/grids/g3/import").status_code == 404  # another grid's import: nothing
    assert worker.get("/grids/g1/import").status_code == 200  # their own grid's sheet they may import
    assert signed_in(s, "operator").get("/grids/g1/import").status_code == 403


def test_an_upload_through_the_api_reaches_the_service_with_its_file(s):
    from io import BytesIO

    from tests.support.broker import wait_until

    c = signed_in(s, "staff-c1")
    token = c.get("/api/me").json["csrf_token"]
    sheet = "楼栋,单元,房号,户籍类型,与户主关系,姓名,身份证号\n" f"30栋,1单元,101,户籍,户主,周五,{id_number(3001)}\n"
    r = c.post("/api/households/grids/g2/import", content_type="multipart/form-data", headers={"X-CSRFToken": token},
               data={"file": (BytesIO(sheet.encode()), "register.csv"), "mode": "all_or_nothing", "dry_run": "true"})
    assert r.status_code == 202 and r.json["dry_run"] is True and r.json["filename"] == "register.csv", r.json
    job = wait_until(lambda: (j := c.get(f"/api/households/imports/{r.json['id']}").json)["outcome"] and j, 60)
    assert job["state"] == "done" and job["outcome"]["body"]["importable"] == 1, job
    form = c.post("/api/households/grids/g2/import", content_type="multipart/form-data",
                  data={"csrf_token": token, "file": (BytesIO(sheet.encode()), "register.csv"), "dry_run": "true"})
    assert form.status_code == 202, form.json  # the token in the form itself is not passed on


def test_import_and_export_pages_handle_a_missing_route(s, mongo_url):
    from flask import Flask, jsonify

    from gateway.app import create_app
    from gateway.config import TestConfig
    from tests.support.stack import serve

    upstream = Flask("old-households")

    @upstream.get("/grids/<gid>")
    def grid(gid):
        return jsonify(id=gid, name="旧网格", community_id="c1", households=0, band="below")

    @upstream.route("/<path:rest>", methods=["GET", "POST"])
    def missing(rest):
        return jsonify(status=404, error="not_found", message="The requested URL was not found on the server."), 404

    with serve(upstream) as url:
        app = create_app(TestConfig(mongo_url=mongo_url, run_id=s.run_id,
                                    households_url=url))
        c = app.test_client()
        sign_in(c, "staff-c1", PASSWORD)
        r = _upload(c, "g1", "楼栋\n", "all_or_nothing")
        assert r.status_code == 404 and "导入功能暂未开放" in text(r)
        r = c.get("/grids/g1/export?format=xlsx")
        assert r.status_code == 404 and "导出功能暂未开放" in text(r)


def test_admin_manages_users_and_scopes(s):
    c = signed_in(s, "admin")
    assert "worker-g1" in text(c.get("/admin/users"))
    form = {"csrf_token": page_token(c, "/admin/users/new"), "username": "wang-g3", "name": "王网格员",
            "role": "grid_worker", "grid_ids": "", "community_ids": "", "password": "a-good-password", "active": "y"}
    r = c.post("/admin/users/new", data=form)
    assert r.status_code == 422 and "网格员至少要负责一个网格" in text(r)
    r = c.post("/admin/users/new", data={**form, "grid_ids": "g3, nosuchgrid"})
    assert r.status_code == 422 and "nosuchgrid" in text(r)
    r = c.post("/admin/users/new", data={**form, "grid_ids": "g3", "password": "short"})
    assert r.status_code == 422 and "至少 8 个字符" in text(r)
    assert c.post("/admin/users/new", data={**form, "grid_ids": "g3"}).status_code == 303
    wang = signed_in(s, "wang-g3", "a-good-password")
    assert wang.get("/grids/g3/households").status_code == 200
    assert wang.get("/grids/g1/households").status_code == 404
    user = User.objects(username="wang-g3").first()
    r = c.post(f"/admin/users/{user.pk}", data={**form, "csrf_token": page_token(c, f"/admin/users/{user.pk}"),
                                                 "grid_ids": "g1", "password": ""})
    assert r.status_code == 303
    assert wang.get("/grids/g1/households").status_code == 200  # scope changes apply at once
    assert wang.get("/grids/g3/households").status_code == 404
    admin = User.objects(username="admin").first()
    r = c.post(f"/admin/users/{admin.pk}", data={"csrf_token": page_token(c), "username": "admin", "name": "系统管理员",
                                                  "role": "operator", "active": "y"})
    assert r.status_code == 422


def test_register_page_weight_is_within_budget(s):
    c = signed_in(s, "worker-g1")
    html = c.get("/grids/g1/households").get_data()
    css = c.get("/static/app.css").get_data()
    js = c.get("/static/app.js").get_data()
    assert len(gzip.compress(html + css)) < 100 * 1024
    assert len(js) < 50 * 1024
    assert c.get("/static/app.css").headers["Cache-Control"].startswith("public, max-age=31536000") or \
        "max-age=31536000" in c.get("/static/app.css").headers["Cache-Control"]
