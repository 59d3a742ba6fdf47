"""A planned drill can be called off or moved (before, neither was possible and the volunteers' helper need it
opened stayed open): POST /drills/<id>/cancel and /reschedule, 409 for a running or completed drill, the events
drill.cancelled and drill.rescheduled on the real RabbitMQ, and the volunteers service closing or moving the need,
once, however often the events arrive."""
import json
from datetime import datetime, timedelta, timezone

import pytest
from bson import ObjectId
from prometheus_client import REGISTRY

from services.drills import events as drill_events
from services.drills.models import Drill, Reschedule
from services.volunteers import handlers, register_copy
from services.volunteers.models import Need
from services.volunteers.worker import bootstrap as volunteers_bootstrap
from shared.events import EnvelopeSchema
from shared.messaging.bus import EventPublisher
from shared.messaging.worker import Worker
from tests.support import broker
from tests.support.drills import COMMUNITY, GRID_A, district, drill_body, soon
from tests.support.volunteers import grid_created


def published(tap) -> list:
    return [EnvelopeSchema().load(json.loads(body)) for body, _, _ in broker.drain(tap)]


def test_a_planned_drill_is_cancelled_or_moved_and_a_running_one_is_not(drills, who, drills_worker, drills_config):
    tap = broker.tap(drills_config.EVENT_EXCHANGE, "drill.#")
    district()
    staff = who.staff()
    first = drills.post("/drills", json=drill_body(), headers=staff).json
    second = drills.post("/drills", json=drill_body(title="消防疏散演练"), headers=staff).json

    # a reason is required; a grid worker may not; another community's staff do not even see it
    for body in ({}, {"reason": ""}, {"reason": "   "}):
        r = drills.post(f"/drills/{first['id']}/cancel", json=body, headers=staff)
        assert r.status_code == 422 and "reason" in r.json["fields"], body
    assert drills.post(f"/drills/{first['id']}/cancel", json={"reason": "暴雨预警"},
                       headers=who.worker()).status_code == 403
    assert drills.post(f"/drills/{first['id']}/cancel", json={"reason": "暴雨预警"},
                       headers=who.staff("C2", "s-c2")).status_code == 404
    assert Drill.objects.get(pk=first["id"]).status == "planned"

    # moved a week on: it keeps its length; the move is recorded with its reason
    new_start = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=7)
    r = drills.post(f"/drills/{first['id']}/reschedule", json={"starts_at": new_start.isoformat(), "reason": "与社区活动冲突"},
                    headers=staff)
    assert r.status_code == 200, r.json
    moved = r.json
    assert datetime.fromisoformat(moved["starts_at"]) == new_start
    assert datetime.fromisoformat(moved["ends_at"]) - new_start == timedelta(minutes=120)
    [move] = moved["reschedules"]
    assert move["reason"] == "与社区活动冲突" and move["by"] == "s-c1"
    assert abs(datetime.fromisoformat(move["from_starts_at"]) - datetime.fromisoformat(first["starts_at"])) < timedelta(
        milliseconds=1)
    for bad, field in (({"starts_at": (new_start - timedelta(days=30)).isoformat(), "reason": "x"}, "starts_at"),
                       ({"starts_at": new_start.isoformat(), "ends_at": (new_start - timedelta(hours=1)).isoformat(),
                         "reason": "x"}, "ends_at"),
                       ({"starts_at": new_start.isoformat(), "reason": "x"}, "starts_at"),  # already then
                       ({"starts_at": new_start.isoformat()}, "reason")):
        r = drills.post(f"/drills/{first['id']}/reschedule", json=bad, headers=staff)
        assert r.status_code == 422 and field in r.json["fields"], (bad, r.json)
    assert Drill.objects.get(pk=first["id"]).version == moved["version"]  # nothing half-written

    r = drills.post(f"/drills/{first['id']}/cancel", json={"reason": "暴雨预警，改为线上培训"}, headers=staff)
    assert (r.status_code, r.json["status"], r.json["cancel_reason"]) == (200, "cancelled", "暴雨预警，改为线上培训")
    r = drills.post(f"/drills/{first['id']}/cancel", json={"reason": "again"}, headers=staff)
    assert r.status_code == 409 and r.json["reason"]["code"] == "drills.only_planned_cancels"
    assert drills.post(f"/drills/{first['id']}/start", headers=staff).status_code == 409
    # nothing happens at a cancelled drill: no ticks, check-ins, problems, actions or report
    for method, path, body in (
            ("post", f"/drills/{first['id']}/grids/{GRID_A}/ticks",
             {"ticks": [{"client_id": "cancelled-0001", "household_id": "h-1", "status": "at_home"}]}),
            ("post", f"/drills/{first['id']}/checkins", {"volunteer_id": "v-1"}),
            ("post", f"/drills/{first['id']}/problems", {"text": "广播听不清"}),
            ("post", f"/drills/{first['id']}/actions", {"title": "修复", "owner_name": "某", "due_on": "2099-01-01"}),
            ("get", f"/drills/{first['id']}/report", None)):
        r = getattr(drills, method)(path, json=body, headers=staff) if body else drills.get(path, headers=staff)
        assert (r.status_code, r.json["reason"]["code"]) == (409, "drills.cancelled"), (path, r.json)
    assert drills.post(f"/drills/{first['id']}/reschedule", json={"starts_at": soon(60).isoformat(), "reason": "x"},
                       headers=staff).status_code == 409

    # a running drill, and a completed one, cannot be cancelled or moved
    drills.post(f"/drills/{second['id']}/start", headers=staff)
    r = drills.post(f"/drills/{second['id']}/cancel", json={"reason": "不演了"}, headers=staff)
    assert r.status_code == 409 and r.json["reason"] == {"code": "drills.only_planned_cancels",
                                                         "params": {"status": "live"}}
    r = drills.post(f"/drills/{second['id']}/reschedule", json={"starts_at": soon(60).isoformat(), "reason": "x"},
                    headers=staff)
    assert r.status_code == 409 and r.json["reason"]["code"] == "drills.only_planned_moves"
    drills.post(f"/drills/{second['id']}/end", json={}, headers=staff)
    r = drills.post(f"/drills/{second['id']}/cancel", json={"reason": "不演了"}, headers=staff)
    assert r.status_code == 409 and r.json["reason"]["params"] == {"status": "completed"}

    # cancelled: not coming, not counted
    assert [d["id"] for d in drills.get("/drills", query_string={"status": "planned"}, headers=staff).json] == []
    assert [d["id"] for d in drills.get("/drills", query_string={"status": "cancelled"}, headers=staff).json] == [
        first["id"]]
    [row] = drills.get("/compliance", query_string={"community_id": COMMUNITY}, headers=staff).json
    assert first["id"] not in row["comprehensive"]["planned_drill_ids"] + row["comprehensive"]["drill_ids"]

    seen = []
    broker.wait_until(lambda: seen.extend(published(tap)) or "drill.cancelled" in [e.type for e in seen], timeout=20)
    mine = [e for e in seen if e.data["drill_id"] == first["id"]]
    assert [e.type for e in mine] == ["drill.planned", "drill.rescheduled", "drill.cancelled"]
    _, rescheduled, cancelled = mine
    assert set(rescheduled.data) == {"drill_id", "community_id", "starts_at", "ends_at", "previous_starts_at",
                                     "rescheduled_at", "exercise"}
    assert rescheduled.data["starts_at"] == new_start.isoformat()
    assert set(cancelled.data) == {"drill_id", "community_id", "cancelled_at", "exercise"}  # no free text
    assert "暴雨" not in json.dumps(cancelled.data, ensure_ascii=False)


# ---- the volunteers side: the need the drill opened closes or moves ---------------------------------------------

def consumed(config, event_type: str, outcome: str) -> float:
    return REGISTRY.get_sample_value("grid_events_consumed_total", {
        "service": "volunteers", "queue": f"{config.QUEUE_PREFIX}volunteers.drill_helpers", "type": event_type,
        "outcome": outcome}) or 0.0


@pytest.fixture
def vol_bus(vol_app, vol_config):
    """The volunteers worker on the real broker, its community C1 known, and a publisher speaking as drills."""
    register_copy.on_register_event(grid_created("C1-G1", "C1").load())
    worker = Worker(vol_config, **volunteers_bootstrap(vol_config))
    worker.consumer.declare()
    worker.start()
    publisher = EventPublisher(url=vol_config.AMQP_URL, exchange=vol_config.EVENT_EXCHANGE, service="drills")
    yield publisher
    publisher.close()
    worker.shutdown()


def a_drill() -> Drill:
    """An unsaved drills Drill, only to build its events with the drills service's own builders."""
    start = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=3)
    return Drill(id=ObjectId(), community_id="C1", grid_ids=["C1-G1"], title="防汛综合演练", hazard="natural_disaster",
                 level="III", kind="comprehensive", starts_at=start, ends_at=start + timedelta(hours=2),
                 helpers_wanted=3, skills=["first_aid"], year=start.year)


def twice(publisher, event) -> None:
    publisher.publish(event.to_dict())
    publisher.publish(event.to_dict())


def test_the_helper_need_moves_and_closes_once_through_the_bus(vol_bus, vol_config):
    drill = a_drill()
    planned = drill_events.drill_planned(drill)
    twice(vol_bus, planned)
    broker.wait_until(lambda: Need.objects(drill_id=str(drill.pk)).count() == 1)
    [need] = Need.objects(drill_id=str(drill.pk))
    assert need.status == "open"

    previous = drill.starts_at
    drill.starts_at, drill.ends_at = previous + timedelta(days=7), drill.ends_at + timedelta(days=7)
    drill.reschedules.append(Reschedule(from_starts_at=previous, starts_at=drill.starts_at, ends_at=drill.ends_at,
                                        reason="改期", at=datetime.now(timezone.utc)))
    moved = drill_events.drill_rescheduled(drill, previous)
    before = consumed(vol_config, "drill.rescheduled", "duplicate")
    twice(vol_bus, moved)
    broker.wait_until(lambda: consumed(vol_config, "drill.rescheduled", "duplicate") > before)
    need.reload()
    assert (need.starts_at, need.ends_at, need.status) == (drill.starts_at, drill.ends_at, "open")
    version = need.version
    handlers.drill_helpers(moved.load())  # the handler itself: the same times again change nothing
    need.reload()
    assert need.version == version

    drill.status, drill.cancelled_at = "cancelled", datetime.now(timezone.utc)
    cancelled = drill_events.drill_cancelled(drill)
    twice(vol_bus, cancelled)
    broker.wait_until(lambda: Need.objects.get(pk=need.pk).status == "closed")
    broker.wait_until(lambda: consumed(vol_config, "drill.cancelled", "duplicate") >= 1)
    need.reload()
    assert need.closed_reason == "drill cancelled" and need.open_key is None
    assert need.description.startswith("【演练已取消】无需志愿者到场。")
    handlers.drill_helpers(cancelled.load())
    # a late resend of the planned drill (a new event id) opens nothing for a cancelled drill
    vol_bus.publish(drill_events.drill_planned(drill).to_dict())
    broker.wait_until(lambda: consumed(vol_config, "drill.planned", "processed") >= 2)
    assert [(n.status, n.closed_reason) for n in Need.objects(drill_id=str(drill.pk))] == [("closed", "drill cancelled")]
    assert Need.objects.get(pk=need.pk).version == need.version
