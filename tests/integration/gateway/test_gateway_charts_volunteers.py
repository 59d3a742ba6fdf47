"""Volunteer charts on the staff pages against the real services: the street overview draws one bar per community
for the share of residents against the 10 % target and for teams against 5, a community under a target stands out
(bar_out), the target lines sit at their values and the numbers are in the table; the community's volunteers page
draws its own bars and new volunteers per month."""
import re

import pytest

from gateway import places
from gateway.seed import seed_demo_users
from shared.identity import Principal
from tests.support.pages import signed_in, text
from tests.support.stack import DEMO_PASSWORD, serve, sign_in, staff_principal
from tests.support.volunteers import person

pytestmark = pytest.mark.integration


def _ok(response, status=(200, 201)):
    assert response.status_code in status, response.text
    return response.json()


@pytest.fixture(scope="module")
def volunteers(s):
    """c1 (c1社区 on the street, 幸福社区 in volunteers; 12 residents): 2 volunteers (16.7 %) and 5 teams; c2 (3 residents): none of either."""
    staff = staff_principal("c1")
    for n in range(5):
        _ok(s.call("volunteers", "POST", "/teams", principal=staff, json={"community_id": "c1", "name": f"服务队{n}"}))
    link = _ok(s.call("volunteers", "POST", "/links", principal=staff, json={"community_id": "c1"}))
    for n in (1, 2):
        _ok(s.call("volunteers", "POST", f"/public/links/{link['token']}/signups",
                   principal=Principal(user_id="anon", role="resident"), json=person(n, grid_id="g1")))
    seed_demo_users(s.gateway_app, password=DEMO_PASSWORD, users=[
        {"username": "street-s1", "name": "街道干部甲", "role": "street_staff", "street_ids": ["s1"]}])
    places.forget()


def _figure(body: str, chart_id: str) -> str:
    found = re.search(rf'<figure class="chart-box" id="{chart_id}">(.*?)</figure>', body, re.S)
    assert found, f"no chart {chart_id}"
    return found[1]


def _bars(figure: str) -> list[tuple[str, float]]:
    return [(m[2], float(m[1])) for m in re.finditer(r'<rect [^>]*width="([\d.]+)"[^>]*class="(bar|bar_out)"', figure)]


def _origin(figure: str) -> float:
    """Where the bars start (the value 0 on their scale)."""
    return float(re.search(r'<rect x="([\d.]+)"[^>]*class="(?:bar|bar_out)"', figure)[1])


def _rule_value(figure: str, per_unit: float) -> float:
    """The value a target line stands at, from its x and the bars' scale (width per unit)."""
    lines = re.findall(r'<line x1="([\d.]+)"[^>]*class="rule"', figure)
    assert len(lines) == 1
    return (float(lines[0]) - _origin(figure)) / per_unit


def _table(figure: str) -> list[list[str]]:
    return [re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", row) for row in re.findall(r"<tr>(.*?)</tr>", figure)][1:]


def test_the_street_overview_draws_each_community_against_the_targets(s, volunteers):
    body = text(signed_in(s, "street-s1").get("/streets/s1"))
    share = _figure(body, "street-volunteer-share")
    bars = _bars(share)
    assert [kind for kind, _ in bars] == ["bar", "bar_out"]  # c1 at 16.7 %, c2 at 0 % under 10 %
    assert "目标 10%" in share
    assert _rule_value(share, bars[0][1] / 16.7) == pytest.approx(10, abs=0.1)
    assert _table(share) == [["c1社区", "16.7%"], ["c2社区", "0%"]]
    teams = _figure(body, "street-volunteer-teams")
    bars = _bars(teams)
    assert [kind for kind, _ in bars] == ["bar", "bar_out"]  # c1's 5 teams meet the target, c2's 0 do not
    assert "目标 5" in teams
    assert _rule_value(teams, bars[0][1] / 5) == pytest.approx(5, abs=0.05)
    assert _table(teams) == [["c1社区", "5"], ["c2社区", "0"]]
    assert "1 of 2" not in body and "2 个社区中有 1 个低于志愿者目标" in body


def test_the_community_volunteers_page_draws_its_bars_and_new_volunteers_per_month(s, volunteers):
    body = text(signed_in(s, "staff-c1").get("/volunteers/c1"))
    share = _figure(body, "community-volunteer-share")
    assert [kind for kind, _ in _bars(share)] == ["bar"] and _table(share) == [["幸福社区", "16.7%"]]
    assert [kind for kind, _ in _bars(_figure(body, "community-volunteer-teams"))] == ["bar"]
    trend = _figure(body, "community-signups")
    rows = _table(trend)
    assert len(rows) == 12 and rows[-1][1] == "2" and all(row[1] == "0" for row in rows[:-1])
    assert 'class="line0"' in trend



def test_the_community_page_keeps_its_figures_when_the_trend_cannot_be_had(s, volunteers):
    """The trend only adds to the page: a volunteers service that answers the figures but not the trend (503)
    leaves the figures and their charts, and names what is missing."""
    from flask import Flask

    from gateway.app import create_app
    from gateway.config import TestConfig

    figures = _ok(s.call("volunteers", "GET", "/communities/c1/figures", principal=staff_principal("c1")))
    fake = Flask("volunteers-without-its-trend")
    fake.add_url_rule("/communities/c1/figures", "figures", lambda: figures)
    fake.add_url_rule("/communities/c1/signups-by-month", "trend", lambda: ({"message": "unavailable"}, 503))
    with serve(fake) as url:
        app = create_app(TestConfig(mongo_url=s.mongo_url, run_id=s.run_id, households_url=s.urls["households"],
                                    service_urls={**s.urls, "volunteers": url}))
        client = app.test_client()
        assert sign_in(client, "staff-c1", DEMO_PASSWORD).status_code == 303
        response = client.get("/volunteers/c1")
    body = text(response)
    assert response.status_code == 200
    assert [kind for kind, _ in _bars(_figure(body, "community-volunteer-share"))] == ["bar"]
    assert 'id="community-signups"' not in body
    assert "部分内容暂不可用：每月新增志愿者" in body
