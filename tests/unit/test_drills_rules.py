"""Rules of the drills service with plain data: the roster fold, roll-call figures, compliance, supplies."""
import dataclasses
import itertools
from datetime import date, datetime, timedelta, timezone

import pytest
from marshmallow import ValidationError

from services.drills import register_copy, rules
from services.drills.handlers import HANDLERS
from services.drills.models import natural_key
from services.drills.schemas.drills import DrillCreate, TickBatch
from shared import clock
from shared.events import new_event, validate_data
from shared.messaging.consumer import subscriptions

T0 = datetime(2025, 6, 1, 8, 0, tzinfo=timezone.utc)


def at(event, minutes):
    return dataclasses.replace(event, occurred_at=T0 + timedelta(minutes=minutes))


def snapshot(kind, minutes, *, tags=(), building="1栋", name="张三"):
    return at(new_event(kind, version=1, source="households", community_id="C1", grid_id="G1", data={
        "household_id": "h1", "address": {"building": building, "unit": "1单元", "room": "101"},
        "residency": "registered",
        "residents": [{"resident_id": "r1", "name": name, "relation": "head", "birth_year": 1940,
                       "care_tags": list(tags)}]}), minutes)


def care(kind, minutes, tag="disability", grid="G1"):
    return at(new_event(kind, version=1, source="households", community_id="C1", grid_id=grid, data={
        "household_id": "h1", "resident_id": "r1", "name": "张三", "tag": tag, "since": "2025-01-01"}), minutes)


def moved(minutes, to_grid="G2"):
    return at(new_event("household.moved", version=1, source="households", community_id="C1", grid_id=to_grid, data={
        "household_id": "h1", "from_grid_id": "G1", "from_community_id": "C1", "to_grid_id": to_grid,
        "to_community_id": "C1", "address": {"building": "9栋", "unit": None, "room": "901"}}), minutes)


def fold_all(evts):
    doc = None
    for e in evts:
        new = register_copy.fold(doc, e, "h1", sort_key=natural_key)
        doc = new if new is not None else doc
    return doc


def view(doc):
    return {k: doc[k] for k in ("grid_id", "label", "status", "care", "known")} | {
        "tags": [r["care_tags"] for r in doc["residents"]], "names": [r["name"] for r in doc["residents"]]}


HISTORY = [snapshot("household.registered", 0), care("resident.care_flagged", 1, "disability"),
           snapshot("household.updated", 2, tags=["disability"], name="张三丰"),
           care("resident.care_flagged", 3, "elderly_alone"), moved(4), care("resident.care_cleared", 5, "disability", grid="G2")]
EXPECTED = {"grid_id": "G2", "label": "9栋901", "status": "active", "care": True, "known": True,
            "tags": [["elderly_alone"]], "names": ["张三丰"]}


def test_the_roster_copy_is_the_same_whatever_order_the_events_arrive_in():
    for order in itertools.permutations(HISTORY):
        assert view(fold_all(order)) == EXPECTED, [e.type for e in order]


def test_an_event_delivered_again_changes_nothing():
    doc = fold_all(HISTORY)
    for event in HISTORY:
        assert register_copy.fold(doc, event, "h1", sort_key=natural_key) is None
    assert view(fold_all([e for e in HISTORY for _ in range(2)])) == EXPECTED


def test_a_care_flag_older_than_the_snapshot_is_already_in_it():
    doc = fold_all([snapshot("household.updated", 10)])
    assert register_copy.fold(doc, care("resident.care_flagged", 5), "h1", sort_key=natural_key) is None
    assert view(fold_all([snapshot("household.updated", 10), care("resident.care_flagged", 15)]))["tags"] == [["disability"]]


def test_a_care_flag_in_the_same_millisecond_as_the_snapshot_is_applied_whatever_the_order():
    same_ms = [snapshot("household.registered", 0), care("resident.care_flagged", 0, "left_behind_child")]
    for order in (same_ms, same_ms[::-1]):
        assert view(fold_all(order))["tags"] == [["left_behind_child"]]
    came_with_it = [snapshot("household.registered", 0, tags=["disability"]), care("resident.care_flagged", 0)]
    assert view(fold_all(came_with_it))["tags"] == [["disability"]]


def test_a_household_that_left_stays_left_and_events_before_it_do_not_bring_it_back():
    left = at(new_event("household.left", version=1, source="households", community_id="C1", grid_id="G1", data={
        "household_id": "h1", "moved_out_on": "2025-06-01", "reason": None}), 20)
    assert fold_all([snapshot("household.registered", 0), left, snapshot("household.updated", 5)])["status"] == "left"


def test_a_redraw_moves_the_household_only_if_newer_than_where_it_was_placed():
    redraw = at(new_event("grid.redrawn", version=1, source="households", community_id="C1", grid_id="G3", data={
        "redraw_id": "x", "from_grid_id": "G1", "to_grid_id": "G3", "household_ids": ["h1"], "reason": None}), 3)
    assert fold_all([snapshot("household.registered", 0), redraw])["grid_id"] == "G3"
    assert fold_all([snapshot("household.registered", 0), moved(4), redraw])["grid_id"] == "G2"


def test_stored_times_compare_equal_to_their_events_to_the_millisecond():
    event = dataclasses.replace(snapshot("household.registered", 0), occurred_at=T0 + timedelta(microseconds=1234))
    doc = fold_all([event])
    doc["snapshot_at"] = doc["snapshot_at"].replace(microsecond=1000)  # what MongoDB gives back
    assert register_copy.fold(doc, event, "h1", sort_key=natural_key) is None


# ---- roster order and help ---------------------------------------------------------------------------

def test_special_care_first_those_needing_help_to_move_at_the_very_top():
    entries = [{"household_id": "plain", "sort": "a", "special": []},
               {"household_id": "care", "sort": "b", "special": [{"needs_help": False}]},
               {"household_id": "help", "sort": "c", "special": [{"needs_help": True}]},
               {"household_id": "plain2", "sort": "0", "special": []}]
    assert [e["household_id"] for e in rules.roster_order(entries)] == ["help", "care", "plain2", "plain"]


def test_who_needs_help_is_suggested_from_care_tags_and_age_and_the_assignment_overrides_it():
    household = {"residents": [
        {"resident_id": "a", "name": "甲", "care_tags": ["disability"], "birth_year": 1980},
        {"resident_id": "b", "name": "乙", "care_tags": [], "birth_year": 1940},
        {"resident_id": "c", "name": "丙", "care_tags": [], "birth_year": 1990},
        {"resident_id": "d", "name": "丁", "care_tags": ["left_behind_child"], "birth_year": 2015}]}
    special = rules.special_residents(household, {"a": {"needs_help": False, "helper_name": None}}, 2025)
    assert [(s["resident_id"], s["needs_help"]) for s in special] == [("a", False), ("b", True), ("d", False)]
    helped = rules.special_residents(household, {"c": {"needs_help": True, "helper_name": "邻居王"}}, 2025)
    assert ("c", True, "邻居王") in [(s["resident_id"], s["needs_help"], s["helper_name"]) for s in helped]


# ---- roll-call figures -----------------------------------------------------------------------------------

def test_ninety_percent_of_ten_is_the_ninth_household_in_integers():
    assert [rules.threshold(n, 9) for n in (1, 9, 10, 11, 500)] == [1, 9, 9, 10, 450]
    assert rules.threshold(10, 10) == 10


def test_time_to_90_and_100_come_from_the_tick_times_not_their_arrival():
    first = {f"h{i}": T0 + timedelta(minutes=i) for i in range(1, 10)}
    latest = {h: rules.stamp(t, "at_home") for h, t in first.items()}
    figures = rules.summarise(10, first, latest, T0)
    assert (figures["accounted"], figures["share"], figures["time_to_90_s"], figures["time_to_100_s"]) == (
        9, 0.9, 540.0, None)
    first["h10"] = T0 + timedelta(seconds=30)  # an offline phone's tick, made early and synced late
    figures = rules.summarise(10, first, {**latest, "h10": rules.stamp(first["h10"], "needs_help")}, T0)
    assert (figures["time_to_90_s"], figures["time_to_100_s"], figures["needs_help"]) == (480.0, 540.0, 1)


def test_the_latest_tick_wins_by_time_whatever_order_they_arrive_in():
    early, late = rules.stamp(T0, "needs_help"), rules.stamp(T0 + timedelta(milliseconds=1), "evacuated")
    assert max(early, late) == late and rules.unstamp(late) == (T0 + timedelta(milliseconds=1), "evacuated")
    assert max(rules.stamp(T0 + timedelta(hours=10), "absent"), rules.stamp(T0 + timedelta(hours=9), "at_home")) \
        .endswith("absent")


def test_an_empty_grid_has_no_share_and_never_reaches_a_threshold():
    assert rules.summarise(0, {}, {}, T0)["share"] is None
    assert rules.reached([], 0, 9) is None


# ---- compliance, supplies, hours ------------------------------------------------------------------------------

def drill(kind, status, **kw):
    return {"id": f"{kind}-{status}", "kind": kind, "status": status, "hazard": "natural_disaster", **kw}


def test_compliance_held_planned_due_and_overdue():
    before, after = date(2025, 9, 30), date(2025, 11, 1)
    nothing = rules.compliance([], year=2025, today=before, due_month=10)
    assert (nothing["comprehensive"]["status"], nothing["shelter"]["status"], nothing["overdue"]) == ("due", "due", [])
    late = rules.compliance([drill("shelter", "planned", shelter_ids=["s"])], year=2025, today=after, due_month=10)
    assert late["overdue"] == ["comprehensive", "shelter"] and late["shelter"]["planned_drill_ids"] == ["shelter-planned"]
    planned = rules.compliance([drill("shelter", "planned", shelter_ids=["s"])], year=2025, today=before, due_month=10)
    assert (planned["comprehensive"]["status"], planned["shelter"]["status"]) == ("due", "planned")
    done = rules.compliance([drill("comprehensive", "completed", shelters_opened=[{"shelter_id": "s"}],
                                   result={"share": 1.0})],
                            year=2025, today=after, due_month=10)
    assert (done["comprehensive"]["status"], done["shelter"]["status"], done["overdue"]) == ("held", "held", [])
    assert rules.deadline(2024, 2) == date(2024, 2, 29)


def test_supply_problems():
    today = date(2025, 6, 1)
    state = lambda **kw: rules.supply_state({"quantity": 10, "required_quantity": 5, **kw}, today=today,  # noqa: E731
                                            expiring_days=30)
    assert state() == []
    assert state(expires_on=date(2025, 5, 31)) == ["expired"]
    assert state(expires_on=date(2025, 6, 20)) == ["expiring"]
    assert state(quantity=0) == ["missing"]
    assert state(quantity=3) == ["short"]
    assert state(flags=[{"cleared_at": None}]) == ["flagged"]
    assert state(flags=[{"cleared_at": T0}]) == []


def test_volunteer_hours_run_to_check_out_or_the_end():
    assert rules.hours(T0, T0 + timedelta(minutes=90), None, T0) == 1.5
    assert rules.hours(T0, None, T0 + timedelta(minutes=45), T0 + timedelta(days=1)) == 0.75
    assert rules.hours(T0, None, None, T0 - timedelta(minutes=5)) == 0.0


# ---- inputs and contracts ---------------------------------------------------------------------------------

def test_a_drill_must_end_after_it_starts_and_ticks_use_known_statuses():
    body = {"community_id": "C1", "title": "演练", "hazard": "accident", "level": "II", "kind": "comprehensive",
            "starts_at": T0.isoformat(), "ends_at": T0.isoformat()}
    with pytest.raises(ValidationError) as err:
        DrillCreate().load(body)
    assert set(err.value.messages) == {"ends_at"}
    with pytest.raises(ValidationError) as err:
        TickBatch().load({"ticks": [{"client_id": "abc", "household_id": "h1", "status": "gone"}]})
    assert set(err.value.messages["ticks"][0]) == {"client_id", "status"}


def test_every_drill_event_must_say_it_is_an_exercise():
    data = {"drill_id": "d", "community_id": "C1", "grid_id": "G1", "household_id": "h1", "status": "at_home",
            "accounted_at": T0.isoformat(), "exercise": True}
    assert validate_data("drill.household_accounted", 1, data)["exercise"] is True
    with pytest.raises(ValidationError):
        validate_data("drill.household_accounted", 1, {**data, "exercise": False})
    with pytest.raises(ValidationError):
        validate_data("drill.completed", 1, {"drill_id": "d", "community_id": "C1", "started_at": T0.isoformat(),
                                             "ended_at": T0.isoformat(), "volunteer_checkins": []})


def test_the_drills_worker_has_one_queue_for_the_register_one_for_the_network_and_one_for_volunteers():
    subs = subscriptions("drills", HANDLERS)
    assert {s.queue_name: len(s.patterns) for s in subs} == {"drills.keep_roster": 8, "drills.keep_network": 2,
                                                            "drills.keep_volunteers": 3}


def test_household_ids_that_cannot_be_state_keys_are_refused_before_any_write():
    with pytest.raises(ValueError):  # no database here: it is refused before anything is written
        register_copy.apply_household_event(event=dataclasses.replace(snapshot("household.registered", 0), type="grid.redrawn", data={
            "redraw_id": "r", "from_grid_id": "G1", "to_grid_id": "G1", "household_ids": ["a.b$c"], "reason": None}))


def test_local_dates_are_chinese_dates():
    late_evening_utc = datetime(2024, 12, 31, 17, 0, tzinfo=timezone.utc)  # 01:00 on 1 January in China
    clock.configure("Asia/Shanghai")
    assert clock.local(late_evening_utc).date() == date(2025, 1, 1)


def test_a_drill_counts_only_at_the_share_and_never_at_none():
    done = lambda share: drill("comprehensive", "completed", result={"share": share})  # noqa: E731
    assert [rules.counts(done(s), 0.9) for s in (None, 0.0, 0.5, 0.8999, 0.9, 1.0)] == [
        False, False, False, False, True, True]
    assert rules.counts(done(0.0), 0.01) is False and rules.counts(drill("comprehensive", "cancelled"), 0.0) is False
    out = rules.compliance([done(0.5)], year=2025, today=date(2025, 11, 1), due_month=10, complete_share=0.9)
    assert (out["comprehensive"]["status"], out["overdue"], out["drills_held"], out["drills_counted"]) == (
        "incomplete", ["comprehensive", "shelter"], 1, 0)
    assert out["comprehensive"]["incomplete"] == [{"drill_id": "comprehensive-completed", "share": 0.5}]


def test_stock_and_default_levels():
    assert (rules.stock_after(5, "in", 3), rules.stock_after(5, "out", 5), rules.stock_after(5, "out", 6)) == (8, 0, None)
    assert rules.is_short({"quantity": 3, "required_quantity": 4}) and not rules.is_short({"quantity": 3})
    for hazard in ("natural_disaster", "accident", "public_health", "social_security"):
        levels = rules.default_levels(hazard)
        assert [x["level"] for x in levels] == ["I", "II", "III", "IV"]
        assert all(x["criteria"] and len(x["steps"]) >= 3 for x in levels)
