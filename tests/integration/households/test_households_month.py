"""GET /reports/month of the register: a past month's grid sizes as they were at its end (moves, arrivals and
departures read from the stored dates), visits logged in it, care visits due and done by the cadence, and care
households overdue per grid; scope (404), month (422) and role (403)."""
from datetime import timedelta

import pytest

from services.households.app import create_app as create_households
from services.households.config import SETTINGS, tag_days
from shared import clock
from shared.config import TestConfig
from tests.integration.apps import _app, _config
from tests.support.callers import headers_for
from tests.support.data import household

ADMIN = headers_for(role="admin", user_id="admin")
STAFF = headers_for(role="community_staff", user_id="s-c1", communities=["C1"])
MONTH = clock.previous_month()
START, END = clock.month_span(MONTH)


@pytest.fixture
def band_3_config(mongo_url, amqp_url, run_id):
    """A band of exactly 3 households, so grids of 2, 3 and 4 fall below, in and above it; subsistence visited
    every 60 days (longer than any month)."""
    yield from _config(TestConfig("households", SETTINGS, mongo_url=mongo_url, run_id=run_id, amqp_url=amqp_url,
                                  GRID_BAND_MIN=3, GRID_BAND_MAX=3,
                                  VISIT_CADENCE_DAYS_BY_TAG=tag_days("elderly_alone=7,empty_nest=14,subsistence=60")))


@pytest.fixture
def hh(band_3_config):
    for app in _app(create_households, band_3_config):
        yield app.test_client()


def ok(r, status=(200, 201)):
    assert r.status_code in status, r.json
    return r.json


def day(offset_days: int) -> str:
    """A day counted from the month's first (negative: before it), as a date."""
    return (clock.local(START) + timedelta(days=offset_days)).date().isoformat()


def register(hh, grid_id: str, n: int, *, care_tag=None, moved_in_on=day(-400), **extra) -> dict:
    body = {**household(grid_id, n, care_tag=care_tag), "moved_in_on": moved_in_on}
    if extra.get("tag_until"):
        body["residents"][0]["care_tags"][0]["until"] = extra["tag_until"]
    return ok(hh.post("/households", json=body, headers=ADMIN))


def visit(hh, household_id: str, offset_days: float) -> None:
    at = (START + timedelta(days=offset_days)).isoformat()
    ok(hh.post(f"/households/{household_id}/visits", json={"visited_at": at, "notes": "探访"}, headers=ADMIN))


@pytest.fixture
def seeded(hh):
    """C1: grid G1 with 4 households at the month's end, G2 with 2, G3 with 3 (G4 drawn since, empty); C2 apart."""
    ok(hh.post("/streets", json={"id": "S1", "name": "城关街道", "district": "示范区"}, headers=ADMIN))
    for cid in ("C1", "C2"):
        ok(hh.post("/communities", json={"id": cid, "name": f"{cid}社区", "street_id": "S1"}, headers=ADMIN))
    for gid in ("C1-G1", "C1-G2", "C1-G3", "C1-G4", "C2-G1"):
        ok(hh.post("/grids", json={"id": gid, "name": f"{gid}网格", "community_id": gid[:2]}, headers=ADMIN))
    alone = register(hh, "C1-G1", 1, care_tag="elderly_alone")      # 7 days: due, visited on day 5, overdue again
    register(hh, "C1-G1", 2, care_tag="elderly_alone")  # never visited: due, overdue at the end
    plain = register(hh, "C1-G1", 3)
    register(hh, "C1-G1", 4)
    register(hh, "C1-G1", 5, moved_in_on=clock.today().isoformat())  # arrived after the month: not counted
    nest = register(hh, "C1-G2", 6, care_tag="empty_nest")          # 14 days, seen 2 days before: due, not done
    moved = register(hh, "C1-G2", 7)                                 # moved to G1 since: in G2 at the month's end
    ok(hh.post(f"/households/{moved['id']}/move", json={"to_grid_id": "C1-G1", "version": moved["version"]},
               headers=ADMIN))
    gone = register(hh, "C1-G2", 8)                                  # moved out in the month: not counted
    ok(hh.post(f"/households/{gone['id']}/leave", json={"moved_out_on": day(10), "version": gone["version"]},
               headers=ADMIN))
    poor = register(hh, "C1-G3", 9, care_tag="subsistence")         # 60 days, seen 5 days before: not due
    ended = register(hh, "C1-G3", 10, care_tag="elderly_alone", tag_until=day(3))  # no tag at the month's end
    register(hh, "C1-G3", 11)
    other = register(hh, "C2-G1", 12, care_tag="elderly_alone")
    visit(hh, alone["id"], -10)
    visit(hh, alone["id"], 4)
    visit(hh, nest["id"], -2)
    visit(hh, plain["id"], 5.5)
    visit(hh, poor["id"], -5)
    visit(hh, ended["id"], -40)
    visit(hh, other["id"], 6)   # in another community
    return hh


def figures(hh, headers=STAFF, **params):
    return hh.get("/reports/month", query_string={"community_id": "C1", "month": MONTH, **params}, headers=headers)


def test_a_past_month_is_counted_as_it_was_at_its_end(seeded):
    assert ok(figures(seeded), (200,)) == {
        "community_id": "C1", "month": MONTH, "band": {"min": 3, "max": 3},
        "grids": [{"grid_id": "C1-G1", "households": 4}, {"grid_id": "C1-G2", "households": 2},
                  {"grid_id": "C1-G3", "households": 3}],
        "households": 9, "grids_below": 1, "grids_in_band": 1, "grids_above": 1,
        "visits_logged": 2,      # alone's and plain's in the month; not those before it, nor C2's
        "care_due": 3,           # alone, never and nest fell due; poor's 60 days had not run out; ended's tag had ended
        "care_done": 1,          # alone
        "overdue_by_grid": [{"grid_id": "C1-G1", "overdue": 2}, {"grid_id": "C1-G2", "overdue": 1},
                            {"grid_id": "C1-G3", "overdue": 0}],
    }


@pytest.mark.parametrize("headers, status", [
    (headers_for(role="community_staff", user_id="s-c2", communities=["C2"]), 404),   # C1 is not theirs
    (headers_for(role="grid_worker", user_id="w", grids=["C1-G1"]), 403),              # no reports.read
])
def test_scope_and_role(seeded, headers, status):
    assert figures(seeded, headers=headers).status_code == status


@pytest.mark.parametrize("month, field", [("2026-13", "month"), (clock.month_after(clock.month_of(clock.today()), 1),
                                                                  "month")])
def test_a_month_that_is_not_one_or_has_not_begun_is_refused(seeded, month, field):
    r = figures(seeded, month=month)
    assert r.status_code == 422, r.json
    assert field in str(r.json)


def test_a_street_staff_reads_their_streets_communities(seeded):
    from shared.identity import Principal
    from shared.web.signing_test_client import marker

    street_staff = marker(Principal(user_id="st", role="street_staff", name="街道干部", street_ids=("S1",)))
    assert figures(seeded, headers=street_staff).json["households"] == 9
