"""The register's charts drawn by the server, through the real households service and gateway: a community's grids
page shows a bar per grid against the 400–500 band (lines labelled and placed on the bars' scale, grids outside it
standing out) and care households overdue per grid for who may read care; the street overview a bar per grid of
the whole street, labelled "community · grid"; every count in the chart's table."""
import re

import pytest

from gateway import places
from gateway.seed import seed_demo_users
from tests.support.pages import signed_in, text
from tests.support.stack import DEMO_PASSWORD

pytestmark = pytest.mark.integration
BAR = re.compile(r'<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)" height="[\d.]+" fill="[^"]+" class="(bar|bar_out)"/>')
RULE = re.compile(r'<line x1="([\d.]+)" y1="[\d.]+" x2="([\d.]+)" y2="[\d.]+" stroke="[^"]+" class="rule"')


@pytest.fixture(scope="module")
def settled(s):
    """The seeded district (g1: 12 households, 3 in care never visited; g2: none; g3: 3) once the households
    worker has counted it; a street user of s1."""
    seed_demo_users(s.gateway_app, password=DEMO_PASSWORD, users=[
        {"username": "street-s1", "name": "街道干部甲", "role": "street_staff", "street_ids": ["s1"]}])

    def counted():
        grids = {g["id"]: g for g in s.households_call("GET", "/grids").json()}
        return grids["g1"]["households"] == 12 and grids["g3"]["households"] == 3 and \
            grids["g1"]["care_households_overdue"] == 3

    s.wait_for(counted, timeout=60)
    places.forget()
    return s


def chart(html: str, chart_id: str) -> str:
    """The `<figure>` of one chart on a page."""
    match = re.search(rf'<figure class="chart-box" id="{chart_id}">(.*?)</figure>', html, re.S)
    assert match, f"no chart {chart_id}"
    return match.group(1)


def bars(figure: str) -> list[tuple[float, float, str]]:
    return [(float(x), float(w), paint) for x, w, paint in BAR.findall(figure)]


def table(figure: str) -> dict[str, str]:
    return dict(re.findall(r'<th scope="row">([^<]*)</th><td>([^<]*)</td>', figure))


def assert_band_on_scale(figure: str, sizes: list[float]) -> None:
    """Two dashed lines labelled 400 and 500, placed where bars of those sizes would end."""
    drawn = bars(figure)
    x0 = drawn[0][0]
    lines = sorted(float(x1) for x1, _x2 in RULE.findall(figure))
    assert len(lines) == 2
    scale = (lines[0] - x0) / 400  # pixels per household, read off the 400 line
    assert lines[1] - x0 == pytest.approx(500 * scale, abs=0.2)
    for value, (_x, width, _paint) in zip(sizes, drawn):  # every bar is drawn on that scale (an empty one: 1 px)
        assert width == pytest.approx(max(value * scale, 1), abs=0.1)
    labels = re.findall(r'<text x="([\d.]+)"[^>]*>(400|500)</text>', figure)
    assert sorted((label, float(x)) for x, label in labels) == [("400", pytest.approx(lines[0], abs=0.2)),
                                                                ("500", pytest.approx(lines[1], abs=0.2))]


def test_the_community_page_draws_a_bar_per_grid_against_the_band(settled):
    html = text(signed_in(settled, "staff-c1").get("/grids?community_id=c1"))
    sizes = chart(html, "grid-sizes")
    drawn = bars(sizes)
    assert len(drawn) == 2  # g1 and g2, c1's grids
    assert [paint for _x, _w, paint in drawn] == ["bar_out", "bar_out"]  # 12 and 0: both below 400
    assert_band_on_scale(sizes, [12, 0])
    assert table(sizes) == {"第g1网格": "12 户", "第g2网格": "0 户"} or table(sizes) == {
        "第g1网格": "12 households", "第g2网格": "0 households"}
    overdue = chart(html, "overdue-visits")
    assert len(bars(overdue)) == 2 and not RULE.findall(overdue)
    assert list(table(overdue).values())[0].startswith("3")


def test_who_may_not_read_care_sees_no_overdue_chart(settled):
    html = text(signed_in(settled, "operator").get("/grids?community_id=c1"))
    assert len(bars(chart(html, "grid-sizes"))) == 2
    assert 'id="overdue-visits"' not in html


def test_the_street_overview_draws_every_grid_of_the_street(settled):
    html = text(signed_in(settled, "street-s1").get("/streets/s1"))
    sizes = chart(html, "street-grid-sizes")
    drawn = bars(sizes)
    assert len(drawn) == 3 and all(paint == "bar_out" for _x, _w, paint in drawn)
    assert_band_on_scale(sizes, [12, 0, 3])
    rows = table(sizes)
    assert sorted(rows) == ["c1社区 · 第g1网格", "c1社区 · 第g2网格", "c2社区 · 第g3网格"]
    assert [rows[k].split()[0] for k in sorted(rows)] == ["12", "0", "3"]
