"""An import's progress on a phone at 360 px: a sheet of a few thousand rows is uploaded, the job's page shows its
progress bar and ends on the report; with JavaScript the page polls the job's progress and reloads once it has
ended, without JavaScript it gets there through its own refreshes."""
import re

import pytest

from tests.e2e.conftest import no_horizontal_scroll, sign_in
from tests.support.data import register_csv

pytestmark = pytest.mark.e2e

JOB_PAGE = re.compile(r".*/grids/g2/imports/[A-Za-z0-9_-]+$")
DEADLINE_MS = 120_000


def upload(page, households: int, first: int):
    """Upload a sheet of `households` households of 3 residents each (a real import) from g2's import page."""
    sign_in(page, "staff-c1")
    page.goto("/grids/g2/import")
    page.set_input_files("#file", {"name": "台账.csv", "mimeType": "text/csv",
                                   "buffer": register_csv(households, first=first, members=3)})
    page.uncheck("#dry_run")
    page.click("form.card button[type=submit] >> text=上传")
    page.wait_for_url(JOB_PAGE)


def running(page) -> bool:
    """The job's page as it first came: still running, with its bar (else the job had ended already)."""
    return page.locator("section.job progress").count() == 1


def test_the_progress_bar_with_javascript_ends_on_the_report(phone, live):
    page = phone.new_page()
    polled = []
    page.on("request", lambda r: polled.append(r.url) if r.url.endswith(".json") else None)
    upload(page, 700, first=20000)                                   # 2,100 rows
    if running(page):
        bar = page.locator("section.job progress")
        assert bar.bounding_box()["width"] <= 360 and no_horizontal_scroll(page)
        assert "正在" in page.inner_text("section.job") or "排队中" in page.inner_text("section.job")
    was_running = running(page)
    page.locator("section.report").wait_for(timeout=DEADLINE_MS)
    assert JOB_PAGE.match(page.url)
    report = page.inner_text("section.report")
    assert "已导入户数" in report and "700" in report
    assert "已完成" in page.inner_text("section.job") and page.locator("section.job progress").count() == 0
    assert not was_running or polled, "the running page was not polled"
    assert no_horizontal_scroll(page)
    found = live.households_call("GET", "/households", params={"grid_id": "g2", "q": "户主20699"}).json()
    assert found["total"] == 1


def test_the_progress_without_javascript_reaches_the_report_through_refreshes(phone_without_js, live):
    page = phone_without_js.new_page()
    loads = []
    page.on("load", lambda p: loads.append(p.url))
    upload(page, 200, first=30000)
    was_running = running(page)
    if was_running:
        assert re.search(r"已读取 \d+ 行，已检查 \d+ 行", page.inner_text("section.job"))
    page.locator("section.report").wait_for(timeout=DEADLINE_MS)
    assert "已导入户数" in page.inner_text("section.report")
    assert not was_running or len([u for u in loads if JOB_PAGE.match(u)]) >= 2, loads   # it reloaded itself
    assert 'http-equiv="refresh"' not in page.content()
    assert no_horizontal_scroll(page)
