"""The monthly report's register section against every service (each a process): a past month seeded with known
households (moved in before it, or only after it), care households visited in it, before it or never, and visits
logged; the community's report and the street's (grids side by side, counts summed) carry exactly those figures on
the page and in the PDF's text (pypdf)."""
import re
from datetime import datetime, timedelta

import pytest
from bson import ObjectId
from pymongo import MongoClient

from gateway.seed import seed_demo_users
from shared import clock
from tests.support import reports
from tests.support.pages import signed_in
from tests.support.stack import DEMO_PASSWORD

pytestmark = pytest.mark.integration
PAST = clock.previous_month()
START, END = clock.month_span(PAST)


def _ok(response, status=(200, 201)):
    assert response.status_code in status, response.text
    return response.json()


@pytest.fixture(scope="module")
def seeded(s):
    """c1: g1's households 0–9 moved in before the month (10, 11 only after it; 0, 5, 10 in care, every 7 days),
    g2 empty; c2: g3's three households. Household 0 visited 10 days before the month and on its 3rd day, 3 on its
    6th, 1 after it; 5 never: care due 2, done 1, visits logged 2, g1's care households overdue at the end 2."""
    with MongoClient(s.mongo_url) as client:
        db = client[f"test_{s.run_id}_households"]
        db.grids.update_many({}, {"$set": {"created_at": START - timedelta(days=200)}})
        before = datetime.combine(clock.month_start(PAST) - timedelta(days=100), datetime.min.time())
        for h in s.seeded["g1"][:10] + s.seeded["g3"]:
            db.households.update_one({"_id": ObjectId(h["id"])}, {"$set": {"moved_in_on": before}})
    g1 = s.seeded["g1"]
    for n, at in ((0, START - timedelta(days=10)), (0, START + timedelta(days=2)), (3, START + timedelta(days=5)),
                  (1, clock.now() - timedelta(minutes=5))):
        _ok(s.households_call("POST", f"/households/{g1[n]['id']}/visits",
                              json={"visited_at": at.isoformat(), "notes": "探访"}))
    seed_demo_users(s.gateway_app, password=DEMO_PASSWORD, users=[
        {"username": "street-s1", "name": "街道干部甲", "role": "street_staff", "street_ids": ["s1"]}])





def _rows(section: str) -> list[tuple[str, str, str]]:
    table = section.split("<caption>")[1].split("</table>")[0]
    return re.findall(r'<tr><th scope="row">([^<]+)</th><td>([^<]+)</td><td>([^<]+)</td></tr>', table)



def test_the_community_report_carries_exactly_the_month(s, seeded):
    staff = signed_in(s, "staff-c1")
    path = f"/communities/c1/reports/{PAST}"
    section = reports.section(reports.issue(staff, path), "register")
    assert reports.figures(section) == {
        "户数": "10", "户数在 400 至 500 之间的网格": "0", "低于标准的网格": "2", "高于标准的网格": "0",
        "关爱走访": "应访 2 户，已访 1 户", "本月走访记录": "2"}
    assert _rows(section) == [("第g1网格", "10", "2"), ("第g2网格", "0", "0")]
    sizes = re.search(r'id="report-register-grids">(.*?)</figure>', section, re.S)[1]
    assert re.findall(r'class="(bar|bar_out)"', sizes) == ["bar_out", "bar_out"]
    pdf = reports.pdf_text(staff, path)
    for line in ("户数：10", "低于400户的网格2个；在标准内0个；高于500户0个", "应访2户，已访1户", "本月走访记录：2次",
                 "第g1网格102", "第g2网格00"):
        assert line in pdf, pdf
    assert "居民0" not in pdf and "13800000000" not in pdf


def test_the_street_report_puts_its_grids_side_by_side_and_sums(s, seeded):
    street = signed_in(s, "street-s1")
    path = f"/streets/s1/reports/{PAST}"
    section = reports.section(reports.issue(street, path), "register")
    figures = reports.figures(section)
    assert (figures["户数"], figures["低于标准的网格"], figures["关爱走访"], figures["本月走访记录"]) == (
        "13", "3", "应访 2 户，已访 1 户", "2")
    assert _rows(section) == [("c1社区 · 第g1网格", "10", "2"), ("c1社区 · 第g2网格", "0", "0"),
                              ("c2社区 · 第g3网格", "3", "0")]
    pdf = reports.pdf_text(street, path)
    for line in ("户数：13", "低于400户的网格3个", "应访2户，已访1户", "c2社区·第g3网格30"):
        assert line in pdf, pdf
