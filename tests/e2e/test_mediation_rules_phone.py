"""Mediation rules on a phone at 360 px in a real chromium, every service behind the gateway: community staff
approve the mediator's extension request on the case page (the due date moves), and the same staff session
opening a closed case's survey link is refused in Chinese, with no form to answer for the resident."""
import pytest

from shared.identity import Principal
from tests.e2e.conftest import no_horizontal_scroll, sign_in

pytestmark = pytest.mark.e2e



def ok(response, status=200) -> dict:
    assert response.status_code == status, response.text
    return response.json()


def assigned_case(full, mediator: Principal) -> dict:
    case = ok(full.call("mediation", "POST", "/disputes", json={
        "grid_id": "g1", "category": "neighbours", "description": "空调外机噪音扰民", "channel": "walk_in",
        "parties": [{"role": "applicant", "kind": "person", "name": "吴女士"},
                    {"role": "respondent", "kind": "person", "name": "郑先生"}]}), 201)["dispute"]
    ok(full.call("mediation", "POST", f"/disputes/{case['id']}/assign", json={"mediator_id": mediator.user_id}))
    return case


def test_staff_approve_an_extension_and_cannot_open_the_survey(full_phone, full):
    mediator = Principal(user_id=full.seeded["mediator_id"], role="mediator", name="调解员", community_ids=("c1",))
    waiting = assigned_case(full, mediator)
    ok(full.call("mediation", "POST", f"/disputes/{waiting['id']}/extend", principal=mediator,
                 json={"working_days": 3, "reason": "等待噪音检测报告"}))
    page = full_phone.new_page()
    sign_in(page, "staff-c1")
    page.goto(f"/disputes/{waiting['id']}")
    assert "等待噪音检测报告" in page.inner_text("#extension-request") and no_horizontal_scroll(page)
    page.check("input[name='decision-decision'][value=approve]")
    page.fill("#decision-reason", "检测机构排期，同意延期")
    page.click("#extension-request button[type=submit]")
    page.wait_for_load_state("load")
    assert "已批准延期" in page.content() and no_horizontal_scroll(page)
    stored = ok(full.call("mediation", "GET", f"/disputes/{waiting['id']}"))
    assert stored["due_on"] > waiting["due_on"] and stored["extensions"][0]["status"] == "approved"

    closed = assigned_case(full, mediator)
    url = f"/disputes/{closed['id']}"
    parties = [p["party_id"] for p in closed["parties"]]
    ok(full.call("mediation", "POST", f"{url}/sessions", principal=mediator,
                 json={"attendance": [{"party_id": p, "present": True} for p in parties]}), 201)
    ok(full.call("mediation", "POST", f"{url}/outcome", principal=mediator,
                 json={"kind": "agreement", "terms": ["夜间关闭外机"]}))
    token = ok(full.call("mediation", "POST", f"{url}/close", principal=mediator, json={}))["survey_token"]
    response = page.goto(f"/survey/{token}")
    assert response.status == 403
    assert "满意度评价须由申请人用自己的手机填写" in page.content()
    assert page.locator("input[name=rating]").count() == 0 and no_horizontal_scroll(page)
