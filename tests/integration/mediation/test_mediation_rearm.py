"""Warnings re-arm: the due-soon warning (and the overdue notice) belong to a due date. After an approved
extension or a resume from a pause moves the due date, the deadline job warns again before the new one; for
the same due date it never warns twice. Before, warned_at/overdue_at were set once for the case's whole life."""
from services.mediation.models import Dispute
from services.mediation.service import check_deadlines
from tests.support.mediation import dispute_body


def new_case(api, people, today) -> str:
    today.set("2025-06-03")  # due 2025-06-12 (7 working days, no holiday); warned 2 working days before
    r = api.post("/disputes", json=dispute_body(), headers=people["worker"])
    assert r.status_code == 201, r.json
    case_id = r.json["dispute"]["id"]
    assert api.post(f"/disputes/{case_id}/assign", json={"mediator_id": "m-1"},
                    headers=people["staff"]).status_code == 200
    return case_id


def run_job(today, day: str) -> None:
    today.set(day)
    check_deadlines()


def raised(case_id: str, kind: str) -> list[str]:
    """The due dates the case's `kind` events were raised for (the outbox keeps them: no worker relays here)."""
    return [e.envelope["data"]["due_on"] for e in Dispute.objects.get(pk=case_id).outbox if e.type == kind]


def ok(response, status=200):
    assert response.status_code == status, response.json
    return response.json


def test_an_approved_extension_brings_a_second_warning_before_the_new_due_date(api, register, people, mediators,
                                                                                today):
    case_id = new_case(api, people, today)
    run_job(today, "2025-06-09")  # 3 working days left: too early
    assert raised(case_id, "dispute.deadline_warning") == []
    run_job(today, "2025-06-10")  # 2 left: warned
    run_job(today, "2025-06-10")
    run_job(today, "2025-06-11")  # the same due date: not again
    assert raised(case_id, "dispute.deadline_warning") == ["2025-06-12"]

    ok(api.post(f"/disputes/{case_id}/extend", json={"working_days": 3, "reason": "需现场勘查"}, headers=people["m1"]))
    approved = ok(api.post(f"/disputes/{case_id}/extend/decision", json={"approve": True, "reason": "同意"},
                           headers=people["staff"]))
    assert approved["due_on"] == "2025-06-17" and approved["warned_at"] is None

    run_job(today, "2025-06-12")  # 3 working days left to Jun 17: too early
    assert raised(case_id, "dispute.deadline_warning") == ["2025-06-12"]
    run_job(today, "2025-06-13")  # 2 left: warned again, for the new date
    run_job(today, "2025-06-16")
    assert raised(case_id, "dispute.deadline_warning") == ["2025-06-12", "2025-06-17"]
    run_job(today, "2025-06-18")
    run_job(today, "2025-06-19")
    assert raised(case_id, "dispute.overdue") == ["2025-06-17"]


def test_a_resume_after_the_warning_rearms_it(api, register, people, mediators, today):
    case_id = new_case(api, people, today)
    run_job(today, "2025-06-10")
    assert raised(case_id, "dispute.deadline_warning") == ["2025-06-12"]
    ok(api.post(f"/disputes/{case_id}/pause", json={"reason": "等待当事人返回"}, headers=people["m1"]))
    today.set("2025-06-13")  # paused Jun 10, 11, 12: 3 working days, the due date moves to Jun 17
    resumed = ok(api.post(f"/disputes/{case_id}/resume", headers=people["m1"]))
    assert resumed["due_on"] == "2025-06-17" and resumed["warned_at"] is None
    run_job(today, "2025-06-13")
    assert raised(case_id, "dispute.deadline_warning") == ["2025-06-12", "2025-06-17"]
    run_job(today, "2025-06-16")
    assert raised(case_id, "dispute.deadline_warning") == ["2025-06-12", "2025-06-17"]


def test_an_overdue_case_extended_is_overdue_again_only_after_its_new_date(api, register, people, mediators, today):
    case_id = new_case(api, people, today)
    run_job(today, "2025-06-13")  # past Jun 12
    assert raised(case_id, "dispute.overdue") == ["2025-06-12"]
    ok(api.post(f"/disputes/{case_id}/extend", json={"working_days": 5, "reason": "鉴定未出"}, headers=people["m1"]))
    approved = ok(api.post(f"/disputes/{case_id}/extend/decision", json={"approve": True, "reason": "同意"},
                           headers=people["staff"]))
    assert approved["due_on"] == "2025-06-19" and approved["clock"]["overdue"] is False
    assert approved["overdue_at"] is None
    run_job(today, "2025-06-17")  # 2 working days left: the new date gets its warning
    run_job(today, "2025-06-20")
    run_job(today, "2025-06-23")
    assert raised(case_id, "dispute.deadline_warning") == ["2025-06-19"]
    assert raised(case_id, "dispute.overdue") == ["2025-06-12", "2025-06-19"]
