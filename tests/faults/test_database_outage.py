"""Proves: with the database gone, requests get a clear 503, readiness turns false, nothing is
half-written, and the service works again when the database is back."""
import tempfile
import time

import pytest

from services.households.app import create_app
from services.households.models import Household
from shared.config import TestConfig
from tests.support.callers import headers_for
from tests.support.data import household
from tests.support.mongo import free_port, secantus


@pytest.fixture
def own_database(amqp_url, run_id):
    """A database server of this test's own, so it can be stopped and started again."""
    port, folder = free_port(), tempfile.mkdtemp(prefix="secantus-outage-")
    return port, folder


def test_database_outage_gives_503_and_service_resumes(own_database, amqp_url, run_id):
    port, folder = own_database
    with secantus(port, folder) as (url, _):
        app = create_app(TestConfig("households", mongo_url=url, run_id=run_id, amqp_url=amqp_url))
        client = app.test_client()
        admin = headers_for(app, role="admin")
        client.post("/streets", json={"id": "S", "name": "街道", "district": "区"}, headers=admin)
        client.post("/communities", json={"id": "C", "name": "社区", "street_id": "S"}, headers=admin)
        client.post("/grids", json={"id": "G", "name": "网格", "community_id": "C"}, headers=admin)
        assert client.post("/households", json=household("G", 1), headers=admin).status_code == 201
    started = time.perf_counter()
    down = client.post("/households", json=household("G", 2), headers=admin)
    took = time.perf_counter() - started
    assert down.status_code == 503 and down.json["error"] == "unavailable"
    assert client.get("/readyz").json["checks"]["database"] is False
    print(f"\n[database outage] a write with the database gone answered 503 in {took:.2f} s")
    with secantus(port, folder):
        r = client.post("/households", json=household("G", 3), headers=admin)
        assert r.status_code == 201
        assert client.get("/readyz").json["checks"]["database"] is True
        assert sorted(h.address.room for h in Household.objects) == sorted(
            [household("G", 1)["address"]["room"], household("G", 3)["address"]["room"]])
