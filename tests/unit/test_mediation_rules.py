"""Mediation rules with fakes (no servers): events and their contracts, feeds, major cases, notices, inputs."""
from datetime import date, datetime, timezone
from types import SimpleNamespace

import pytest
from marshmallow import ValidationError

from services.mediation import events, handlers, notices, rules, schemas, service
from services.mediation.config import SETTINGS
from services.mediation.metrics import age_bucket
from services.mediation.models import Dispute, Escalation, Outcome, Party, Person, Survey
from services.mediation.service import feeds
from shared.events import new_event
from shared.events.households import CONTRACTS as HOUSEHOLD_EVENTS
from shared.events.mediation import CATEGORIES, CONTRACTS


def dispute(**kw) -> Dispute:
    at = datetime(2025, 10, 1, tzinfo=timezone.utc)
    base = dict(number="2025-XF-0007", year=2025, month="2025-09", community_id="C1", grid_id="C1-G1",
                category="family", description="赡养纠纷", urgency="urgent", channel="phone", owner_id="w-a",
                first_contact=Person(user_id="w-a", name="网格员"), mediator_id="m-2", mediator_name="调解员",
                status="resolved", registered_on=date(2025, 9, 29), working_days=7, due_on=date(2025, 10, 15),
                parties=[Party(party_id="p1", role="applicant", kind="person", name="王五", phone="13912345678"),
                         Party(party_id="p2", role="respondent", kind="household", name="居民1", household_id="h1")],
                outcome=Outcome(kind="agreement", terms=["每月支付赡养费500元"], decided_on=date(2025, 10, 9), by="m-2",
                                at=at),
                escalation=Escalation(reasons=["vulnerable_party"], levels=["community", "street"],
                                      households_involved=2, by="w-a", at=at),
                survey=Survey(open_until=date(2025, 11, 1), issued_at=at, rating=4), closed_on=date(2025, 10, 10),
                archive_number="2025-GD-0001", archived_on=date(2025, 10, 20))
    return Dispute(**{**base, **kw})


def every_event(d):
    fake = SimpleNamespace
    return [
        events.registered(d, "w-a"),
        events.assigned(d, "s", previous_mediator_id="m-1", reason="回避"),
        events.paused(d, "m-2", fake(started_on=date(2025, 10, 1), reason="等待")),
        events.resumed(d, "m-2", fake(ended_on=date(2025, 10, 9), working_days=1)),
        events.extended(d, "m-2", fake(working_days=2, reason="勘查")),
        events.deadline_warning(d, working_days_left=2),
        events.overdue(d, since=date(2025, 10, 16)),
        events.escalated(d, "w-a"),
        events.session_held(d, "m-2", fake(session_id="s1", held_on=date(2025, 10, 2),
                                           attendance=[fake(present=True), fake(present=False)])),
        events.resolved(d, "m-2"),
        events.referred(d, "m-2", fake(referral_id="r1", kind="judicial", to_body="法院", referred_on=date(2025, 10, 3))),
        events.referral_returned(d, "m-2", fake(referral_id="r1", kind="judicial", result="settled",
                                                returned_on=date(2025, 10, 8))),
        events.closed(d, "m-2"),
        events.archived(d, "s"),
        events.satisfaction_recorded(d),
        events.extension_requested(d, "m-2", fake(working_days=2, reason="勘查"), approved=0, limit=1),
        events.extension_refused(d, "s-c1", fake(working_days=2, decision_reason="不予延期", by="m-2")),
    ]


def test_every_contract_has_a_builder_and_events_carry_place_and_people_but_no_personal_data():
    built = every_event(dispute())
    assert sorted(e.type for e in built) == sorted(t for t, _ in CONTRACTS if not t.startswith("case."))
    for e in built:
        assert (e.community_id, e.grid_id, e.source) == ("C1", "C1-G1", "mediation")
        assert (e.data["first_contact_id"], e.data["mediator_id"], e.data["number"]) == ("w-a", "m-2", "2025-XF-0007")
        text = str(e.to_dict())
        assert "13912345678" not in text and "王五" not in text and "赡养纠纷" not in text


def test_a_contract_refuses_bad_data():
    with pytest.raises(ValidationError):
        new_event("dispute.overdue", version=1, source="t", data={"dispute_id": "x"})


def test_feeds_reach_the_owner_and_mediators_but_not_the_one_who_acted():
    d = dispute()
    assigned = events.assigned(d, "s-c1", previous_mediator_id="m-1", reason="回避")
    assert feeds.recipients(assigned) == {"w-a": "first_contact", "m-2": "mediator", "m-1": "previous_mediator"}
    session = every_event(d)[8]
    assert feeds.recipients(session) == {"w-a": "first_contact"}  # m-2 held it
    assert feeds.recipients(events.registered(d, "w-a")) == {"m-2": "mediator"}
    for e in every_event(d):
        assert feeds.message(e).startswith("纠纷 2025-XF-0007")
    assert "改派" in feeds.message(assigned)


def test_the_handler_table_covers_households_events_and_own_events():
    # visits, visit cadences and the four-in-one network (building heads, household groups) are no party's business
    irrelevant = {("visit.logged", 1), ("care.cadences_set", 1), ("building_head.changed", 1),
                  ("household_group.changed", 1)}
    assert set(HOUSEHOLD_EVENTS) - irrelevant <= set(handlers.HANDLERS)
    assert all(handlers.HANDLERS[kind] == [handlers.notify] for kind in CONTRACTS)
    assert handlers.follow_parties in handlers.HANDLERS[("household.moved", 1)]


def test_major_cases_and_households_involved():
    people = [Party(party_id="a", role="applicant", kind="person", name="x"),
              Party(party_id="b", role="respondent", kind="person", name="物业公司", organisation=True),
              Party(party_id="c", role="other", kind="household", name="y", household_id="h1"),
              Party(party_id="d", role="other", kind="household", name="z", household_id="h1")]
    assert rules.involved_households(people, None) == 2  # one person, one household; the company is not one
    assert rules.involved_households(people, 12) == 12
    assert rules.major_reasons(households_involved=5, violence_risk=True, parties=people, threshold=5) == [
        "many_households", "violence_risk"]
    people[0].vulnerable = True
    assert rules.major_reasons(households_involved=1, violence_risk=False, parties=people, threshold=5) == [
        "vulnerable_party"]


def test_one_time_notice_for_every_category():
    for category in CATEGORIES:
        n = notices.notice(category, due=date(2025, 10, 15), days=7)
        assert n["steps"] and n["documents"] and "2025年10月15日" in n["deadline"] and "7个工作日" in n["deadline"]
        assert n["category_label"] == notices.CATEGORY_LABELS[category]


def test_age_buckets():
    assert [age_bucket(n) for n in (0, 3, 4, 7, 8, 15, 16, 100)] == ["0-3", "0-3", "4-7", "4-7", "8-15", "8-15",
                                                                      "16+", "16+"]


def test_settings_default_and_read_from_config(monkeypatch):
    from_environment = SimpleNamespace()
    SETTINGS.apply(from_environment, environ={"DISPUTE_DUE_WORKING_DAYS": "5"})
    assert from_environment.DISPUTE_DUE_WORKING_DAYS == 5
    config = SimpleNamespace(DISPUTE_WARN_WORKING_DAYS=3)
    SETTINGS.apply(config, environ={})
    assert (config.DISPUTE_WARN_WORKING_DAYS, config.DISPUTE_DUE_WORKING_DAYS) == (3, 7)
    monkeypatch.setattr(SETTINGS, "_config", config)  # bound, as the app factory and the worker bind it
    assert SETTINGS.DISPUTE_WARN_WORKING_DAYS == 3 and SETTINGS.DISPUTE_MAJOR_HOUSEHOLDS == 5


def base_body(**kw):
    return {"grid_id": "C1-G1", "category": "land", "description": "地界", "channel": "walk_in",
            "parties": [{"role": "applicant", "kind": "person", "name": "甲"}], **kw}


@pytest.mark.parametrize("change, field", [
    ({"parties": [{"role": "respondent", "kind": "person", "name": "乙"}]}, "parties"),
    ({"parties": [{"role": "applicant", "kind": "household"}]}, "parties"),
    ({"parties": [{"role": "applicant", "kind": "person"}]}, "parties"),
    ({"parties": [{"role": "applicant", "kind": "household", "household_id": "h", "phone": "13800000000"}]}, "parties"),
    ({"channel": "referral"}, "referred_from"),
    ({"category": "tax"}, "category"),
    ({"id_number": "110105195001010011"}, "id_number"),
])
def test_intake_input_is_checked(change, field):
    with pytest.raises(ValidationError) as err:
        schemas.DisputeCreate().load(base_body(**change))
    assert field in err.value.messages


def test_outcome_terms_belong_to_agreements_only():
    assert schemas.OutcomeRequest().load({"kind": "agreement", "terms": ["a"]})["terms"] == ["a"]
    for body in ({"kind": "agreement"}, {"kind": "withdrawn", "terms": ["a"]}, {"kind": "referred"}):
        with pytest.raises(ValidationError):
            schemas.OutcomeRequest().load(body)


def test_reads_mask_phones():
    dumped = schemas.DisputeRead().dump(dispute(status="archived"))
    assert dumped["parties"][0]["phone"] == "139********"
    assert schemas.DisputeRevealed().dump(dispute())["parties"][0]["phone"] == "13912345678"
    assert dumped["clock"]["running"] is False and dumped["category_label"] == "婚姻家庭纠纷"


def test_documents_render_as_pdf():
    from services.mediation import documents

    d = dispute()
    assert documents.agreement(d).startswith(b"%PDF")
    assert documents.special_report(d).startswith(b"%PDF")
    assert documents.receipt(d, service.receipt(d)).startswith(b"%PDF")
