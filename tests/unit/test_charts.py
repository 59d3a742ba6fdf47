"""The chart engine (gateway/charts): one layout drawn as SVG for pages and as a reportlab drawing for PDFs."""
import re

import pytest
from pypdf import PdfReader

from gateway.charts import Bar, BarChart, HeatMap, LineChart, Mark, Rule, Series, drawing, svg
from gateway.charts.layout import Rect, Text, layout
from shared.pdf import render

pytestmark = pytest.mark.unit

GRIDS = BarChart(title="网格规模", unit="户", bars=(Bar("一网格", 380), Bar("二网格", 420), Bar("三网格", 512)),
                 band=(400, 500))


def _rects(chart, paint):
    return [s for s in layout(chart).shapes if isinstance(s, Rect) and s.paint == paint]


def test_a_bar_per_row_and_those_outside_the_band_stand_out():
    assert len(_rects(GRIDS, "bar")) == 1 and len(_rects(GRIDS, "bar_out")) == 2
    band = _rects(GRIDS, "band")
    assert len(band) == 1
    scale = _rects(GRIDS, "bar")[0].w / 420  # the band spans 400..500 on the bars' own scale
    assert band[0].w == pytest.approx(100 * scale)


def test_the_svg_is_named_for_screen_readers_and_escapes_labels():
    chart = BarChart(title="志愿者 <占比>", unit="%", bars=(Bar("<script>", 12.5),), rules=(Rule(10, "目标 10%"),))
    out = str(svg(chart, chart_id="v", description="一个社区"))
    assert 'role="img"' in out and 'aria-labelledby="v-t v-d"' in out
    assert "<title id=\"v-t\">志愿者 &lt;占比&gt;</title>" in out and "<script>" not in out
    assert len(re.findall(r'<line [^>]*stroke-dasharray', out)) == 1  # the target
    assert chart.table() == (["", "%"], [["<script>", "12.5%"]])


def test_a_roll_call_curve_steps_and_marks_its_times():
    curve = LineChart(title="点名", unit="%", xs=(0, 3, 7), series=(Series("已清点", (0, 60, 100)),), y_max=100,
                      rules=(Rule(90, "90%"),), marks=(Mark(7, "100% 7 分钟"),), steps=True)
    path = [s for s in layout(curve).shapes if s.__class__.__name__ == "Path"][0]
    assert len(path.points) == 5  # three points and the two steps between them
    assert any(isinstance(s, Text) and s.text == "100% 7 分钟" for s in layout(curve).shapes)


def test_a_heat_map_darkens_with_the_count():
    heat = HeatMap(title="案件", rows=("邻里", "物业"), columns=("1月", "2月"), cells=((0, 4), (1, 2)))
    paints = [s.paint for s in layout(heat).shapes if isinstance(s, Rect)]
    assert "heat0" in paints and "heat4" in paints  # nothing, and the most
    assert heat.table() == (["", "1月", "2月"], [["邻里", "0", "4"], ["物业", "1", "2"]])


def test_the_pdf_drawing_carries_the_same_text():
    text = PdfReader(__import__("io").BytesIO(render(title="报告", flowables=[drawing(GRIDS)]))).pages[0].extract_text()
    for expected in ("网格规模", "一网格", "380", "512", "400", "500"):
        assert expected in text


def test_a_chart_with_nothing_to_draw_says_so():
    assert BarChart(title="网格规模", unit="户", bars=()).is_empty()
    assert not BarChart(title="逾期", unit="户", bars=(Bar("一网格", 0),)).is_empty()  # a zero is a figure
    assert HeatMap(title="案件", rows=("邻里",), columns=("1月",), cells=((0,),)).is_empty()
    assert LineChart(title="按时率", unit="%", xs=(0, 1), series=(Series("按时", (None, None)),)).is_empty()
    assert not LineChart(title="按时率", unit="%", xs=(0, 1), series=(Series("按时", (None, 0)),)).is_empty()


def test_the_page_names_an_empty_chart_and_draws_none():
    from flask import render_template_string

    from gateway.app import create_app
    from gateway.config import TestConfig

    app = create_app(TestConfig(mongo_url="mongodb://127.0.0.1:1", run_id="charts"))
    heat = HeatMap(title="各类案件逐月分布", rows=("邻里",), columns=("1月",), cells=((0,),))
    with app.test_request_context("/", headers={"Accept-Language": "zh-CN"}):
        html = render_template_string('{% from "_chart.html" import chart %}{{ chart(c, "h") }}', c=heat)
        drawn = render_template_string('{% from "_chart.html" import chart %}{{ chart(c, "g") }}', c=GRIDS)
    assert "<svg" not in html and "各类案件逐月分布" in html and "这段时间暂无数据。" in html
    assert "<svg" in drawn and "数据表" in drawn


def test_a_trends_points_show_even_alone():
    trend = LineChart(title="按时率", unit="%", xs=(0, 1, 2), series=(Series("按时", (None, 100, None)),), y_max=100)
    dots = [s for s in layout(trend).shapes if isinstance(s, Rect) and s.paint == "line0"]
    assert len(dots) == 1


def test_long_labels_widen_their_column_rather_than_being_cut():
    street = BarChart(title="各网格户数", unit="户", band=(400, 500),
                      bars=(Bar("幸福社区 · 第一网格", 420), Bar("和平村 · 第二网格", 380)))
    texts = [s.text for s in layout(street).shapes if isinstance(s, Text)]
    assert "幸福社区 · 第一网格" in texts and "和平村 · 第二网格" in texts
    short = [s for s in layout(GRIDS).shapes if isinstance(s, Rect) and s.paint.startswith("bar")]
    long = [s for s in layout(street).shapes if isinstance(s, Rect) and s.paint.startswith("bar")]
    assert long[0].x > short[0].x  # the bars start further right, leaving the labels room
