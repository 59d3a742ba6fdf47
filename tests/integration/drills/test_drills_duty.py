"""A drill counts towards the annual duty (a comprehensive drill per community per year) only when its roll-call
accounted for DRILL_COMPLETE_SHARE of the households (0.9 by default); below it the drill is held but incomplete
(举行但未达标), with its share shown. Before, a drill that accounted for nobody counted."""
from datetime import datetime
from zoneinfo import ZoneInfo

from tests.support.drills import COMMUNITY, GRID_A, district, drill_body


def held_drill(drills, who, ticked: int) -> str:
    """A comprehensive drill of grid A (10 households) that ended with `ticked` of them accounted for."""
    drill_id = drills.post("/drills", json=drill_body(grid_ids=[GRID_A]), headers=who.staff()).json["id"]
    assert drills.post(f"/drills/{drill_id}/start", headers=who.staff()).status_code == 200
    roster = drills.get(f"/drills/{drill_id}/grids/{GRID_A}/roster", headers=who.worker()).json["households"]
    assert len(roster) == 10
    ticks = [{"client_id": f"duty-{drill_id[-6:]}-{n:03d}", "household_id": h["household_id"], "status": "evacuated"}
             for n, h in enumerate(roster[:ticked])]
    if ticks:
        r = drills.post(f"/drills/{drill_id}/grids/{GRID_A}/ticks", json={"ticks": ticks}, headers=who.worker())
        assert r.status_code == 200 and r.json["accounted"] == ticked
    r = drills.post(f"/drills/{drill_id}/end", json={}, headers=who.staff())
    assert r.status_code == 200 and r.json["result"]["share"] == ticked / 10
    return drill_id


def row(drills, who):
    [out] = drills.get("/compliance", query_string={"community_id": COMMUNITY}, headers=who.staff()).json
    return out


def test_a_drill_counts_only_when_its_roll_call_reached_the_share(drills, who, drills_config, monkeypatch):
    district(households_per_grid=(10, 0), care_in_a=())
    year = datetime.now(ZoneInfo(drills_config.TIMEZONE)).year

    nobody = held_drill(drills, who, 0)
    r = row(drills, who)
    assert r["comprehensive"]["status"] == "incomplete" and r["comprehensive"]["held"] is False
    assert r["comprehensive"]["drill_ids"] == [] and r["complete_share"] == 0.9
    assert r["comprehensive"]["incomplete"] == [{"drill_id": nobody, "share": 0.0}]
    assert (r["drills_held"], r["drills_counted"]) == (1, 0)

    half = held_drill(drills, who, 5)
    r = row(drills, who)
    assert r["comprehensive"]["status"] == "incomplete"
    assert sorted((x["drill_id"], x["share"]) for x in r["comprehensive"]["incomplete"]) == sorted(
        [(nobody, 0.0), (half, 0.5)])
    metrics = drills.get("/metrics").text
    assert f'grid_drills_held{{community_id="C1",kind="comprehensive",year="{year}"}} 0.0' in metrics
    assert f'grid_drills_incomplete{{community_id="C1",year="{year}"}} 2.0' in metrics

    # a lower share set by the operator: the 50 % drill counts, the 0 % one never does
    monkeypatch.setattr(drills_config, "DRILL_COMPLETE_SHARE", 0.5)
    r = row(drills, who)
    assert (r["comprehensive"]["status"], r["comprehensive"]["drill_ids"]) == ("held", [half])
    assert r["comprehensive"]["incomplete"] == [{"drill_id": nobody, "share": 0.0}]
    monkeypatch.setattr(drills_config, "DRILL_COMPLETE_SHARE", 0.01)
    assert row(drills, who)["comprehensive"]["incomplete"] == [{"drill_id": nobody, "share": 0.0}]
    monkeypatch.undo()

    enough = held_drill(drills, who, 9)
    r = row(drills, who)
    assert (r["comprehensive"]["status"], r["comprehensive"]["drill_ids"], r["drills_counted"]) == (
        "held", [enough], 1)
    assert r["overdue"] in ([], ["shelter"])
    metrics = drills.get("/metrics").text
    assert f'grid_drills_held{{community_id="C1",kind="comprehensive",year="{year}"}} 1.0' in metrics
