"""GET /reports/month of the drills service: a past month's drills held with their times to 90% and 100% from
ticks at known minutes, corrective actions opened, closed and open at the month's end, and who may ask."""
from datetime import date, timedelta

from bson import ObjectId

from services.drills.models import Action, Drill
from shared import clock
from tests.support.drills import COMMUNITY, GRID_A, GRID_B, OTHER, district, drill_body

MONTH = clock.month_after(clock.month_of(clock.today()), -2)  # wholly past
START, END = clock.month_span(MONTH)


def run_drill(drills, who, *, started, minutes_a, minutes_b, title="防汛综合演练") -> str:
    """A drill started at `started`, its grids' households ticked at the given minutes, then ended."""
    drill_id = drills.post("/drills", json=drill_body(title=title), headers=who.staff()).json["id"]
    assert drills.post(f"/drills/{drill_id}/start", headers=who.staff()).status_code == 200
    Drill._get_collection().update_one({"_id": ObjectId(drill_id)}, {"$set": {"started_at": started}})
    for grid, offsets in ((GRID_A, minutes_a), (GRID_B, minutes_b)) if minutes_b else ((GRID_A, minutes_a),):
        roll = drills.get(f"/drills/{drill_id}/grids/{grid}/roster", headers=who.staff()).json["households"]
        ticks = [{"client_id": f"{drill_id}-{grid}-{n:04d}", "household_id": h["household_id"],
                  "status": "evacuated", "at": (started + timedelta(minutes=m)).isoformat()}
                 for n, (h, m) in enumerate(zip(roll, offsets))]
        r = drills.post(f"/drills/{drill_id}/grids/{grid}/ticks", json={"ticks": ticks}, headers=who.staff())
        assert r.status_code == 200 and {t["outcome"] for t in r.json["results"]} == {"stored"}, r.json
    assert drills.post(f"/drills/{drill_id}/end", json={}, headers=who.staff()).status_code == 200
    return drill_id


def action(drill_id, *, opened_at, closed_at=None) -> None:
    """A corrective action stored with the times it was opened and closed."""
    Action(drill_id=drill_id, community_id=COMMUNITY, title="补齐物资", owner_name="王主任", due_on=date(2030, 1, 1),
           opened_at=opened_at, closed_at=closed_at, status="closed" if closed_at else "open").save()


def test_a_past_month_gives_each_drill_held_its_minutes_to_90_and_100_percent(drills, who):
    district(households_per_grid=(6, 4))
    day = timedelta(days=1)
    held = run_drill(drills, who, started=START + 9 * day, minutes_a=[1, 2, 3, 4, 5, 30], minutes_b=[2, 6, 8, 12.5])
    short = run_drill(drills, who, started=START + 20 * day, minutes_a=[3, 4], minutes_b=[], title="消防疏散演练")
    run_drill(drills, who, started=END + day, minutes_a=[1], minutes_b=[], title="下月演练")  # after the month
    called_off = drills.post("/drills", json=drill_body(title="取消的演练"), headers=who.staff()).json["id"]
    Drill._get_collection().update_one({"_id": ObjectId(called_off)}, {"$set": {"starts_at": START + 25 * day}})
    assert drills.post(f"/drills/{called_off}/cancel", json={"reason": "暴雨"}, headers=who.staff()).status_code == 200

    action(held, opened_at=START - day)  # opened before the month, still open
    action(held, opened_at=START + day, closed_at=START + 2 * day)  # opened and closed in the month
    action(held, opened_at=START + 3 * day, closed_at=END + day)  # opened in the month, closed after it
    action(held, opened_at=START - 2 * day, closed_at=START + 4 * day)  # opened before, closed in the month
    action(held, opened_at=END + 2 * day)  # after the month

    r = drills.get("/reports/month", query_string={"community_id": COMMUNITY, "month": MONTH}, headers=who.staff())
    assert r.status_code == 200, r.json
    f = r.json
    assert (f["community_id"], f["month"], f["drills_held"], f["cancelled"]) == (COMMUNITY, MONTH, 2, 1)
    assert (f["actions_opened"], f["actions_closed"], f["actions_open"]) == (2, 2, 2)
    first, second = f["held"]
    # ten households: the 9th accounted for at minute 12.5 (90%), the 10th at minute 30 (100%)
    assert (first["drill_id"], first["households"], first["accounted"]) == (held, 10, 10)
    assert (first["minutes_to_90"], first["minutes_to_100"]) == (12.5, 30.0)
    assert (second["drill_id"], second["accounted"], second["minutes_to_90"], second["minutes_to_100"]) == \
        (short, 2, None, None)
    assert set(first) == {"drill_id", "title", "kind", "hazard", "started_at", "households", "accounted",
                          "minutes_to_90", "minutes_to_100"}  # counts and times, nobody named

    empty = drills.get("/reports/month", query_string={"community_id": OTHER, "month": MONTH},
                       headers=who.role("admin")).json
    assert (empty["drills_held"], empty["held"], empty["actions_open"]) == (0, [], 0)


def test_who_may_ask_and_what_month(drills, who):
    district()
    url, this_month = "/reports/month", clock.month_of(clock.today())
    ask = {"community_id": COMMUNITY, "month": MONTH}
    assert drills.get(url, query_string=ask, headers=who.staff(OTHER, "s-c2")).status_code == 404
    assert drills.get(url, query_string=ask, headers=who.worker()).status_code == 403
    assert drills.get(url, query_string=ask, headers=who.role("street_staff", communities=[COMMUNITY])).status_code == 200
    assert drills.get(url, query_string={**ask, "month": this_month}, headers=who.staff()).status_code == 200
    for month in ("2026-13", "26-01", clock.month_after(this_month, 1)):
        r = drills.get(url, query_string={**ask, "month": month}, headers=who.staff())
        assert r.status_code == 422 and "month" in r.json["fields"], (month, r.json)
    r = drills.get(url, query_string={**ask, "month": clock.month_after(this_month, 1)}, headers=who.staff())
    assert r.json["field_reasons"]["month"][0]["code"] == "month.not_begun", r.json
    assert drills.get(url, query_string={"month": MONTH}, headers=who.staff()).status_code == 422
