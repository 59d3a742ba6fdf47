"""Proves, for the mediation service (the households service is proven in test_database_outage.py): with its
database gone, a request gets a clear 503 (the uniform JSON error), readiness turns false, and nothing is half
written: the case that failed took no case number, so when the database is back the next case gets the next
number with no gap, and only the cases that were answered 201 exist."""
import tempfile
import time

import pytest

from services.mediation import handlers
from services.mediation.app import create_app
from shared.config import TestConfig
from tests.support.callers import headers_for
from tests.support.fuzz import UNIFORM_ERROR
from tests.support.mediation import dispute_body, grid_created, household_registered
from tests.support.mongo import free_port, secantus


@pytest.fixture
def own_database():
    """A database server of this test's own, so it can be stopped and started again."""
    return free_port(), tempfile.mkdtemp(prefix="secantus-mediation-outage-")


def test_mediation_database_outage_gives_503_and_the_case_numbers_have_no_gap(own_database, amqp_url, run_id):
    port, folder = own_database
    with secantus(port, folder) as (url, _):
        config = TestConfig("mediation", mongo_url=url, run_id=run_id, amqp_url=amqp_url)
        app = create_app(config)
        api = app.test_client()
        worker = headers_for(app, role="grid_worker", user_id="w-a", name="网格员", grids=["C1-G1"])
        handlers.keep_register(grid_created("C1-G1").load())
        handlers.keep_register(household_registered("C1-G1", 1).load())
        first = api.post("/disputes", json=dispute_body(), headers=worker)
        assert first.status_code == 201, first.json
        assert api.get("/readyz").json["checks"]["database"] is True
    started = time.perf_counter()
    down = api.post("/disputes", json=dispute_body(description="停电时登记的纠纷"), headers=worker)
    took = time.perf_counter() - started
    assert down.status_code == 503 and set(down.json) == UNIFORM_ERROR and down.json["error"] == "unavailable"
    listing = api.get("/disputes", headers=worker)
    assert listing.status_code == 503 and listing.json["error"] == "unavailable"
    ready = api.get("/readyz")
    assert ready.status_code == 503 and ready.json["checks"]["database"] is False
    with secantus(port, folder):
        again = api.post("/disputes", json=dispute_body(description="恢复后登记的纠纷"), headers=worker)
        assert again.status_code == 201, again.json
        assert api.get("/readyz").json["checks"]["database"] is True
        numbers = [first.json["dispute"]["number"], again.json["dispute"]["number"]]
        year = numbers[0][:4]
        assert numbers == [f"{year}-XF-0001", f"{year}-XF-0002"]  # the failed one took no number
        cases = api.get("/disputes", query_string={"status": "all"}, headers=worker).json
        assert cases["total"] == 2
        assert sorted(c["number"] for c in cases["items"]) == numbers
        import mongoengine

        assert mongoengine.get_db()["disputes"].count_documents({"description": "停电时登记的纠纷"}) == 0
    print(f"\n[database outage] mediation: a case registered with the database gone answered 503 in {took:.2f} s; "
          f"readiness false; after the restart the next case is {numbers[1]} (no gap), 2 cases stored")
