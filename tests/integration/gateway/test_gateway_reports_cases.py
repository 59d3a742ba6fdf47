"""The monthly report's service desk section, against every service: a past month seeded with known cases (closed
on time and late, open past its due date, a major case's special report, two survey answers), the community's
report issued, and its page and PDF (text by pypdf) carry exactly those figures; the street's report sums them."""
import re
from datetime import datetime, time, timezone

import pytest

from gateway.seed import seed_demo_users
from shared import clock
from tests.support import reports
from tests.support.desk_months import STAFF, answer, move, ok, register, withdrawn_and_closed
from tests.support.pages import signed_in, text
from tests.support.stack import DEMO_PASSWORD, page_token

pytestmark = pytest.mark.integration
PAST = clock.previous_month()


def day(n: int, month: str = PAST):
    return clock.month_start(month).replace(day=n)


def noon(n: int) -> datetime:
    return datetime.combine(day(n), time(4), timezone.utc)  # noon in the district


@pytest.fixture(scope="module")
def seeded(s):
    """Last month in c1: two disputes between neighbours (one closed on time, its applicant satisfied; one open past
    its due date), one in a family closed late (its applicant dissatisfied), one over land reported specially."""
    on_time, still_open, late, major = (register(s, c) for c in ("neighbours", "neighbours", "family", "land"))
    answer(s, withdrawn_and_closed(s, on_time), 5)
    answer(s, withdrawn_and_closed(s, late), 2)
    ok(s.call("mediation", "POST", f"/disputes/{major}/escalate", principal=STAFF,
              json={"reasons": ["other"], "households_involved": 6}))
    move(s, on_time, registered_on=day(5), due_on=day(14), closed_on=day(10), answered_at=noon(12))
    move(s, still_open, registered_on=day(8), due_on=day(17))
    move(s, late, registered_on=day(3), due_on=day(12), closed_on=day(25), answered_at=noon(26))
    move(s, major, registered_on=day(20), due_on=day(2, clock.month_after(PAST)), escalated_at=noon(21))
    number = ok(s.call("mediation", "GET", f"/disputes/{major}"))["number"]
    staff = signed_in(s, "staff-c1")
    path = f"/communities/c1/reports/{PAST}"
    assert staff.post(path, data={"csrf_token": page_token(staff, path)}).status_code == 303
    return {"staff": staff, "path": path, "number": number}



def test_the_report_page_carries_the_months_figures(seeded):
    page = text(seeded["staff"].get(seeded["path"]))
    section = reports.section(page, "cases")
    assert "服务站受理案件" in section
    shown = {name: re.search(rf'id="cases-{name}">([^<]*)<', section)[1]
             for name in ("registered", "closed", "on-time", "overdue", "satisfaction")}
    assert shown == {"registered": "4", "closed": "2", "on-time": "1（50%）", "overdue": "2",
                     "satisfaction": "2份评价中满意1份（50%）"}
    by_kind = re.search(r'id="cases-by-kind">(.*?)</table>', section, re.S)[1]
    assert reports.flat(re.sub(r"<[^>]+>", " ", by_kind)).endswith("纠纷4212求助办事0000事件0000")
    hot = reports.flat(re.sub(r"<[^>]+>", " ", re.search(r'id="cases-hot-spots">(.*?)</table>', section, re.S)[1]))
    assert "邻里纠纷第g1网格2" in hot
    special = reports.flat(re.sub(r"<[^>]+>", " ", re.search(r'id="cases-special-reports">(.*?)</table>', section, re.S)[1]))
    assert f"{seeded['number']}土地纠纷6" in special
    assert 'id="report-cases-by-category"' in section and "<svg" in section
    for personal in ("孙八", "desk-months-staff"):
        assert personal not in section


def test_the_pdf_carries_the_same_figures(seeded):
    words = reports.pdf_text(seeded["staff"], seeded["path"])
    for expected in ("服务站受理案件", "登记案件4", "办结案件2", "按时办结1（50%）", "已逾期2",
                     "2份评价中满意1份（50%）", "纠纷4212", "邻里纠纷第g1网格2", f"{seeded['number']}土地纠纷6",
                     "个案专报（1件）", "本月各类案件登记数"):
        assert expected in words, (expected, words)
    assert "孙八" not in words


def test_the_streets_report_sums_its_communities(seeded, s):
    """c2 had no case last month: the street's figures are c1's, its special report named with its community."""
    seed_demo_users(s.gateway_app, password=DEMO_PASSWORD, users=[
        {"username": "street-cases", "name": "街道干部", "role": "street_staff", "street_ids": ["s1"]}])
    street = signed_in(s, "street-cases")
    path = f"/streets/s1/reports/{PAST}"
    assert street.post(path, data={"csrf_token": page_token(street, path)}).status_code == 303
    section = re.search(r'id="section-cases">(.*?)</section>', text(street.get(path)), re.S)[1]
    assert re.search(r'id="cases-registered">4<', section) and re.search(r'id="cases-overdue">2<', section)
    assert "2份评价中满意1份（50%）" in section
    assert f"{seeded['number']}（c1社区）" in reports.flat(re.sub(r"<[^>]+>", " ", section))
