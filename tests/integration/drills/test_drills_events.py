"""The drills service on the real RabbitMQ: its roster copy built from households events delivered twice, and the
drill events it publishes (every one marked as an exercise), with drill.completed carrying volunteer check-ins."""
import json
from datetime import date, datetime, timedelta, timezone

from bson import ObjectId
from prometheus_client import REGISTRY

from services.drills.models import Drill, Household, Volunteer
from shared.events import EnvelopeSchema
from tests.support import broker
from tests.support.drills import (
    COMMUNITY,
    GRID_A,
    GRID_B,
    care_flagged,
    district,
    drill_body,
    grid_created,
    household,
    left,
    moved,
    redrawn,
    registered,
    volunteer_registered,
)


def consumed(queue, outcome):
    return REGISTRY.get_sample_value("grid_events_consumed_total", {
        "service": "drills", "queue": queue, "type": "household.registered", "outcome": outcome}) or 0.0


def roster_ids(drills, who, grid):
    r = drills.get(f"/grids/{grid}/roster", headers=who.staff())
    return [h["household_id"] for h in r.json["households"]] if r.status_code == 200 else None


def test_the_roster_is_built_from_household_events_delivered_twice(drills, who, publisher, drills_worker,
                                                                   drills_config):
    queue = f"{drills_config.QUEUE_PREFIX}drills.keep_roster"
    duplicates_before = consumed(queue, "duplicate")
    homes = [household(GRID_A, COMMUNITY, n, care_tag="disability" if n == 2 else None, members=2)
             for n in range(1, 8)]
    homes[6].residents[0].birth_date = date(1938, 3, 1)  # 80 or more: needs help to move, suggested
    history = [grid_created(GRID_A, COMMUNITY), grid_created(GRID_B, COMMUNITY)]
    for h in homes:
        history += registered(h)
    history += [care_flagged(homes[4], "left_behind_child", resident=1), moved(homes[2], GRID_B, COMMUNITY),
                left(homes[3]), redrawn(GRID_A, GRID_B, COMMUNITY, [homes[5]])]
    for event in history:
        publisher.publish(event.to_dict())
        publisher.publish(event.to_dict())  # delivered twice: the relay restarted before marking it sent

    expect_a = {str(homes[i].pk) for i in (0, 1, 4, 6)}
    expect_b = {str(homes[i].pk) for i in (2, 5)}
    broker.wait_until(lambda: set(roster_ids(drills, who, GRID_A) or []) == expect_a
                      and set(roster_ids(drills, who, GRID_B) or []) == expect_b, timeout=30)
    broker.wait_until(lambda: consumed(queue, "duplicate") - duplicates_before >= len(homes))

    ids = roster_ids(drills, who, GRID_A)
    assert len(ids) == len(set(ids)) == 4 and Household.objects.count() == 7
    # special-care first: those needing help to move (disability, 80+), then other care, then by address
    assert ids[:3] == [str(homes[1].pk), str(homes[6].pk), str(homes[4].pk)]
    roster = drills.get(f"/grids/{GRID_A}/roster", headers=who.staff()).json["households"]
    assert [s["care_tags"] for s in roster[2]["special"]] == [["left_behind_child"]]
    assert roster[0]["residents"] == 2 and roster[3]["special"] == []
    assert Household.objects.get(pk=str(homes[3].pk)).status == "left"

    # a new drill's roll-call of grid A holds exactly those households
    drill_id = drills.post("/drills", json=drill_body(), headers=who.staff()).json["id"]
    drills.post(f"/drills/{drill_id}/start", headers=who.staff())
    roll = drills.get(f"/drills/{drill_id}/grids/{GRID_A}/roster", headers=who.worker()).json
    assert [h["household_id"] for h in roll["households"]] == ids


def drill_events(tap):
    return [EnvelopeSchema().load(json.loads(body)) for body, _, _ in broker.drain(tap)]


def test_drill_events_are_published_as_exercises_and_completed_credits_volunteers(drills, who, publisher,
                                                                                  drills_worker, drills_config):
    tap = broker.tap(drills_config.EVENT_EXCHANGE, "drill.#")
    actions_tap = broker.tap(drills_config.EVENT_EXCHANGE, "action.#")
    district(households_per_grid=(3, 2))
    for _ in range(2):
        publisher.publish(volunteer_registered("v-7", name="赵志愿").to_dict())
        publisher.publish(volunteer_registered("v-8", name="钱志愿").to_dict())
    broker.wait_until(lambda: len(drills.get("/volunteers", headers=who.staff()).json) == 2)
    assert Volunteer.objects.count() == 2

    drill_id = drills.post("/drills", json=drill_body(skills=["first_aid", "emergency_rescue"]),
                           headers=who.staff()).json["id"]
    drills.post(f"/drills/{drill_id}/start", headers=who.staff())
    start = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(hours=2)
    Drill._get_collection().update_one({"_id": ObjectId(drill_id)}, {"$set": {"started_at": start}})
    hid = drills.get(f"/drills/{drill_id}/grids/{GRID_A}/roster", headers=who.worker()).json["households"][0]["household_id"]
    body = {"ticks": [{"client_id": "evt-tick-01", "household_id": hid, "status": "evacuated"}]}
    for _ in range(3):
        assert drills.post(f"/drills/{drill_id}/grids/{GRID_A}/ticks", json=body, headers=who.worker()).status_code == 200
    for volunteer, minutes in (("v-7", 90), ("v-8", 15)):
        drills.post(f"/drills/{drill_id}/checkins", json={"volunteer_id": volunteer,
                                                          "at": (start + timedelta(minutes=5)).isoformat()},
                    headers=who.worker())
        drills.post(f"/drills/{drill_id}/checkins/{volunteer}/out",
                    json={"at": (start + timedelta(minutes=5 + minutes)).isoformat()}, headers=who.staff())
    drills.post(f"/drills/{drill_id}/end", json={}, headers=who.staff())
    action = drills.post(f"/drills/{drill_id}/actions", json={
        "title": "更换3栋广播喇叭", "owner_name": "王主任", "owner_user_id": "s-c1",
        "due_on": (date.today() + timedelta(days=30)).isoformat()}, headers=who.staff()).json
    drills.post(f"/actions/{action['id']}/close", json={"resolution": "已更换"}, headers=who.staff())

    seen = []
    broker.wait_until(lambda: seen.extend(drill_events(tap)) or "drill.completed" in [e.type for e in seen], timeout=20)
    by_type = {}
    for event in seen:
        by_type.setdefault(event.type, []).append(event)
    assert sorted(by_type) == ["drill.completed", "drill.household_accounted", "drill.planned", "drill.started"]
    assert all(e.data["exercise"] is True and e.community_id == COMMUNITY for e in seen)
    [planned] = by_type["drill.planned"]
    assert set(planned.data) == {"drill_id", "community_id", "grid_ids", "hazard", "level", "title", "starts_at",
                                 "ends_at", "helpers_wanted", "skills", "exercise"}
    assert (planned.data["grid_ids"], planned.data["helpers_wanted"], planned.data["skills"]) == (
        [GRID_A, GRID_B], 5, ["first_aid", "emergency_rescue"])
    assert by_type["drill.started"][0].data["households"] == 5
    [accounted] = by_type["drill.household_accounted"]  # three sends, one tick, one event
    assert (accounted.data["household_id"], accounted.data["status"], accounted.grid_id) == (hid, "evacuated", GRID_A)
    [completed] = by_type["drill.completed"]
    assert set(completed.data) == {"drill_id", "community_id", "started_at", "ended_at", "volunteer_checkins",
                                   "exercise"}
    assert sorted(completed.data["volunteer_checkins"], key=lambda c: c["volunteer_id"]) == [
        {"volunteer_id": "v-7", "hours": 1.5}, {"volunteer_id": "v-8", "hours": 0.25}]
    assert datetime.fromisoformat(completed.data["started_at"]) == start

    actions = []
    broker.wait_until(lambda: actions.extend(drill_events(actions_tap)) or len(actions) == 2)
    assert [(e.type, e.data["action_id"], e.data["exercise"]) for e in actions] == [
        ("action.opened", action["id"], True), ("action.closed", action["id"], True)]
