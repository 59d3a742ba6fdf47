"""The mediation OpenAPI fuzzed with schemathesis: no 5xx, every error is the uniform JSON error, and a refused
write stores nothing (every collection fingerprinted before and after). Cases are aimed at real objects (an open
case with a session and a referral, a closed case with its survey link, a notification); the survey is answered
as a resident, case work as C1's mediator, the rest as C1's community staff. One app serves the whole module."""
import uuid

import mongoengine
import pytest
from hypothesis import HealthCheck, settings

from services.mediation.app import create_app
from shared.config import TestConfig
from tests.support.callers import headers_for
from tests.support.fuzz import FuzzRun, load_schema
from tests.support.objects import mediation_objects, mediation_register

schema, proxy = load_schema(create_app, "mediation", unexpected_methods=False)
RUN = FuzzRun("mediation")
MEDIATOR_WORK = ("/sessions", "/outcome", "/referrals", "/escalate", "/annotations")


@pytest.fixture(scope="module")
def world(mongo_url):
    config = TestConfig("mediation", mongo_url=mongo_url, run_id=uuid.uuid4().hex[:10])
    config.PUBLIC_BASE_URL = "https://grid.example.cn"
    app = create_app(config)
    client = app.test_client()
    homes = mediation_register(client, app)
    ids = mediation_objects(client, app, homes, "C1-G1")
    yield {"app": app, "ids": ids,
           "staff": headers_for(app, role="community_staff", user_id="s-C1", communities=["C1"]),
           "mediator": headers_for(app, role="mediator", user_id="m-C1", communities=["C1"]),
           "worker": headers_for(app, role="grid_worker", user_id="w-C1-G1", grids=["C1-G1"]),
           "public": headers_for(app, role="resident", user_id="anon")}
    mongoengine.get_db().client.drop_database(config.MONGO_DB)
    print("\n" + RUN.report())


@pytest.fixture
def fuzz_target(world):
    proxy.target = world["app"]
    world["db"] = mongoengine.get_db()
    return world


def caller_for(world, path: str) -> dict:
    if path.startswith("/public/"):
        return world["public"]
    if any(part in path for part in MEDIATOR_WORK):
        return world["mediator"]
    if path.startswith("/notifications"):
        return world["worker"]
    return world["staff"]


@schema.parametrize()
@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
def test_mediation_api_never_fails_and_always_explains(case, fuzz_target):
    RUN.check(case, db=fuzz_target["db"], headers=caller_for(fuzz_target, case.path), ids=fuzz_target["ids"])
