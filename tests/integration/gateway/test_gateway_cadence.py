"""The whole product with one cadence table: the households worker publishes it (care.cadences_set) and volunteers
keeps it; the seeded elderly_alone residents' standing care needs recur every 7 days and the pages say so (每7天),
the grid worker's today page gives the overdue households' cadence, and the staff figures page the target share."""
import re

import pytest
from pymongo import MongoClient

from services.households.config import DEFAULT_CADENCES
from tests.support.data import household
from tests.support.pages import signed_in, text
from tests.support.stack import register, staff_principal

pytestmark = pytest.mark.integration


@pytest.fixture
def s(seeded_stack):
    return seeded_stack


def test_volunteers_keep_the_published_table_and_care_needs_recur_at_it(s):
    kept = MongoClient(s.mongo_url)[f"test_{s.run_id}_volunteers"]["care_cadences"]
    s.wait_for(lambda: (kept.find_one({"_id": "current"}) or {}).get("cadences") == dict(DEFAULT_CADENCES))

    def care_needs():
        r = s.call("volunteers", "GET", "/needs", principal=staff_principal(),
                   params={"community_id": "c1", "kind": "care", "page_size": 100})
        return r.json()["items"] if r.status_code == 200 else []

    s.wait_for(lambda: len(care_needs()) >= 3)  # seed_full flags every 5th household of g1 elderly_alone
    assert {(n["recurrence"], n["every_days"]) for n in care_needs() if n["care"]["tag"] == "elderly_alone"} \
        == {("days", 7)}
    staff = signed_in(s, "staff-c1")
    need = next(n for n in care_needs() if n["care"]["tag"] == "elderly_alone")
    page = text(staff.get(f"/volunteers/needs/{need['id']}"))
    assert "每7天" in page and "每7天上门探访" in page  # the label, and the description volunteers wrote
    figures = text(staff.get("/volunteers/c1"))
    assert "名居民的 10%" in figures and "/ 5" in figures


def test_the_today_page_gives_each_overdue_households_cadence(s):
    body = household("g1", 4242, care_tag="left_behind_child")
    body["residents"][0]["care_tags"].append({"tag": "subsistence", "since": "2024-01-01"})
    register(s, body)  # never visited: overdue at once, due every 7 days (the shorter of 7 and 30)
    worker = signed_in(s, "worker-g1")
    page = text(worker.get("/grids/g1/today"))
    row = re.search(r"107栋.*?</small>", page, re.S)  # its row of the overdue list (address 107栋3单元103)
    assert row and "应每7天探访一次" in row.group() and "从未走访" in row.group()
