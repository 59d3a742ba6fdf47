"""Drills test helpers: the district's places, households events built with the households service's own event
builders (so the contract between the services is what is tested), handing them to the drills handlers, a drill."""
from datetime import date, datetime, timedelta, timezone

from bson import ObjectId

from services.households import events as hh_events
from services.households.models import Address, CareTag, Redraw, Resident
from services.households.models import Grid as HhGrid
from services.households.models import Household as HhHousehold
from shared.events import new_event

COMMUNITY, OTHER = "C1", "C2"
GRID_A, GRID_B, GRID_X = "C1-G1", "C1-G2", "C2-G1"


def grid_created(grid_id: str, community_id: str):
    return hh_events.grid_created(HhGrid(id=grid_id, name=f"{grid_id}网格", community_id=community_id))


def household(grid_id: str, community_id: str, n: int, *, care_tag: str | None = None, birth_year: int = 1970,
              members: int = 1) -> HhHousehold:
    """An unsaved households Household, only to build its events."""
    head_tags = [CareTag(tag=care_tag, since=date(2024, 1, 1))] if care_tag else []
    residents = [Resident(resident_id=f"r{n}-0", name=f"居民{n}", gender="female", relation="head",
                          birth_date=date(birth_year, 5, 1), care_tags=head_tags)]
    residents += [Resident(resident_id=f"r{n}-{m}", name=f"家属{n}-{m}", relation="child", birth_date=date(2000, 1, 1))
                  for m in range(1, members)]
    return HhHousehold(id=ObjectId(), community_id=community_id, grid_id=grid_id,
                       address=Address(building=f"{n // 40 + 1}栋", unit=f"{n % 4 + 1}单元", room=f"{n % 40 + 101}"),
                       residency="registered", residents=residents)


def registered(h: HhHousehold) -> list:
    """household.registered and its resident.care_flagged events, as register_household raises them."""
    flagged = [hh_events.care_changed(h, r, t, flagged=True) for r in h.residents for t in r.care_tags]
    return [hh_events.household_registered(h), *flagged]


def moved(h: HhHousehold, to_grid: str, to_community: str):
    from_grid, from_community = h.grid_id, h.community_id
    h.grid_id, h.community_id = to_grid, to_community
    return hh_events.household_moved(h, from_grid_id=from_grid, from_community_id=from_community)


def left(h: HhHousehold):
    h.status, h.moved_out_on = "left", date.today()
    return hh_events.household_left(h, "搬离本区")


def care_flagged(h: HhHousehold, tag: str, resident: int = 0):
    tag_doc = CareTag(tag=tag, since=date.today())
    h.residents[resident].care_tags.append(tag_doc)
    return hh_events.care_changed(h, h.residents[resident], tag_doc, flagged=True)


def redrawn(from_grid: str, to_grid: str, community_id: str, households: list[HhHousehold]):
    op = Redraw(id=ObjectId(), from_grid_id=from_grid, to_grid_id=to_grid,
                household_ids=[str(h.pk) for h in households], reason="调整网格")
    return hh_events.grid_redrawn(op, community_id)


def volunteer_registered(volunteer_id: str, community_id: str = COMMUNITY, name: str = "志愿者"):
    return new_event("volunteer.registered", version=1, source="volunteers", community_id=community_id, data={
        "volunteer_id": volunteer_id, "community_id": community_id, "grid_id": None, "name": name,
        "skills": ["first_aid"], "team_ids": []})


def deliver(*evts) -> None:
    """Hand events straight to the drills handlers, loaded through their contracts as the consumer hands them (the
    API tests' way to fill the copy; the broker tests publish)."""
    from services.drills.handlers import HANDLERS

    for event in evts:
        for handler in HANDLERS[(event.type, event.version)]:
            handler(event.load())


def district(households_per_grid=(4, 3), care_in_a=(1,)) -> dict:
    """Two grids in C1 and one in C2, with households; returns {grid: [households]}."""
    out = {GRID_A: [], GRID_B: [], GRID_X: []}
    deliver(grid_created(GRID_A, COMMUNITY), grid_created(GRID_B, COMMUNITY), grid_created(GRID_X, OTHER))
    n = 0
    for grid, count in ((GRID_A, households_per_grid[0]), (GRID_B, households_per_grid[1]), (GRID_X, 1)):
        for i in range(count):
            n += 1
            h = household(grid, OTHER if grid == GRID_X else COMMUNITY, n,
                          care_tag="disability" if grid == GRID_A and i in care_in_a else None)
            deliver(*registered(h))
            out[grid].append(h)
    return out


def soon(minutes: int = 10) -> datetime:
    return datetime.now(timezone.utc) + timedelta(minutes=minutes)


def drill_body(**over) -> dict:
    body = {"community_id": COMMUNITY, "title": "2025年度防汛综合演练", "hazard": "natural_disaster", "level": "III",
            "kind": "comprehensive", "scenario": "暴雨内涝，低洼楼栋转移", "starts_at": soon().isoformat(),
            "ends_at": soon(130).isoformat(), "helpers_wanted": 5, "skills": ["first_aid"]}
    body.update(over)
    return body


def run_drill_at(s, *, community_id: str, grid_id: str, title: str, started: datetime, minutes: list[float]) -> str:
    """Through the stack `s`: a drill of one grid started at `started` (its start moved there, as the drills tests
    do), the grid's households accounted for at `minutes` after it, in roster order, then ended. Returns its id."""
    from pymongo import MongoClient

    from tests.support.stack import staff_principal

    staff = staff_principal(community_id, user_id=f"s-{community_id}")
    r = s.call("drills", "POST", "/drills", principal=staff, json={**drill_body(
        community_id=community_id, grid_ids=[grid_id], title=title), "helpers_wanted": 0, "skills": []})
    assert r.status_code == 201, r.text
    drill_id = r.json()["id"]
    assert s.call("drills", "POST", f"/drills/{drill_id}/start", principal=staff).status_code == 200
    with MongoClient(s.mongo_url) as client:
        client[f"test_{s.run_id}_drills"]["drills"].update_one({"_id": ObjectId(drill_id)},
                                                               {"$set": {"started_at": started}})
    roll = s.call("drills", "GET", f"/drills/{drill_id}/grids/{grid_id}/roster", principal=staff).json()["households"]
    ticks = [{"client_id": f"{drill_id}-{n:04d}", "household_id": h["household_id"], "status": "evacuated",
              "at": (started + timedelta(minutes=m)).isoformat()} for n, (h, m) in enumerate(zip(roll, minutes))]
    r = s.call("drills", "POST", f"/drills/{drill_id}/grids/{grid_id}/ticks", principal=staff, json={"ticks": ticks})
    assert r.status_code == 200 and r.json()["accounted"] == len(minutes), r.text
    assert s.call("drills", "POST", f"/drills/{drill_id}/end", principal=staff, json={}).status_code == 200
    return drill_id
