"""A community's staff on a phone, end to end in a real chromium at 360 px: from the community's grids page to its
monthly reports, the previous month issued with the button, the report page with its number and every section's
charts; a screenshot kept as a test artefact, the page within the weight budget, nothing scrolling sideways."""
import pytest
from playwright.sync_api import expect

from gateway.reports.catalog import SECTIONS
from shared import clock
from tests.e2e.conftest import no_horizontal_scroll, sign_in
from tests.support.screens import PAGE_BUDGET, keep_screenshot, page_weight

pytestmark = pytest.mark.e2e


def test_community_staff_issue_and_read_last_months_report_on_a_phone(full_phone):
    month = clock.previous_month()
    page = full_phone.new_page()
    sign_in(page, "staff-c1")
    page.goto("/grids?community_id=c1")
    page.click("a.reports-link")
    page.wait_for_load_state("load")
    expect(page.locator("h1")).to_contain_text("月度报告")
    page.click(f"a[href$='/communities/c1/reports/{month}']")
    page.wait_for_load_state("load")
    expect(page.locator(".report-none")).to_contain_text("尚未出具")
    page.click("form button[type=submit]")
    page.wait_for_load_state("load")
    expect(page.locator(".report-number")).to_contain_text(f"C-c1-{month.replace('-', '')}-01")
    expect(page.locator("h1")).to_contain_text(f"{int(month[:4])}年{int(month[5:])}月情况报告")
    expect(page.locator("section.report-section")).to_have_count(len(SECTIONS))
    expect(page.locator("a.btn[href*='.pdf']")).to_be_visible()  # the PDF is the page's first action
    expect(page.locator("form button.alt")).to_contain_text("重新出具")  # issuing again is the second
    assert no_horizontal_scroll(page)
    keep_screenshot(page, "report-community-month")
    assert page_weight(page.content()) <= PAGE_BUDGET
