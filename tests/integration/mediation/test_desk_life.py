"""The life of a request and of an incident at the desk, through the mediation service: registered → dispatched
(to a department or a person, with the round's own due date) → handled → verified (or sent back, a new round) →
closed → the resident's survey through the receipt's feedback link → archived. The clock crosses the National Day
holiday; the deadline job warns of and marks overdue a dispatched case as case.* events."""
import json

from services.mediation.models import Dispute
from services.mediation.worker import bootstrap
from tests.support import broker
from tests.support.callers import headers_for
from tests.support.mediation import dispute_body

RESIDENT = {"kind": "person", "name": "王大爷", "phone": "13912345678", "address": "幸福路8号3栋201"}


def ok(response, status=200):
    assert response.status_code == status, response.json
    return response.json


def refused(response, status: int, field: str | None = None) -> dict:
    assert response.status_code == status, response.json
    if field:
        assert field in json.dumps(response.json), response.json
    return response.json


def token_of(url: str) -> str:
    return url.rsplit("/", 1)[1]


def new_request(api, who) -> tuple[dict, str]:
    body = {"grid_id": "C1-G1", "category": "elderly_care", "description": "独居老人申请居家养老服务补贴",
            "urgency": "normal", "channel": "walk_in", "applicant": RESIDENT}
    made = ok(api.post("/requests", json=body, headers=who), 201)
    return made["case"], token_of(made["receipt"]["feedback_url"])


def new_incident(api, who) -> tuple[dict, str]:
    body = {"grid_id": "C1-G1", "category": "public_facility", "description": "3栋楼道灯不亮",
            "place": {"building": "3栋"}, "attach_location": False}
    made = ok(api.post("/incidents", json=body, headers=who), 201)
    return made["case"], token_of(made["receipt"]["feedback_url"])


def types(case_id: str) -> list[str]:
    """The events the case raised, in order (the outbox keeps them: no worker relays in these tests)."""
    return [e.type for e in Dispute.objects.get(pk=case_id).outbox]


def feedback(api, people, token: str) -> dict:
    return ok(api.get(f"/public/cases/{token}", headers=people["resident"]))


def assert_nothing_personal(view: dict, *words: str) -> None:
    text = json.dumps(view, ensure_ascii=False)
    for word in ("王大爷", "13912345678", "139****5678", "幸福路8号", "w-a", "s-c1", *words):
        assert word not in text, (word, text)


def test_a_request_goes_its_whole_life_across_the_national_day_holiday(api, register, people, today):
    today.set("2025-09-29")  # Monday: 7 working days skip 1–8 October and count Saturday 11 October (调休)
    case, token = new_request(api, people["worker"])
    url = f"/cases/{case['id']}"
    assert (case["number"][:8], case["registered_on"], case["due_on"]) == ("2025-QZ-", "2025-09-29", "2025-10-15")
    first = feedback(api, people, token)
    assert first == {**first, "number": case["number"], "status": "registered", "registered_on": "2025-09-29",
                     "due_on": "2025-10-15", "outcome": None, "survey": None,
                     "steps": [{"step": "registered", "on": "2025-09-29"}]}
    assert first["kind_label"] == "求助办事" and first["category_label"] == "养老服务"
    assert_nothing_personal(first)

    refused(api.post(f"{url}/dispatch", json={"target": "department", "department": "civil_affairs"},
                     headers=people["worker"]), 403)  # a grid worker does not dispatch
    refused(api.post(f"{url}/dispatch", json={"target": "department", "department": "nowhere"},
                     headers=people["staff"]), 422, "department")
    refused(api.post(f"{url}/handle", json={"handling": "已办"}, headers=people["staff"]), 409)  # not dispatched
    sent = ok(api.post(f"{url}/dispatch", json={"target": "department", "department": "civil_affairs",
                                               "note": "请核定补贴"}, headers=people["staff"]))
    [round1] = sent["dispatches"]
    assert (sent["status"], sent["handler_id"]) == ("dispatched", None)
    assert (round1["target"], round1["department"], round1["due_on"], round1["state"]) == (
        "department", "civil_affairs", "2025-10-15", "open")
    refused(api.post(f"{url}/dispatch", json={"target": "department", "department": "property"},
                     headers=people["staff"]), 409)  # already dispatched

    today.set("2025-10-09")  # the first working day after the holiday
    refused(api.post(f"{url}/handle", json={"handling": "已办"}, headers=people["worker"]), 403)  # a department's
    refused(api.post(f"{url}/verify", json={"passed": True}, headers=people["worker"]), 409)  # not handled yet
    done = ok(api.post(f"{url}/handle", json={"handling": "民政部门已核定补贴，每月发放300元"},
                       headers=people["staff"]))  # staff record the department's answer
    assert done["status"] == "handled"
    assert done["dispatches"][0] == {**done["dispatches"][0], "state": "handled", "handled_on": "2025-10-09"}
    assert Dispute.objects.get(pk=case["id"]).dispatches[0].on_time is True
    other = headers_for(role="grid_worker", user_id="w-c", grids=["C1-G1"])
    refused(api.post(f"{url}/verify", json={"passed": True}, headers=other), 403)  # neither the reporter nor staff
    refused(api.post(f"/disputes/{case['id']}/close", json={}, headers=people["staff"]), 409, "closes_by_verification")

    closed = ok(api.post(f"{url}/verify", json={"passed": True}, headers=people["worker"]))  # the reporter checks
    assert (closed["case"]["status"], closed["case"]["closed_on"]) == ("closed", "2025-10-09")
    assert closed["survey_url"].endswith("/survey/" + closed["survey_token"])
    view = feedback(api, people, token)
    assert view["outcome"] == {"handling": "民政部门已核定补贴，每月发放300元", "handled_on": "2025-10-09",
                               "verified_on": "2025-10-09"}
    assert view["survey"] == {"open": True, "answered": False, "open_until": "2025-11-08"}
    assert [(s["step"], s["on"]) for s in view["steps"]] == [
        ("registered", "2025-09-29"), ("dispatched", "2025-09-29"), ("handled", "2025-10-09"),
        ("verified", "2025-10-09"), ("closed", "2025-10-09")]
    assert_nothing_personal(view)

    answered = ok(api.post(f"/public/cases/{token}/survey", json={"rating": 5, "comment": "办得快"},
                           headers=people["resident"]))
    assert answered["survey"] == {"open": False, "answered": True, "open_until": "2025-11-08"}
    refused(api.post(f"/public/cases/{token}/survey", json={"rating": 1}, headers=people["resident"]), 409)
    refused(api.post(f"/public/surveys/{closed['survey_token']}", json={"rating": 1}, headers=people["resident"]),
            409)  # one survey, whichever link answers it
    refused(api.get(f"/public/cases/{token}", headers=people["staff"]), 403)  # the resident's page only

    archived = ok(api.post(f"/disputes/{case['id']}/archive", headers=people["staff"]))
    assert archived["status"] == "archived" and archived["archive_number"].startswith("2025-GD-")
    assert feedback(api, people, token)["status"] == "archived"
    assert types(case["id"]) == ["case.registered", "case.dispatched", "case.handled", "case.verified",
                                 "case.closed", "case.satisfaction_recorded", "case.archived"]
    stored = Dispute.objects.get(pk=case["id"])
    assert (stored.survey.rating, stored.survey.comment) == (5, "办得快")
    for event in stored.outbox:
        assert "王大爷" not in json.dumps(event.envelope, ensure_ascii=False)
        assert "13912345678" not in json.dumps(event.envelope)


def test_an_incident_to_a_person_is_sent_back_twice_and_handled_again(api, register, people, today):
    today.set("2025-06-03")  # due 2025-06-12: no holiday on the way
    case, token = new_incident(api, people["worker"])
    url = f"/cases/{case['id']}"
    assert (case["number"][:8], case["due_on"]) == ("2025-SJ-", "2025-06-12")
    fixer = headers_for(role="grid_worker", user_id="w-b", grids=["C1-G2"], name="李师傅")
    refused(api.get(url, headers=fixer), 404)  # not yet theirs, nor in their grid

    person = {"target": "person", "user_id": "w-b", "user_name": "李师傅"}
    refused(api.post(f"{url}/dispatch", json={**person, "due_on": "2025-06-02"}, headers=people["staff"]), 422,
            "due_on")  # before today
    refused(api.post(f"{url}/dispatch", json={**person, "due_on": "2025-06-13"}, headers=people["staff"]), 422,
            "due_on")  # after the case's due date
    refused(api.post(f"{url}/dispatch", json={"target": "person", "user_id": "w-b"}, headers=people["staff"]), 422,
            "user_id")
    refused(api.post(f"{url}/dispatch", json=person, headers=people["staff_c2"]), 404)  # another community
    sent = ok(api.post(f"{url}/dispatch", json={**person, "due_on": "2025-06-06"}, headers=people["staff"]))
    assert (sent["status"], sent["handler_id"], sent["dispatches"][0]["due_on"]) == ("dispatched", "w-b", "2025-06-06")
    assert ok(api.get(url, headers=fixer))["id"] == case["id"]  # the person dispatched to sees it now
    mine = ok(api.get("/cases?mine=handler", headers=fixer))
    assert [c["id"] for c in mine["items"]] == [case["id"]]

    today.set("2025-06-05")
    refused(api.post(f"{url}/handle", json={"handling": "已修"}, headers=people["worker"]), 403)  # not theirs
    ok(api.post(f"{url}/handle", json={"handling": "已更换灯泡"}, headers=fixer))
    refused(api.post(f"{url}/verify", json={"passed": False}, headers=people["worker"]), 422, "note")
    refused(api.post(f"{url}/verify", json={"passed": True}, headers=fixer), 403)  # the handler does not verify
    back = ok(api.post(f"{url}/verify", json={"passed": False, "note": "灯还是不亮"}, headers=people["worker"]))
    assert back["status"] == "dispatched" and back["handler_id"] == "w-b"
    assert [(x["round"], x["state"], x["due_on"], x["user_id"]) for x in back["dispatches"]] == [
        (1, "sent_back", "2025-06-06", "w-b"), (2, "open", "2025-06-06", "w-b")]  # the old date is still ahead
    assert back["dispatches"][0]["sent_back_reason"] == "灯还是不亮"

    today.set("2025-06-09")
    late = ok(api.post(f"{url}/handle", json={"handling": "已更换灯座"}, headers=fixer))
    assert late["dispatches"][1]["state"] == "handled"
    assert Dispute.objects.get(pk=case["id"]).dispatches[1].on_time is False  # due 6 June
    again = ok(api.post(f"{url}/verify", json={"passed": False, "note": "线路老化"}, headers=people["staff"]))
    assert [(x["round"], x["state"], x["due_on"]) for x in again["dispatches"]] == [
        (1, "sent_back", "2025-06-06"), (2, "sent_back", "2025-06-06"), (3, "open", "2025-06-12")]  # past: the case's

    today.set("2025-06-10")
    ok(api.post(f"{url}/handle", json={"handling": "已更换线路和灯具，楼道照明恢复"}, headers=fixer))
    closed = ok(api.post(f"{url}/verify", json={"passed": True, "note": "现场查看已亮"}, headers=people["staff"]))
    assert closed["case"]["status"] == "closed"
    view = feedback(api, people, token)
    assert view["outcome"] == {"handling": "已更换线路和灯具，楼道照明恢复", "handled_on": "2025-06-10",
                               "verified_on": "2025-06-10"}
    assert [s["step"] for s in view["steps"]].count("sent_back") == 2
    assert_nothing_personal(view, "李师傅", "w-b", "线路老化")
    ok(api.post(f"/public/cases/{token}/survey", json={"rating": 4}, headers=people["resident"]))
    ok(api.post(f"/disputes/{case['id']}/archive", headers=people["staff"]))
    assert types(case["id"]) == ["case.registered", "case.dispatched", "case.handled", "case.sent_back",
                                 "case.handled", "case.sent_back", "case.handled", "case.verified", "case.closed",
                                 "case.satisfaction_recorded", "case.archived"]
    handled = [e.envelope["data"] for e in Dispute.objects.get(pk=case["id"]).outbox if e.type == "case.handled"]
    assert [h["on_time"] for h in handled] == [True, False, True]


def test_a_dispute_is_not_dispatched_handled_or_verified(api, register, people, today):
    today.set("2025-06-03")
    dispute = ok(api.post("/disputes", json=dispute_body(), headers=people["worker"]), 201)["dispute"]
    url = f"/cases/{dispute['id']}"
    refused(api.post(f"{url}/dispatch", json={"target": "department", "department": "property"},
                     headers=people["staff"]), 409, "kind")
    refused(api.post(f"{url}/handle", json={"handling": "已办"}, headers=people["staff"]), 409, "kind")
    refused(api.post(f"{url}/verify", json={"passed": True}, headers=people["staff"]), 409, "kind")
    refused(api.post(f"{url}/feedback-link", headers=people["staff"]), 409, "kind")
    request, _ = new_request(api, people["worker"])
    refused(api.post(f"/disputes/{request['id']}/outcome", json={"kind": "withdrawn"}, headers=people["staff"]),
            409, "kind")  # a request is not mediated


def test_renewing_the_feedback_link_kills_the_old_one(api, register, people, today):
    today.set("2025-06-03")
    case, old = new_request(api, people["worker"])
    url = f"/cases/{case['id']}/feedback-link"
    refused(api.post(url, headers=people["worker_b"]), 404)  # outside their grid
    refused(api.post(url, headers=headers_for(role="grid_worker", user_id="w-c", grids=["C1-G1"])), 403)
    renewed = ok(api.post(url, headers=people["worker"]))  # the reporter reprints the receipt
    assert renewed["feedback_url"] == "https://grid.example.cn/case/" + renewed["token"] != old
    refused(api.get(f"/public/cases/{old}", headers=people["resident"]), 404)
    assert feedback(api, people, renewed["token"])["number"] == case["number"]
    refused(api.get("/public/cases/" + "x" * 43, headers=people["resident"]), 404)
    refused(api.post(f"/public/cases/{renewed['token']}/survey", json={"rating": 5}, headers=people["resident"]),
            409)  # nothing to rate before the handling is verified


def test_a_dispatched_request_is_warned_of_and_marked_overdue_as_case_events(api, register, people, today,
                                                                           mediation_worker, mediation_config):
    tap = broker.tap(mediation_config.EVENT_EXCHANGE, "case.*")
    today.set("2025-09-29")
    case, _ = new_request(api, people["worker"])
    ok(api.post(f"/cases/{case['id']}/dispatch", json={"target": "person", "user_id": "w-a", "user_name": "网格员"},
                headers=people["staff"]))
    [(_, job)] = bootstrap(mediation_config)["periodic"]
    today.set("2025-10-10")  # 4 working days left (11 October is a make-up Saturday): too early
    job()
    today.set("2025-10-13")  # 2 left
    job()
    job()
    today.set("2025-10-16")
    job()
    broker.wait_until(lambda: Dispute.objects(outbox__0__exists=True).count() == 0)

    def seen():
        found = [json.loads(body) for body, _, _ in broker.drain(tap)]
        seen.all += found
        late = [e for e in seen.all if e["type"] in ("case.deadline_warning", "case.overdue")]
        return late if len(late) == 2 else None
    seen.all = []
    warning, overdue = sorted(broker.wait_until(seen), key=lambda e: e["type"])
    assert (warning["type"], overdue["type"]) == ("case.deadline_warning", "case.overdue")
    assert warning["data"] == {**warning["data"], "case_id": case["id"], "kind": "request", "status": "dispatched",
                               "working_days_left": 2, "due_on": "2025-10-15", "handler_id": "w-a"}
    assert overdue["data"]["overdue_since"] == "2025-10-16"
    assert ok(api.get(f"/cases/{case['id']}", headers=people["staff"]))["clock"]["overdue"] is True


def test_the_person_dispatched_to_pauses_and_asks_for_more_days_as_a_mediator_does(api, register, people, today):
    today.set("2025-06-03")  # due 2025-06-12
    case, _ = new_incident(api, people["worker"])
    url = f"/disputes/{case['id']}"
    fixer = headers_for(role="grid_worker", user_id="w-b", grids=["C1-G2"], name="李师傅")
    other = headers_for(role="grid_worker", user_id="w-c", grids=["C1-G1"])
    ok(api.post(f"/cases/{case['id']}/dispatch", json={"target": "person", "user_id": "w-b", "user_name": "李师傅"},
                headers=people["staff"]))
    refused(api.post(f"{url}/pause", json={"reason": "等待配件"}, headers=other), 403)  # of the grid, not its handler
    paused = ok(api.post(f"{url}/pause", json={"reason": "等待配件"}, headers=fixer))
    assert paused["status"] == "paused"
    today.set("2025-06-05")
    resumed = ok(api.post(f"{url}/resume", headers=fixer))
    assert (resumed["status"], resumed["due_on"]) == ("dispatched", "2025-06-16")  # 2 working days paused
    refused(api.post(f"{url}/extend", json={"working_days": 2, "reason": "需更换线路"}, headers=other), 403)
    asked = ok(api.post(f"{url}/extend", json={"working_days": 2, "reason": "需更换线路"}, headers=fixer))
    assert asked["clock"]["extension_pending"] is True
    approved = ok(api.post(f"{url}/extend/decision", json={"approve": True, "reason": "同意"}, headers=people["staff"]))
    assert approved["due_on"] == "2025-06-18" and approved["status"] == "dispatched"
    refused(api.post(f"{url}/referrals", json={"kind": "judicial", "to_body": "区人民法院"}, headers=people["staff"]),
            409, "kind")  # a request or incident is not referred on as a dispute is
    assert types(case["id"]) == ["case.registered", "case.dispatched", "case.paused", "case.resumed",
                                 "case.extension_requested", "case.extended"]
