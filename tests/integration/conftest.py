"""Integration fixtures: the households service over HTTP, a real RabbitMQ, a real MongoDB-wire server."""
import pytest

from services.households.app import create_app
from services.households.config import SETTINGS
from shared.config import TestConfig
from tests.support import broker
from tests.support.callers import headers_for



@pytest.fixture(scope="session")
def amqp_url():
    assert broker.broker_up(), f"RabbitMQ is not reachable at {broker.AMQP_URL}: start it with `rabbitmq-server -detached`"
    return broker.AMQP_URL


@pytest.fixture
def households_config(mongo_url, amqp_url, run_id):
    config = TestConfig("households", SETTINGS, mongo_url=mongo_url, run_id=run_id, amqp_url=amqp_url)
    yield config
    try:
        broker.delete_exchanges(config.EVENT_EXCHANGE, config.EVENT_EXCHANGE + ".dead")
    except Exception:  # the broker may be down in a fault test; exchanges are harmless leftovers then
        pass


@pytest.fixture
def households_app(households_config):
    app = create_app(households_config)
    yield app
    import mongoengine

    mongoengine.get_db().client.drop_database(households_config.MONGO_DB)


@pytest.fixture
def client(households_app):
    return households_app.test_client()


@pytest.fixture
def district(client, households_app):
    """A street, a community and two grids; returns the ids."""
    admin = headers_for(households_app, role="admin")
    assert client.post("/streets", json={"id": "S1", "name": "城关街道", "district": "示范区"}, headers=admin).status_code == 201
    assert client.post("/communities", json={"id": "C1", "name": "幸福社区", "street_id": "S1"}, headers=admin).status_code == 201
    assert client.post("/communities", json={"id": "C2", "name": "和平社区", "street_id": "S1"}, headers=admin).status_code == 201
    for grid, community in (("C1-G1", "C1"), ("C1-G2", "C1"), ("C2-G1", "C2")):
        r = client.post("/grids", json={"id": grid, "name": f"{grid}网格", "community_id": community}, headers=admin)
        assert r.status_code == 201, r.json
    return {"community": "C1", "grid_a": "C1-G1", "grid_b": "C1-G2", "other_community_grid": "C2-G1"}


@pytest.fixture
def as_worker(households_app, district):
    """Headers of the grid worker of grid A."""
    return headers_for(households_app, role="grid_worker", user_id="w-a", grids=[district["grid_a"]])


@pytest.fixture
def as_staff(households_app, district):
    """Headers of community staff of community C1."""
    return headers_for(households_app, role="community_staff", user_id="s-c1", communities=[district["community"]])
