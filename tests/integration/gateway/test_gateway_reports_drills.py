"""The monthly report's drills section against every service (each a process): last month seeded with drills of
known times in c1 and c2 and corrective actions opened and closed on known days; the community's report and the
street's (held drills together, counts summed) carry exactly those figures on the page and in the PDF's text."""
import re
from datetime import date, timedelta

import pytest
from pymongo import MongoClient

from gateway.seed import seed_demo_users
from shared import clock
from tests.support import reports
from tests.support.drills import run_drill_at
from tests.support.pages import signed_in
from tests.support.stack import DEMO_PASSWORD

pytestmark = pytest.mark.integration
PAST = clock.previous_month()
START, END = clock.month_span(PAST)
DAY = timedelta(days=1)


@pytest.fixture(scope="module")
def seeded(s):
    """c1: a drill on the 10th (12 households: 90% at minute 14, 100% at 25) and one on the 20th that reached
    neither (3 of 12); a drill in the month after. c2: a drill on the 5th (3 households: 90% and 100% at 7).
    Actions in c1: one opened and closed in the month, one opened before it and still open; in c2 one opened in it."""
    held = run_drill_at(s, community_id="c1", grid_id="g1", title="防汛综合演练", started=START + 9 * DAY,
                        minutes=[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 14, 25])
    run_drill_at(s, community_id="c1", grid_id="g1", title="消防疏散演练", started=START + 19 * DAY, minutes=[3, 4, 5])
    run_drill_at(s, community_id="c1", grid_id="g1", title="下月演练", started=END + DAY, minutes=[1])
    other = run_drill_at(s, community_id="c2", grid_id="g3", title="燃气泄漏演练", started=START + 4 * DAY,
                         minutes=[2, 4, 7])
    with MongoClient(s.mongo_url) as client:
        actions = client[f"test_{s.run_id}_drills"]["actions"]
        for drill_id, community_id, opened_at, closed_at in ((held, "c1", START + DAY, START + 3 * DAY),
                                                             (held, "c1", START - 5 * DAY, None),
                                                             (other, "c2", START + 6 * DAY, None)):
            actions.insert_one({"drill_id": drill_id, "community_id": community_id, "title": "补齐应急物资",
                                "owner_name": "王主任", "due_on": date(2030, 1, 1).isoformat(),
                                "status": "closed" if closed_at else "open", "opened_at": opened_at,
                                "closed_at": closed_at})
    seed_demo_users(s.gateway_app, password=DEMO_PASSWORD, users=[
        {"username": "street-s1", "name": "街道干部甲", "role": "street_staff", "street_ids": ["s1"]}])




def _held(section: str) -> list[tuple]:
    return re.findall(r"<tr><td>([^<]+)</td><th scope=\"row\">([^<]+)</th><td>([^<]+)</td><td>([^<]+)</td>"
                      r"<td>([^<]+)</td><td>([^<]+)</td></tr>", section)



def _day(n: int) -> str:
    return (clock.month_start(PAST) + timedelta(days=n - 1)).isoformat()


def test_the_community_report_carries_its_drills_and_their_times(s, seeded):
    staff = signed_in(s, "staff-c1")
    path = f"/communities/c1/reports/{PAST}"
    section = reports.section(reports.issue(staff, path), "drills")
    assert reports.figures(section) == {
        "开展演练": "2", "取消演练": "0", "本月新增整改措施": "1", "本月完成整改措施": "1", "月末未完成整改措施": "1"}
    assert _held(section) == [(_day(10), "防汛综合演练", "12", "12", "14", "25"),
                              (_day(20), "消防疏散演练", "12", "3", "—", "—")]
    history = re.search(r'id="report-drills-history">(.*?)</figure>', section, re.S)[1]
    assert len(re.findall(r'class="bar(?:_out)?"', history)) == 2
    pdf = reports.pdf_text(staff, path)
    for line in ("开展演练2", "取消演练0", "本月新增整改措施1", "本月完成整改措施1", "月末未完成整改措施1",
                 f"{_day(10)}防汛综合演练12121425", f"{_day(20)}消防疏散演练123—"):
        assert line in pdf, (line, pdf)
    assert "下月演练" not in pdf and "王主任" not in pdf


def test_the_street_report_puts_its_communities_drills_together(s, seeded):
    street = signed_in(s, "street-s1")
    path = f"/streets/s1/reports/{PAST}"
    section = reports.section(reports.issue(street, path), "drills")
    assert reports.figures(section) == {
        "开展演练": "3", "取消演练": "0", "本月新增整改措施": "2", "本月完成整改措施": "1", "月末未完成整改措施": "2"}
    assert _held(section) == [(_day(5), "c2社区 燃气泄漏演练", "3", "3", "7", "7"),
                              (_day(10), "c1社区 防汛综合演练", "12", "12", "14", "25"),
                              (_day(20), "c1社区 消防疏散演练", "12", "3", "—", "—")]
    pdf = reports.pdf_text(street, path)
    for line in ("开展演练3", "本月新增整改措施2", "月末未完成整改措施2", f"{_day(5)}c2社区燃气泄漏演练3377",
                 f"{_day(10)}c1社区防汛综合演练12121425"):
        assert line in pdf, (line, pdf)
