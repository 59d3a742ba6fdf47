"""A grid worker reports an incident from the phone, end to end in chromium at 360 px with every service running.

With scripts: the form is opened online (the service worker keeps it), the connection drops, the page is reloaded
from the service worker, the report is filled with a 2 MB camera photo and queued on the phone (IndexedDB, the photo
shrunk to ≤ 300 KB); when the connection returns it arrives exactly once with its one photo, and sending the same
entry again (an answer lost on the way) makes no second case. Without scripts: a plain multipart post gives the
receipt. The form fits 360 px with big touch targets."""
import re

import pytest
from PIL import Image
from pymongo import MongoClient

from tests.e2e.conftest import PHONE, no_horizontal_scroll, sign_in
from tests.support.broker import wait_until

pytestmark = pytest.mark.e2e
LIMIT = 300 * 1024


@pytest.fixture(scope="module")
def camera_photo(tmp_path_factory) -> str:
    """A photo as a phone's camera takes it: 3000×2250, about 2 MB."""
    w, h = 3000, 2250
    noise, grad = Image.effect_noise((w, h), 20), Image.linear_gradient("L").resize((w, h))
    path = tmp_path_factory.mktemp("camera") / "IMG_20261206_0930.jpg"
    Image.merge("RGB", (Image.blend(noise, grad, 0.5), grad, noise)).save(path, "JPEG", quality=92)
    assert path.stat().st_size > 1_500_000
    return str(path)


def incidents(full, description: str) -> list[dict]:
    with MongoClient(full.mongo_url) as client:
        return list(client[f"test_{full.run_id}_mediation"]["disputes"].find({"kind": "incident",
                                                                              "description": description}))


KEPT = """() => caches.open("grid-pages-v2").then(c => c.match(location.href)).then(hit => !!hit)"""

QUEUED = """() => new Promise((ok, no) => {
  const r = indexedDB.open("grid-incidents", 1);
  r.onerror = () => no(r.error);
  r.onsuccess = () => {
    const t = r.result.transaction("reports", "readonly"), q = t.objectStore("reports").getAll();
    q.onsuccess = () => { r.result.close(); ok(q.result.map(e => ({id: e.id, status: e.status, fields: e.fields,
      sizes: e.photos.map(p => p.size), types: e.photos.map(p => p.type)}))); };
  };
})"""

KEEP_COPY = """() => new Promise((ok) => {
  const r = indexedDB.open("grid-incidents", 1);
  r.onsuccess = () => {
    const q = r.result.transaction("reports", "readonly").objectStore("reports").getAll();
    q.onsuccess = () => { window.__copy = q.result[0]; r.result.close(); ok(q.result.length); };
  };
})"""

SEND_COPY_AGAIN = """() => new Promise((ok) => {
  const r = indexedDB.open("grid-incidents", 1);
  r.onsuccess = () => {
    const e = Object.assign({}, window.__copy, {status: "waiting"});
    const t = r.result.transaction("reports", "readwrite");
    t.objectStore("reports").put(e);
    t.oncomplete = () => { r.result.close(); window.dispatchEvent(new Event("online")); ok(e.id); };
  };
})"""


def test_an_incident_reported_offline_with_a_photo_arrives_once(full_phone, full, camera_photo):
    description = "三号楼消防通道被杂物堵塞，离线上报"
    page = full_phone.new_page()
    sign_in(page, "worker-g1")
    page.goto("/grids/g1/incidents/new")
    assert page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # now through the service worker, which keeps a copy of the form
    wait_until(lambda: page.evaluate("navigator.serviceWorker.controller !== null"), timeout=30)
    wait_until(lambda: page.evaluate(KEPT), timeout=30)
    full_phone.set_offline(True)
    page.reload()
    assert page.locator("h1").inner_text() == "上报事件"  # the service worker's copy
    client_id = page.input_value("input[name=client_id]")
    page.select_option("#category", "fire_safety")
    page.select_option("#building", "1栋")
    page.fill("#description", description)
    page.set_input_files("#photo1", camera_photo)
    page.click("form[data-incident] button[type=submit]")
    waiting = page.locator("#incident-queue li.waiting")
    waiting.wait_for()
    assert "待发送的事件上报" in page.inner_text("#incident-queue") and "消防安全" in waiting.inner_text()
    queued = page.evaluate(QUEUED)
    assert len(queued) == 1 and queued[0]["id"] == client_id and queued[0]["fields"]["client_id"] == client_id
    assert queued[0]["types"] == ["image/jpeg"] and 0 < queued[0]["sizes"][0] <= LIMIT, queued
    assert page.input_value("input[name=client_id]") != client_id  # the next report from this page is a new one
    assert page.evaluate(KEEP_COPY) == 1
    assert incidents(full, description) == []

    full_phone.set_offline(False)
    page.locator("#incident-queue li.sent").wait_for()
    sent = page.inner_text("#incident-queue li.sent")
    assert "已发送" in sent and re.search(r"\d{4}-SJ-\d{4}", sent)
    made = incidents(full, description)
    assert len(made) == 1 and made[0]["client_id"] == client_id and made[0]["place"]["building"] == "1栋"
    assert len(made[0]["photos"]) == 1 and made[0]["photos"][0]["content_type"] == "image/jpeg"
    assert made[0]["photos"][0]["size"] <= LIMIT
    assert page.evaluate(QUEUED) == []

    # the answer was lost on the way: the phone sends the same entry again, and the service finds its case
    assert page.evaluate(SEND_COPY_AGAIN) == client_id
    wait_until(lambda: page.evaluate(QUEUED) == [], timeout=30)
    assert len(incidents(full, description)) == 1
    page.reload()  # a page load flushes again: nothing is left to send twice
    assert page.evaluate(QUEUED) == [] and len(incidents(full, description)) == 1


def test_a_queued_report_is_sent_from_the_next_page_the_worker_opens(full_phone, full):
    description = "路灯杆倾斜，关掉页面也不丢"
    page = full_phone.new_page()
    sign_in(page, "worker-g1")
    page.goto("/grids/g1/incidents/new")
    full_phone.set_offline(True)
    page.select_option("#category", "public_facility")
    page.fill("#place_text", "幸福路口")
    page.fill("#description", description)
    page.click("form[data-incident] button[type=submit]")
    page.locator("#incident-queue li.waiting").wait_for()
    page.close()
    full_phone.set_offline(False)
    again = full_phone.new_page()
    again.goto("/grids/g1/today")  # app.js fetches incident.js while a report waits, and it is sent
    wait_until(lambda: len(incidents(full, description)) == 1, timeout=30)
    wait_until(lambda: again.evaluate(QUEUED) == [], timeout=30)
    assert again.evaluate("localStorage.getItem('grid.incidents.v1')") is None
    again.reload()
    assert len(incidents(full, description)) == 1


def test_a_refused_report_stays_on_the_phone_with_its_reason(full_phone, full):
    page = full_phone.new_page()
    sign_in(page, "worker-g1")
    page.goto("/grids/g1/incidents/new")
    page.select_option("#category", "environment")
    page.fill("#description", "没有写地点的上报")  # neither a building nor words: the service refuses it
    page.click("form[data-incident] button[type=submit]")
    failed = page.locator("#incident-queue li.failed")
    failed.wait_for()
    assert "未保存" in failed.inner_text() and failed.locator("small.err").inner_text()
    assert incidents(full, "没有写地点的上报") == []
    failed.locator("button", has_text="修改").click()  # back into the form, fixed, sent again
    assert page.input_value("#description") == "没有写地点的上报"
    page.fill("#place_text", "小区北门")
    page.click("form[data-incident] button[type=submit]")
    page.locator("#incident-queue li.sent").wait_for()
    assert page.locator("#incident-queue li.failed").count() == 0
    made = incidents(full, "没有写地点的上报")
    assert len(made) == 1 and made[0]["place"]["text"] == "小区北门"


def test_without_scripts_the_form_posts_and_shows_the_receipt(browser, full, camera_photo):
    context = browser.new_context(base_url=full.gateway_url, java_script_enabled=False, **PHONE)
    context.set_default_timeout(15000)
    try:
        page = context.new_page()
        sign_in(page, "worker-g1")
        page.goto("/grids/g1/incidents/new")
        assert no_horizontal_scroll(page)
        targets = ", ".join(f"form[data-incident] {t}" for t in ("select", "textarea", "input[type=text]", "button"))
        heights = page.evaluate(f"""() => Array.from(document.querySelectorAll("{targets}"))
            .map(e => e.getBoundingClientRect().height)""")
        assert min(heights) >= 44, heights  # big touch targets
        page.select_option("#category", "public_facility")
        page.fill("#place_text", "健身广场")
        page.fill("#description", "健身器材松动，无脚本上报")
        page.set_input_files("#photo2", camera_photo)
        page.click("form[data-incident] button[type=submit]")
        page.wait_for_load_state("load")
        number = page.inner_text("#case-number")
        assert re.match(r"^\d{4}-SJ-\d{4}$", number) and "事件已上报" in page.content()
        assert no_horizontal_scroll(page)
        made = incidents(full, "健身器材松动，无脚本上报")
        assert len(made) == 1 and made[0]["number"] == number and len(made[0]["photos"]) == 1
        assert made[0]["photos"][0]["width"] <= 1600  # the service scaled the full-size photo down
    finally:
        context.close()
