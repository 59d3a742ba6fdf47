"""A drill run over HTTP: start, ticks from phones (idempotent), the live board, timings, the after-action report,
and the scope of grid workers."""
from datetime import datetime, timedelta, timezone

from bson import ObjectId
from prometheus_client import REGISTRY

from services.drills.models import Drill, Tick
from tests.support.drills import COMMUNITY, GRID_A, GRID_B, OTHER, deliver, district, drill_body, volunteer_registered


def ticks_counter(outcome):
    return REGISTRY.get_sample_value("grid_drill_ticks_total", {"outcome": outcome}) or 0.0


def plan_and_start(drills, who, **over):
    r = drills.post("/drills", json=drill_body(**over), headers=who.staff())
    assert r.status_code == 201, r.json
    drill_id = r.json["id"]
    r = drills.post(f"/drills/{drill_id}/start", headers=who.staff())
    assert r.status_code == 200 and r.json["status"] == "live", r.json
    return drill_id


def started_long_ago(drill_id, minutes=60) -> datetime:
    """Move the start back so ticks can carry times spread over the last hour (as on a real drill)."""
    start = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(minutes=minutes)
    Drill._get_collection().update_one({"_id": ObjectId(drill_id)}, {"$set": {"started_at": start}})
    return start


def tick(client_id, household_id, status="at_home", at=None):
    body = {"client_id": client_id, "household_id": household_id, "status": status}
    if at is not None:
        body["at"] = at.isoformat()
    return body


def send(drills, headers, drill_id, grid, *ticks, sent_at=None):
    body = {"ticks": list(ticks)}
    if sent_at:
        body["sent_at"] = sent_at.isoformat()
    return drills.post(f"/drills/{drill_id}/grids/{grid}/ticks", json=body, headers=headers)


def test_a_drill_from_start_to_report(drills, who):
    homes = district(households_per_grid=(10, 5), care_in_a=(9,))
    deliver(volunteer_registered("v-1", name="李志愿"))
    drill_id = plan_and_start(drills, who)
    start = started_long_ago(drill_id)

    # the grid worker's phone gets the frozen roster, special-care first
    roll = drills.get(f"/drills/{drill_id}/grids/{GRID_A}/roster", headers=who.worker()).json
    assert (roll["exercise"], roll["marker"], roll["frozen"], roll["total"]) == (True, "演练", True, 10)
    a_ids = [h["household_id"] for h in roll["households"]]
    assert a_ids[0] == str(homes[GRID_A][9].pk) and roll["households"][0]["special"][0]["needs_help"] is True
    assert len(set(a_ids)) == 10

    # the same tick sent three times (offline queue resends) is stored once
    before = ticks_counter("stored"), ticks_counter("duplicate")
    first = tick("phone-a-0001", a_ids[0], "needs_help", start + timedelta(minutes=1))
    outcomes = [send(drills, who.worker(), drill_id, GRID_A, first).json["results"][0]["outcome"] for _ in range(3)]
    assert outcomes == ["stored", "duplicate", "duplicate"]
    assert Tick.objects(drill_id=drill_id, household_id=a_ids[0]).count() == 1
    assert (ticks_counter("stored") - before[0], ticks_counter("duplicate") - before[1]) == (1, 2)

    # the rest of grid A, one a minute; the 9th household (90%) at minute 9, the 10th at minute 20
    batch = [tick(f"phone-a-{n:04d}", a_ids[n - 1], "evacuated", start + timedelta(minutes=n)) for n in range(2, 10)]
    r = send(drills, who.worker(), drill_id, GRID_A, *batch)
    assert r.status_code == 200 and {x["outcome"] for x in r.json["results"]} == {"stored"}
    assert (r.json["accounted"], r.json["total"]) == (9, 10)
    send(drills, who.worker(), drill_id, GRID_A, tick("phone-a-0010", a_ids[9], "absent", start + timedelta(minutes=20)))

    # a later tick updates the status and keeps the history; an older one synced late changes neither status
    # nor anything but the history and the first-accounted time
    later = tick("phone-a-0011", a_ids[0], "evacuated", start + timedelta(minutes=15))
    assert send(drills, who.worker(), drill_id, GRID_A, later).json["results"][0]["status"] == "evacuated"
    older = tick("phone-a-0012", a_ids[0], "at_home", start + timedelta(minutes=5))
    assert send(drills, who.worker(), drill_id, GRID_A, older).json["results"][0]["status"] == "evacuated"
    history = drills.get(f"/drills/{drill_id}/grids/{GRID_A}/households/{a_ids[0]}/ticks", headers=who.worker()).json
    assert [t["status"] for t in history["ticks"]] == ["needs_help", "at_home", "evacuated"]
    assert history["status"] == "evacuated"

    # grid B: two of five accounted for, by the worker of grid B
    b_roll = drills.get(f"/drills/{drill_id}/grids/{GRID_B}/roster", headers=who.worker(GRID_B, "w-b")).json
    b_ids = [h["household_id"] for h in b_roll["households"]]
    send(drills, who.worker(GRID_B, "w-b"), drill_id, GRID_B, tick("phone-b-0001", b_ids[0], "at_home", start + timedelta(minutes=3)),
         tick("phone-b-0002", b_ids[1], "at_home", start + timedelta(minutes=4)))

    # the live board: share per grid and time since start
    board = drills.get(f"/drills/{drill_id}/board", headers=who.staff()).json
    assert (board["exercise"], board["marker"], board["status"]) == (True, "演练", "live")
    grids = {g["grid_id"]: g for g in board["grids"]}
    assert (grids[GRID_A]["accounted"], grids[GRID_A]["share"], grids[GRID_A]["time_to_90_s"],
            grids[GRID_A]["time_to_100_s"]) == (10, 1.0, 540.0, 1200.0)
    assert (grids[GRID_B]["accounted"], grids[GRID_B]["share"], grids[GRID_B]["time_to_90_s"]) == (2, 0.4, None)
    assert grids[GRID_A]["by_status"] == {"evacuated": 9, "absent": 1}
    assert (board["total"], board["accounted"], board["share"]) == (15, 12, 0.8)
    assert board["elapsed_s"] >= 3600

    # a volunteer checks in and out
    r = drills.post(f"/drills/{drill_id}/checkins", json={"volunteer_id": "v-1", "at": (start + timedelta(minutes=2)).isoformat()},
                    headers=who.staff())
    assert r.status_code == 201 and r.json["name"] == "李志愿"
    assert drills.post(f"/drills/{drill_id}/checkins", json={"volunteer_id": "v-1"}, headers=who.staff()).status_code == 200
    r = drills.post(f"/drills/{drill_id}/checkins/v-1/out", json={"at": (start + timedelta(minutes=32)).isoformat()},
                    headers=who.staff())
    assert r.json["hours"] == 0.5
    assert drills.post(f"/drills/{drill_id}/checkins", json={"volunteer_id": "nobody"}, headers=who.staff()).status_code == 422

    # ending records the timings and produces the after-action report
    r = drills.post(f"/drills/{drill_id}/end", json={"problems": ["3栋广播听不清"]}, headers=who.staff())
    assert r.status_code == 200 and r.json["status"] == "completed"
    result = r.json["result"]
    assert (result["total"], result["accounted"]) == (15, 12)
    assert (result["time_to_90_s"], result["time_to_100_s"]) == (None, None)  # grid B never got there
    assert drills.post(f"/drills/{drill_id}/end", json={}, headers=who.staff()).status_code == 409

    report = drills.get(f"/drills/{drill_id}/report", headers=who.staff()).json
    assert report["exercise"] is True and report["drill"]["marker"] == "演练"
    timings = {g["grid_id"]: (g["time_to_90_s"], g["time_to_100_s"], g["accounted"]) for g in report["grids"]}
    assert timings == {GRID_A: (540.0, 1200.0, 10), GRID_B: (None, None, 2)}
    assert sorted(h["household_id"] for h in report["never_accounted"]) == sorted(b_ids[2:])
    [special] = report["special_care"]
    assert (special["household_id"], special["status"], special["accounted_after_s"]) == (a_ids[0], "evacuated", 60.0)
    assert [(v["volunteer_id"], v["hours"]) for v in report["volunteers"]] == [("v-1", 0.5)]
    assert [p["text"] for p in report["problems"]] == ["3栋广播听不清"]
    pdf = drills.get(f"/drills/{drill_id}/report.pdf", headers=who.staff())
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")


def test_phone_clock_offsets_are_corrected_and_times_kept_within_the_drill(drills, who):
    district(households_per_grid=(3, 1))
    drill_id = plan_and_start(drills, who)
    start = started_long_ago(drill_id, minutes=30)
    ids = [h["household_id"] for h in drills.get(f"/drills/{drill_id}/grids/{GRID_A}/roster", headers=who.worker()).json["households"]]
    now = datetime.now(timezone.utc)
    phone = now + timedelta(minutes=7)  # the phone's clock runs 7 minutes fast
    send(drills, who.worker(), drill_id, GRID_A, tick("skew-0001", ids[0], at=phone - timedelta(minutes=10)),
         tick("skew-0002", ids[1], at=start - timedelta(hours=5)), sent_at=phone)
    stored = {t.client_id: t.at.replace(tzinfo=timezone.utc) for t in Tick.objects(drill_id=drill_id)}
    assert abs((stored["skew-0001"] - (now - timedelta(minutes=10))).total_seconds()) < 5
    assert stored["skew-0002"] == start  # never before the start


def test_a_phone_clock_at_the_ends_of_the_calendar_is_kept_within_the_drill(drills, who):
    """A phone whose clock says year 1 or 9999 (found by the fuzzer: it overflowed the correction into a 500)."""
    district(households_per_grid=(3, 1))
    drill_id = plan_and_start(drills, who)
    start = started_long_ago(drill_id, minutes=30)
    ids = [h["household_id"] for h in drills.get(f"/drills/{drill_id}/grids/{GRID_A}/roster", headers=who.worker()).json["households"]]
    ends = (datetime.min.replace(tzinfo=timezone.utc), datetime.max.replace(microsecond=0, tzinfo=timezone.utc))
    r = send(drills, who.worker(), drill_id, GRID_A, tick("ends-0001", ids[0], at=ends[1]),
             tick("ends-0002", ids[1], at=ends[0]), sent_at=ends[0])
    assert r.status_code == 200 and [t["outcome"] for t in r.json["results"]] == ["stored", "stored"], r.json
    r = send(drills, who.worker(), drill_id, GRID_A, tick("ends-0003", ids[2], at=ends[0]), sent_at=ends[1])
    assert r.status_code == 200 and r.json["results"][0]["outcome"] == "stored", r.json
    stored = {t.client_id: t.at.replace(tzinfo=timezone.utc) for t in Tick.objects(drill_id=drill_id)}
    now = datetime.now(timezone.utc)
    assert abs((stored["ends-0001"] - now).total_seconds()) < 5  # never after it was received
    assert stored["ends-0003"] == start  # never before the start


def test_ticks_are_refused_before_the_start_and_after_the_late_window(drills, who, drills_config):
    district(households_per_grid=(3, 1))
    r = drills.post("/drills", json=drill_body(), headers=who.staff())
    drill_id = r.json["id"]
    preview = drills.get(f"/drills/{drill_id}/grids/{GRID_A}/roster", headers=who.worker()).json
    assert (preview["frozen"], preview["total"]) == (False, 3)
    hid = preview["households"][0]["household_id"]
    assert send(drills, who.worker(), drill_id, GRID_A, tick("early-0001", hid)).status_code == 409
    drills.post(f"/drills/{drill_id}/start", headers=who.staff())
    outcome = send(drills, who.worker(), drill_id, GRID_A, tick("stray-0001", "not-a-household")).json["results"][0]
    assert (outcome["outcome"], outcome["error"]) == ("rejected", "this household is not on the grid's roll-call")
    single = f"/drills/{drill_id}/grids/{GRID_A}/households/{hid}/tick"
    assert drills.post(single, json={"client_id": "single-0001", "status": "at_home"}, headers=who.worker()).status_code == 201
    assert drills.post(single, json={"client_id": "single-0001", "status": "at_home"}, headers=who.worker()).status_code == 200
    other = drills.get(f"/drills/{drill_id}/grids/{GRID_A}/roster", headers=who.worker()).json["households"][1]["household_id"]
    r = drills.post(f"/drills/{drill_id}/grids/{GRID_A}/households/{other}/tick",
                    json={"client_id": "single-0001", "status": "at_home"}, headers=who.worker())
    assert r.status_code == 409 and "client_id" in r.json["fields"]

    drills.post(f"/drills/{drill_id}/end", json={}, headers=who.staff())
    ended = Drill.objects.get(pk=drill_id).ended_at.replace(tzinfo=timezone.utc)
    # a phone that was offline syncs a tick made during the drill, within the late window: it counts
    late = tick("late-0001", other, "evacuated", at=ended - timedelta(seconds=1))
    assert send(drills, who.worker(), drill_id, GRID_A, late).json["results"][0]["outcome"] == "stored"
    assert Drill.objects.get(pk=drill_id).result["accounted"] == 2
    # past the window the roll-call is closed
    Drill._get_collection().update_one({"_id": ObjectId(drill_id)}, {"$set": {
        "ended_at": ended - timedelta(minutes=drills_config.DRILL_LATE_TICK_MINUTES + 1)}})
    assert send(drills, who.worker(), drill_id, GRID_A, tick("late-0002", hid)).status_code == 409


def test_a_grid_worker_sees_and_ticks_only_their_own_grid(drills, who, drills_app):
    district(households_per_grid=(2, 2))
    drill_id = plan_and_start(drills, who)
    b_hid = drills.get(f"/drills/{drill_id}/grids/{GRID_B}/roster", headers=who.staff()).json["households"][0]["household_id"]
    worker_a = who.worker(GRID_A)
    assert drills.get(f"/drills/{drill_id}/grids/{GRID_B}/roster", headers=worker_a).status_code == 404
    assert drills.get(f"/drills/{drill_id}/grids/{GRID_B}/status", headers=worker_a).status_code == 404
    assert send(drills, worker_a, drill_id, GRID_B, tick("cross-0001", b_hid)).status_code == 404
    r = drills.post(f"/drills/{drill_id}/grids/{GRID_B}/households/{b_hid}/tick",
                    json={"client_id": "cross-0002", "status": "at_home"}, headers=worker_a)
    assert r.status_code == 404
    assert drills.get(f"/grids/{GRID_B}/roster", headers=worker_a).status_code == 404
    assert Tick.objects(drill_id=drill_id).count() == 0
    # grid A's worker sees the drill and only grid A on the board
    assert [g["grid_id"] for g in drills.get(f"/drills/{drill_id}/board", headers=worker_a).json["grids"]] == [GRID_A]
    # others: staff of another community do not see the drill; an operator reads the board but never ticks;
    # a resident (public page) gets nothing
    assert drills.get(f"/drills/{drill_id}", headers=who.staff(OTHER, "s-c2")).status_code == 404
    operator = who.role("operator")
    assert drills.get(f"/drills/{drill_id}/board", headers=operator).status_code == 200
    assert send(drills, operator, drill_id, GRID_A, tick("oper-0001", b_hid)).status_code == 403
    assert drills.get(f"/drills/{drill_id}", headers=who.role("resident")).status_code == 403
    assert drills.post(f"/drills/{drill_id}/end", json={}, headers=worker_a).status_code == 403
    assert drills.get(f"/drills/{drill_id}").status_code == 401


def test_a_tick_whose_state_write_was_lost_is_repaired(drills, who):
    """A crash between storing a tick and folding it into the grid's state: the worker's repair re-applies it."""
    from services.drills import service
    from services.drills.models import RollState

    district(households_per_grid=(3, 1))
    drill_id = plan_and_start(drills, who)
    ids = [h["household_id"] for h in drills.get(f"/drills/{drill_id}/grids/{GRID_A}/roster", headers=who.worker()).json["households"]]
    send(drills, who.worker(), drill_id, GRID_A, tick("lost-0001", ids[0]), tick("lost-0002", ids[1], "needs_help"))
    RollState._get_collection().update_one({"_id": f"{drill_id}:{GRID_A}"}, {"$unset": {
        f"first.{ids[1]}": "", f"latest.{ids[1]}": ""}, "$inc": {"accounted": -1}})
    assert drills.get(f"/drills/{drill_id}/board", headers=who.staff()).json["accounted"] == 1
    assert service.reconcile_live_drills() == 1
    board = drills.get(f"/drills/{drill_id}/board", headers=who.staff()).json
    assert (board["accounted"], board["needs_help"]) == (2, 1)
    assert service.reconcile_live_drills() == 0
    assert drills.get(f"/drills/{drill_id}/grids/{GRID_A}/status", headers=who.worker()).json["accounted"] == 2
    again = send(drills, who.worker(), drill_id, GRID_A, tick("lost-0003", ids[2]))
    assert (again.json["accounted"], again.json["total"]) == (3, 3)


def test_volunteers_who_left_cannot_check_in_and_old_events_do_not_bring_them_back(drills, who):
    import dataclasses

    from shared.events import new_event

    district(households_per_grid=(1, 1))
    joined = volunteer_registered("v-9", name="孙志愿")
    gone = dataclasses.replace(new_event("volunteer.left", version=1, source="volunteers", community_id=COMMUNITY, data={
        "volunteer_id": "v-9", "community_id": COMMUNITY, "reason": "搬家"}),
        occurred_at=joined.occurred_at + timedelta(seconds=1))
    deliver(joined, gone, dataclasses.replace(joined, id="redelivered-late-0001"))
    assert drills.get("/volunteers", headers=who.staff()).json == []
    drill_id = plan_and_start(drills, who)
    r = drills.post(f"/drills/{drill_id}/checkins", json={"volunteer_id": "v-9"}, headers=who.staff())
    assert r.status_code == 422 and "volunteer_id" in r.json["fields"]
    grids = {g["grid_id"]: g for g in drills.get("/grids", query_string={"community_id": COMMUNITY},
                                                 headers=who.staff()).json}
    assert (grids[GRID_A]["households"], grids[GRID_A]["care_households"]) == (1, 0)


def test_phones_refresh_with_etags_and_get_304_when_nothing_changed(drills, who):
    district(households_per_grid=(3, 1))
    drill_id = plan_and_start(drills, who)
    roster_url, status_url = (f"/drills/{drill_id}/grids/{GRID_A}/roster", f"/drills/{drill_id}/grids/{GRID_A}/status")
    roster = drills.get(roster_url, headers=who.worker())
    status = drills.get(status_url, headers=who.worker())
    assert (status.json["accounted"], status.json["statuses"]) == (0, {})
    for url, first in ((roster_url, roster), (status_url, status)):
        again = drills.get(url, headers={**who.worker(), "If-None-Match": first.headers["ETag"]})
        assert (again.status_code, again.data) == (304, b"")
    hid = roster.json["households"][0]["household_id"]
    send(drills, who.worker(), drill_id, GRID_A, tick("etag-0001", hid, "needs_help"))
    changed = drills.get(status_url, headers={**who.worker(), "If-None-Match": status.headers["ETag"]})
    assert (changed.status_code, changed.json["statuses"]) == (200, {hid: "needs_help"})


def test_the_drill_records_its_time_to_90_and_100_percent(drills, who):
    district(households_per_grid=(10, 2))
    drill_id = plan_and_start(drills, who, grid_ids=[GRID_A])
    start = started_long_ago(drill_id)
    ids = [h["household_id"] for h in drills.get(f"/drills/{drill_id}/grids/{GRID_A}/roster", headers=who.worker()).json["households"]]
    minutes = [1, 2, 3, 4, 5, 6, 7, 8, 9, 12]  # the 9th household (90% of 10) at minute 9, the last at 12
    send(drills, who.worker(), drill_id, GRID_A,
         *[tick(f"rec-{n:04d}", hid, at=start + timedelta(minutes=m)) for n, (hid, m) in enumerate(zip(ids, minutes))])
    live = drills.get(f"/drills/{drill_id}/board", headers=who.staff()).json
    assert (live["time_to_90_s"], live["time_to_100_s"], live["share"]) == (540.0, 720.0, 1.0)
    drills.post(f"/drills/{drill_id}/end", json={}, headers=who.staff())
    result = drills.get(f"/drills/{drill_id}", headers=who.worker()).json["result"]
    assert (result["time_to_90_s"], result["time_to_100_s"], result["accounted"], result["total"]) == (540.0, 720.0, 10, 10)
    assert datetime.fromisoformat(result["reached_90_at"]) == start + timedelta(minutes=9)
    assert 'grid_drill_time_to_90_seconds{community_id="C1"} 540.0' in drills.get("/metrics").text
