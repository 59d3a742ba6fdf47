"""Every route of the drills service, from its URL map, walked by outsiders:

- grid C1-G1's worker asking for grid C1-G2's drill, roll-call, households, residents and corrective action
  (the community's plans, shelters and supplies, which the whole community's workers may read, are named);
- community C1's staff asking for everything of community C2 (its plans, shelters, supplies, a live drill with
  its roll-call, check-ins, problems and actions).

Every answer is 403 or 404 but for named list routes, which are shown to hold nothing of the other side; no
refused call stores anything."""
from datetime import date, timedelta

import mongoengine

from shared import clock
from tests.support.access import leaks, let_through, outsiders, report, walk, walk_detail
from tests.support.callers import headers_for
from tests.support.fuzz import fingerprint
from tests.support.objects import drills_objects, drills_register, soon


def bodies(other: dict) -> dict:
    """A valid body for every write route, aimed at the other side's objects."""
    place = {"name": "操场", "kind": "outdoor", "location": "幸福路12号", "capacity": 100}
    goods = {"name": "矿泉水", "category": "water", "unit": "箱", "quantity": 5, "location": "仓库"}
    plan = {"hazard": "natural_disaster", "title": "防汛预案", "level": "III"}
    return {
        "drills.create_plan": {**plan, "community_id": other["community_id"]},
        "drills.update_plan": {**plan, "version": 1},
        "drills.create_shelter": {**place, "community_id": other["community_id"]},
        "drills.update_shelter": {**place, "version": 1},
        "drills.create_supply": {**goods, "community_id": other["community_id"]},
        "drills.update_supply": {**goods, "version": 1},
        "drills.flag_supply": {"problem": "missing"},
        "drills.clear_supply_flags": {},
        "drills.set_assistance": {"needs_help": True, "need": "轮椅"},
        "drills.plan_drill": {"community_id": other["community_id"], "grid_ids": [other["grid_id"]], "title": "演练",
                              "hazard": "natural_disaster", "level": "III", "kind": "comprehensive",
                              "scenario": "暴雨", "starts_at": soon(10), "ends_at": soon(130)},
        "drills.start_drill": {},
        "drills.end_drill": {},
        "drills.record_ticks": {"ticks": [{"client_id": "walk-0000001", "household_id": other["household_id"],
                                           "status": "evacuated"}]},
        "drills.record_tick": {"client_id": "walk-0000002", "status": "evacuated"},
        "drills.check_in": {"volunteer_id": other["volunteer_id"]},
        "drills.check_out": {},
        "drills.open_shelter": {"people": 10},
        "drills.add_problem": {"text": "广播听不清", "grid_id": other["grid_id"]},
        "drills.open_action": {"title": "修复", "owner_name": "某", "grid_id": other["grid_id"],
                               "due_on": (date.today() + timedelta(days=7)).isoformat()},
        "drills.close_action": {"resolution": "已修复"},
        "drills.update_plan_levels": {"levels": [{"level": "I", "criteria": "红色预警", "steps": ["转移"]}],
                                      "version": 1},
        "drills.cancel_drill": {"reason": "暴雨预警"},
        "drills.reschedule_drill": {"starts_at": soon(600), "reason": "改期"},
        "drills.book_movement": {"direction": "out", "quantity": 1, "reason": "演练发放"},
    }


def queries(other: dict) -> dict:
    community = {"community_id": other["community_id"]}
    return {"drills.list_plans": community, "drills.list_shelters": community, "drills.list_supplies": community,
            "drills.supplies_report": community, "drills.list_grids": community, "drills.list_volunteers": community,
            "drills.list_drills": {**community, "grid_id": other["grid_id"]}, "drills.list_actions": community,
            "drills.compliance": community, "drills.month_figures": {**community, "month": clock.previous_month()}}


def secrets(other: dict) -> list[str]:
    return [other[k] for k in ("drill_id", "household_id", "resident_id", "action_id")]


def outsider_walk(app, client, who: dict, other: dict, allowed=(), extra_secrets=(), may_show=(), touched=()):
    """Walk every route; `touched` names the collections an allowed write may change."""
    before = {k: v for k, v in fingerprint(mongoengine.get_db()).items() if k not in touched}
    answers = walk_detail(app, client, headers=who, ids=other, bodies=bodies(other), query=queries(other))
    assert let_through(answers, allowed) == []
    found = [leak for leak in leaks(answers, [*secrets(other), *extra_secrets]) if leak[:2] not in may_show]
    assert found == [], "\n".join(map(str, found))
    after = {k: v for k, v in fingerprint(mongoengine.get_db()).items() if k not in touched}
    assert after == before, "a refused call stored something"
    return answers


def test_grid_a_worker_gets_403_or_404_for_every_route_on_grid_b(drills_app, drills):  # noqa: F811
    homes = drills_register()
    drills_objects(drills, drills_app, homes, "C1-G1")
    grid_b = drills_objects(drills, drills_app, homes, "C1-G2")
    worker_a = headers_for(drills_app, role="grid_worker", user_id="w-C1-G1", grids=["C1-G1"])
    # Community C1's plans, shelters and supplies serve every grid of C1 (a grid worker flags a missing supply
    # during a drill); the lists answer with C1's community things and the caller's own grid's drills only.
    allowed = {("GET", "/plans"), ("GET", "/plans/<plan_id>"), ("GET", "/shelters"), ("GET", "/shelters/<shelter_id>"),
               ("GET", "/supplies"), ("GET", "/supplies/report"), ("GET", "/supplies/<supply_id>"),
               ("POST", "/supplies/<supply_id>/flags"), ("GET", "/grids"), ("GET", "/volunteers"),
               ("GET", "/drills"), ("GET", "/actions"), ("GET", "/compliance")}
    # The community's compliance row counts every drill of C1 by id (a community report).
    may_show = {("GET", "/compliance")}
    answers = outsider_walk(drills_app, drills, worker_a, grid_b, allowed, may_show=may_show,
                            touched={"supplies"})
    print("\n" + report("drills service", answers, "grid C1-G1's worker on grid C1-G2's objects"))


def test_a_grid_worker_does_not_see_another_grids_corrective_actions(drills_app, drills):  # noqa: F811
    homes = drills_register()
    grid_b = drills_objects(drills, drills_app, homes, "C1-G2")
    worker_a = headers_for(drills_app, role="grid_worker", user_id="w-C1-G1", grids=["C1-G1"])
    assert drills.get(f"/drills/{grid_b['drill_id']}", headers=worker_a).status_code == 404
    listed = drills.get("/actions", query_string={"community_id": "C1"}, headers=worker_a).json
    assert [a["id"] for a in listed if a["grid_id"] == "C1-G2"] == []


def test_community_c1_staff_get_403_or_404_for_every_route_on_community_c2(drills_app, drills):  # noqa: F811
    homes = drills_register()
    drills_objects(drills, drills_app, homes, "C1-G1")
    c2 = drills_objects(drills, drills_app, homes, "C2-G1")
    staff = headers_for(drills_app, role="community_staff", user_id="s-C1", communities=["C1"])
    allowed = {("GET", "/compliance"), ("GET", "/drills")}  # C1's own only (checked: no id of C2's in them)
    answers = outsider_walk(drills_app, drills, staff, c2, allowed,
                            extra_secrets=[c2[k] for k in ("plan_id", "shelter_id", "supply_id")])
    print("\n" + report("drills service", answers, "community C1's staff on community C2's objects"))


def test_every_route_refuses_identities_not_from_the_gateway(drills_app, drills):  # noqa: F811
    """Every route, public ones included, answers 401 to an identity the gateway did not sign (or signed too
    long ago, or for a role that does not exist), and stores nothing."""
    homes = drills_register()
    own = drills_objects(drills, drills_app, homes, "C1-G1")
    before = fingerprint(mongoengine.get_db())
    walked = 0
    for label, headers in outsiders(drills_app):
        answers = walk(drills_app, drills, headers=headers, ids=own, bodies=bodies(own), query=queries(own))
        walked += len(answers)
        assert {s for _, _, s in answers} == {401}, (label, [a for a in answers if a[2] != 401])
    assert fingerprint(mongoengine.get_db()) == before
    print(f"\n[access walk] drills service: {walked} calls with identities not from the gateway "
          f"({len(outsiders(drills_app))} kinds), all 401")
