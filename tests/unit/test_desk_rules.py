"""The desk's rules without a database: case.* events carry nothing personal and fit their contracts, every
category of every kind has its label and one-time notice, and who may dispatch, handle or verify a case."""
import json
from datetime import date

import pytest

from services.mediation import documents, events, notices
from services.mediation.config import SETTINGS
from services.mediation.models import (
    Dispatch,
    Dispute,
    Escalation,
    Extension,
    HelpRequest,
    Party,
    Pause,
    Person,
    Survey,
)
from services.mediation.service.cases import receipt
from services.mediation.service.desk import allowed
from shared.clock import now
from shared.events.mediation import CONTRACTS, REQUEST_CATEGORIES
from shared.identity import Principal

SECRETS = ("王大爷", "13800138000", "110101194501011234", "低保", "残疾")


def request_case(**kw) -> Dispute:
    applicant = Party(party_id="p1", role="applicant", kind="person", name="王大爷", phone="13800138000",
                      vulnerable=True)
    fields = {"kind": "request", "category": "subsistence", "parties": [applicant], **kw}
    return Dispute(number="2026-QZ-0001", year=2026, month="2026-03", community_id="C1", grid_id="C1-G1",
                   description="王大爷低保年审，身份证110101194501011234，残疾", urgency="normal",
                   channel="walk_in", first_contact=Person(user_id="w-a", name="网格员甲", role="grid_worker"),
                   owner_id="w-a", status="registered", registered_on=date(2026, 3, 2), working_days=7,
                   due_on=date(2026, 3, 11), **fields)


def every_event(d: Dispute) -> list:
    dispatch = Dispatch(dispatch_id="x1", round=1, target="department", department="civil_affairs",
                        due_on=date(2026, 3, 10), at=now(), by="s-c1", handled_on=date(2026, 3, 9),
                        sent_back_reason="材料不全")
    d.help_request = HelpRequest(help="groceries", summary="每周代买菜", household_id="h1", at=now(), by="w-a")
    d.escalation = None
    pause = Pause(started_on=date(2026, 3, 3), ended_on=date(2026, 3, 4), working_days=1, reason="等待材料", by="s")
    extension = Extension(working_days=2, reason="需补充材料", by="w-a", at=now(), decision_reason="不同意")
    d.closed_on, d.archive_number, d.archived_on = date(2026, 3, 9), "2026-GD-0001", date(2026, 3, 20)
    d.survey = Survey(open_until=date(2026, 4, 8), issued_at=now(), rating=5)
    return [events.registered(d, "w-a"), events.paused(d, "s", pause), events.resumed(d, "s", pause),
            events.extended(d, "s", extension), events.extension_requested(d, "w-a", extension, approved=0, limit=1),
            events.extension_refused(d, "s", extension), events.deadline_warning(d, working_days_left=2),
            events.overdue(d, since=date(2026, 3, 12)), events.dispatched(d, "s", dispatch),
            events.handled(d, "w-b", dispatch), events.sent_back(d, "w-a", dispatch), events.verified(d, "w-a"),
            events.closed(d, "w-a"), events.archived(d, "s"), events.satisfaction_recorded(d),
            events.help_requested(d, "w-a")]


def test_case_events_carry_no_names_phones_id_numbers_or_care_status_and_fit_their_contracts():
    raised = every_event(request_case())
    assert {e.type for e in raised} >= {"case.registered", "case.dispatched", "case.help_requested", "case.closed"}
    for e in raised:
        assert e.type.startswith("case.") and e.data["case_id"] and "dispute_id" not in e.data
        text = json.dumps(e.to_dict(), ensure_ascii=False, default=str)
        assert not [s for s in SECRETS if s in text], (e.type, text)
        assert "description" not in e.data and "parties" not in e.data and "vulnerable" not in text
        CONTRACTS[(e.type, 1)]().load(e.data)  # raises if it does not fit


@pytest.mark.parametrize("kind, codes", [("request", REQUEST_CATEGORIES),
                                         ("incident", tuple(SETTINGS.INCIDENT_CATEGORIES)),
                                         ("dispute", tuple(notices.CATEGORY_LABELS))])
def test_every_category_of_every_kind_has_a_label_and_a_notice(kind, codes):
    for code in codes:
        n = notices.desk_notice(kind, code, due=date(2026, 3, 11), days=7)
        assert n["category_label"] == notices.category_label(kind, code) != code
        assert n["steps"] and "2026年3月11日" in n["deadline"] and n["title"].startswith(n["category_label"])
        if kind == "request":
            assert n["documents"]
    assert notices.category_label(kind, "gone_from_the_list") == "gone_from_the_list"


def test_a_subsistence_notice_says_what_to_bring():
    documents = notices.desk_notice("request", "subsistence", due=date(2026, 3, 11), days=7)["documents"]
    assert {"户口簿", "家庭成员身份证"} <= set(documents) and any("收入证明" in x for x in documents)


def _who(role, user_id, **scope):
    return Principal(user_id=user_id, role=role, name=user_id, grid_ids=tuple(scope.get("grids", ())),
                     community_ids=tuple(scope.get("communities", ())))


def test_who_may_dispatch_handle_and_verify():
    reporter, handler = _who("grid_worker", "w-a", grids=["C1-G1"]), _who("grid_worker", "w-b", grids=["C1-G2"])
    staff, elsewhere = _who("community_staff", "s", communities=["C1"]), _who("community_staff", "s2",
                                                                            communities=["C2"])
    d = request_case()
    assert allowed(staff, d) == {"dispatch": True, "handle": False, "verify": False}
    assert allowed(reporter, d) == allowed(elsewhere, d) == {"dispatch": False, "handle": False, "verify": False}
    d.status, d.handler_id = "dispatched", "w-b"
    d.dispatches = [Dispatch(dispatch_id="x1", round=1, target="person", user_id="w-b", due_on=date(2026, 3, 10),
                             at=now(), by="s")]
    assert allowed(handler, d)["handle"] and allowed(staff, d)["handle"] and not allowed(reporter, d)["handle"]
    d.status, d.dispatches[0].state = "handled", "handled"
    assert allowed(reporter, d)["verify"] and allowed(staff, d)["verify"]
    assert not allowed(handler, d)["verify"] and not allowed(elsewhere, d)["verify"]
    dispute = request_case(kind="dispute", category="neighbours")
    assert allowed(staff, dispute) == {"dispatch": False, "handle": False, "verify": False}


def test_printed_receipt_and_special_report_of_a_request_and_an_incident_name_their_own_people():
    d = request_case()
    assert documents._handler(d) == ["处置部门或人员", "尚未分拨"]
    d.dispatches = [Dispatch(dispatch_id="x1", round=1, target="department", department="civil_affairs",
                             due_on=date(2026, 3, 10), at=now(), by="s")]
    assert documents._handler(d) == ["处置部门或人员", "民政部门"]
    d.escalation = Escalation(reasons=["other"], levels=["community", "street"], by="s", at=now())
    incident = request_case(kind="incident", category="fire_safety", parties=[])
    for case in (d, incident):
        assert documents.receipt(case, receipt(case)).startswith(b"%PDF")
    assert documents.special_report(d).startswith(b"%PDF")
    assert receipt(incident)["category_label"] == "消防安全" and receipt(incident)["applicants"] == []
    assert documents._handler(request_case(kind="dispute", category="family")) == ["调解员", "尚未指派"]
