"""Cross-service flows of the volunteers service over the real RabbitMQ: households and drills events in,
volunteers events out, each effect exactly once even when an event arrives twice."""
import dataclasses
import json
from datetime import datetime, timedelta, timezone

from prometheus_client import REGISTRY

from services.volunteers import handlers, register_copy
from services.volunteers.models import CommunityCopy, GridCopy, HoursEntry, Need
from shared.events import EnvelopeSchema, new_event
from tests.support import broker
from tests.support.callers import headers_for
from tests.support.data import id_number
from tests.support.volunteers import grid_created, make_link, make_team, person, sign_up, volunteer_id_by_phone


def consumed(config, handler: str, event_type: str, outcome: str) -> float:
    queue = f"{config.QUEUE_PREFIX}volunteers.{handler}"
    return REGISTRY.get_sample_value("grid_events_consumed_total", {
        "service": "volunteers", "queue": queue, "type": event_type, "outcome": outcome}) or 0.0


def send_twice(publisher, event):
    """The broker redelivers, or a relay restarted before marking it sent: the same envelope twice."""
    envelope = event.to_dict()
    publisher.publish(envelope)
    publisher.publish(envelope)


def care_event(kind="flagged", *, resident="r-1", tag="elderly_alone", household="h-1", grid="C1-G1",
               community="C1", at=None):
    event = new_event(f"resident.care_{kind}", version=1, source="households", community_id=community, grid_id=grid, data={
        "household_id": household, "resident_id": resident, "name": "王奶奶", "tag": tag, "since": "2025-01-01",
        "until": None if kind == "flagged" else "2025-06-01"})
    return event if at is None else dataclasses.replace(event, occurred_at=at)


def drill_planned(drill_id="D-1", helpers=3):
    start = datetime.now(timezone.utc) + timedelta(days=7)
    return new_event("drill.planned", version=1, source="drills", community_id="C1", data={
        "drill_id": drill_id, "community_id": "C1", "grid_ids": ["C1-G1"], "hazard": "fire", "level": "IV",
        "title": "消防疏散演练", "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=2)).isoformat(),
        "helpers_wanted": helpers, "skills": ["first_aid", "emergency_rescue"], "exercise": True})


def drill_completed(checkins, drill_id="D-1"):
    start = datetime.now(timezone.utc) - timedelta(hours=3)
    return new_event("drill.completed", version=1, source="drills", community_id="C1", data={
        "drill_id": drill_id, "community_id": "C1", "started_at": start.isoformat(),
        "ended_at": (start + timedelta(hours=2)).isoformat(), "volunteer_checkins": checkins, "exercise": True})


def test_a_care_flag_delivered_twice_opens_exactly_one_standing_need(places, worker, publisher, vol_config):
    flag = care_event()
    send_twice(publisher, flag)
    broker.wait_until(lambda: consumed(vol_config, "care_needs", "resident.care_flagged", "duplicate") >= 1)
    [need] = Need.objects(kind="care")
    assert (need.community_id, need.grid_id, need.status, need.recurrence) == ("C1", "C1-G1", "open", "days")
    assert need.care.resident_id == "r-1" and need.skills == ["elderly_care"] and "王奶奶" in need.title
    # a crash between the handler's write and the inbox record: the handler runs again, still one need
    handlers.care_needs(flag.load())
    # households re-sends a flag for the same resident and tag under a new event id: still one open need
    handlers.care_needs(care_event().load())
    assert Need.objects(kind="care").count() == 1
    # the relay publishes need.opened
    broker.wait_until(lambda: Need.objects.get(pk=need.pk).outbox == [])

    publisher.publish(care_event("cleared").to_dict())
    broker.wait_until(lambda: Need.objects.get(pk=need.pk).status == "closed")
    assert Need.objects.get(pk=need.pk).closed_reason == "care flag cleared"
    publisher.publish(care_event().to_dict())  # flagged again later: a new standing need
    broker.wait_until(lambda: Need.objects(kind="care", status="open").count() == 1)
    assert Need.objects(kind="care").count() == 2


def test_a_late_care_flag_does_not_undo_a_newer_clear(places, worker, publisher, vol_config):
    at = datetime.now(timezone.utc)
    publisher.publish(care_event("cleared", resident="r-2", at=at).to_dict())
    publisher.publish(care_event("flagged", resident="r-2", at=at - timedelta(minutes=5)).to_dict())
    broker.wait_until(lambda: consumed(vol_config, "care_needs", "resident.care_flagged", "processed") >= 1)
    assert Need.objects(kind="care").count() == 0


def test_care_needs_follow_the_household_and_close_when_it_leaves(places, worker, publisher):
    publisher.publish(care_event(resident="r-3", household="h-3").to_dict())
    broker.wait_until(lambda: Need.objects(kind="care", status="open").count() == 1)
    moved = new_event("household.moved", version=1, source="households", community_id="C1", grid_id="C1-G2", data={
        "household_id": "h-3", "from_grid_id": "C1-G1", "from_community_id": "C1", "to_grid_id": "C1-G2",
        "to_community_id": "C1", "address": {"building": "3栋", "room": "301"}})
    publisher.publish(moved.to_dict())
    broker.wait_until(lambda: Need.objects.get(kind="care").grid_id == "C1-G2")
    left = new_event("household.left", version=1, source="households", community_id="C1", grid_id="C1-G2", data={
        "household_id": "h-3", "moved_out_on": "2025-06-01", "reason": "迁出"})
    publisher.publish(left.to_dict())
    broker.wait_until(lambda: Need.objects.get(kind="care").status == "closed")
    assert Need.objects.get(kind="care").closed_reason == "household left"


def test_a_planned_drill_asks_for_helpers_once(vc, places, worker, publisher, vol_config):
    planned = drill_planned()
    send_twice(publisher, planned)
    broker.wait_until(lambda: consumed(vol_config, "drill_helpers", "drill.planned", "duplicate") >= 1)
    handlers.drill_helpers(planned.load())  # the handler itself is idempotent too
    [need] = Need.objects(kind="drill")
    assert (need.drill_id, need.people_wanted, need.grid_id, need.status) == ("D-1", 3, "C1-G1", "open")
    assert need.skills == ["first_aid", "emergency_rescue"] and need.title == "演练协助：消防疏散演练"
    publisher.publish(drill_planned("D-2", helpers=0).to_dict())
    broker.wait_until(lambda: consumed(vol_config, "drill_helpers", "drill.planned", "processed") >= 2)
    assert Need.objects(kind="drill").count() == 1
    assert 'grid_volunteer_needs_open{age_bucket="0-7d",community_id="C1"} 1.0' in vc.get("/metrics").text


def test_a_completed_drill_credits_hours_exactly_once(vc, staff, public, worker, publisher, vol_config):
    link = make_link(vc, staff)
    sign_up(vc, public, link["token"], person(1))
    sign_up(vc, public, link["token"], person(2))
    a, b = volunteer_id_by_phone(person(1)["phone"]), volunteer_id_by_phone(person(2)["phone"])
    publisher.publish(drill_planned().to_dict())
    broker.wait_until(lambda: Need.objects(kind="drill").count() == 1)
    done = drill_completed([{"volunteer_id": a, "hours": 2.0}, {"volunteer_id": b, "hours": 1.5},
                            {"volunteer_id": "000000000000000000000000", "hours": 2.0}])
    send_twice(publisher, done)
    broker.wait_until(lambda: consumed(vol_config, "drill_hours", "drill.completed", "duplicate") >= 1)
    handlers.drill_hours(done.load())  # run again as after a crash before the inbox record
    handlers.drill_hours(drill_completed([{"volunteer_id": a, "hours": 2.0}]).load())  # a re-sent report, new event id
    assert sorted((e.volunteer_id, e.hours, e.source) for e in HoursEntry.objects) == sorted(
        [(a, 2.0, "drill"), (b, 1.5, "drill")])
    assert vc.get(f"/volunteers/{a}/hours", headers=staff).json["total_hours"] == 2.0
    assert Need.objects.get(kind="drill").status == "closed"
    figures = vc.get("/communities/C1/figures", headers=staff).json
    assert (figures["hours_this_year"], figures["active_volunteers_90d"]) == (3.5, 2)


def test_household_events_keep_resident_counts_for_the_target(vc, staff, worker, publisher, places):
    def registered(hid, residents, grid="C1-G1", community="C1"):
        return new_event("household.registered", version=1, source="households", community_id=community, grid_id=grid, data={
            "household_id": hid, "address": {"building": "1栋", "room": hid}, "residency": "registered",
            "residents": [{"resident_id": f"{hid}-{i}", "name": "居民"} for i in range(residents)]})

    for n in range(5):
        send_twice(publisher, registered(f"h{n}", 4))  # 20 residents
    broker.wait_until(lambda: (CommunityCopy.objects.get(pk="C1").residents or 0) == 20)
    update = new_event("household.updated", version=1, source="households", community_id="C1", grid_id="C1-G1", data={
        "household_id": "h0", "address": {"building": "1栋", "room": "h0"}, "residency": "registered",
        "residents": [{"resident_id": "h0-0", "name": "居民"}]})
    publisher.publish(update.to_dict())
    moved = new_event("household.moved", version=1, source="households", community_id="C2", grid_id="C2-G1", data={
        "household_id": "h1", "from_grid_id": "C1-G1", "from_community_id": "C1", "to_grid_id": "C2-G1",
        "to_community_id": "C2", "address": {"building": "9栋", "room": "101"}})
    publisher.publish(moved.to_dict())
    left = new_event("household.left", version=1, source="households", community_id="C1", grid_id="C1-G1", data={
        "household_id": "h2", "moved_out_on": "2025-06-01", "reason": None})
    publisher.publish(left.to_dict())
    broker.wait_until(lambda: [CommunityCopy.objects.get(pk=c).residents for c in ("C1", "C2")] == [9, 4])  # 1+4+4
    figures = vc.get("/communities/C1/figures", headers=staff).json
    assert (figures["residents"], figures["volunteer_target"]) == (9, 1)
    metrics = vc.get("/metrics").text
    assert 'grid_volunteer_target{community_id="C1"} 1.0' in metrics


def test_a_new_grid_event_makes_the_grid_available_on_sign_up(vc, staff, public, worker, publisher):
    publisher.publish(grid_created("C9-G1", "C9").to_dict())
    broker.wait_until(lambda: GridCopy.objects(pk="C9-G1").first())
    staff9 = headers_for(vc.application, role="community_staff", user_id="s9", communities=["C9"])
    link = make_link(vc, staff9, community_id="C9")
    info = vc.get(f"/public/links/{link['token']}", headers=public).json
    assert [g["id"] for g in info["grids"]] == ["C9-G1"] and info["community_name"] == "C9"


def test_the_relay_publishes_volunteer_events_without_personal_numbers(vc, staff, public, worker, vol_config):
    tap = broker.tap(vol_config.EVENT_EXCHANGE, "#")
    team = make_team(vc, staff)
    link = make_link(vc, staff, team_id=team["id"])
    sign_up(vc, public, link["token"], person(7, id_number=id_number(7, "19900101")))
    seen = []

    def got_all():
        seen.extend(json.loads(body) for body, _, _ in broker.drain(tap))
        return {"team.created", "volunteer.registered"} <= {e["type"] for e in seen}

    broker.wait_until(got_all)
    registered = EnvelopeSchema().load(next(e for e in seen if e["type"] == "volunteer.registered"))
    assert registered.data["team_ids"] == [team["id"]] and registered.data["name"] == "志愿者7"
    assert set(registered.data) == {"volunteer_id", "community_id", "grid_id", "name", "skills", "team_ids"}
    assert person(7)["phone"] not in json.dumps(seen)


def test_a_burst_of_household_events_is_recounted_once_and_the_figures_are_exact_at_once(vc, staff, places):
    """Handlers only mark the community changed (no recount per event); the worker's periodic pass or the
    figures page recounts."""
    assert register_copy.recount_stale() == 2  # C1 and C2, changed by the grid events of `places`
    for n in range(12):
        register_copy.on_register_event(new_event(
            "household.registered", version=1, source="households", community_id="C1", grid_id="C1-G1",
            data={"household_id": f"b{n}", "address": {"building": "1栋", "room": f"{n}"}, "residency": "registered",
                  "residents": [{"resident_id": f"b{n}-{k}", "name": "居民"} for k in range(3)]}).load())
    assert CommunityCopy.objects.get(pk="C1").residents == 0  # not recounted per event
    figures = vc.get("/communities/C1/figures", headers=staff).json
    assert (figures["residents"], figures["volunteer_target"]) == (36, 4)
    assert register_copy.recount_stale() == 0  # the figures page recounted it
    register_copy.on_register_event(new_event(
        "household.left", version=1, source="households", community_id="C1", grid_id="C1-G1",
        data={"household_id": "b0", "moved_out_on": "2026-11-01", "reason": None}).load())
    assert register_copy.recount_stale() == 1 and register_copy.recount_stale() == 0
    assert CommunityCopy.objects.get(pk="C1").residents == 33
