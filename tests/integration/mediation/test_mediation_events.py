"""Mediation's flows on the real RabbitMQ: households events in, dispute events out, the deadline job, feeds."""
import json

from prometheus_client import REGISTRY

from services.mediation import handlers
from services.mediation.models import Dispute, Notification, RegisterHousehold
from services.mediation.worker import bootstrap
from shared.events import EnvelopeSchema
from tests.support import broker
from tests.support.mediation import GRIDS, dispute_body, grid_created, household_moved, household_registered


def consumed(mediation_config, handler: str, event_type: str, outcome: str) -> float:
    queue = f"{mediation_config.QUEUE_PREFIX}mediation.{handler}"
    return REGISTRY.get_sample_value("grid_events_consumed_total", {
        "service": "mediation", "queue": queue, "type": event_type, "outcome": outcome}) or 0.0


def published(tap: str) -> list:
    return [EnvelopeSchema().load(json.loads(body)) for body, _, _ in broker.drain(tap)]


def test_household_events_delivered_twice_build_one_party_record(api, people, publisher, mediation_worker,
                                                                mediation_config, today):
    today.set("2025-09-29")
    for grid_id in GRIDS:
        publisher.publish(grid_created(grid_id).to_dict())
    registered = household_registered("C1-G1", 3)
    hid = registered.data["household_id"]
    publisher.publish(registered.to_dict())
    publisher.publish(registered.to_dict())  # delivered twice (a relay restarted before marking it sent)
    broker.wait_until(lambda: consumed(mediation_config, "keep_register", "household.registered", "duplicate") >= 1)
    found = api.get("/register/households?q=居民3", headers=people["worker"]).json
    assert [(h["id"], h["grid_id"], h["address_text"]) for h in found] == [(hid, "C1-G1", "1栋1单元103")]
    assert RegisterHousehold.objects(pk=hid).count() == 1 and len(RegisterHousehold.objects.get(pk=hid).residents) == 2

    r = api.post("/disputes", json=dispute_body({"role": "applicant", "kind": "household", "household_id": hid}),
                 headers=people["worker"])
    assert r.status_code == 201, r.json
    case = r.json["dispute"]
    assert [(p["household_id"], p["name"], p["grid_id"]) for p in case["parties"]][0] == (hid, "居民3", "C1-G1")

    moved = household_moved(hid, "C1-G1", "C1-G2")
    publisher.publish(moved.to_dict())
    publisher.publish(moved.to_dict())
    broker.wait_until(lambda: consumed(mediation_config, "follow_parties", "household.moved", "duplicate") >= 1)
    broker.wait_until(lambda: consumed(mediation_config, "keep_register", "household.moved", "duplicate") >= 1)
    handlers.follow_parties(moved.load())  # and even past the inbox, the handler's effect is once
    after = api.get(f"/disputes/{case['id']}", headers=people["worker"]).json
    party = after["parties"][0]
    assert (party["grid_id"], party["address"], party["name"]) == ("C1-G2", "9栋2单元901", "居民3")
    assert [s["action"] for s in after["history"]].count("party_moved") == 1
    assert after["grid_id"] == "C1-G1"  # the case stays where it was registered; its owner still sees it
    assert RegisterHousehold.objects.get(pk=hid).grid_id == "C1-G2"
    assert RegisterHousehold.objects.count() == 1


def test_deadline_warning_and_overdue_are_raised_once_each(api, register, people, mediation_worker,
                                                          mediation_config, mediation_app, today):
    tap = broker.tap(mediation_config.EVENT_EXCHANGE, "dispute.*")
    today.set("2025-09-29")
    case = api.post("/disputes", json=dispute_body(), headers=people["worker"]).json["dispute"]
    waiting = api.post("/disputes", json=dispute_body(), headers=people["staff"]).json["dispute"]
    api.post("/mediators/me", headers=people["m1"])
    api.post(f"/disputes/{waiting['id']}/assign", json={"mediator_id": "m-1"}, headers=people["staff"])
    api.post(f"/disputes/{waiting['id']}/pause", json={"reason": "等待当事人"}, headers=people["m1"])
    [(_, job)] = bootstrap(mediation_config)["periodic"]

    today.set("2025-10-10")  # 4 working days left (Oct 11 is a make-up Saturday): too early to warn
    job()
    today.set("2025-10-13")  # 2 working days left
    job()
    job()
    today.set("2025-10-15")  # the due day itself: still not overdue
    job()
    today.set("2025-10-16")
    job()
    job()
    broker.wait_until(lambda: Dispute.objects(outbox__0__exists=True).count() == 0)
    events = broker.wait_until(lambda: [e for e in published(tap) if e.type not in ("dispute.registered",
                                                                                      "dispute.assigned",
                                                                                      "dispute.paused")] or None)
    events += published(tap)
    assert sorted(e.type for e in events) == ["dispute.deadline_warning", "dispute.overdue"]
    warning = next(e for e in events if e.type == "dispute.deadline_warning")
    assert warning.data == {**warning.data, "dispute_id": case["id"], "working_days_left": 2,
                            "due_on": "2025-10-15", "first_contact_id": "w-a", "community_id": "C1"}
    assert (warning.community_id, warning.grid_id) == ("C1", "C1-G1")
    overdue = next(e for e in events if e.type == "dispute.overdue")
    assert overdue.data["overdue_since"] == "2025-10-16"

    stored = api.get(f"/disputes/{case['id']}", headers=people["worker"]).json
    assert stored["clock"]["overdue"] and stored["clock"]["working_days_left"] == -1
    metrics = api.get("/metrics").text
    assert 'grid_disputes_overdue{community_id="C1"} 1.0' in metrics
    assert 'grid_disputes_open{age_bucket="8-15",community_id="C1"} 2.0' in metrics
    assert 'grid_disputes_by_category{category="neighbours",community_id="C1"} 2.0' in metrics
    assert api.get("/disputes?overdue=true", headers=people["staff"]).json["total"] == 1


def test_first_contact_owner_is_told_of_every_step_after_reassignment(api, register, people, mediators,
                                                                     mediation_worker, mediation_config, today):
    today.set("2025-09-29")
    closed_tap = broker.tap(mediation_config.EVENT_EXCHANGE, "dispute.closed")
    case = api.post("/disputes", json=dispute_body(), headers=people["worker"]).json["dispute"]
    url = f"/disputes/{case['id']}"

    def ok(response, status=200):
        assert response.status_code == status, response.json
        return response.json

    ok(api.post(f"{url}/assign", json={"mediator_id": "m-1"}, headers=people["staff"]))
    ok(api.post(f"{url}/assign", json={"mediator_id": "m-2", "reason": "m-1 休假"}, headers=people["staff"]))
    parties = ok(api.get(url, headers=people["m2"]))["parties"]
    ok(api.post(f"{url}/sessions", json={"attendance": [{"party_id": p["party_id"], "present": True}
                                                        for p in parties]}, headers=people["m2"]), 201)
    ok(api.post(f"{url}/pause", json={"reason": "等待鉴定结果"}, headers=people["m2"]))
    today.set("2025-09-30")
    ok(api.post(f"{url}/resume", headers=people["m2"]))
    ok(api.post(f"{url}/extend", json={"working_days": 2, "reason": "需补充材料"}, headers=people["m2"]))
    ok(api.post(f"{url}/extend/decision", json={"approve": True, "reason": "同意"}, headers=people["staff"]))
    ok(api.post(f"{url}/outcome", json={"kind": "agreement", "terms": ["互相谅解"]}, headers=people["m2"]))
    token = ok(api.post(f"{url}/close", json={}, headers=people["m2"]))["survey_token"]
    ok(api.post(f"/public/surveys/{token}", json={"rating": 4}, headers=people["resident"]), 201)
    ok(api.post(f"{url}/archive", headers=people["staff"]))

    expected = ["dispute.assigned", "dispute.assigned", "dispute.session_held", "dispute.paused",
                "dispute.resumed", "dispute.extension_requested", "dispute.extended", "dispute.resolved",
                "dispute.closed", "satisfaction.recorded", "dispute.archived"]

    def owner_feed():
        feed = api.get("/notifications?limit=100", headers=people["worker"]).json
        return feed if len(feed["items"]) >= len(expected) and feed["unread"] >= len(expected) else None

    feed = broker.wait_until(owner_feed)
    assert sorted(n["event_type"] for n in feed["items"]) == sorted(expected)
    assert {n["why"] for n in feed["items"]} == {"first_contact"} and feed["unread"] == len(expected)
    assert all(n["number"] == case["number"] for n in feed["items"])
    assert any("改派" in n["message"] for n in feed["items"])
    # the owner still sees the case after reassignment, and in "my cases"
    assert api.get(url, headers=people["worker"]).status_code == 200
    # the mediators hear of what others did, not of their own steps
    m2 = broker.wait_until(lambda: api.get("/notifications", headers=people["m2"]).json["items"] or None)
    broker.wait_until(lambda: len(api.get("/notifications", headers=people["m2"]).json["items"]) == 4)
    m2_types = sorted(n["event_type"] for n in api.get("/notifications", headers=people["m2"]).json["items"])
    # the extension m2 requested was approved by staff: m2 hears of the approval
    assert m2 and m2_types == ["dispute.archived", "dispute.assigned", "dispute.extended", "satisfaction.recorded"]
    m1 = broker.wait_until(lambda: len(api.get("/notifications", headers=people["m1"]).json["items"]) == 2 or None)
    m1_feed = api.get("/notifications", headers=people["m1"]).json["items"]
    assert m1 and sorted(n["why"] for n in m1_feed) == ["mediator", "previous_mediator"]
    # a redelivered event adds nothing; marking read empties the unread count
    stored = Notification.objects(user_id="w-a", event_type="dispute.closed").first()
    closed = [e for e in published(closed_tap) if e.id == stored.event_id]
    assert len(closed) == 1
    handlers.notify(closed[0].load())
    assert Notification.objects(user_id="w-a").count() == len(expected)
    assert api.post("/notifications/read-all", headers=people["worker"]).json == {"marked": len(expected)}
    assert api.get("/notifications?unread=true", headers=people["worker"]).json == {"items": [], "unread": 0}
    assert api.get("/notifications", headers=people["resident"]).status_code == 403
