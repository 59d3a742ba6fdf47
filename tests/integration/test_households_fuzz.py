"""The households OpenAPI fuzzed with schemathesis: no 5xx, every error is the uniform JSON error, and a refused
write stores nothing (every collection fingerprinted before and after). Cases are aimed at real objects (a grid,
households, a resident, a visit); the caller is a district admin. One app serves the whole module."""
import uuid

import mongoengine
import pytest
from hypothesis import HealthCheck, settings

from services.households.app import create_app
from shared.config import TestConfig
from tests.support.callers import headers_for
from tests.support.fuzz import FuzzRun, load_schema
from tests.support.objects import households_district, households_objects

schema, proxy = load_schema(create_app, "households", unexpected_methods=False)
RUN = FuzzRun("households")


@pytest.fixture(scope="module")
def world(mongo_url):
    config = TestConfig("households", mongo_url=mongo_url, run_id=uuid.uuid4().hex[:10])
    app = create_app(config)
    client = app.test_client()
    households_district(client, app)
    ids = households_objects(client, app, "C1-G1")
    yield {"app": app, "ids": ids, "admin": headers_for(app, role="admin")}
    mongoengine.get_db().client.drop_database(config.MONGO_DB)
    print("\n" + RUN.report())


@pytest.fixture
def fuzz_target(world):
    proxy.target = world["app"]
    world["db"] = mongoengine.get_db()
    return world


@schema.parametrize()
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
def test_households_api_never_fails_and_always_explains(case, fuzz_target):
    RUN.check(case, db=fuzz_target["db"], headers=fuzz_target["admin"], ids=fuzz_target["ids"])
