"""A plan's response levels I–IV carry activation criteria (启动条件) and ordered response steps (响应措施), editable,
with Chinese defaults for the hazard where the plan gives none; a drill shows its level's criteria and steps. Before,
a level was only a label."""
from bson import ObjectId

from services.drills.models import EmergencyPlan
from tests.support.drills import COMMUNITY, OTHER, district, drill_body


def plan_body(**over):
    return {"community_id": COMMUNITY, "hazard": "accident", "title": "火灾事故应急预案", "level": "II", **over}


def test_levels_have_criteria_and_steps_with_defaults_and_edits(drills, who):
    district()
    staff = who.staff()

    # a new plan without levels: Chinese defaults for its hazard, I to IV
    r = drills.post("/plans", json=plan_body(), headers=staff)
    assert r.status_code == 201, r.json
    plan = r.json
    assert [x["level"] for x in plan["levels"]] == ["I", "II", "III", "IV"]
    assert all(x["criteria"] and len(x["steps"]) >= 3 for x in plan["levels"])
    assert "事故" in plan["levels"][0]["criteria"] and "报警" in plan["levels"][0]["steps"][0]
    flood = drills.post("/plans", json=plan_body(hazard="natural_disaster", title="防汛预案"), headers=staff).json
    assert flood["levels"][0]["criteria"] != plan["levels"][0]["criteria"]

    # a plan written with its own levels keeps them, ordered I..IV, the others from the defaults; a level twice is
    # a 422 that stores nothing
    own = [{"level": "III", "criteria": "单栋楼冒烟", "steps": ["网格员到场", "疏散该楼"]},
           {"level": "I", "criteria": "多栋楼起火", "steps": ["报警", "全面疏散", "清点"]}]
    r = drills.post("/plans", json=plan_body(title="消防预案", levels=own), headers=staff)
    got = r.json["levels"]
    assert [x["level"] for x in got] == ["I", "II", "III", "IV"]
    assert [(x["criteria"], x["steps"]) for x in (got[0], got[2])] == [
        ("多栋楼起火", ["报警", "全面疏散", "清点"]), ("单栋楼冒烟", ["网格员到场", "疏散该楼"])]
    assert (got[1], got[3]) == (plan["levels"][1], plan["levels"][3])
    before = EmergencyPlan.objects.count()
    r = drills.post("/plans", json=plan_body(levels=[own[0], own[0]]), headers=staff)
    assert r.status_code == 422 and r.json["reason"]["code"] == "drills.level_twice"
    r = drills.post("/plans", json=plan_body(levels=[{"level": "V", "steps": []}]), headers=staff)
    assert r.status_code == 422 and "levels" in str(r.json["fields"])
    assert EmergencyPlan.objects.count() == before

    # editing one level keeps the others; the version must be the one read
    path = f"/plans/{plan['id']}/levels"
    edit = [{"level": "II", "criteria": "一栋楼需要疏散", "steps": ["报警", "疏散本楼", "集合点清点", "报告街道"]}]
    r = drills.put(path, json={"levels": edit, "version": plan["version"]}, headers=staff)
    assert r.status_code == 200, r.json
    levels = {x["level"]: x for x in r.json["levels"]}
    assert levels["II"]["steps"] == ["报警", "疏散本楼", "集合点清点", "报告街道"]
    assert levels["I"] == {x["level"]: x for x in plan["levels"]}["I"] and len(levels) == 4
    assert drills.put(path, json={"levels": edit, "version": plan["version"]}, headers=staff).status_code == 409
    assert drills.put(path, json={"levels": edit, "version": r.json["version"]}, headers=who.worker()).status_code == 403
    assert drills.put(path, json={"levels": edit, "version": r.json["version"]},
                      headers=who.staff(OTHER, "s-c2")).status_code == 404
    # a whole-plan revision that sends no levels keeps them
    update = {k: v for k, v in plan_body().items() if k != "community_id"}
    r = drills.put(f"/plans/{plan['id']}", json={**update, "version": r.json["version"]}, headers=staff)
    assert {x["level"]: x for x in r.json["levels"]}["II"]["criteria"] == "一栋楼需要疏散"

    # a plan stored before levels existed shows the defaults
    EmergencyPlan._get_collection().update_one({"_id": ObjectId(flood["id"])}, {"$unset": {"levels": 1}})
    assert [x["level"] for x in drills.get(f"/plans/{flood['id']}", headers=staff).json["levels"]] == [
        "I", "II", "III", "IV"]

    # a drill shows its level's criteria and steps: from its plan, else the community's plan, else the defaults
    with_plan = drills.post("/drills", json=drill_body(hazard="accident", level="II", plan_id=plan["id"]),
                            headers=staff).json
    r = drills.get(f"/drills/{with_plan['id']}/level", headers=who.worker())
    assert r.status_code == 200
    assert (r.json["source"], r.json["level"], r.json["criteria"], r.json["plan_id"], r.json["marker"]) == (
        "plan", "II", "一栋楼需要疏散", plan["id"], "演练")
    assert r.json["steps"] == ["报警", "疏散本楼", "集合点清点", "报告街道"]
    health = drills.post("/drills", json=drill_body(hazard="public_health", level="IV"), headers=staff).json
    r = drills.get(f"/drills/{health['id']}/level", headers=staff).json
    assert (r["source"], r["plan_id"]) == ("default", None) and r["steps"] and "一般" in r["criteria"]
    assert drills.get(f"/drills/{health['id']}/level", headers=who.staff(OTHER, "s-c2")).status_code == 404
