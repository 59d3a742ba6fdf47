"""The monthly report's volunteers section against every service (each a process): a past month seeded with known
volunteers, teams and hours in c1 and c2; the community's report and the street's (summed, the share from the sums)
carry exactly those figures on the page and in the PDF's text (pypdf)."""
import re
from datetime import datetime, timedelta

import pytest
from pymongo import MongoClient

from gateway.seed import seed_demo_users
from shared import clock
from shared.identity import Principal
from tests.support import reports
from tests.support.pages import signed_in
from tests.support.stack import DEMO_PASSWORD, staff_principal
from tests.support.volunteers import person

pytestmark = pytest.mark.integration
PAST = clock.previous_month()
START, END = clock.month_span(PAST)
FIRST = clock.month_start(PAST)


def _ok(response, status=(200, 201)):
    assert response.status_code in status, response.text
    return response.json()


@pytest.fixture(scope="module")
def seeded(s):
    """c1 (12 residents): volunteers 1 and 2 registered in the month, 3 before it; 2 teams; 2.5 task hours and 1.5
    drill hours in the month, 4 hours after it. c2 (3 residents): volunteer 4 registered in the month; no teams."""
    resident = Principal(user_id="anon", role="resident")
    for cid, people in (("c1", (1, 2, 3)), ("c2", (4,))):
        staff = staff_principal(cid, user_id=f"s-{cid}")
        link = _ok(s.call("volunteers", "POST", "/links", principal=staff, json={"community_id": cid}))
        for n in people:
            _ok(s.call("volunteers", "POST", f"/public/links/{link['token']}/signups", principal=resident,
                       json=person(n, grid_id="g1" if cid == "c1" else "g3")))
    for n in (1, 2):
        _ok(s.call("volunteers", "POST", "/teams", principal=staff_principal("c1"),
                   json={"community_id": "c1", "name": f"服务队{n}"}))
    with MongoClient(s.mongo_url) as client:
        db = client[f"test_{s.run_id}_volunteers"]
        for n, at in ((1, START + timedelta(days=1)), (2, END - timedelta(hours=1)), (3, START - timedelta(days=30)),
                      (4, START + timedelta(days=5))):
            db.volunteers.update_one({"phone": person(n)["phone"]}, {"$set": {"registered_at": at, "created_at": at}})
        db.teams.update_many({"community_id": "c1"}, {"$set": {"created_at": START - timedelta(days=3)}})
        v1 = str(db.volunteers.find_one({"phone": person(1)["phone"]})["_id"])
        for source, day, hours in (("task", FIRST, 2.5), ("drill", FIRST + timedelta(days=9), 1.5),
                                   ("task", clock.month_start(clock.month_after(PAST)), 4)):
            db.hours_ledger.insert_one({"volunteer_id": v1, "community_id": "c1", "source": source,
                                        "source_key": f"{source}|seed|{day}", "served_on": datetime.combine(day, datetime.min.time()),
                                        "hours": hours, "delta": hours})
    seed_demo_users(s.gateway_app, password=DEMO_PASSWORD, users=[
        {"username": "street-s1", "name": "街道干部甲", "role": "street_staff", "street_ids": ["s1"]}])






PDF_LINES = ("月末志愿者人数{volunteers}", "占居民比例{share}（目标10%）", "本月新登记志愿者{new}",
             "服务时长（小时）{hours}", "时长：任务/演练/自报2.5/1.5/0", "月末志愿服务队伍数2（目标5）")


def test_the_community_report_carries_exactly_the_month(s, seeded):
    staff = signed_in(s, "staff-c1")
    path = f"/communities/c1/reports/{PAST}"
    section = reports.section(reports.issue(staff, path), "volunteers")
    assert reports.figures(section) == {
        "月末志愿者人数": "3", "占居民比例": "25%（目标 10%）", "居民人数（当前）": "12", "本月新登记志愿者": "2",
        "通过链接报名": "2", "服务时长（小时）": "4", "时长：任务 / 演练 / 自报": "2.5 / 1.5 / 0",
        "月末志愿服务队伍数": "2（目标 5）"}
    assert 'id="report-volunteers-volunteer-share"' in section and 'class="bar"' in section
    pdf = reports.pdf_text(staff, path)
    for line in PDF_LINES:
        assert line.format(volunteers=3, share="25%", new=2, hours=4) in pdf, pdf
    assert person(1)["phone"] not in pdf and "志愿者1" not in pdf


def test_the_street_report_sums_its_communities_and_recomputes_the_share(s, seeded):
    street = signed_in(s, "street-s1")
    path = f"/streets/s1/reports/{PAST}"
    section = reports.section(reports.issue(street, path), "volunteers")
    figures = reports.figures(section)
    assert (figures["月末志愿者人数"], figures["占居民比例"], figures["居民人数（当前）"]) == ("4", "26.7%（目标 10%）", "15")
    assert (figures["本月新登记志愿者"], figures["服务时长（小时）"], figures["月末志愿服务队伍数"]) == ("3", "4", "2（目标 5）")
    rows = re.findall(r'<tr><th scope="row">([^<]+)</th><td>([^<]+)</td><td>([^<]+)</td><td>([^<]+)</td></tr>',
                      section.split("<caption>")[1])
    assert rows == [("c1社区", "3", "25%", "2"), ("c2社区", "1", "33.3%", "0")]
    share = re.search(r'id="report-volunteers-volunteer-share">(.*?)</figure>', section, re.S)[1]
    assert re.findall(r'class="(bar|bar_out)"', share) == ["bar", "bar"]  # both above 10 %
    teams = re.search(r'id="report-volunteers-volunteer-teams">(.*?)</figure>', section, re.S)[1]
    assert re.findall(r'class="(bar|bar_out)"', teams) == ["bar_out", "bar_out"]  # both under 5
    pdf = reports.pdf_text(street, path)
    for line in PDF_LINES:
        assert line.format(volunteers=4, share="26.7%", new=3, hours=4) in pdf, pdf
    assert "c1社区3" in pdf and "c2社区133.3%0" in pdf
