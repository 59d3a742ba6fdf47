"""Every page with a chart, in a real chromium at 360 px (a phone): a screenshot of each kept as a test artefact
(test-artifacts/screenshots), at least one server-drawn `svg.chart` with role=img and a title, nothing scrolling
sideways, the chart's numbers opening as a table without JavaScript, and the page within the weight budget."""
from datetime import datetime, time, timedelta, timezone

import pytest
from playwright.sync_api import expect

from gateway.reports.models import MONTHLY_RUN
from gateway.reports.service import SYSTEM, issue
from gateway.seed import seed_demo_users
from shared import clock
from tests.e2e.conftest import PASSWORD, PHONE, no_horizontal_scroll, sign_in
from tests.support import desk_months
from tests.support.drills import run_drill_at
from tests.support.screens import PAGE_BUDGET, keep_screenshot, page_weight, record_weight
from tests.support.stack import staff_principal

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def chart_pages(full):
    """(user, path, screenshot name) of each chart page, with the data they draw: a drill with its roll-call in g1,
    and last month's reports of c1 and its street s1."""
    month = clock.previous_month()
    seed_demo_users(full.gateway_app, password=PASSWORD, users=[
        {"username": "street-s1", "name": "街道干部", "role": "street_staff", "street_ids": ["s1"]}])
    drill_id = run_drill_at(full, community_id="c1", grid_id="g1", title="秋季疏散演练",
                            started=clock.now() - timedelta(days=3), minutes=[1, 2, 2, 3, 4, 5, 6, 8, 9, 11, 12, 15])
    _cases_over_months(full, month)
    with full.gateway_app.app_context():
        issue(kind="community", place_id="c1", month=month, principal=staff_principal("c1"), issued_by="s-c1")
        issue(kind="street", place_id="s1", month=month, principal=SYSTEM, issued_by=MONTHLY_RUN)
    return [("staff-c1", "/grids?community_id=c1", "chart-grids"),
            ("street-s1", "/streets/s1", "chart-street-overview"),
            ("staff-c1", "/volunteers/c1", "chart-volunteers-home"),
            ("staff-c1", f"/drills/{drill_id}/report", "chart-drill-report"),
            ("staff-c1", "/drills?community_id=c1", "chart-drills-history"),
            ("staff-c1", "/disputes/hotspots?community_id=c1", "chart-hotspots"),
            ("staff-c1", f"/communities/c1/reports/{month}", "chart-report-community"),
            ("street-s1", f"/streets/s1/reports/{month}", "chart-report-street")]


def _cases_over_months(full, month: str) -> None:
    """Disputes in c1 last month and the month before (neighbours, family, land), one closed on time with its
    applicant satisfied, so the hot spots' heat map and trend and the report's cases have something to draw."""
    for n, (category, months_back, closed) in enumerate((("neighbours", 0, True), ("neighbours", 0, False),
                                                         ("family", 0, False), ("land", 1, False),
                                                         ("neighbours", 1, False))):
        dispute = desk_months.register(full, category)
        if closed:
            desk_months.answer(full, desk_months.withdrawn_and_closed(full, dispute), 5)
        first = clock.month_start(clock.month_after(month, -months_back))
        registered = first + timedelta(days=2 + 3 * n)
        desk_months.move(full, dispute, registered_on=registered, due_on=registered + timedelta(days=9),
                         closed_on=registered + timedelta(days=4) if closed else None,
                         answered_at=datetime.combine(registered + timedelta(days=5), time(4), timezone.utc)
                         if closed else None)


def check_chart_page(page, path: str, name: str) -> None:
    page.goto(path)
    page.wait_for_load_state("load")
    charts = page.locator("svg.chart[role=img]")
    assert charts.count() >= 1, f"{path}: no chart"
    for i in range(charts.count()):
        assert charts.nth(i).locator("title").first.text_content().strip(), f"{path}: a chart without a title"
    assert no_horizontal_scroll(page), f"{path} scrolls sideways at 360 px"
    keep_screenshot(page, name)
    weight = page_weight(page.content())
    record_weight(name, weight)
    assert weight <= PAGE_BUDGET, path


def test_every_chart_page_on_a_phone(browser, full, chart_pages):
    for username in dict.fromkeys(user for user, _, _ in chart_pages):
        context = browser.new_context(base_url=full.gateway_url, **PHONE)
        context.set_default_timeout(15000)
        try:
            page = context.new_page()
            sign_in(page, username)
            for _, path, name in (p for p in chart_pages if p[0] == username):
                check_chart_page(page, path, name)
        finally:
            context.close()


def test_a_charts_numbers_open_without_javascript(browser, full, chart_pages):
    context = browser.new_context(base_url=full.gateway_url, java_script_enabled=False, **PHONE)
    context.set_default_timeout(15000)
    try:
        page = context.new_page()
        page.goto("/login")
        page.fill("#username", "staff-c1")
        page.fill("#password", PASSWORD)
        page.click("form button[type=submit]")
        page.wait_for_load_state("load")
        for user, path, _ in chart_pages:
            if user != "staff-c1":
                continue
            page.goto(path)
            details = page.locator("details:has(table)").first
            table = details.locator("table").first
            expect(table).to_be_hidden()
            details.locator("summary").first.click()
            expect(table).to_be_visible()
            assert table.locator("td, th").count() >= 2, path
    finally:
        context.close()
