"""Extensions are limited and approved: the handler requests working days with a reason, community staff
(disputes.approve) approve or refuse with a reason, only an approved one moves the due date, and a request
beyond MAX_EXTENSIONS (default 1) is refused with a clear reason. Before, the handler's own call moved the
due date at once, as often as he liked."""
from services.mediation.models import Dispute
from tests.support.mediation import dispute_body


def case_for(api, people, today, mediator="m1"):
    today.set("2025-06-03")  # due 2025-06-12: an ordinary fortnight, no holiday
    r = api.post("/disputes", json=dispute_body(), headers=people["worker"])
    assert r.status_code == 201, r.json
    case = r.json["dispute"]
    assign = api.post(f"/disputes/{case['id']}/assign", json={"mediator_id": {"m1": "m-1"}[mediator]},
                      headers=people["staff"])
    assert assign.status_code == 200, assign.json
    return case["id"]


def call(api, url, who, body=None, status=200):
    r = api.post(url, json=body if body is not None else {}, headers=who)
    assert r.status_code == status, (url, r.status_code, r.json)
    return r.json


def outbox(case_id) -> list[str]:
    return [e.type for e in Dispute.objects.get(pk=case_id).outbox]


def test_the_handlers_request_moves_nothing_until_staff_approve(api, register, people, mediators, today):
    case_id = case_for(api, people, today)
    url = f"/disputes/{case_id}"
    requested = call(api, f"{url}/extend", people["m1"], {"working_days": 3, "reason": "需现场勘查"})
    assert requested["due_on"] == "2025-06-12"  # the old code moved it to 2025-06-17 here
    assert requested["clock"] == {**requested["clock"], "extension_pending": True, "extended_working_days": 0,
                                  "extensions_left": 1}
    assert requested["extensions"][0] == {**requested["extensions"][0], "status": "pending", "by": "m-1",
                                          "working_days": 3, "reason": "需现场勘查"}
    assert outbox(case_id)[-1] == "dispute.extension_requested"
    # one request waits at a time
    again = call(api, f"{url}/extend", people["m1"], {"working_days": 1, "reason": "再延"}, status=409)
    assert again["reason"]["code"] == "mediation.extension_pending"
    # the mediator cannot approve (no disputes.approve); a decision needs a reason
    assert api.post(f"{url}/extend/decision", json={"approve": True, "reason": "同意"},
                    headers=people["m1"]).status_code == 403
    assert api.post(f"{url}/extend/decision", json={"approve": True},
                    headers=people["staff"]).status_code == 422
    # staff of another community do not see the case
    assert api.post(f"{url}/extend/decision", json={"approve": True, "reason": "同意"},
                    headers=people["staff_c2"]).status_code in (403, 404)
    approved = call(api, f"{url}/extend/decision", people["staff"], {"approve": True, "reason": "案情复杂，同意延期"})
    assert approved["due_on"] == "2025-06-17"  # Fri 13, Mon 16, Tue 17
    assert approved["extensions"][0] == {**approved["extensions"][0], "status": "approved", "decided_by": "s-c1",
                                         "decision_reason": "案情复杂，同意延期", "due_before": "2025-06-12",
                                         "due_after": "2025-06-17"}
    assert approved["clock"] == {**approved["clock"], "extension_pending": False, "extended_working_days": 3,
                                 "extensions_left": 0}
    assert outbox(case_id)[-1] == "dispute.extended"
    # beyond the limit (MAX_EXTENSIONS = 1): 409 with the reason, nothing stored
    before = Dispute.objects.get(pk=case_id).version
    beyond = call(api, f"{url}/extend", people["m1"], {"working_days": 2, "reason": "还需时间"}, status=409)
    assert beyond["reason"] == {"code": "mediation.extension_limit", "params": {"n": 1}}
    assert Dispute.objects.get(pk=case_id).version == before
    # and nothing left to decide
    none = call(api, f"{url}/extend/decision", people["staff"], {"approve": True, "reason": "同意"}, status=409)
    assert none["reason"]["code"] == "mediation.no_pending_extension"


def test_a_refused_request_leaves_the_due_date_and_does_not_use_up_the_limit(api, register, people, mediators,
                                                                             today):
    case_id = case_for(api, people, today)
    url = f"/disputes/{case_id}"
    call(api, f"{url}/extend", people["m1"], {"working_days": 5, "reason": "当事人外出"})
    refused = call(api, f"{url}/extend/decision", people["staff"], {"approve": False, "reason": "可电话调解，不予延期"})
    assert refused["due_on"] == "2025-06-12"
    assert refused["extensions"][0] == {**refused["extensions"][0], "status": "refused",
                                        "decision_reason": "可电话调解，不予延期"}
    assert outbox(case_id)[-1] == "dispute.extension_refused"
    assert [s["action"] for s in refused["history"]][-2:] == ["extension_requested", "extension_refused"]
    # a refusal does not count against the limit: the handler may ask again, and staff may approve
    call(api, f"{url}/extend", people["m1"], {"working_days": 2, "reason": "需补充材料"})
    approved = call(api, f"{url}/extend/decision", people["staff"], {"approve": True, "reason": "同意"})
    assert approved["due_on"] == "2025-06-16"


def test_staff_do_not_approve_their_own_request(api, register, people, mediators, today):
    case_id = case_for(api, people, today)
    url = f"/disputes/{case_id}"
    call(api, f"{url}/extend", people["staff"], {"working_days": 2, "reason": "等待鉴定"})
    own = call(api, f"{url}/extend/decision", people["staff"], {"approve": True, "reason": "同意"}, status=403)
    assert own["reason"]["code"] == "mediation.own_extension"
    assert Dispute.objects.get(pk=case_id).due_on.isoformat() == "2025-06-12"
