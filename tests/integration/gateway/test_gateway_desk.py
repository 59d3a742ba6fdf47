"""The service desk's pages (服务台) against the real services: a request's whole life in pages (registered at the
desk with its receipt and feedback QR → dispatched to a grid worker → handled → sent back by the reporter →
handled again → verified by community staff → the survey answered on the resident's feedback page → archived), an
incident's (dispatched to a department, staff record its answer with a photo, verified), the service's refusals
on their fields in Chinese, the photo proxy's scope and headers, and a feedback page with nothing personal."""
import json
import re
from io import BytesIO

import pytest

from tests.support.broker import wait_until
from tests.support.pages import signed_in, text
from tests.support.photos import jpeg
from tests.support.stack import page_token

pytestmark = pytest.mark.integration


def user(s, username):
    from gateway.models import User

    with s.gateway_app.app_context():
        return User.objects(username=username).first()


def request_form(c, **over):
    form = {"csrf_token": page_token(c, "/desk/requests/new"), "channel": "walk_in", "category": "subsistence",
            "urgency": "normal", "description": "独居老人低保年审材料不会填写，需要代办", "place": "grid:g1", "q": ""}
    form.update(over)
    return form


def register_request(c, **over) -> tuple[str, str]:
    """Register a request through the desk's page; returns (case id, the feedback link's token)."""
    r = c.post("/desk/requests/new", data=request_form(c, action="register", **over))
    assert r.status_code == 303, text(r)
    r = c.get(r.headers["Location"])
    page = text(r)
    assert r.status_code == 200, page
    assert r.headers["Cache-Control"] == "no-store"
    case_id = re.search(r'href="/cases/([0-9a-f]{24})"', page)[1]
    token = re.search(r'id="feedback-link">https?://[^<]+/case/([A-Za-z0-9_-]+)<', page)[1]
    return case_id, token


def stored(s, case_id):
    return s.call("mediation", "GET", f"/cases/{case_id}").json()


def form_action_present(page, case_id, step):
    return f'action="/cases/{case_id}/{step}"' in page


def test_a_request_from_the_desk_to_the_archive(s):
    reporter, staff = signed_in(s, "worker-g1"), signed_in(s, "staff-c1")
    handler = signed_in(s, "worker-g2")
    new = text(reporter.get("/desk/requests/new"))
    assert "登记求助办事" in new and "需要志愿者帮助" in new and "查找台账" in new
    found = text(reporter.post("/desk/requests/new", data=request_form(reporter, action="search", q="居民3")))
    hid = re.search(r'name="action" value="applicant:([0-9a-f]{24})"', found)[1]
    label = re.search(rf'name="label:{hid}" value="([^"]+)"', found)[1]
    picked = text(reporter.post("/desk/requests/new", data=request_form(
        reporter, action=f"applicant:{hid}", **{f"label:{hid}": label})))
    assert "来自台账" in picked and f'value="{hid}"' in picked
    r = reporter.post("/desk/requests/new", data=request_form(reporter, action="register", applicant_household=hid,
                                                              applicant_label=label))
    assert r.status_code == 303 and re.search(r"/cases/[0-9a-f]{24}/receipt$", r.headers["Location"])
    r = reporter.get(r.headers["Location"])
    receipt = text(r)
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    number = re.search(r'id="case-number">([^<]+)<', receipt)[1]
    assert re.match(r"^\d{4}-QZ-\d{4}$", number)
    assert 'id="feedback-qr" src="data:image/svg+xml;base64,' in receipt and "一次告知" in receipt
    case_id = re.search(r'href="/cases/([0-9a-f]{24})"', receipt)[1]
    token = re.search(r'id="feedback-link">https?://[^<]+/case/([A-Za-z0-9_-]+)<', receipt)[1]
    # shown once: reloading the receipt shows no link (and registers nothing again)
    again = text(reporter.get(f"/cases/{case_id}/receipt"))
    assert number in again and 'id="feedback-qr"' not in again and token not in again
    assert "为居民生成新的反馈链接" not in again  # renewing the link is for community staff
    assert stored(s, case_id)["first_contact"]["user_id"] == str(user(s, "worker-g1").pk)

    # the desk lists it under its kind, and not under another
    assert number in text(staff.get("/desk")) and number in text(staff.get("/desk?kind=request"))
    assert number not in text(staff.get("/desk?kind=incident"))
    assert "矛盾纠纷" in text(staff.get("/desk")) and "事件上报" in text(staff.get("/desk"))

    # staff dispatch it to the other grid's worker; the reporter may not dispatch
    page = text(staff.get(f"/cases/{case_id}"))
    assert "分拨" in page and form_action_present(page, case_id, "dispatch")
    worker_g2 = str(user(s, "worker-g2").pk)
    assert f'value="{worker_g2}"' in page
    assert not form_action_present(text(reporter.get(f"/cases/{case_id}")), case_id, "dispatch")
    outsider = str(user(s, "worker-g3").pk)  # another community's worker is not offered, and not taken
    assert f'value="{outsider}"' not in page
    r = staff.post(f"/cases/{case_id}/dispatch", data={"csrf_token": page_token(staff), "dispatch-target": "person",
                                                       "dispatch-user_id": outsider})
    assert r.status_code == 422 and 'id="f-dispatch" open' in text(r)
    assert stored(s, case_id)["status"] == "registered"
    r = staff.post(f"/cases/{case_id}/dispatch", data={"csrf_token": page_token(staff), "dispatch-target": "person",
                                                       "dispatch-user_id": worker_g2, "dispatch-note": "请上门了解"})
    assert r.status_code == 303, text(r)
    assert stored(s, case_id)["status"] == "dispatched" and stored(s, case_id)["handler_id"] == worker_g2
    assert number in text(handler.get("/desk?mine=handler"))

    # the handler records the handling; the reporter sends it back with a reason; handled again
    page = text(handler.get(f"/cases/{case_id}"))
    assert form_action_present(page, case_id, "handle") and "已分拨" in page
    r = handler.post(f"/cases/{case_id}/handle", data={"csrf_token": page_token(handler),
                                                       "handle-handling": "已上门指导填写年审表"})
    assert r.status_code == 303, text(r)
    assert number in text(reporter.get("/desk?mine=verify"))
    bad = reporter.post(f"/cases/{case_id}/verify", data={"csrf_token": page_token(reporter), "verify-passed": "no"})
    assert bad.status_code == 422 and 'id="f-verify" open' in text(bad)
    r = reporter.post(f"/cases/{case_id}/verify", data={"csrf_token": page_token(reporter), "verify-passed": "no",
                                                        "verify-note": "材料还缺户口本复印件"})
    assert r.status_code == 303
    after = stored(s, case_id)
    assert after["status"] == "dispatched" and [d["state"] for d in after["dispatches"]] == ["sent_back", "open"]
    page = text(handler.get(f"/cases/{case_id}"))
    assert "材料还缺户口本复印件" in page and "第 2 轮" in page
    r = handler.post(f"/cases/{case_id}/handle", data={"csrf_token": page_token(handler),
                                                       "handle-handling": "已补齐材料并代为提交街道"})
    assert r.status_code == 303

    # community staff verify: closed, and the closing page carries the survey's QR code
    closed = staff.post(f"/cases/{case_id}/verify", data={"csrf_token": page_token(staff), "verify-passed": "yes"})
    body = text(closed)
    assert closed.status_code == 200 and closed.headers["Cache-Control"] == "no-store"
    assert 'id="survey-qr"' in body and "已办结" in body
    assert stored(s, case_id)["status"] == "closed"
    survey_token = re.search(r'name="token" value="([A-Za-z0-9_-]+)"', body)[1]
    pdf = staff.post(f"/cases/{case_id}/closing-notice.pdf", data={"csrf_token": page_token(staff),
                                                                  "token": survey_token})
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")

    # the resident's feedback page: progress with dates, the outcome, the survey; nothing personal
    resident = s.gateway_app.test_client()
    r = resident.get(f"/case/{token}")
    view = text(r)
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    assert number in view and "办理进度" in view and "已分拨" in view and "退回重办" in view
    assert "已补齐材料并代为提交街道" in view and "非常满意" in view
    assert "居民3" not in view and "13800000003" not in view and "网格员" not in view
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', view)[1]
    assert resident.post(f"/case/{token}", data={"csrf_token": csrf}).status_code == 422
    thanks = resident.post(f"/case/{token}", data={"csrf_token": csrf, "rating": "5", "comment": "办得很快"})
    assert thanks.status_code == 200 and "谢谢" in text(thanks)
    assert "已经填写过" in text(resident.get(f"/case/{token}"))
    assert staff.post(f"/case/{token}", data={"csrf_token": page_token(staff), "rating": "1"}).status_code == 403
    missing = resident.get("/case/" + "z" * 43)
    assert missing.status_code == 404 and "没有找到该事项" in text(missing)

    # archived by staff; the timeline tells every step
    assert staff.post(f"/cases/{case_id}/archive", data={"csrf_token": page_token(staff)}).status_code == 303
    page = text(staff.get(f"/cases/{case_id}"))
    assert "归档号" in page and stored(s, case_id)["status"] == "archived"
    for step in ("已分拨", "已处置", "退回重办", "核查通过"):
        assert step in page, step


def test_an_incident_to_a_department_with_photos_and_the_proxy_scope(s):
    reporter = user(s, "worker-g1")
    data = {"grid_id": "g1", "category": "public_facility", "description": "3栋楼道灯不亮",
            "place": {"building": "3栋", "text": "二楼楼道"}, "attach_location": False}
    r = s.call("mediation", "POST", "/incidents", principal=reporter.principal(),
               data={"data": json.dumps(data, ensure_ascii=False)},
               files=[("photos", ("lamp.jpg", jpeg(), "image/jpeg"))])
    assert r.status_code == 201, r.text
    case = r.json()["case"]
    case_id, photo_id = case["id"], case["photos"][0]["photo_id"]
    worker, staff, other = signed_in(s, "worker-g1"), signed_in(s, "staff-c1"), signed_in(s, "worker-g2")

    page = text(worker.get(f"/cases/{case_id}"))
    assert "3栋" in page and "二楼楼道" in page and f"/cases/{case_id}/photos/{photo_id}" in page
    shown = worker.get(f"/cases/{case_id}/photos/{photo_id}")
    assert shown.status_code == 200 and shown.data[:3] == b"\xff\xd8\xff"
    assert shown.headers["Content-Type"] == "image/jpeg"
    assert shown.headers["Cache-Control"] == "private, no-store"
    assert shown.headers["X-Content-Type-Options"] == "nosniff"
    assert other.get(f"/cases/{case_id}/photos/{photo_id}").status_code == 404  # another grid's worker
    assert other.get(f"/cases/{case_id}").status_code == 404
    assert worker.get(f"/cases/{case_id}/photos/{'0' * 24}").status_code == 404
    assert s.gateway_app.test_client().get(f"/cases/{case_id}/photos/{photo_id}").status_code in (302, 303, 401)

    # staff dispatch to the property company; a due date after the case's is refused on its field in Chinese
    page = text(staff.get(f"/cases/{case_id}"))
    assert "物业服务企业" in page
    bad = staff.post(f"/cases/{case_id}/dispatch", data={"csrf_token": page_token(staff),
                                                         "dispatch-target": "department",
                                                         "dispatch-department": "property",
                                                         "dispatch-due_on": "2099-01-01"})
    body = text(bad)
    assert bad.status_code == 422 and 'id="f-dispatch" open' in body
    due_field = body[body.index('for="dispatch-due_on"'):]
    assert '<p class="err">' in due_field[:800] and re.search(r"[\u4e00-\u9fff]", due_field[:800])
    bad = staff.post(f"/cases/{case_id}/dispatch", data={"csrf_token": page_token(staff),
                                                         "dispatch-target": "department", "dispatch-department": ""})
    assert bad.status_code == 422 and "部门" in text(bad)
    r = staff.post(f"/cases/{case_id}/dispatch", data={"csrf_token": page_token(staff),
                                                       "dispatch-target": "department",
                                                       "dispatch-department": "property"})
    assert r.status_code == 303

    # staff record the department's answer with a photo of the result
    r = staff.post(f"/cases/{case_id}/handle", content_type="multipart/form-data", data={
        "csrf_token": page_token(staff), "handle-handling": "物业已更换灯泡",
        "handle-photos": [(BytesIO(jpeg(colour=(10, 200, 10))), "fixed.jpg", "image/jpeg")]})
    assert r.status_code == 303, text(r)
    after = stored(s, case_id)
    assert after["status"] == "handled" and [p["stage"] for p in after["photos"]] == ["reported", "handled"]
    page = text(staff.get(f"/cases/{case_id}"))
    assert "物业已更换灯泡" in page and "处置结果照片" in page

    # the reporter checks it on the spot: passed, closed
    closed = worker.post(f"/cases/{case_id}/verify", data={"csrf_token": page_token(worker), "verify-passed": "yes"})
    assert closed.status_code == 200 and 'id="survey-qr"' in text(closed)
    assert stored(s, case_id)["status"] == "closed"


def test_request_refusals_show_on_their_fields_in_chinese(s):
    c = signed_in(s, "staff-c1")
    r = c.post("/desk/requests/new", data=request_form(c, action="register", category="", description=""))
    body = text(r)
    assert r.status_code == 422 and "请选择一项" in body and "必填" in body
    r = c.post("/desk/requests/new", data=request_form(c, action="register", applicant_name="王五",
                                                       applicant_phone="123"))
    assert r.status_code == 422 and "手机号码为 11 位数字" in text(r)
    r = c.post("/desk/requests/new", data=request_form(c, action="register", applicant_name="王五", help="y",
                                                       help_kind="groceries", help_summary=""))
    assert r.status_code == 422 and 'for="help_summary"' in text(r) and "必填" in text(r)
    case_id, _token = register_request(c, applicant_name="王五")
    assert "王五" in text(c.get(f"/cases/{case_id}"))
    # a request closes by verification only; the dispute routes refuse it and the page says so in Chinese
    r = c.post(f"/cases/{case_id}/verify", data={"csrf_token": page_token(c), "verify-passed": "yes"})
    assert r.status_code == 422 and re.search(r"[\u4e00-\u9fff]", text(r))
    assert stored(s, case_id)["status"] == "registered"


def test_the_receipt_again_gives_a_new_feedback_link_and_the_old_one_stops(s):
    c = signed_in(s, "staff-c1")
    case_id, token = register_request(c, applicant_name="赵阿姨", applicant_phone="13900001234")
    resident = s.gateway_app.test_client()
    assert resident.get(f"/case/{token}").status_code == 200
    again = text(c.get(f"/cases/{case_id}/receipt"))
    assert "为居民生成新的反馈链接" in again and 'id="feedback-qr"' not in again
    r = c.post(f"/cases/{case_id}/feedback-link", data={"csrf_token": page_token(c)}, follow_redirects=True)
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    fresh = re.search(r'id="feedback-link">https?://[^<]+/case/([A-Za-z0-9_-]+)<', text(r))[1]
    assert fresh != token
    assert resident.get(f"/case/{token}").status_code == 404
    view = text(resident.get(f"/case/{fresh}"))
    assert "赵阿姨" not in view and "13900001234" not in view
    pdf = c.get(f"/cases/{case_id}/receipt.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_the_clock_escalation_and_notes_of_a_request_on_its_page(s):
    worker, staff = signed_in(s, "worker-g1"), signed_in(s, "staff-c1")
    case_id, _token = register_request(worker, applicant_name="钱大伯", category="certificate",
                                       description="开具居住证明")
    token = page_token(staff)
    bad = staff.post(f"/cases/{case_id}/pause", data={"csrf_token": token, "pause-reason": ""})
    assert bad.status_code == 422 and "必填" in text(bad) and 'id="f-pause" open' in text(bad)
    assert staff.post(f"/cases/{case_id}/pause", data={"csrf_token": token,
                                                       "pause-reason": "等待居民补交户口本"}).status_code == 303
    page = text(staff.get(f"/cases/{case_id}"))
    assert "已暂停" in page and "等待居民补交户口本" in page and f'action="/cases/{case_id}/resume"' in page
    assert staff.post(f"/cases/{case_id}/resume", data={"csrf_token": token}).status_code == 303
    assert stored(s, case_id)["status"] == "registered"
    r = staff.post(f"/cases/{case_id}/escalate", data={"csrf_token": token, "reasons": ["vulnerable_party"],
                                                       "note": "独居高龄老人"})
    assert r.status_code == 303
    assert "重大案件" in text(staff.get(f"/cases/{case_id}"))
    assert staff.post(f"/cases/{case_id}/annotate", data={"csrf_token": token,
                                                          "text": "已电话联系家属"}).status_code == 303
    page = text(staff.get(f"/cases/{case_id}"))
    assert "已电话联系家属" in page and "暂停计时" in page and "恢复计时" in page
    # another community's staff see nothing of it
    assert signed_in(s, "staff-c2").get(f"/cases/{case_id}").status_code == 404


def test_the_feed_of_the_worker_a_request_was_dispatched_to_links_to_the_desk_page(s):
    staff, handler = signed_in(s, "staff-c1"), signed_in(s, "worker-g2")
    case_id, _token = register_request(staff, applicant_name="孙奶奶", category="certificate",
                                       description="开具独居老人证明")
    r = staff.post(f"/cases/{case_id}/dispatch", data={"csrf_token": page_token(staff), "dispatch-target": "person",
                                                       "dispatch-user_id": str(user(s, "worker-g2").pk)})
    assert r.status_code == 303, text(r)
    number = stored(s, case_id)["number"]

    def reminders():  # the mediation worker fills the feed from the case's events on its own time
        page = text(handler.get("/disputes"))
        return page if number in page else None

    page = wait_until(reminders, timeout=30, interval=0.2)
    assert f'href="/cases/{case_id}"' in page and f'href="/disputes/{case_id}"' not in page
