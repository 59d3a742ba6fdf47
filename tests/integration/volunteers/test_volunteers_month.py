"""GET /reports/month of the volunteers service: a past month seeded with known volunteers, sign-ups, teams and hours
(in the month, on its edges and outside it) gives exactly those figures; scope, bad months and permission."""
from datetime import timedelta

import pytest

from services.volunteers.models import HoursEntry, SignupClaim, Team, VolunteerRecord
from shared import clock
from tests.support.callers import headers_for
from tests.support.volunteers import (
    add_residents,
    leader_of,
    make_link,
    make_team,
    person,
    personal_token,
    sign_up,
    volunteer_id_by_phone,
)

MONTH = clock.previous_month()
START, END = clock.month_span(MONTH)
FIRST, LAST = clock.month_start(MONTH), clock.month_start(clock.month_after(MONTH)) - timedelta(days=1)


def _dated(n: int, registered_at, left_at=None) -> str:
    vid = volunteer_id_by_phone(person(n)["phone"])
    VolunteerRecord.objects(pk=vid).update_one(set__registered_at=registered_at, set__created_at=registered_at,
                                               set__left_at=left_at)
    return vid


def _served(vc, public, leader, token: str, day, hours: float) -> str:
    """A self-report approved by the team leader: the ledger line's id."""
    r = vc.post(f"/public/volunteers/{token}/service-reports",
                json={"served_on": day.isoformat(), "hours": hours, "description": "入户探访"}, headers=public)
    assert r.status_code == 201, r.json
    assert vc.post(f"/service-reports/{r.json['id']}/approve", json={}, headers=leader).status_code == 200
    return HoursEntry.objects.get(source_ref=r.json["id"]).pk


@pytest.fixture
def seeded(vol_app, vc, staff, staff_b, public):
    """60 residents in C1; volunteers, teams and hours around MONTH (the month before this one)."""
    add_residents(20)
    team = make_team(vc, staff, name="老队", leaders=["tl-1"])
    Team.objects(pk=team["id"]).update_one(set__created_at=START - timedelta(days=40))
    Team.objects(pk=make_team(vc, staff, name="新队")["id"]).update_one(set__created_at=END - timedelta(seconds=1))
    make_team(vc, staff, name="本月队")  # founded now: after the month
    link = make_link(vc, staff, team_id=team["id"])
    tokens = {n: personal_token(sign_up(vc, public, link["token"], person(n))) for n in range(1, 7)}
    other = make_link(vc, staff_b, community_id="C2")
    sign_up(vc, public, other["token"], person(7, grid_id="C2-G1"))  # another community's
    leader = leader_of(vol_app, "tl-1")
    line = _served(vc, public, leader, tokens[1], FIRST, 2.5)
    fix = vc.post(f"/hours/{line}/corrections", json={"hours": 2, "reason": "实际2小时"}, headers=leader)
    assert fix.status_code == 201
    _served(vc, public, leader, tokens[3], LAST, 3)
    _served(vc, public, leader, tokens[3], LAST + timedelta(days=1), 4)  # the next month
    _served(vc, public, leader, tokens[3], FIRST - timedelta(days=1), 1)  # the month before
    HoursEntry(volunteer_id=volunteer_id_by_phone(person(2)["phone"]), community_id="C1", source="drill",
               source_key="drill|d1|v2", served_on=FIRST + timedelta(days=10), hours=1.5, delta=1.5).save()
    vc.post(f"/volunteers/{volunteer_id_by_phone(person(4)['phone'])}/leave", json={}, headers=staff)
    vc.post(f"/volunteers/{volunteer_id_by_phone(person(5)['phone'])}/leave", json={}, headers=staff)
    _dated(1, START)  # the month's first instant: in
    _dated(2, END - timedelta(seconds=1))  # its last second: in
    _dated(3, START - timedelta(days=20))  # before the month, still there
    _dated(4, START + timedelta(days=3), left_at=START + timedelta(days=9))  # new in the month, gone by its end
    _dated(5, START - timedelta(days=50), left_at=END)  # left at the first instant after: counted
    _dated(6, END)  # registered at the first instant of the next month: not yet
    sign_up(vc, public, link["token"], person(1, name="重复报名"))  # a repeat: a claim
    SignupClaim.objects(community_id="C1").update(set__created_at=START + timedelta(days=2))


def test_a_past_month_gives_exactly_its_figures(vc, staff, seeded):
    r = vc.get("/reports/month", query_string={"community_id": "C1", "month": MONTH}, headers=staff)
    assert r.status_code == 200, r.json
    assert r.json == {
        "community_id": "C1", "month": MONTH,
        "volunteers": 4,  # 1, 2, 3 and 5
        "new_signups": 3,  # 1, 2 and 4
        "link_signups": 4,  # 1, 2, 4 and the claim
        "hours": 6.5,  # 2.5 corrected to 2, 3, and the drill's 1.5
        "hours_by_kind": {"task": 0.0, "drill": 1.5, "self_report": 5.0},
        "teams": 2,
        "residents": 60,
        "share": 6.7,
        "share_target": 10.0,
        "teams_target": 5,
    }
    text = r.get_data(as_text=True)
    assert "志愿者" not in text and person(1)["phone"] not in text  # counts, never people


def test_the_community_figures_and_the_month_share_the_share(vc, staff, seeded):
    now = vc.get("/communities/C1/figures", headers=staff).json
    assert (now["volunteers"], now["residents"], now["share"]) == (4, 60, 6.7)  # 1, 2, 3, 6 registered now


def test_new_signups_per_month_for_the_staff_trend(vc, staff, seeded):
    rows = vc.get("/communities/C1/signups-by-month", headers=staff).json
    assert [row["month"] for row in rows] == [clock.month_after(MONTH, n) for n in range(-10, 2)]
    assert (rows[-2]["new_signups"], rows[-1]["new_signups"]) == (3, 1)
    assert rows[-3]["new_signups"] == 1  # 3, twenty days before the month
    assert len(vc.get("/communities/C1/signups-by-month", query_string={"months": 3}, headers=staff).json) == 3
    assert vc.get("/communities/C1/signups-by-month", query_string={"months": 99}, headers=staff).status_code == 422


def test_outside_scope_is_404(vc, staff_b, seeded):
    r = vc.get("/reports/month", query_string={"community_id": "C1", "month": MONTH}, headers=staff_b)
    assert r.status_code == 404


@pytest.mark.parametrize("query, field", [
    ({"community_id": "C1", "month": "2026-13"}, "month"),
    ({"community_id": "C1", "month": clock.month_after(clock.month_of(clock.today()), 1)}, "month"),
    ({"community_id": "C1"}, "month"),
    ({"month": MONTH}, "community_id"),
])
def test_a_bad_or_unbegun_month_is_422_naming_the_field(vc, staff, places, query, field):
    r = vc.get("/reports/month", query_string=query, headers=staff)
    assert r.status_code == 422 and field in r.json["fields"], r.json


def test_without_reports_read_it_is_403(vol_app, vc, places):
    for caller in (leader_of(vol_app, "tl-1"), headers_for(vol_app, role="grid_worker", grids=["C1-G1"])):
        r = vc.get("/reports/month", query_string={"community_id": "C1", "month": MONTH}, headers=caller)
        assert r.status_code == 403, r.json
