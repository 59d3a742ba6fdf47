"""The service desk on "my grid today" and on the community figures, with every service behind: the grid's open
requests and incidents, a case dispatched to me and a handled one waiting for my check (核查) first; another
grid's cases absent; the section says 暂不可用 when the mediation service is down and the page still shows."""
import re

import pytest

from tests.support.pages import text
from tests.support.stack import sign_in, staff_principal

pytestmark = pytest.mark.integration
PASSWORD = "demo-pass-1"


def signed_in(app, username):
    c = app.test_client()
    assert sign_in(c, username, PASSWORD).status_code == 303
    return c


def user_principal(s, username):
    from gateway.models import User

    with s.gateway_app.app_context():
        return User.objects(username=username).first().principal()


def ok(response, status=(200, 201)):
    assert response.status_code in status, response.text
    return response.json()


def request_case(s, grid_id, description, principal=None):
    return ok(s.call("mediation", "POST", "/requests", principal=principal or staff_principal(), json={
        "grid_id": grid_id, "category": "daily_help", "description": description, "urgency": "normal",
        "channel": "walk_in", "applicant": {"kind": "person", "name": "王大爷"}}))["case"]


def incident(s, grid_id, description, principal):
    return ok(s.call("mediation", "POST", "/incidents", principal=principal, json={
        "grid_id": grid_id, "category": "public_facility", "description": description,
        "place": {"text": "3栋楼道"}, "attach_location": False}))["case"]


def test_today_shows_the_grids_requests_and_incidents_and_mine_first(s):
    worker_p = user_principal(s, "worker-g1")
    staff = staff_principal()
    asked = request_case(s, "g1", "独居老人需要代办低保复核")
    lamp = incident(s, "g1", "楼道灯不亮已经三天", worker_p)
    elsewhere = incident(s, "g2", "二网格井盖松动", staff)
    cable = incident(s, "g1", "电线垂落在人行道上", staff)
    # staff dispatch the fallen cable to the grid's worker, and the stair light to the property company, who
    # answered: handled, waiting for the worker (who reported it) to check it
    ok(s.call("mediation", "POST", f"/cases/{cable['id']}/dispatch", principal=staff, json={
        "target": "person", "user_id": worker_p.user_id, "user_name": worker_p.name}))
    ok(s.call("mediation", "POST", f"/cases/{lamp['id']}/dispatch", principal=staff, json={
        "target": "department", "department": "property"}))
    ok(s.call("mediation", "POST", f"/cases/{lamp['id']}/handle", principal=staff, json={
        "handling": "物业已更换灯泡"}))

    worker = signed_in(s.gateway_app, "worker-g1")
    r = worker.get("/grids/g1/today")
    assert r.status_code == 200
    page = text(r)
    assert "求助与事件" in page and "暂不可用" not in page
    for case in (asked, lamp, cable):
        assert f'href="/cases/{case["id"]}"' in r.text and case["number"] in page
    assert elsewhere["number"] not in page and "二网格井盖松动" not in page
    section = r.text[r.text.index('<section id="desk">'):]
    section = section[:section.index("</section>")]
    # mine first: dispatched to me, then waiting for my check, then the grid's other open cases
    order = [section.index(c["number"]) for c in (cable, lamp, asked)]
    assert order == sorted(order)
    assert "分拨给我" in section and "待我核查" in section
    assert 'href="/grids/g1/incidents/new"' in section  # a grid worker may report an incident
    tiles = dict((label.strip(), int(n)) for n, label in re.findall(
        r'<a class="count[^"]*" href="#desk"><b>(\d+)</b>([^<]+)</a>', r.text))
    dispatched = [n for label, n in tiles.items() if label.startswith("分拨给我")]
    assert dispatched == [1] and tiles["待我核查"] == 1 and tiles["在办求助与事件"] >= 3

    # the mediator has no part in the desk's reports: no link to report an incident
    mediator = signed_in(s.gateway_app, "mediator")
    page = mediator.get("/grids/g1/today")
    assert page.status_code == 200 and 'href="/grids/g1/incidents/new"' not in page.text


def test_the_community_figures_count_the_desk_by_kind(s):
    before = ok(s.call("mediation", "GET", "/reports/desk", principal=staff_principal(),
                       params={"community_id": "c1"}))["kinds"]["request"]["registered"]
    request_case(s, "g2", "需要开具居住证明")
    staff = signed_in(s.gateway_app, "staff-c1")
    r = staff.get("/grids?community_id=c1")
    assert r.status_code == 200
    table = r.text[r.text.index('class="tbl desk-figures"'):]
    table = re.sub(r"<[^>]+>", " ", table[:table.index("</table>")])
    assert "受理情况" in table and "今年登记" in table and "按时办结率" in table
    row = re.search(r"求助办事\s+(\d+)\s+(\d+)\s+(\d+)", table)
    assert row and int(row.group(1)) == before + 1 and int(row.group(2)) >= 1
    assert re.search(r"纠纷\s+\d+", table) and re.search(r"事件\s+\d+", table)


def test_the_desk_section_is_unavailable_when_mediation_is_down(s):
    from gateway.app import create_app
    from gateway.config import TestConfig

    urls = {**s.urls, "mediation": "http://127.0.0.1:9"}
    app = create_app(TestConfig(mongo_url=s.mongo_url, run_id=s.run_id, households_url=s.urls["households"],
                                service_urls=urls))
    worker = signed_in(app, "worker-g1")
    r = worker.get("/grids/g1/today")
    assert r.status_code == 200
    assert '<section id="desk" class="unavailable">' in r.text and "求助与事件" in text(r)
    staff = signed_in(app, "staff-c1")
    r = staff.get("/grids?community_id=c1")
    assert r.status_code == 200 and "desk-figures" not in r.text  # the figures left out, the page still there
