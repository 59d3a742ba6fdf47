"""Issue 12: care and disability status (重点关爱: elderly alone, disability, subsistence...) is personal data.

Only roles with `care.read` (grid workers, community staff, admins: they plan the visits) see it. A mediator
reads the register (register.read) to pick parties, and sees no care tag, care flag, care filter, care counts or
overdue care visits in any channel: the register and household pages, the API pass-through, the masked export,
and the mediation service's own copy of the register. A grid worker still sees every one of them.
"""
import csv
import io

import mongoengine
import pytest

from gateway.seed import seed_demo_users
from services.mediation import handlers
from services.mediation.app import create_app as create_mediation
from shared.config import TestConfig
from tests.support.callers import headers_for
from tests.support.data import household
from tests.support.mediation import grid_created, household_registered
from tests.support.stack import register, seed_district, sign_in, stack

pytestmark = pytest.mark.integration
PASSWORD = "demo-pass-1"
TAGS = ("elderly_alone", "disability", "subsistence")
# the pages' Chinese for each tag (gateway/i18n.py CARE_TAG_LABELS), the filter's label, and the tag's note
CHINESE = ("独居老人", "残疾人", "低保", "重点关爱")
NOTE = "轮椅出入需协助"


def test_the_mediation_register_copy_shows_no_care_tags(mongo_url, run_id):
    """Runs first (before the module's stack connects elsewhere): the mediation service's copy of the register,
    filled the way its worker's handler fills it from households events that carry care tags."""
    config = TestConfig("mediation", mongo_url=mongo_url, run_id=run_id)
    api = create_mediation(config).test_client()
    handlers.keep_register(grid_created("C1-G1"))
    handlers.keep_register(household_registered("C1-G1", 3, care_tags=list(TAGS)))
    for role in ("mediator", "grid_worker"):  # nobody picking a party needs them
        caller = headers_for(role=role, user_id=f"u-{role}", grids=["C1-G1"], communities=["C1"])
        r = api.get("/register/households", query_string={"q": "居民3"}, headers=caller)
        assert r.status_code == 200 and r.json and r.json[0]["residents"][0]["name"] == "居民3", r.json
        assert "care" not in r.get_data(as_text=True) and not any(t in r.get_data(as_text=True) for t in TAGS)
    mongoengine.get_db().client.drop_database(config.MONGO_DB)


@pytest.fixture(scope="module")
def s(mongo_url):
    with stack(mongo_url) as st:
        seed_district(st)
        body = household("g1", 1)
        body["residents"][0]["care_tags"] = [{"tag": t, "note": NOTE} for t in TAGS]
        st.household = register(st, body)
        st.plain = register(st, household("g1", 2))
        seed_demo_users(st.gateway_app, password=PASSWORD, grid_ids=["g1"], community_ids=["c1"])
        yield st


def signed_in(s, username: str):
    c = s.gateway_app.test_client()
    assert sign_in(c, username, PASSWORD).status_code == 303
    return c


def views(c, hid: str) -> dict[str, str]:
    """Every page and API answer where care status used to show, by path."""
    out = {}
    for path in ("/grids", "/grids/g1/today", "/grids/g1/households", "/grids/g1/households?care_tag=disability",
                 f"/households/{hid}", f"/api/households/households/{hid}", "/api/households/households?grid_id=g1",
                 "/api/households/grids/g1", "/api/households/grids/g1/export?format=csv"):
        r = c.get(path)
        assert r.status_code == 200, (path, r.status_code)
        out[path] = r.get_data(as_text=True).lstrip("\ufeff")
    return out


def test_a_mediator_sees_no_care_status_anywhere(s):
    seen = views(signed_in(s, "mediator"), s.household["id"])
    assert "居民1" in seen["/grids/g1/households"] and "居民1" in seen[f"/households/{s.household['id']}"]
    for path, text in seen.items():
        words = (*CHINESE, NOTE) if not path.startswith("/api/") else (  # pages echo the URL asked (?care_tag=)
            *CHINESE, NOTE, *TAGS, '"care"', "care_residents", "care_households_overdue")
        shown = [w for w in words if w in text]
        assert not shown, (path, shown)
    # the today page says nothing about care visits, not even that none is overdue
    assert 'id="overdue"' not in seen["/grids/g1/today"] and 'href="#overdue"' not in seen["/grids/g1/today"]
    # the care filter is not applied either: it would tell which households carry the tag
    assert "共找到 2 户" in seen["/grids/g1/households?care_tag=disability"]
    export = list(csv.reader(io.StringIO(seen["/api/households/grids/g1/export?format=csv"])))
    assert len(export) == 3 and not any(row[11] for row in export[1:])


def test_a_mediator_is_refused_the_care_filter_and_overdue_visits_in_the_api(s):
    c = signed_in(s, "mediator")
    for path in ("/api/households/households?grid_id=g1&care_tag=disability",
                 "/api/households/grids/g1/overdue-visits"):
        r = c.get(path)
        assert r.status_code == 403 and "care.read" in r.get_data(as_text=True), (path, r.status_code)


def test_a_grid_worker_still_sees_care_status_everywhere(s):
    seen = views(signed_in(s, "worker-g1"), s.household["id"])
    for path in ("/grids/g1/households", f"/households/{s.household['id']}"):
        assert all(w in seen[path] for w in CHINESE[:3]), path
    assert "共找到 1 户" in seen["/grids/g1/households?care_tag=disability"]
    assert 'id="overdue"' in seen["/grids/g1/today"] and 'href="#overdue"' in seen["/grids/g1/today"]
    assert all(t in seen[f"/api/households/households/{s.household['id']}"] for t in (*TAGS, NOTE))
    assert '"care": true' in seen["/api/households/households?grid_id=g1"].replace('"care":true', '"care": true')
    assert "care_residents" in seen["/api/households/grids/g1"]
    export = list(csv.reader(io.StringIO(seen["/api/households/grids/g1/export?format=csv"])))
    assert "残疾人" in export[1][11]
    c = signed_in(s, "worker-g1")
    assert c.get("/api/households/grids/g1/overdue-visits").status_code == 200
