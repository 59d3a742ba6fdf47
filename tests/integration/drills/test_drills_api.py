"""Plans, shelters, supplies, who helps whom, planning rules, corrective actions, compliance and metrics over HTTP."""
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from bson import ObjectId

from services.drills import rules
from services.drills.models import Action, Drill, EmergencyPlan
from tests.support.drills import COMMUNITY, GRID_A, GRID_B, GRID_X, OTHER, district, drill_body


def shelter(drills, who, name="幸福小学操场", community=COMMUNITY, **over):
    body = {"community_id": community, "name": name, "kind": "outdoor", "location": "幸福路12号", "capacity": 800,
            "facilities": ["饮用水", "照明"], **over}
    r = drills.post("/shelters", json=body, headers=who.staff(community, f"s-{community}"))
    assert r.status_code == 201, r.json
    return r.json


def supply(drills, who, **over):
    body = {"community_id": COMMUNITY, "name": "矿泉水", "category": "water", "unit": "箱", "quantity": 20,
            "required_quantity": 10, "location": "社区减灾防灾室", **over}
    r = drills.post("/supplies", json=body, headers=who.staff())
    assert r.status_code == 201, r.json
    return r.json


def test_emergency_plans_by_hazard_with_roles_assembly_points_and_shelters(drills, who):
    district()
    site = shelter(drills, who)
    body = {"community_id": COMMUNITY, "hazard": "public_health", "title": "突发公共卫生事件应急预案", "level": "II",
            "summary": "发现聚集性病例时的处置", "response_steps": ["启动II级响应", "封控楼栋", "逐户排查"],
            "roles": [{"duty": "commander", "person_name": "王主任"},
                      {"duty": "caller", "person_name": "李干事", "user_id": "s-c1"},
                      {"duty": "grid_check", "person_name": "张网格员", "grid_ids": [GRID_A]}],
            "assembly_points": [{"name": "1号集合点", "location": "社区广场", "grid_ids": [GRID_A, GRID_B], "capacity": 300}],
            "shelter_ids": [site["id"]]}
    r = drills.post("/plans", json=body, headers=who.staff())
    assert r.status_code == 201, r.json
    plan = r.json
    assert (plan["version"], plan["roles"][2]["grid_ids"], plan["shelter_ids"]) == (1, [GRID_A], [site["id"]])

    bad = {**body, "roles": [{"duty": "grid_check", "person_name": "某", "grid_ids": [GRID_X]}], "level": "V"}
    r = drills.post("/plans", json=bad, headers=who.staff())
    assert r.status_code == 422 and set(r.json["fields"]) == {"level"}
    r = drills.post("/plans", json={**bad, "level": "I"}, headers=who.staff())
    assert r.status_code == 422 and set(r.json["fields"]) == {"roles.0.grid_ids"}
    assert EmergencyPlan.objects.count() == 1

    worker = who.worker(GRID_A)
    assert [p["id"] for p in drills.get("/plans", headers=worker).json] == [plan["id"]]
    assert drills.post("/plans", json=body, headers=worker).status_code == 403
    assert drills.get(f"/plans/{plan['id']}", headers=who.staff(OTHER, "s-c2")).status_code == 404
    assert drills.get("/plans", headers=who.staff(OTHER, "s-c2")).json == []

    update = {k: v for k, v in body.items() if k != "community_id"}
    r = drills.put(f"/plans/{plan['id']}", json={**update, "level": "I", "version": 1}, headers=who.staff())
    assert (r.status_code, r.json["level"], r.json["version"]) == (200, "I", 2)
    assert drills.put(f"/plans/{plan['id']}", json={**update, "version": 1}, headers=who.staff()).status_code == 409


def test_supplies_report_what_is_missing_expired_or_flagged(drills, who):
    district()
    today = date.today()
    water = supply(drills, who)
    old = supply(drills, who, name="压缩饼干", category="food", expires_on=(today - timedelta(days=3)).isoformat())
    soon = supply(drills, who, name="碘伏", category="medical", expires_on=(today + timedelta(days=10)).isoformat())
    short = supply(drills, who, name="手电筒", category="lighting", quantity=2, required_quantity=10)
    gone = supply(drills, who, name="救生衣", category="rescue_equipment", quantity=0, required_quantity=5)
    assert old["problems"] == ["expired"] and water["problems"] == []

    # a grid worker finds the water missing during a drill
    drill_id = drills.post("/drills", json=drill_body(), headers=who.staff()).json["id"]
    r = drills.post(f"/supplies/{water['id']}/flags", json={"problem": "missing", "note": "仓库未找到", "drill_id": drill_id},
                    headers=who.worker(GRID_A))
    assert r.status_code == 200 and r.json["problems"] == ["flagged"]
    assert drills.post(f"/supplies/{water['id']}/flags", json={"problem": "lost"}, headers=who.worker()).status_code == 422
    assert drills.post(f"/supplies/{water['id']}/flags", json={"problem": "missing"},
                       headers=who.worker(GRID_X, "w-x")).status_code == 404

    report = drills.get("/supplies/report", query_string={"community_id": COMMUNITY}, headers=who.staff()).json
    names = {k: [s["name"] for s in report[k]] for k in ("expired", "expiring", "missing", "short", "flagged")}
    assert names == {"expired": ["压缩饼干"], "expiring": ["碘伏"], "missing": ["救生衣"], "short": ["手电筒"],
                     "flagged": ["矿泉水"]}
    assert [s["id"] for s in drills.get("/supplies", query_string={"problem": "short"}, headers=who.staff()).json] == [short["id"]]
    assert soon["problems"] == ["expiring"] and gone["problems"] == ["missing"]
    assert 'grid_supplies_expired{community_id="C1"} 1.0' in drills.get("/metrics").text

    r = drills.put(f"/supplies/{old['id']}", json={"name": "压缩饼干", "category": "food", "unit": "箱", "quantity": 20,
                                                   "location": "社区减灾防灾室", "version": old["version"],
                                                   "expires_on": (today + timedelta(days=365)).isoformat()},
                   headers=who.staff())
    assert r.status_code == 200 and r.json["problems"] == []
    r = drills.post(f"/supplies/{water['id']}/flags/clear", json={"note": "已补充"}, headers=who.staff())
    assert r.json["problems"] == [] and r.json["flags"][0]["cleared_at"]
    assert drills.post(f"/supplies/{water['id']}/flags/clear", json={}, headers=who.staff()).status_code == 409


def test_who_needs_help_to_move_and_who_helps_them(drills, who):
    homes = district(households_per_grid=(3, 1), care_in_a=())
    head = homes[GRID_A][2].residents[0].resident_id
    body = {"needs_help": True, "need": "轮椅", "helper_name": "邻居陈先生"}
    r = drills.put(f"/residents/{head}/assistance", json=body, headers=who.worker(GRID_A))
    assert r.status_code == 200 and r.json["needs_help"] is True
    roster = drills.get(f"/grids/{GRID_A}/roster", headers=who.worker(GRID_A)).json["households"]
    assert roster[0]["household_id"] == str(homes[GRID_A][2].pk)
    assert (roster[0]["special"][0]["need"], roster[0]["special"][0]["helper_name"]) == ("轮椅", "邻居陈先生")
    assert drills.put(f"/residents/{head}/assistance", json=body, headers=who.worker(GRID_B, "w-b")).status_code == 404
    r = drills.put(f"/residents/{head}/assistance", json={**body, "helper_volunteer_id": "v-none"}, headers=who.worker())
    assert r.status_code == 422 and "helper_volunteer_id" in r.json["fields"]
    assert drills.put(f"/residents/{head}/assistance", json=body, headers=who.role("operator")).status_code == 403


def test_planning_rules_and_bad_input_store_nothing(drills, who):
    r = drills.post("/drills", json=drill_body(), headers=who.staff())
    assert r.status_code == 422 and "community_id" in r.json["fields"]  # no grid of C1 known yet
    district()
    past = (datetime.now(timezone.utc) - timedelta(days=2)).isoformat()
    cases = [({"kind": "shelter"}, "shelter_ids"), ({"grid_ids": [GRID_X]}, "grid_ids"),
             ({"starts_at": past}, "starts_at"), ({"ends_at": drill_body()["starts_at"]}, "ends_at"),
             ({"level": "0"}, "level"), ({"hazard": "flood"}, "hazard"), ({"siren": True}, "siren"),
             ({"shelter_ids": [str(ObjectId())]}, "shelter_ids"), ({"plan_id": str(ObjectId())}, "plan_id")]
    for over, field in cases:
        r = drills.post("/drills", json=drill_body(**over), headers=who.staff())
        assert r.status_code == 422 and field in r.json["fields"], (over, r.json)
    assert drills.post("/drills", json=drill_body(community_id=OTHER), headers=who.staff()).status_code == 404
    assert drills.post("/drills", json=drill_body(), headers=who.worker()).status_code == 403
    assert Drill.objects.count() == 0
    r = drills.post("/drills", json=drill_body(grid_ids=[GRID_B]), headers=who.staff())
    assert r.status_code == 201 and r.json["grid_ids"] == [GRID_B]
    assert drills.get("/drills", headers=who.worker(GRID_A)).json == []  # not their grid's drill
    assert [d["id"] for d in drills.get("/drills", query_string={"status": "planned"},
                                        headers=who.worker(GRID_B, "w-b")).json] == [r.json["id"]]


def test_corrective_actions_are_tracked_until_closed(drills, who):
    district()
    drill_id = drills.post("/drills", json=drill_body(), headers=who.staff()).json["id"]
    due = (date.today() + timedelta(days=14)).isoformat()
    action = {"title": "补充救生衣", "owner_name": "张网格员", "owner_user_id": "w-a", "due_on": due, "grid_id": GRID_A}
    assert drills.post(f"/drills/{drill_id}/actions", json=action, headers=who.staff()).status_code == 409  # not run yet
    drills.post(f"/drills/{drill_id}/start", headers=who.staff())
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    assert drills.post(f"/drills/{drill_id}/actions", json={**action, "due_on": yesterday},
                       headers=who.staff()).status_code == 422
    opened = drills.post(f"/drills/{drill_id}/actions", json=action, headers=who.staff())
    assert opened.status_code == 201 and opened.json["exercise"] is True and opened.json["status"] == "open"
    other = drills.post(f"/drills/{drill_id}/actions", json={**action, "owner_user_id": None, "title": "修复广播"},
                        headers=who.staff()).json
    assert [e.type for e in Action.objects.get(pk=opened.json["id"]).outbox] == ["action.opened"]

    Action._get_collection().update_one({"_id": ObjectId(other["id"])}, {"$set": {
        "due_on": datetime.combine(date.today() - timedelta(days=3), datetime.min.time())}})
    overdue = drills.get("/actions", query_string={"overdue": "true"}, headers=who.staff()).json
    assert [a["id"] for a in overdue] == [other["id"]]
    metrics = drills.get("/metrics").text
    assert 'grid_drill_actions_open{community_id="C1"} 2.0' in metrics
    assert 'grid_drill_actions_overdue{community_id="C1"} 1.0' in metrics

    # the owner closes their own; another grid's worker does not even see it; closing twice is a conflict
    assert drills.post(f"/actions/{opened.json['id']}/close", json={"resolution": "已补齐"},
                       headers=who.worker(GRID_B, "w-b")).status_code == 404
    r = drills.post(f"/actions/{opened.json['id']}/close", json={"resolution": "已补齐20件"}, headers=who.worker(GRID_A))
    assert (r.status_code, r.json["status"], r.json["resolution"]) == (200, "closed", "已补齐20件")
    assert drills.post(f"/actions/{opened.json['id']}/close", json={"resolution": "x"},
                       headers=who.staff()).status_code == 409
    assert [e.type for e in Action.objects.get(pk=opened.json["id"]).outbox] == ["action.opened", "action.closed"]
    assert drills.get("/actions", query_string={"status": "open"}, headers=who.staff(OTHER, "s-c2")).json == []


def test_annual_compliance_and_the_metrics_operators_watch(drills, who, drills_config):
    district()
    site = shelter(drills, who)
    today = date.today()
    year = datetime.now(ZoneInfo(drills_config.TIMEZONE)).year
    operator = who.role("operator")
    late = today > rules.deadline(year, drills_config.DRILL_DUE_MONTH)

    before = {row["community_id"]: row for row in drills.get("/compliance", headers=operator).json}
    assert set(before) == {COMMUNITY, OTHER}
    assert before[OTHER]["drills_held"] == 0
    assert before[OTHER]["comprehensive"]["status"] == ("overdue" if late else "due")

    # C1 holds a comprehensive drill that opens its shelter: both requirements met
    drill_id = drills.post("/drills", json=drill_body(shelter_ids=[site["id"]]), headers=who.staff()).json["id"]
    assert drills.get("/compliance", query_string={"community_id": COMMUNITY}, headers=who.staff()).json[0][
        "comprehensive"]["status"] == ("overdue" if late else "planned")
    drills.post(f"/drills/{drill_id}/start", headers=who.staff())
    metrics = drills.get("/metrics").text
    assert f'grid_drill_rollcall_accounted_ratio{{drill_id="{drill_id}",grid_id="{GRID_A}"}} 0.0' in metrics
    r = drills.post(f"/drills/{drill_id}/shelters/{site['id']}/open", json={"people": 120}, headers=who.staff())
    assert r.json["shelters_opened"][0]["people"] == 120
    r = drills.post(f"/drills/{drill_id}/shelters/{site['id']}/open", json={"people": 150}, headers=who.staff())
    assert [(s["shelter_id"], s["people"]) for s in r.json["shelters_opened"]] == [(site["id"], 150)]
    for grid in (GRID_A, GRID_B):  # every household accounted for: the drill counts (see test_drills_duty.py)
        homes = drills.get(f"/drills/{drill_id}/grids/{grid}/roster", headers=who.staff()).json["households"]
        ticks = [{"client_id": f"all-{grid}-{n:04d}", "household_id": h["household_id"], "status": "at_home"}
                 for n, h in enumerate(homes)]
        assert drills.post(f"/drills/{drill_id}/grids/{grid}/ticks", json={"ticks": ticks},
                           headers=who.staff()).status_code == 200
    drills.post(f"/drills/{drill_id}/end", json={}, headers=who.staff())

    rows = {row["community_id"]: row for row in drills.get("/compliance", headers=operator).json}
    assert (rows[COMMUNITY]["comprehensive"]["status"], rows[COMMUNITY]["shelter"]["status"]) == ("held", "held")
    assert rows[COMMUNITY]["comprehensive"]["drill_ids"] == [drill_id] and rows[COMMUNITY]["overdue"] == []
    assert rows[COMMUNITY]["hazards_drilled"] == ["natural_disaster"]
    assert rows[OTHER]["drills_held"] == 0 and rows[OTHER]["overdue"] == (["comprehensive", "shelter"] if late else [])
    last_year = drills.get("/compliance", query_string={"year": year - 1}, headers=operator).json
    assert {r["community_id"]: r["overdue"] for r in last_year} == {COMMUNITY: ["comprehensive", "shelter"],
                                                                    OTHER: ["comprehensive", "shelter"]}
    assert [r["community_id"] for r in drills.get("/compliance", headers=who.staff(OTHER, "s-c2")).json] == [OTHER]
    assert drills.get("/compliance", query_string={"community_id": COMMUNITY},
                      headers=who.staff(OTHER, "s-c2")).status_code == 404

    report = drills.get(f"/drills/{drill_id}/report", headers=who.staff()).json
    assert [(s["shelter_id"], s["planned"], s["people"]) for s in report["shelters"]] == [(site["id"], True, 150)]

    metrics = drills.get("/metrics").text
    assert f'grid_drills_held{{community_id="C1",kind="comprehensive",year="{year}"}} 1.0' in metrics
    assert f'grid_drills_held{{community_id="C1",kind="shelter",year="{year}"}} 1.0' in metrics
    assert f'grid_drills_held{{community_id="C2",kind="comprehensive",year="{year}"}} 0.0' in metrics
    assert f'grid_drill_communities_without_drill{{year="{year}"}} 1.0' in metrics
    assert "grid_drill_rollcall_accounted_ratio{" not in metrics  # no live drill any more
    assert 'grid_drill_actions_open{community_id="C2"} 0.0' in metrics
    assert 'grid_supplies_expired{community_id="C1"} 0.0' in metrics
