"""The service desk's charts on the hot spots page, against the real services: the category × month heat map's
cells carry the cases seeded in past months, the on-time and satisfaction trend carries their shares, labelled in
Chinese (and in English on the switch), each chart an SVG with its numbers as a table."""
import re
from datetime import date, datetime, time, timezone

import pytest

from shared import clock
from tests.support.desk_months import answer, move, register, withdrawn_and_closed
from tests.support.pages import signed_in, text

pytestmark = pytest.mark.integration
NOW = clock.month_of(clock.today())
BEFORE, LAST = clock.month_after(NOW, -2), clock.month_after(NOW, -1)


def rows(page: str, chart_id: str) -> list[list[str]]:
    """The chart's numbers as the page's table gives them: [[row heading, cell, …], …] (the heading row first)."""
    box = re.search(rf'<figure class="chart-box" id="{chart_id}">(.*?)</figure>', page, re.S)[1]
    assert "<svg" in box and 'role="img"' in box
    return [[re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", box, re.S)]


def day(month: str, n: int) -> date:
    return clock.month_start(month).replace(day=n)


@pytest.fixture(scope="module")
def seeded(s):
    """Two months ago: two disputes between neighbours and one in a family; last month: one between neighbours
    closed on time (its applicant satisfied) and one over land closed late."""
    for category in ("neighbours", "neighbours", "family"):
        move(s, register(s, category), registered_on=day(BEFORE, 10), due_on=day(BEFORE, 19))
    on_time, late = register(s, "neighbours"), register(s, "land")
    answer(s, withdrawn_and_closed(s, on_time), 5)
    withdrawn_and_closed(s, late)
    move(s, on_time, registered_on=day(LAST, 10), due_on=day(LAST, 19), closed_on=day(LAST, 12),
         answered_at=datetime.combine(day(LAST, 15), time(4), timezone.utc))
    move(s, late, registered_on=day(LAST, 3), due_on=day(LAST, 12), closed_on=day(LAST, 28))
    return s


def test_the_hot_spots_page_draws_the_heat_map_and_the_trend(seeded):
    staff = signed_in(seeded, "staff-c1")
    page = text(staff.get("/disputes/hotspots"))
    heat = rows(page, "cases-heat-map")
    months = [f"{int(m[5:])}月" for m in (BEFORE, LAST, NOW)]
    assert heat[0][-3:] == months and len(heat[0]) == 13  # the corner, then twelve months
    cells = {row[0]: row[-3:] for row in heat[1:]}
    assert (cells["邻里纠纷"][:2], cells["婚姻家庭纠纷"][:2], cells["土地纠纷"][:2]) == (["2", "1"], ["1", "0"], ["0", "1"])
    trend = rows(page, "cases-trend")
    assert trend[0] == ["月份", "按时办结", "满意"]
    by_month = {row[0]: row[1:] for row in trend[1:]}
    assert by_month[months[1]] == ["50%", "100%"]  # one of two closed on time; the one answer satisfied
    assert by_month[months[0]] == ["—", "—"]  # none closed, none answered
    assert "近十二个月" in page and "各类案件逐月分布" in page and "按时办结率与满意率" in page

    english = signed_in(seeded, "staff-c1")
    english.get("/lang/en?next=/")
    page = text(english.get("/disputes/hotspots"))
    assert "Cases by category and month" in page and "Closed on time and satisfaction" in page
    assert rows(page, "cases-heat-map")[0][-1] == clock.month_start(NOW).strftime("%b")
