"""The households OpenAPI fuzzed with schemathesis: no 5xx, every error is the uniform JSON error, and a refused
write stores nothing (every collection fingerprinted before and after). Cases are aimed at real objects (a grid,
households, a resident, a visit); the caller is a district admin. One app serves the whole module. After the fuzzing,
every stored household (fuzzed ones too) keeps its numbers out of the search text and in its keyed look-up hashes."""
import re
import uuid

import mongoengine
import pytest
from hypothesis import HealthCheck, settings

from services.households import lookup
from services.households.app import create_app
from services.households.models import Household
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


def _numbers(row: dict) -> list[str]:
    residents = row.get("residents") or []
    found = [row.get("phone"), *(r.get("phone") for r in residents), *(r.get("id_number") for r in residents)]
    return [n for n in found if n]


def test_numbers_are_never_in_search_text_and_are_found_by_keyed_hash(world):
    """Runs after the fuzzing (same module, same database): what the fuzzer wrote obeys it as well."""
    rows = list(Household._get_collection().find({}, {"search_text": 1, "lookup_keys": 1, "phone": 1,
                                                       "residents.phone": 1, "residents.id_number": 1}))
    numbers = [(row, n) for row in rows for n in _numbers(row)]
    assert numbers, "the fixture registers residents with phones and ID numbers"
    for row, number in numbers:
        digits = re.sub(r"\D", "", number)
        text = row.get("search_text") or ""
        # no run of 6 of the number's digits: a fragment search must not find it (rooms have fewer digits)
        runs = {digits[i:i + 6] for i in range(len(digits) - 5)}
        assert not [run for run in runs if run in text], (number, text)
        assert lookup.lookup_key(number) in row.get("lookup_keys", []), number
        assert not [k for k in row["lookup_keys"] if number in k or digits in k]  # HMACs, not the numbers
