"""The mediation rules on the gateway's pages: the closing page shows the survey's QR code and address for the
applicant (no link for the handler to open) and prints the closing notice with them; a signed-in session,
the handler's above all, is refused the survey page in Chinese while the resident answers; the handler
requests an extension and community staff approve or refuse it on the case page; the hot spots show the
response rate beside the satisfaction rate."""
import re

import pytest

from tests.support.pages import signed_in, text
from tests.support.stack import page_token

pytestmark = pytest.mark.integration
REFUSED = "满意度评价须由申请人用自己的手机填写，工作人员不能代填"


def new_case(s, worker) -> str:
    form = {"csrf_token": page_token(worker, "/disputes/new"), "channel": "grid_report", "category": "neighbours",
            "urgency": "normal", "description": "楼道堆放杂物引发争吵", "place": "grid:g1", "q": "",
            "action": "register", "applicant_name": "孙八", "respondent_name": "周九"}
    r = worker.post("/disputes/new", data=form)
    assert r.status_code == 303, text(r)
    dispute_id = re.search(r"/disputes/([0-9a-f]{24})/receipt", r.headers["Location"])[1]
    assigned = s.call("mediation", "POST", f"/disputes/{dispute_id}/assign",
                      json={"mediator_id": s.seeded["mediator_id"]})
    assert assigned.status_code == 200, assigned.text
    return dispute_id


def closed_by_mediator(s, mediator, dispute_id) -> str:
    """Session, outcome and close on the mediator's pages: the closing page's text."""
    token = page_token(mediator)
    parties = re.findall(r'name="present" type="checkbox" value="([0-9a-f]+)"',
                         text(mediator.get(f"/disputes/{dispute_id}/session")))
    assert mediator.post(f"/disputes/{dispute_id}/session", data={"csrf_token": token, "present": parties,
                                                                  "notes": "双方同意清理"}).status_code == 303
    assert mediator.post(f"/disputes/{dispute_id}/outcome", data={"csrf_token": token, "kind": "agreement",
                                                                  "terms": "三日内清理楼道"}).status_code == 303
    closed = mediator.post(f"/disputes/{dispute_id}/close", data={"csrf_token": token, "close-note": "已清理"})
    assert closed.status_code == 200
    return text(closed)


@pytest.fixture(scope="module")
def people(s):
    return {"worker": signed_in(s, "worker-g1"), "staff": signed_in(s, "staff-c1"),
            "mediator": signed_in(s, "mediator")}


def test_the_closing_page_is_for_the_applicant_and_the_handler_cannot_answer(s, people):
    mediator, staff = people["mediator"], people["staff"]
    dispute_id = new_case(s, people["worker"])
    page = closed_by_mediator(s, mediator, dispute_id)
    address = re.search(r'id="survey-link">(http://[^<]+/survey/([A-Za-z0-9_-]+))<', page)
    assert address and "结案告知" in page and "工作人员不能代为填写" in page
    assert re.search(r'id="survey-qr" src="data:image/svg\+xml;base64,[A-Za-z0-9+/=]+"', page)
    assert not re.search(r'<a [^>]*href="[^"]*/survey/', page)  # nothing for the handler to open and answer
    token = address[2]
    pdf = mediator.post(f"/disputes/{dispute_id}/closing-notice.pdf",
                        data={"csrf_token": page_token(mediator), "token": token})
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF") and b"/Subtype /Image" in pdf.data
    # the handler's own session, and any other staff session, is refused the survey in Chinese
    for who in (mediator, staff):
        opened = who.get(f"/survey/{token}")
        assert opened.status_code == 403 and REFUSED in text(opened) and 'name="rating"' not in text(opened)
        sent = who.post(f"/survey/{token}", data={"csrf_token": page_token(who), "rating": "5"})
        assert sent.status_code in (400, 403)
    assert s.call("mediation", "GET", f"/disputes/{dispute_id}").json()["survey"]["answered_at"] is None
    # the applicant, without an account, answers
    resident = s.gateway_app.test_client()
    form = text(resident.get(f"/survey/{token}"))
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form)[1]
    thanks = resident.post(f"/survey/{token}", data={"csrf_token": csrf, "rating": "2"})
    assert thanks.status_code == 200 and "谢谢" in text(thanks)
    spots = text(staff.get("/disputes/hotspots"))
    assert 'id="response-rate"' in spots and "参评率" in spots
    assert "评价数量太少，暂不与目标比较：至少需要10份评价" in spots


def test_the_handler_requests_an_extension_and_staff_approve_it_on_the_case_page(s, people):
    mediator, staff = people["mediator"], people["staff"]
    dispute_id = new_case(s, people["worker"])
    due = s.call("mediation", "GET", f"/disputes/{dispute_id}").json()["due_on"]
    r = mediator.post(f"/disputes/{dispute_id}/extend", data={"csrf_token": page_token(mediator),
                                                              "working_days": "2", "reason": "等待鉴定结果"})
    assert r.status_code == 303
    page = text(mediator.get(f"/disputes/{dispute_id}"))
    assert "延期申请已提交" in page and "等待社区工作人员审批" in page and "保存审批意见" not in page
    assert s.call("mediation", "GET", f"/disputes/{dispute_id}").json()["due_on"] == due
    page = text(staff.get(f"/disputes/{dispute_id}"))
    assert 'id="extension-request"' in page and "等待鉴定结果" in page and "保存审批意见" in page
    bad = staff.post(f"/disputes/{dispute_id}/extend/decision", data={
        "csrf_token": page_token(staff), "decision-decision": "approve", "decision-reason": ""})
    assert bad.status_code == 422 and "必填" in text(bad)
    ok = staff.post(f"/disputes/{dispute_id}/extend/decision", data={
        "csrf_token": page_token(staff), "decision-decision": "approve", "decision-reason": "鉴定机构排期"})
    assert ok.status_code == 303
    assert "已批准延期" in text(staff.get(f"/disputes/{dispute_id}"))
    assert s.call("mediation", "GET", f"/disputes/{dispute_id}").json()["due_on"] > due
    page = text(mediator.get(f"/disputes/{dispute_id}"))
    assert "本案延期次数已用完" in page and "鉴定机构排期" in page and "已批准" in page
    beyond = mediator.post(f"/disputes/{dispute_id}/extend", data={"csrf_token": page_token(mediator),
                                                                   "working_days": "1", "reason": "再等"})
    assert beyond.status_code == 422 and "本案已用完允许的延期次数（1次）" in text(beyond)
    # a mediator cannot reach the decision
    assert mediator.post(f"/disputes/{dispute_id}/extend/decision", data={
        "csrf_token": page_token(mediator), "decision-decision": "approve",
        "decision-reason": "自己批"}).status_code == 403
