"""The mediation pages of the gateway against the real services: intake from the register or outside it, the
receipt with the case number and the one-time notice, the case lists, every step of a case to the archive,
the public satisfaction survey, hot spots, reasons on their fields in Chinese, and scope."""
import re

import pytest

from tests.support.pages import signed_in, text
from tests.support.stack import page_token

pytestmark = pytest.mark.integration
PASSWORD = "demo-pass-1"


def base_form(c, **over):
    form = {"csrf_token": page_token(c, "/disputes/new"), "channel": "grid_report", "category": "neighbours",
            "urgency": "normal", "description": "楼上漏水影响楼下，多次协商未果", "place": "", "q": ""}
    form.update(over)
    return form


def register_case(c, **over) -> str:
    r = c.post("/disputes/new", data=base_form(c, action="register", **over))
    assert r.status_code == 303, text(r)
    return re.search(r"/disputes/([0-9a-f]{24})/receipt", r.headers["Location"])[1]


def test_intake_from_the_register_gives_a_receipt_with_number_and_one_time_notice(s):
    c = signed_in(s, "worker-g1")
    page = text(c.get("/disputes/new"))
    assert "登记纠纷" in page and "查找台账" in page
    found = text(c.post("/disputes/new", data=base_form(c, action="search", q="居民3")))
    hid = re.search(r'name="action" value="applicant:([0-9a-f]{24})"', found)[1]
    label = re.search(rf'name="label:{hid}" value="([^"]+)"', found)[1]
    picked = text(c.post("/disputes/new", data=base_form(c, action=f"applicant:{hid}", **{f"label:{hid}": label})))
    assert f'value="{hid}"' in picked and "来自台账" in picked
    r = c.post("/disputes/new", data=base_form(c, action="register", applicant_household=hid, applicant_label=label,
                                               respondent_name="李四", respondent_phone="13800001111"))
    assert r.status_code == 303
    receipt = text(c.get(r.headers["Location"]))
    number = re.search(r'id="case-number">([^<]+)<', receipt)[1]
    assert re.match(r"^\d{4}-XF-\d{4}$", number)
    assert "受理一次性告知书" in receipt and "一次告知" in receipt and "个工作日" in receipt and "居民3" in receipt
    dispute_id = re.search(r"/disputes/([0-9a-f]{24})/receipt", r.headers["Location"])[1]
    stored = s.call("mediation", "GET", f"/disputes/{dispute_id}").json()
    assert stored["number"] == number and stored["grid_id"] == "g1" and len(stored["parties"]) == 2
    pdf = c.get(f"/disputes/{dispute_id}/receipt.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert number in text(c.get("/disputes?view=mine"))
    c.get("/lang/en?next=/")
    english = text(c.get(f"/disputes/{dispute_id}/receipt"))
    assert "Receipt" in english and "Registered. A mediator will be assigned" in english and number in english


def test_intake_reasons_show_on_their_fields_in_chinese(s):
    c = signed_in(s, "worker-g1")
    r = c.post("/disputes/new", data=base_form(c, action="register", category="", description=""))
    body = text(r)
    assert r.status_code == 422 and "请选择一项" in body and "必填" in body
    r = c.post("/disputes/new", data=base_form(c, action="register"))
    assert r.status_code == 422 and "请填写申请人姓名" in text(r)
    r = c.post("/disputes/new", data=base_form(c, action="register", applicant_name="王五", applicant_phone="123"))
    assert r.status_code == 422 and "手机号码为 11 位数字" in text(r)
    r = c.post("/disputes/new", data=base_form(c, action="register", applicant_name="王五"))
    assert r.status_code == 422 and "请选择案件所属的网格或社区" in text(r)
    r = c.post("/disputes/new", data=base_form(c, action="register", applicant_name="王五", place="grid:g3"))
    assert r.status_code in (404, 422)  # another community's grid: nothing is registered
    dispute_id = register_case(c, applicant_name="王五", applicant_phone="13900002222", place="grid:g1",
                               channel="referral", referred_from="街道信访办")
    assert "街道信访办" in text(c.get(f"/disputes/{dispute_id}"))


def test_a_case_from_assignment_to_archive_and_the_public_survey(s):
    worker, staff, mediator = signed_in(s, "worker-g1"), signed_in(s, "staff-c1"), signed_in(s, "mediator")
    dispute_id = register_case(worker, applicant_name="赵六", respondent_name="钱七", place="grid:g1")
    area = text(staff.get("/disputes"))
    assert "我负责的范围" in area and dispute_id in area
    page = text(staff.get(f"/disputes/{dispute_id}"))
    assert "指派调解员" in page and "调解员" in page
    r = staff.post(f"/disputes/{dispute_id}/assign", data={"csrf_token": page_token(staff),
                                                           "mediator_id": s.seeded["mediator_id"]})
    assert r.status_code == 303
    assert dispute_id in text(mediator.get("/disputes?view=mediating"))
    token = page_token(mediator)
    bad = mediator.post(f"/disputes/{dispute_id}/pause", data={"csrf_token": token, "pause-reason": ""})
    assert bad.status_code == 422 and "必填" in text(bad) and 'id="f-pause" open' in text(bad)
    assert mediator.post(f"/disputes/{dispute_id}/pause", data={"csrf_token": token,
                                                                "pause-reason": "等待当事人返乡"}).status_code == 303
    page = text(mediator.get(f"/disputes/{dispute_id}"))
    assert "已暂停" in page and "等待当事人返乡" in page
    assert mediator.post(f"/disputes/{dispute_id}/resume", data={"csrf_token": token}).status_code == 303
    due_before = s.call("mediation", "GET", f"/disputes/{dispute_id}").json()["due_on"]
    assert mediator.post(f"/disputes/{dispute_id}/extend", data={"csrf_token": token, "working_days": "3",
                                                                 "reason": "需要现场勘查"}).status_code == 303
    assert s.call("mediation", "GET", f"/disputes/{dispute_id}").json()["due_on"] == due_before  # staff decide
    assert staff.post(f"/disputes/{dispute_id}/extend/decision", data={
        "csrf_token": page_token(staff), "decision-decision": "approve", "decision-reason": "同意"}).status_code == 303
    assert s.call("mediation", "GET", f"/disputes/{dispute_id}").json()["due_on"] > due_before
    session = text(mediator.get(f"/disputes/{dispute_id}/session"))
    parties = re.findall(r'name="present" type="checkbox" value="([0-9a-f]+)"', session)
    assert len(parties) == 2
    r = mediator.post(f"/disputes/{dispute_id}/session", data={"csrf_token": token, "place": "社区调解室",
                                                               "present": parties, "notes": "双方陈述，初步达成意向"})
    assert r.status_code == 303
    bad = mediator.post(f"/disputes/{dispute_id}/outcome", data={"csrf_token": token, "kind": "agreement", "terms": ""})
    assert bad.status_code == 422 and "请填写协议条款" in text(bad)
    r = mediator.post(f"/disputes/{dispute_id}/outcome", data={"csrf_token": token, "kind": "agreement",
                                                               "terms": "钱七负责维修防水层\n维修期间赵六配合入户"})
    assert r.status_code == 303
    pdf = mediator.get(f"/disputes/{dispute_id}/agreement.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    closed = mediator.post(f"/disputes/{dispute_id}/close", data={"csrf_token": token, "close-note": "回访满意"})
    survey_url = re.search(r'id="survey-link">(http://[^<]+/survey/([A-Za-z0-9_-]+))<', text(closed))
    assert closed.status_code == 200 and survey_url
    resident = s.gateway_app.test_client()
    form = text(resident.get(f"/survey/{survey_url[2]}"))
    assert "满意度" in form and "非常满意" in form and "赵六" not in form
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form)[1]
    assert resident.post(f"/survey/{survey_url[2]}", data={"csrf_token": csrf}).status_code == 422
    thanks = resident.post(f"/survey/{survey_url[2]}", data={"csrf_token": csrf, "rating": "5", "comment": "很满意"})
    assert thanks.status_code == 200 and "谢谢" in text(thanks)
    assert "已经填写过" in text(resident.get(f"/survey/{survey_url[2]}"))
    assert resident.get("/survey/" + "z" * 43).status_code == 404
    assert staff.post(f"/disputes/{dispute_id}/archive", data={"csrf_token": page_token(staff)}).status_code == 303
    page = text(staff.get(f"/disputes/{dispute_id}"))
    assert "归档号" in page and "只能添加备注" in page
    assert staff.post(f"/disputes/{dispute_id}/annotate", data={"csrf_token": page_token(staff),
                                                                "text": "归档后补充回访记录"}).status_code == 303
    assert "归档后补充回访记录" in text(staff.get(f"/disputes/{dispute_id}"))
    refused = mediator.post(f"/disputes/{dispute_id}/pause", data={"csrf_token": token, "pause-reason": "x"})
    assert refused.status_code == 422 and "已归档" in text(refused)
    timeline = text(staff.get(f"/disputes/{dispute_id}"))
    for step in ("指派调解员", "暂停计时", "恢复计时", "延长期限", "调解会", "登记调解结果", "已归档"):
        assert step in timeline, step
    hot = text(staff.get("/disputes/hotspots"))
    assert "热点分析" in hot and "满意率" in hot and "邻里纠纷" in hot and "100%" in hot


def test_escalation_and_scope(s):
    worker = signed_in(s, "worker-g1")
    dispute_id = register_case(worker, applicant_name="孙八", place="grid:g1")
    r = worker.post(f"/disputes/{dispute_id}/escalate", data={"csrf_token": page_token(worker),
                                                              "reasons": ["violence_risk"], "note": "有冲突苗头"})
    assert r.status_code == 303
    assert "重大案件" in text(worker.get(f"/disputes/{dispute_id}"))
    pdf = worker.get(f"/disputes/{dispute_id}/special-report.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    other_staff = signed_in(s, "staff-c2")
    assert other_staff.get(f"/disputes/{dispute_id}").status_code == 404
    assert "不在您的负责范围内" in text(other_staff.get(f"/disputes/{dispute_id}/receipt"))
    assert other_staff.get(f"/api/mediation/disputes/{dispute_id}").status_code == 404
    theirs = register_case(other_staff, applicant_name="周九", place="community:c2")
    assert worker.get(f"/disputes/{theirs}").status_code == 404
    assert worker.post(f"/disputes/{theirs}/annotate", data={"csrf_token": page_token(worker),
                                                             "text": "x"}).status_code == 404


def test_mediators_roster_and_correcting_a_case(s):
    staff, worker = signed_in(s, "staff-c1"), signed_in(s, "worker-g1")
    page = text(staff.get("/disputes/mediators"))
    assert "调解员" in page and "在名册上" in page  # seeded on the roster
    r = staff.post("/disputes/mediators", data={"csrf_token": page_token(staff), "community_id": "c1",
                                                "user_id": s.seeded["mediator_id"], "active": "0"})
    assert r.status_code == 303 and "不在名册上" in text(staff.get(r.headers["Location"]))
    mediator = signed_in(s, "mediator")
    assert mediator.get("/").headers["Location"].endswith("/disputes")  # a mediator starts at the cases
    assert signed_in(s, "leader").get("/").headers["Location"].endswith("/volunteers")
    assert mediator.post("/disputes/mediators", data={"csrf_token": page_token(mediator)}).status_code == 303
    assert "在名册上" in text(staff.get("/disputes/mediators"))
    assert worker.get("/disputes/mediators").status_code == 403
    dispute_id = register_case(worker, applicant_name="冯十一", place="grid:g1")
    form = text(worker.get(f"/disputes/{dispute_id}/edit"))
    version = re.search(r'name="version" type="hidden" value="(\d+)"', form)[1]
    bad = worker.post(f"/disputes/{dispute_id}/edit", data={"csrf_token": page_token(worker), "version": version,
                                                            "category": "land", "urgency": "normal", "description": ""})
    assert bad.status_code == 422 and "必填" in text(bad)
    r = worker.post(f"/disputes/{dispute_id}/edit", data={"csrf_token": page_token(worker), "version": version,
                                                          "category": "land", "urgency": "urgent",
                                                          "description": "宅基地边界争议"})
    assert r.status_code == 303
    page = text(worker.get(f"/disputes/{dispute_id}"))
    assert "宅基地边界争议" in page and "土地纠纷" in page and "案件信息修改" in page
    stale = worker.post(f"/disputes/{dispute_id}/edit", data={"csrf_token": page_token(worker), "version": version,
                                                              "category": "land", "urgency": "normal",
                                                              "description": "x"})
    assert stale.status_code == 422 and "已有他人修改" in text(stale)
