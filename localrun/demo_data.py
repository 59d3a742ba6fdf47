"""A demo district for `make run`: a street, an urban community and a village, grids of telling sizes; the first
grid's four-in-one network (building heads, residents' groups, ten-household groups).

    python -m localrun.demo_data    load it through HOUSEHOLDS_URL, signed with IDENTITY_PRIVATE_KEY, unless
                                    the register already holds a community (the launcher runs this at each start)
"""
import csv
import io
import os
import random
import sys
import time
from datetime import timedelta

import requests

from services.households.schemas import HouseholdCreate
from services.households.service.exports import sheet_rows
from services.households.sheets.register import COLUMNS
from shared import clock
from shared.identity import IdentityAuth, Principal
from shared.validators import id_check_char

STREET = {"id": "CG", "name": "城关街道", "district": "示范区"}
COMMUNITIES = [
    {"id": "XF", "name": "幸福社区", "street_id": "CG", "kind": "urban"},
    {"id": "HP", "name": "和平村", "street_id": "CG", "kind": "rural"},
]
# (grid id, name, community, households): within, below and above the 400–500 band.
GRIDS = [("XF-01", "幸福一网格", "XF", 460), ("XF-02", "幸福二网格", "XF", 380), ("XF-03", "幸福三网格", "XF", 520),
         ("HP-01", "和平村网格", "HP", 120)]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英"
HUKOU_PLACES = ["安徽省阜阳市", "河南省周口市", "江苏省徐州市", "四川省南充市", "湖北省黄冈市", "山东省临沂市"]
IMPORT_DEADLINE_S = 600
CARE = ["elderly_alone", "empty_nest", "left_behind_child", "disability", "subsistence", "entitled_group"]


def _person(rnd: random.Random, relation: str, birth_year: int) -> dict:
    birth = f"{birth_year}{rnd.randint(1, 12):02d}{rnd.randint(1, 28):02d}"
    first17 = f"3201{rnd.randint(10, 99)}{birth}{rnd.randint(0, 999):03d}"
    return {"name": rnd.choice(SURNAMES) + "".join(rnd.choice(GIVEN) for _ in range(rnd.randint(1, 2))),
            "gender": rnd.choice(["male", "female"]), "birth_date": f"{birth[:4]}-{birth[4:6]}-{birth[6:]}",
            "id_number": first17 + id_check_char(first17), "phone": f"1{rnd.choice('3589')}{rnd.randint(0, 10**9 - 1):09d}",
            "relation": relation}


def demo_household(grid_id: str, n: int) -> dict:
    """The n-th household of a grid: 1–4 residents, about one in eight on a care list."""
    rnd = random.Random(f"{grid_id}-{n}")
    head = _person(rnd, "head", rnd.randint(1940, 1995))
    residents = [head] + [_person(rnd, rel, rnd.randint(1960, 2020))
                          for rel in rnd.sample(["spouse", "child", "parent"], rnd.randint(0, 3))]
    if rnd.random() < 0.125:
        head["care_tags"] = [{"tag": rnd.choice(CARE), "since": "2025-03-01"}]
    residency = rnd.choice(["registered"] * 4 + ["floating"])
    if residency == "floating":  # the head's 居住证: a few expire within the month or have expired
        arrived = clock.today() - timedelta(days=rnd.randint(30, 1500))
        head.update(hukou_place=rnd.choice(HUKOU_PLACES), permit_number=f"3201{rnd.randint(10**9, 10**10 - 1)}",
                    arrived_on=arrived.isoformat(), stay_months=rnd.choice([6, 12, 24, 36]),
                    permit_expires_on=(clock.today() + timedelta(days=rnd.randint(-20, 700))).isoformat())
    return {"grid_id": grid_id, "residency": residency,
            "address": {"building": f"{n // 48 + 1}栋", "unit": f"{n // 16 % 3 + 1}单元", "room": f"{n % 16 // 2 + 1}0{n % 2 + 1}"},
            "residents": residents}


def _created_or_there(response: requests.Response) -> None:
    if response.status_code != 409:  # 409: made by an earlier, interrupted run
        response.raise_for_status()


def seed(*, households_url: str, identity_private_key: str, resume: bool = False) -> int:
    """Load the demo district through the households API, each grid's households as the sheet a community office
    would import; households added.

    Into an empty register only (no community yet), unless `resume`: then whatever an interrupted run left out is
    added and what is there is kept (the API answers 409 for it, the import leaves out the addresses it has).
    """
    http = requests.Session()
    http.auth = IdentityAuth(Principal(user_id="demo-seed", role="admin", name="演示数据"), key=identity_private_key,
                             audience="households")
    if not resume and http.get(f"{households_url}/communities", timeout=10).json():
        return 0
    _created_or_there(http.post(f"{households_url}/streets", json=STREET, timeout=10))
    for community in COMMUNITIES:
        _created_or_there(http.post(f"{households_url}/communities", json=community, timeout=10))
    added = 0
    for grid_id, name, community, size in GRIDS:
        # each grid's worker (the demo account worker-<grid>) is assigned, so staffing counts them: 幸福社区 has
        # three for 1,360 households (four needed), 和平村 one (three needed)
        _created_or_there(http.post(f"{households_url}/grids", json={
            "id": grid_id, "name": name, "community_id": community, "worker_ids": [f"worker-{grid_id}".lower()]},
            timeout=10))
        if size:
            added += _import(http, households_url, grid_id=grid_id, sheet=demo_sheet(grid_id, size))
    seed_network(http, households_url, grid_id=GRIDS[0][0], community_id=GRIDS[0][2])
    return added


def demo_sheet(grid_id: str, households: int) -> bytes:
    """A grid's demo households as a register sheet (CSV, the register's own columns)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c.header for c in COLUMNS])
    schema = HouseholdCreate()  # the household as the register reads it (dates as dates), for the export's rows
    for n in range(households):
        for row in sheet_rows(schema.load(demo_household(grid_id, n)), masked=False):
            writer.writerow(["" if v is None else v for v in row])
    return out.getvalue().encode()


def _import(http: requests.Session, households_url: str, *, grid_id: str, sheet: bytes) -> int:
    """Import a sheet into a grid, rows of addresses already registered left out; the households it wrote."""
    answer = http.post(f"{households_url}/grids/{grid_id}/import", files={"file": ("demo.csv", sheet, "text/csv")},
                       data={"mode": "good_rows_only"}, timeout=30)
    answer.raise_for_status()
    deadline = time.monotonic() + IMPORT_DEADLINE_S
    while time.monotonic() < deadline:
        job = http.get(f"{households_url}/imports/{answer.json()['id']}", timeout=10).json()
        if job["state"] in ("done", "failed"):
            if job["outcome"]["status"] >= 400:
                raise RuntimeError(f"the demo import of {grid_id} failed: {job['outcome']['body'].get('message')}")
            return job["outcome"]["body"].get("imported") or 0
        time.sleep(0.2)
    raise RuntimeError(f"the demo import of {grid_id} did not finish within {IMPORT_DEADLINE_S} s")


def seed_network(http: requests.Session, households_url: str, *, grid_id: str, community_id: str) -> None:
    """The four-in-one network of one grid: per building a head (its first household's head of household), a
    residents' group of the community and ten-household groups of ten neighbours (the first one the lead).
    Households already in a group stay in it, so a resumed load groups only those added since."""
    network = http.get(f"{households_url}/grids/{grid_id}/network", timeout=30).json()
    for number, b in enumerate(network["buildings"], 1):
        building = b["building"]
        homes = http.get(f"{households_url}/grids/{grid_id}/network", params={"building": building},
                         timeout=30).json()["households"]
        head = homes[0]["residents"][0]
        if not b["head"]:  # a head named since (on the page) is kept
            http.put(f"{households_url}/grids/{grid_id}/building-heads", timeout=10,
                     json={"building": building, "resident_id": head["resident_id"]}).raise_for_status()
        _created_or_there(http.post(f"{households_url}/communities/{community_id}/residents-groups", timeout=10, json={
            "number": number, "name": f"第{number}居民小组", "buildings": [building], "leader_name": head["name"]}))
        free = [h["household_id"] for h in homes if not h["group_id"]]
        formed = len({h["group_id"] for h in homes if h["group_id"]})
        for i in range(0, len(free) - 1, 10):
            members = free[i:i + 10]
            if len(members) >= 2:
                http.post(f"{households_url}/grids/{grid_id}/ten-groups", timeout=10, json={
                    "name": f"{building}第{formed + i // 10 + 1}联户", "household_ids": members,
                    "lead_household_id": members[0]}).raise_for_status()


def main(argv: list[str] | None = None) -> int:
    resume = "--resume" in (sys.argv[1:] if argv is None else argv)
    added = seed(households_url=os.environ["HOUSEHOLDS_URL"], identity_private_key=os.environ["IDENTITY_PRIVATE_KEY"],
                 resume=resume)
    print(f"demo district: {added} households added" if added else
          "demo district: already loaded, nothing added" if resume else
          "demo district: the register is not empty, nothing added")
    return 0


if __name__ == "__main__":
    sys.exit(main())
