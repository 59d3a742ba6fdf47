"""The service desk on a phone at 360 px in a real chromium, every service behind the gateway: community staff
register a resident's request (the receipt with its feedback QR code), dispatch it to the grid's worker, who
records the handling on their own phone; staff verify it (the survey's QR code); then the resident, without an
account, follows the receipt's link: the progress with dates, the outcome, and the survey, answered once. No page
scrolls sideways."""
import re

import pytest

from tests.e2e.conftest import PHONE, no_horizontal_scroll, sign_in

pytestmark = pytest.mark.e2e


def ok(response, status=200) -> dict:
    assert response.status_code == status, response.text
    return response.json()


def user_id(full, username: str) -> str:
    from gateway.models import User

    with full.gateway_app.app_context():
        return str(User.objects(username=username).first().pk)


def test_a_request_from_the_desk_to_verification_and_the_residents_feedback_page(full_phone, full, browser):
    staff = full_phone.new_page()
    sign_in(staff, "staff-c1")
    staff.goto("/desk")
    assert "服务台" in staff.content() and "求助办事" in staff.content() and no_horizontal_scroll(staff)
    staff.click("a[href='/desk/requests/new']")
    staff.wait_for_load_state("load")
    assert no_horizontal_scroll(staff)
    staff.fill("#applicant_name", "孙奶奶")
    staff.fill("#applicant_phone", "13700001111")
    staff.check("input[name=category][value=elderly_care]")
    staff.fill("#description", "独居老人申请居家养老上门服务")
    staff.select_option("#place", "grid:g1")
    staff.click("button[name=action][value=register]")
    staff.wait_for_load_state("load")
    number = staff.inner_text("#case-number").strip()
    assert re.match(r"^\d{4}-QZ-\d{4}$", number)
    assert staff.locator("#feedback-qr").is_visible() and no_horizontal_scroll(staff)
    link = staff.inner_text("#feedback-link").strip()
    token = re.search(r"/case/([A-Za-z0-9_-]+)$", link)[1]

    staff.click("text=打开案件")
    staff.wait_for_load_state("load")
    case_url = staff.url
    assert no_horizontal_scroll(staff)
    staff.click("#f-dispatch summary")
    staff.check("input[name='dispatch-target'][value=person]")
    staff.select_option("#dispatch-user_id", value=user_id(full, "worker-g1"))
    staff.click("#f-dispatch button[type=submit]")
    staff.wait_for_load_state("load")
    assert "已分拨" in staff.content() and no_horizontal_scroll(staff)

    worker_phone = browser.new_context(base_url=full.gateway_url, **PHONE)
    try:
        worker = worker_phone.new_page()
        sign_in(worker, "worker-g1")
        worker.goto("/desk?mine=handler")
        worker.click(f"text={number}")
        worker.wait_for_load_state("load")
        assert no_horizontal_scroll(worker)
        worker.click("#f-handle summary")
        worker.fill("#handle-handling", "已联系街道养老服务站，每周二上门")
        worker.click("#f-handle button[type=submit]")
        worker.wait_for_load_state("load")
        assert "等待核查" in worker.content() and no_horizontal_scroll(worker)
    finally:
        worker_phone.close()

    staff.goto(case_url)
    staff.click("#f-verify summary")
    staff.check("input[name='verify-passed'][value=yes]")
    staff.click("#f-verify button[type=submit]")
    staff.wait_for_load_state("load")
    assert staff.locator("#survey-qr").is_visible() and no_horizontal_scroll(staff)
    case_id = case_url.rstrip("/").rsplit("/", 1)[1]
    assert ok(full.call("mediation", "GET", f"/cases/{case_id}"))["status"] == "closed"

    resident_phone = browser.new_context(base_url=full.gateway_url, **PHONE)
    try:
        resident = resident_phone.new_page()
        response = resident.goto(f"/case/{token}")
        assert response.status == 200 and response.headers["cache-control"] == "no-store"
        progress = resident.inner_text("#progress")
        assert "已分拨" in progress and "核查通过" in progress and re.search(r"\d{4}-\d{2}-\d{2}", progress)
        assert "已联系街道养老服务站" in resident.inner_text("#outcome")
        page = resident.content()
        assert "孙奶奶" not in page and "13700001111" not in page and "网格员1" not in page
        assert no_horizontal_scroll(resident)
        resident.check("input[name=rating][value='5']")
        resident.click("form button[type=submit]")
        resident.wait_for_load_state("load")
        assert "谢谢" in resident.content() and resident.locator("input[name=rating]").count() == 0
        assert no_horizontal_scroll(resident)
    finally:
        resident_phone.close()
