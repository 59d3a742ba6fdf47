"""The volunteers OpenAPI fuzzed with schemathesis: no 5xx, every error is the uniform JSON error, and a refused
write stores nothing (every collection fingerprinted before and after). Cases are aimed at real objects (a team,
a link, volunteers, a need with assignments, hours, a report, a certificate); public routes are called as a
resident, the rest as community staff of C1. One app and one set of objects serve the whole module."""
import uuid

import mongoengine
import pytest
from hypothesis import HealthCheck, settings

from services.volunteers.app import create_app
from services.volunteers.config import SERVICE, SETTINGS
from shared.config import TestConfig
from tests.support.callers import headers_for
from tests.support.fuzz import FuzzRun, load_schema
from tests.support.objects import volunteers_objects, volunteers_path_ids, volunteers_places

schema, proxy = load_schema(
    create_app, "volunteers",
    TestConfig(SERVICE, SETTINGS, mongo_url="mongodb://127.0.0.1:1/?connect=false", run_id="spec"),
    unexpected_methods=False)
RUN = FuzzRun("volunteers")


@pytest.fixture(scope="module")
def world(mongo_url):
    config = TestConfig(SERVICE, SETTINGS, mongo_url=mongo_url, run_id=uuid.uuid4().hex[:10])
    app = create_app(config)
    volunteers_places(app)
    objects = volunteers_objects(app.test_client(), app, "C1")
    yield {"app": app, "ids": volunteers_path_ids(objects),
           "staff": headers_for(app, role="community_staff", user_id="s-C1", communities=["C1"]),
           "public": headers_for(app, role="resident", user_id="anon")}
    mongoengine.get_db().client.drop_database(config.MONGO_DB)
    print("\n" + RUN.report())


@pytest.fixture
def fuzz_target(world):
    proxy.target = world["app"]
    world["db"] = mongoengine.get_db()  # the default alias may have been reconnected by another module's app
    return world


@schema.parametrize()
@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
def test_volunteers_api_never_fails_and_always_explains(case, fuzz_target):
    who = fuzz_target["public"] if case.path.startswith("/public/") else fuzz_target["staff"]
    RUN.check(case, db=fuzz_target["db"], headers=who, ids=fuzz_target["ids"])
