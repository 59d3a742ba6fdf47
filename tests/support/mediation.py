"""Mediation test helpers: the register (grids and households) as the households events that bring it to the
mediation service, and a dispute's body."""
import uuid

from shared.events import new_event

GRIDS = {"C1-G1": "C1", "C1-G2": "C1", "C2-G1": "C2"}


def grid_created(grid_id: str):
    return new_event("grid.created", version=1, source="households", community_id=GRIDS[grid_id], grid_id=grid_id,
                     data={"grid_id": grid_id, "code": grid_id, "name": f"{grid_id}网格",
                           "community_id": GRIDS[grid_id]})


def household_registered(grid_id: str, n: int, *, care_tags=(), household_id: str | None = None):
    return new_event("household.registered", version=1, source="households", community_id=GRIDS[grid_id], grid_id=grid_id,
                     data={"household_id": household_id or uuid.uuid4().hex[:24],
                           "address": {"building": f"{n // 10 + 1}栋", "unit": "1单元", "room": f"{100 + n}"},
                           "residency": "registered",
                           "residents": [{"resident_id": f"r{n}", "name": f"居民{n}", "relation": "head",
                                          "care_tags": list(care_tags)},
                                         {"resident_id": f"r{n}b", "name": f"家属{n}", "relation": "spouse"}]})


def household_moved(household_id: str, from_grid: str, to_grid: str):
    return new_event("household.moved", version=1, source="households", community_id=GRIDS[to_grid], grid_id=to_grid,
                     data={"household_id": household_id, "from_grid_id": from_grid,
                           "from_community_id": GRIDS[from_grid], "to_grid_id": to_grid,
                           "to_community_id": GRIDS[to_grid],
                           "address": {"building": "9栋", "unit": "2单元", "room": "901"}})


def dispute_body(*parties, grid_id="C1-G1", category="neighbours", **extra) -> dict:
    rows = list(parties) or [{"role": "applicant", "kind": "person", "name": "张三"},
                             {"role": "respondent", "kind": "person", "name": "李四"}]
    return {"grid_id": grid_id, "category": category, "description": "楼上漏水，协商不成", "urgency": "normal",
            "channel": "walk_in", "parties": rows, **extra}
