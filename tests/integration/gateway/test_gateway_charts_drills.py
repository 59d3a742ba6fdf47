"""The drills charts on the staff pages, against the real services: a drill's roll-call curve on its report page
with the 90% and 100% minutes marked where the ticks put them, and the community's drill history on the drills
page with a bar per completed drill; both with their numbers as a table."""
import re
from datetime import datetime, timedelta, timezone

import pytest

from tests.support.drills import run_drill_at
from tests.support.pages import signed_in, text
from tests.support.stack import staff_principal

pytestmark = pytest.mark.integration
STAFF = staff_principal("c1")


def run_drill(s, title: str, minutes: list[float]) -> str:
    """A drill of grid g1 (twelve households) started an hour ago, households ticked at `minutes`, then ended."""
    start = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(hours=1)
    return run_drill_at(s, community_id="c1", grid_id="g1", title=title, started=start, minutes=minutes)


def figure(page: str, chart_id: str) -> str:
    return re.search(rf'<figure class="chart-box" id="{chart_id}">(.*?)</figure>', page, re.S)[1]


def test_the_roll_call_curve_marks_the_minutes_90_and_100_percent_were_reached(s):
    # twelve households: the 11th (90%, rounded up) at minute 14, the 12th at minute 25
    drill_id = run_drill(s, "防汛综合演练", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 14, 25])
    page = text(signed_in(s, "staff-c1").get(f"/drills/{drill_id}/report"))
    curve = figure(page, "roll-call-curve")
    assert 'role="img"' in curve and "90%：14 分钟" in curve and "100%：25 分钟" in curve
    axis_x = float(re.search(r'<line x1="([\d.]+)"[^>]*class="axis"', curve)[1])
    points = [tuple(map(float, p.split(","))) for p in re.search(r'<polyline points="([^"]+)"', curve)[1].split()]
    right = max(x for x, _ in points)  # the last tick, minute 25
    marks = [float(x) for x in re.findall(r'<line x1="([\d.]+)"[^>]*class="mark"', curve)]
    assert [round((x - axis_x) / (right - axis_x) * 25, 1) for x in marks] == [14.0, 25.0]
    rows = re.findall(r'<tr><th scope="row">([^<]*)</th><td>([^<]*)</td></tr>', curve)
    assert rows[0] == ("0", "0%") and ("14", "91.7%") in rows and rows[12] == ("25", "100%")  # the start and 12 ticks
    assert len(re.findall(r"<polyline", curve)) == 1


def test_the_drills_page_draws_a_bar_per_completed_drill(s):
    fast = run_drill(s, "消防疏散演练", [1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6])  # 11 of 12: 90% at minute 6
    run_drill(s, "燃气泄漏演练", [2, 3])  # never reached 90%
    planned = s.call("drills", "GET", "/drills", principal=STAFF, params={"community_id": "c1"}).json()
    completed = [d for d in planned if d["status"] == "completed"]
    assert fast in {d["id"] for d in completed}
    page = text(signed_in(s, "staff-c1").get("/drills?community_id=c1"))
    history = figure(page, "drill-history-c1")
    bars = re.findall(r'<rect [^>]*class="bar(?:_out)?"', history)
    assert len(bars) == len(completed) >= 2
    rows = dict(re.findall(r'<tr><th scope="row">([^<]*)</th><td>([^<]*)</td></tr>', history))
    assert len(rows) == len(completed)
    assert any(label.endswith("消防疏散演练") and value == "6分钟" for label, value in rows.items()), rows
    assert any(label.startswith("未达90%") and label.endswith("燃气泄漏演练") and value == "0分钟"
               for label, value in rows.items()), rows
    assert "历次演练" in page
