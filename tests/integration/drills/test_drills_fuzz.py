"""The drills OpenAPI fuzzed with schemathesis: no 5xx, every error is the uniform JSON error, and a refused
write stores nothing (every collection fingerprinted before and after). Cases are aimed at real objects (a plan,
a shelter, a supply, a live drill with a tick, a check-in, a problem and a corrective action); the callers are
community staff of C1, and grid C1-G1's worker for the roll-call routes. One app serves the whole module."""
import uuid

import mongoengine
import pytest
from hypothesis import HealthCheck, settings

from services.drills.app import create_app
from services.drills.config import SETTINGS
from shared.config import TestConfig
from tests.support.callers import headers_for
from tests.support.fuzz import FuzzRun, load_schema
from tests.support.objects import drills_objects, drills_register

schema, proxy = load_schema(create_app, "drills",
                            TestConfig("drills", SETTINGS, mongo_url="mongodb://127.0.0.1:1/?connect=false", run_id="spec"),
                            unexpected_methods=False)
RUN = FuzzRun("drills")


@pytest.fixture(scope="module")
def world(mongo_url):
    config = TestConfig("drills", SETTINGS, mongo_url=mongo_url, run_id=uuid.uuid4().hex[:10])
    app = create_app(config)
    homes = drills_register()
    ids = drills_objects(app.test_client(), app, homes, "C1-G1")
    yield {"app": app, "ids": ids,
           "staff": headers_for(app, role="community_staff", user_id="s-C1", communities=["C1"]),
           "worker": headers_for(app, role="grid_worker", user_id="w-C1-G1", grids=["C1-G1"])}
    mongoengine.get_db().client.drop_database(config.MONGO_DB)
    print("\n" + RUN.report())


@pytest.fixture
def fuzz_target(world):
    proxy.target = world["app"]
    world["db"] = mongoengine.get_db()
    return world


@schema.parametrize()
@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
def test_drills_api_never_fails_and_always_explains(case, fuzz_target):
    who = fuzz_target["worker"] if "/grids/{grid_id}/" in case.path and "/drills/" in case.path else \
        fuzz_target["staff"]
    RUN.check(case, db=fuzz_target["db"], headers=who, ids=fuzz_target["ids"])
