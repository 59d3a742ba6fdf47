"""The monthly situation report's frame, against every service (each a process): issuing a past month (version 1
with a number), re-issuing (version 2, version 1 kept as it was), refusing a month not over, scope and roles, the
monthly run twice (one report each), a section's service down (nothing written), the PDF's text, the street's
month page with its communities' reports and the missing ones, and `report.issued` in the report's outbox."""
import io
import re
import time

import pytest
import requests
from pypdf import PdfReader
from werkzeug.wrappers import Request, Response

from gateway.reports import service
from gateway.reports.catalog import SECTIONS
from gateway.reports.models import Report
from gateway.seed import seed_demo_users
from shared import clock
from tests.support.pages import signed_in, text
from tests.support.stack import DEMO_PASSWORD, page_token, register, serve

pytestmark = pytest.mark.integration
PAST = clock.previous_month()
MONTH_WORDS = f"{int(PAST[:4])}年{int(PAST[5:])}月"


def _reports(s, **query):
    with s.gateway_app.app_context():
        return list(Report.objects(**query).order_by("report_version"))


def _issue(client, path: str):
    return client.post(path, data={"csrf_token": page_token(client, path)})


def _rename(s, community_id: str, name: str):
    r = s.households_call("PATCH", f"/communities/{community_id}", json={"name": name})
    assert r.status_code == 200, r.text


def test_issue_then_reissue_keeps_the_first_version_as_it_was(s):
    staff = signed_in(s, "staff-c2")
    path = f"/communities/c2/reports/{PAST}"
    before = staff.get(path)
    assert before.status_code == 200 and "尚未出具" in text(before)
    _rename(s, "c2", "和平社区")
    first = _issue(staff, path)
    assert first.status_code == 303 and first.headers["Location"].endswith(path)
    (v1,) = _reports(s, kind="community", place_id="c2", month=PAST)
    assert (v1.report_version, v1.number, v1.street_id) == (1, f"C-c2-{PAST.replace('-', '')}-01", "s1")
    assert v1.names["c2"] == "和平社区" and v1.names["s1"] == "测试街道" and v1.names["g3"] == "第g3网格"
    assert set(v1.figures) == {section.key for section in SECTIONS}
    page = text(staff.get(path))
    assert v1.number in page and "和平社区" in page and MONTH_WORDS in page

    _rename(s, "c2", "和平新社区")  # what the services say changes; the issued report does not
    register(s, {"grid_id": "g3", "residency": "registered", "moved_in_on": f"{PAST}-05",
                 "address": {"building": "9栋", "room": "901"},
                 "residents": [{"name": "新住户", "relation": "head", "phone": "13700009999"}]})
    try:
        assert _issue(staff, path).status_code == 303
    finally:
        _rename(s, "c2", "和平社区")
    v1_again, v2 = _reports(s, kind="community", place_id="c2", month=PAST)
    assert v2.report_version == 2 and v2.number.endswith("-02") and v2.names["c2"] == "和平新社区"
    assert (v1_again.names, v1_again.figures, v1_again.issued_at) == (v1.names, v1.figures, v1.issued_at)
    assert v2.figures["register"]["households"] == v1.figures["register"]["households"] + 1
    newest, old = text(staff.get(path)), text(staff.get(f"{path}?version=1"))
    assert v2.number in newest and "和平新社区" in newest
    assert v1.number in old and "和平社区" in old and "和平新社区" not in old.split("版本")[0]
    assert staff.get(f"{path}?version=7").status_code == 404


def test_a_month_not_over_is_refused_and_nothing_is_written(s):
    staff = signed_in(s, "staff-c1")
    for month in (clock.month_of(clock.today()), clock.month_after(clock.month_of(clock.today()), 2)):
        path = f"/communities/c1/reports/{month}"
        answer = _issue(staff, path)
        assert answer.status_code == 422, answer.status_code
        assert "尚未结束" in text(answer)
        assert _reports(s, month=month) == []


def test_scope_and_roles(s):
    staff = signed_in(s, "staff-c1")
    assert staff.get(f"/communities/c2/reports/{PAST}").status_code == 404
    assert staff.post(f"/communities/c2/reports/{PAST}",
                      data={"csrf_token": page_token(staff, f"/communities/c1/reports/{PAST}")}).status_code == 404
    assert staff.get(f"/communities/nowhere/reports/{PAST}").status_code == 404
    worker = signed_in(s, "worker-g1")
    assert worker.get(f"/communities/c1/reports/{PAST}").status_code == 403
    assert worker.get("/communities/c1/reports").status_code == 403
    assert staff.get(f"/communities/c1/reports/{PAST[:4]}-13").status_code == 404


def test_the_monthly_run_twice_issues_one_report_per_community_and_street(s):
    today = clock.month_start(clock.month_of(clock.today()))
    with s.gateway_app.app_context():
        service.issue_due(today=today)
        again = service.issue_due(today=today)
    assert again == []
    for kind, place_id in (("community", "c1"), ("community", "c2"), ("street", "s1")):
        found = _reports(s, kind=kind, place_id=place_id, month=PAST)
        assert found and found[0].report_version == 1, (kind, place_id)
        assert sum(1 for r in found if r.issued_by == "monthly") <= 1
    (street,) = _reports(s, kind="street", place_id="s1", month=PAST)
    assert street.issued_by == "monthly" and street.names["c1"] and street.names["c2"]


def test_a_section_service_down_issues_nothing(s):
    # a section's service other than the register, which places (and scope) come from
    down = next(section.service for section in SECTIONS if section.service != "households")
    month = clock.month_after(PAST, -3)
    urls = s.gateway_app.config["SERVICE_URLS"]
    saved = urls[down]
    urls[down] = "http://127.0.0.1:9"
    try:
        answer = _issue(signed_in(s, "staff-c1"), f"/communities/c1/reports/{month}")
        with s.gateway_app.app_context():
            assert service.issue_due(today=clock.month_start(clock.month_after(month, 1))) == []
    finally:
        urls[down] = saved
    assert answer.status_code == 503
    assert "报告未出具" in text(answer)
    assert _reports(s, month=month) == []


class Delayed:
    """A service behind a pause: each request passed on to `url` unchanged (its signed identity with it) after
    `pause_s`."""

    def __init__(self, url: str, pause_s: float):
        self.url, self.pause_s = url, pause_s

    def __call__(self, environ, start_response):
        incoming = Request(environ)
        time.sleep(self.pause_s)
        query = f"?{incoming.query_string.decode()}" if incoming.query_string else ""
        answer = requests.request(incoming.method, f"{self.url}{incoming.path}{query}", data=incoming.get_data(),
                                  headers={k: v for k, v in incoming.headers if k.lower() not in ("host", "content-length")},
                                  timeout=10)
        return Response(answer.content, answer.status_code,
                        content_type=answer.headers.get("Content-Type"))(environ, start_response)


def test_a_section_slower_than_a_pages_deadline_is_waited_for(s):
    """Issuing is no page render: a section's service slower than the pages' fan-out deadline (a street of many
    communities asks each service once per community) is waited for, up to SERVICE_READ_TIMEOUT_S."""
    slow = next(section.service for section in SECTIONS if section.service != "households")
    month = clock.month_after(PAST, -6)
    config, urls = s.gateway_app.config, s.gateway_app.config["SERVICE_URLS"]
    saved_url, saved_deadline = urls[slow], config["FANOUT_DEADLINE_S"]
    with serve(Delayed(saved_url, pause_s=0.8)) as url:
        urls[slow], config["FANOUT_DEADLINE_S"] = url, 0.2
        try:
            answer = _issue(signed_in(s, "staff-c1"), f"/communities/c1/reports/{month}")
        finally:
            urls[slow], config["FANOUT_DEADLINE_S"] = saved_url, saved_deadline
    assert answer.status_code == 303, text(answer)
    (report,) = _reports(s, kind="community", place_id="c1", month=month)
    assert report.figures[next(x.key for x in SECTIONS if x.service == slow)]["month"] == month


def test_the_pdf_carries_the_number_place_month_and_sections(s):
    staff = signed_in(s, "staff-c1")
    month = clock.month_after(PAST, -1)
    assert _issue(staff, f"/communities/c1/reports/{month}").status_code == 303
    (report,) = _reports(s, kind="community", place_id="c1", month=month)
    answer = staff.get(f"/communities/c1/reports/{month}.pdf")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    assert answer.headers["Cache-Control"] == "private, no-store"
    assert report.number in answer.headers["Content-Disposition"]
    words = "".join(page.extract_text() for page in PdfReader(io.BytesIO(answer.data)).pages)
    flat = re.sub(r"\s+", "", words)
    assert report.number in flat and "c1社区" in flat
    assert f"{int(month[:4])}年{int(month[5:])}月" in flat and "情况报告" in flat
    for section in SECTIONS:
        with s.gateway_app.test_request_context(headers={"Cookie": "lang=zh_Hans_CN"}):
            assert re.sub(r"\s+", "", str(section.title)) in flat
    assert staff.get(f"/communities/c1/reports/{clock.month_after(PAST, -9)}.pdf").status_code == 404


def test_the_street_month_page_lists_its_communities_reports_and_the_missing(s):
    seed_demo_users(s.gateway_app, password=DEMO_PASSWORD, users=[
        {"username": "street-s1", "name": "街道干部甲", "role": "street_staff", "street_ids": ["s1"]}])
    month = clock.month_after(PAST, -2)
    assert _issue(signed_in(s, "staff-c1"), f"/communities/c1/reports/{month}").status_code == 303
    (c1,) = _reports(s, kind="community", place_id="c1", month=month)
    street = signed_in(s, "street-s1")
    page = text(street.get(f"/streets/s1/reports/{month}"))
    assert c1.number in page
    rows = re.findall(r'<tr class="(issued|missing)">\s*<th scope="row">([^<]+)</th>', page)
    assert ("issued", "c1社区") in rows and ("missing", "和平社区") in rows
    assert "1 个社区" in page or "1个社区" in page
    with s.gateway_app.app_context():
        status = {row["community_id"]: row["report"] for row in service.street_status("s1", month)}
    assert status["c1"]["number"] == c1.number and status["c2"] is None
    assert signed_in(s, "staff-c1").get(f"/streets/s1/reports/{month}").status_code in (403, 404)


def test_report_issued_is_in_the_reports_outbox(s):
    month = clock.month_after(PAST, -4)
    assert _issue(signed_in(s, "staff-c1"), f"/communities/c1/reports/{month}").status_code == 303
    (report,) = _reports(s, kind="community", place_id="c1", month=month)
    (entry,) = [e for e in report.outbox if e.type == "report.issued"]
    data = entry.envelope["data"]
    assert data == {"report_id": str(report.pk), "kind": "community", "place_id": "c1", "street_id": "s1",
                    "month": month, "version": 1, "number": report.number, "issued_at": data["issued_at"]}
    assert entry.envelope["source"] == "gateway" and entry.envelope["community_id"] == "c1"


def test_the_month_reads_in_english_with_the_switch(s):
    staff = signed_in(s, "staff-c1")
    staff.set_cookie("lang", "en")
    month = clock.month_after(PAST, -5)
    english = clock.month_start(month).strftime("%B %Y")
    page = text(staff.get(f"/communities/c1/reports/{month}"))
    assert f"c1社区 {english} situation report" in page and "No report has been issued" in page
    staff.set_cookie("lang", "zh_CN")
    assert f"{int(month[:4])}年{int(month[5:])}月" in text(staff.get(f"/communities/c1/reports/{month}"))
