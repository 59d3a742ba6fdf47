"""The import page on a phone at 360 px, without JavaScript: an office's sheet with columns of its own is
checked (a job whose page refreshes itself until its report), a select per unknown column offers the register's
columns in Chinese and 忽略, and the choice goes with the file into the real import."""
import re

import pytest

from tests.e2e.conftest import no_horizontal_scroll, sign_in
from tests.support.data import id_number, xlsx

pytestmark = pytest.mark.e2e

HEADER = ["楼栋", "单元", "房号", "姓名", "性别", "身份证号", "联系电话", "与户主关系", "户籍类型", "帮扶类别", "入住日期", "备注"]


def sheet() -> dict:
    content = xlsx(HEADER, [["70栋", "1单元", "101", "赵一", "男", id_number(701), "13900000071", "户主", "常住", "独居老人", None,
               "已核实"],
                            ["70栋", "1单元", "101", "赵二", "女", id_number(702), None, "配偶", None, None, None, None]],
                   title="人口台账")
    return {"name": "台账.xlsx", "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "buffer": content}


def upload_to_its_report(page):
    """Send the form; the job's page it goes to, once it shows the report (its refreshes bring it there)."""
    before = page.url
    page.click("form.card button[type=submit] >> text=上传")
    page.wait_for_url(lambda url: url != before and re.match(r".*/grids/g2/imports/[A-Za-z0-9_-]+$", url))
    page.locator("section.report").wait_for(timeout=60_000)


def test_the_column_choice_on_a_phone_without_js(phone_without_js, live):
    page = phone_without_js.new_page()
    sign_in(page, "staff-c1")
    page.goto("/grids/g2/import")
    page.set_input_files("#file", sheet())
    assert page.is_checked("#dry_run")                       # a check first, by default
    upload_to_its_report(page)

    columns = page.locator("fieldset#columns")
    assert "表格中的列" in columns.inner_text()
    assert columns.locator("select").count() == 2
    options = columns.locator("select#map-0 option").all_inner_texts()
    assert "重点关爱" in options and "忽略此列" in options
    assert columns.locator("select#map-0").bounding_box()["width"] <= 360
    assert no_horizontal_scroll(page)

    page.select_option("select#map-0", "care_tags")          # 帮扶类别
    page.select_option("select#map-1", "-")                  # 备注: ignored
    page.uncheck("#dry_run")
    page.set_input_files("#file", sheet())                   # a browser keeps no file: chosen again
    upload_to_its_report(page)
    report = page.inner_text("section.report")
    assert "已导入户数" in report and "帮扶类别 → 重点关爱" in report and "备注 → 忽略此列" in report
    assert no_horizontal_scroll(page)
    found = live.households_call("GET", "/households", params={"grid_id": "g2", "q": "赵一"}).json()
    assert found["total"] == 1
