"""The desk's figures of a community's month for the monthly report (GET /reports/month) and its months side by
side (GET /reports/cases-by-month), through the real service: cases of each kind registered and closed on time or
late in and outside November 2025, surveys, a major case's special report -> exactly those counts."""
import json
from datetime import datetime, time, timezone

import pytest

from services.mediation.service import escalations, surveys
from tests.support.callers import headers_for
from tests.support.mediation import dispute_body

MONTH = "2025-11"


def ok(response, status=200):
    assert response.status_code == status, response.json
    return response.json


@pytest.fixture
def moment(monkeypatch, today):
    """Survey answers and special reports are stamped at noon (UTC) of the test's today."""
    def at_noon():
        return datetime.combine(today.value, time(12), timezone.utc)
    for module in (surveys, escalations):
        monkeypatch.setattr(module, "now", at_noon)


def dispute(api, people, day, today, *, grid_id="C1-G1", category="neighbours", who="staff") -> dict:
    today.set(day)
    return ok(api.post("/disputes", json=dispute_body(grid_id=grid_id, category=category), headers=people[who]), 201)[
        "dispute"]


def settle_and_close(api, people, case_id, day, today) -> str:
    """Assign, hold a session, agree and close on `day`; the survey's token."""
    today.set(day)
    url = f"/disputes/{case_id}"
    ok(api.post(f"{url}/assign", json={"mediator_id": "m-1"}, headers=people["staff"]))
    parties = ok(api.get(url, headers=people["m1"]))["parties"]
    ok(api.post(f"{url}/sessions", json={"attendance": [{"party_id": p["party_id"], "present": True} for p in parties]},
                headers=people["m1"]), 201)
    ok(api.post(f"{url}/outcome", json={"kind": "agreement", "terms": ["修复漏水"]}, headers=people["m1"]))
    return ok(api.post(f"{url}/close", json={}, headers=people["m1"]))["survey_token"]


def answer(api, people, token, rating, day, today) -> None:
    today.set(day)
    ok(api.post(f"/public/surveys/{token}", json={"rating": rating}, headers=people["resident"]), 201)


@pytest.fixture
def november(api, register, people, mediators, today, moment):
    """C1's November 2025 (no holiday in it), and cases around it that it must not count."""
    land = dispute(api, people, "2025-10-27", today, category="land")  # due 11-05
    settle_and_close(api, people, land["id"], "2025-11-03", today)  # closed in November, on time
    family = dispute(api, people, "2025-11-03", today, category="family")  # due 11-12
    late = settle_and_close(api, people, family["id"], "2025-11-20", today)  # closed late
    major = dispute(api, people, "2025-11-10", today, grid_id="C1-G2")  # due 11-19, open at the month's end
    today.set("2025-11-12")
    ok(api.post(f"/disputes/{major['id']}/escalate", json={"reasons": ["other"], "households_involved": 6},
                headers=people["staff"]))
    dispute(api, people, "2025-11-11", today, grid_id="C1-G2")  # due 11-20, open at the month's end
    today.set("2025-11-04")
    request = ok(api.post("/requests", json={"grid_id": "C1-G1", "category": "elderly_care", "description": "申请补贴",
                                             "urgency": "normal", "channel": "walk_in",
                                             "applicant": {"kind": "person", "name": "王大爷"}},
                          headers=people["worker"]), 201)["case"]
    url = f"/cases/{request['id']}"
    ok(api.post(f"{url}/dispatch", json={"target": "department", "department": "civil_affairs"},
                headers=people["staff"]))
    today.set("2025-11-06")
    ok(api.post(f"{url}/handle", json={"handling": "已核定"}, headers=people["staff"]))
    token = ok(api.post(f"{url}/verify", json={"passed": True}, headers=people["worker"]))["survey_token"]
    answer(api, people, token, 5, "2025-11-07", today)  # answered in November
    today.set("2025-11-28")
    ok(api.post("/incidents", json={"grid_id": "C1-G1", "category": "public_facility", "description": "楼道灯不亮",
                                    "place": {"building": "3栋"}, "attach_location": False},
                headers=people["worker"]), 201)  # due 12-09: not overdue at the month's end
    answer(api, people, late, 2, "2025-12-01", today)  # answered in December
    dispute(api, people, "2025-12-01", today)  # the month after
    dispute(api, people, "2025-11-05", today, grid_id="C2-G1", who="staff_c2")  # another community
    today.set("2025-12-02")
    return {"major": major}


def test_a_month_counts_exactly_its_cases(api, people, november):
    figures = ok(api.get(f"/reports/month?community_id=C1&month={MONTH}", headers=people["staff"]))
    assert {k: figures[k] for k in ("community_id", "month", "registered", "closed", "on_time", "overdue",
                                     "on_time_share")} == {
        "community_id": "C1", "month": MONTH, "registered": 5, "closed": 3, "on_time": 2, "overdue": 3,
        "on_time_share": 66.7}
    assert figures["by_kind"] == {
        "dispute": {"registered": 3, "closed": 2, "on_time": 1, "overdue": 3},
        "request": {"registered": 1, "closed": 1, "on_time": 1, "overdue": 0},
        "incident": {"registered": 1, "closed": 0, "on_time": 0, "overdue": 0}}
    assert {(c["kind"], c["category"], c["registered"], c["closed"]) for c in figures["by_category"]} == {
        ("dispute", "neighbours", 2, 0), ("dispute", "family", 1, 1), ("dispute", "land", 0, 1),
        ("request", "elderly_care", 1, 1), ("incident", "public_facility", 1, 0)}
    assert figures["by_category"][0]["category_label"] == "邻里纠纷"
    assert figures["hotspots"][0] == {"kind": "dispute", "category": "neighbours", "grid_id": "C1-G2", "count": 2}
    assert sum(h["count"] for h in figures["hotspots"]) == 5
    assert figures["special_reports"] == {"count": 1, "items": [
        {"number": november["major"]["number"], "kind": "dispute", "category": "neighbours",
         "category_label": "邻里纠纷", "households_involved": 6}]}
    assert figures["satisfaction"] == {"answered": 1, "satisfied": 1, "share": 100.0}
    text = json.dumps(figures, ensure_ascii=False)
    for personal in ("王大爷", "张三", "李四", "m-1", "w-a", "s-c1"):
        assert personal not in text

    december = ok(api.get("/reports/month?community_id=C1&month=2025-12", headers=people["staff"]))
    assert (december["registered"], december["closed"], december["satisfaction"]) == (
        1, 0, {"answered": 1, "satisfied": 0, "share": 0.0})
    assert december["overdue"] == 2  # the two disputes still open past their due date
    other = ok(api.get(f"/reports/month?community_id=C2&month={MONTH}", headers=people["staff_c2"]))
    assert (other["registered"], other["closed"]) == (1, 0)


def test_the_months_side_by_side(api, people, november):
    got = ok(api.get("/reports/cases-by-month?community_id=C1&months=3", headers=people["staff"]))
    assert got["months"] == ["2025-10", "2025-11", "2025-12"]
    assert {(c["kind"], c["category"]): c["counts"] for c in got["categories"]} == {
        ("dispute", "neighbours"): [0, 2, 1], ("dispute", "land"): [1, 0, 0], ("dispute", "family"): [0, 1, 0],
        ("request", "elderly_care"): [0, 1, 0], ("incident", "public_facility"): [0, 1, 0]}
    assert got["categories"][0]["category_label"] == "邻里纠纷"
    assert got["on_time_share"] == [None, 66.7, None]
    assert got["satisfaction_share"] == [None, 100.0, 0.0]
    assert ok(api.get("/reports/cases-by-month?community_id=C1", headers=people["staff"]))["months"][-1] == "2025-12"
    assert api.get("/reports/cases-by-month?community_id=C1&months=99", headers=people["staff"]).status_code == 422


def test_scope_permission_and_bad_months(api, people, today):
    today.set("2025-12-02")
    staff = people["staff"]
    assert api.get(f"/reports/month?community_id=C2&month={MONTH}", headers=staff).status_code == 404
    assert api.get("/reports/cases-by-month?community_id=C2", headers=staff).status_code == 404
    street = headers_for(role="street_staff", user_id="st-1", communities=["C1", "C2"])
    assert api.get(f"/reports/month?community_id=C2&month={MONTH}", headers=street).status_code == 200
    assert api.get(f"/reports/month?community_id=C1&month={MONTH}", headers=people["operator"]).status_code == 200
    for who in ("worker", "m1"):
        assert api.get(f"/reports/month?community_id=C1&month={MONTH}", headers=people[who]).status_code == 403
        assert api.get("/reports/cases-by-month?community_id=C1", headers=people[who]).status_code == 403
    for query, field in (("community_id=C1&month=2025-13", "month"), ("community_id=C1&month=2026-01", "month"),
                         ("community_id=C1", "month"), (f"month={MONTH}", "community_id")):
        r = api.get(f"/reports/month?{query}", headers=staff)
        assert r.status_code == 422 and field in json.dumps(r.json), (query, r.json)
    assert "month" in json.dumps(api.get("/reports/month?community_id=C1&month=2026-01", headers=staff).json)
