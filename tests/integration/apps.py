"""Each service under test, as fixtures any folder may use (a pytest plugin, listed in tests/conftest.py): the
real RabbitMQ, and per service its config, its app and a test client; for households also the small district
and its grid worker that the bus and fault tests build on. Fixtures only one service's tests use live in that
service's conftest (tests/integration/<service>/conftest.py)."""
import pytest

from services.drills.app import create_app as create_drills
from services.drills.config import SETTINGS as DRILLS_SETTINGS
from services.households.app import create_app as create_households
from services.households.config import SETTINGS as HOUSEHOLDS_SETTINGS
from services.mediation.app import create_app as create_mediation
from services.volunteers.app import create_app as create_volunteers
from services.volunteers.config import SERVICE as VOLUNTEERS
from services.volunteers.config import SETTINGS as VOLUNTEERS_SETTINGS
from shared.config import TestConfig
from tests.support import broker
from tests.support.callers import headers_for
from tests.support.mongo import drop_database
from tests.support.volunteers import BASE_URL, forget_cached_collections


@pytest.fixture(scope="session")
def amqp_url():
    assert broker.broker_up(), f"RabbitMQ is not reachable at {broker.AMQP_URL}: start it with `rabbitmq-server -detached`"
    return broker.AMQP_URL


def _config(config):
    """A service's test config; its exchanges are deleted after the test."""
    yield config
    try:
        broker.delete_exchanges(config.EVENT_EXCHANGE, config.EVENT_EXCHANGE + ".dead")
    except Exception:  # the broker may be down in a fault test; exchanges are harmless leftovers then
        pass


def _app(create_app, config, *, after_create=None):
    """A service's app; its database is dropped after the test."""
    app = create_app(config)
    if after_create:
        after_create()
    yield app
    drop_database(config.MONGO_URL, config.MONGO_DB)


# ---- households ------------------------------------------------------------------------------------------

@pytest.fixture
def households_config(mongo_url, amqp_url, run_id):
    yield from _config(TestConfig("households", HOUSEHOLDS_SETTINGS, mongo_url=mongo_url, run_id=run_id,
                                  amqp_url=amqp_url))


@pytest.fixture
def households_app(households_config):
    yield from _app(create_households, households_config)


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


# ---- volunteers ------------------------------------------------------------------------------------------

@pytest.fixture
def vol_config(mongo_url, amqp_url, run_id):
    yield from _config(TestConfig(VOLUNTEERS, VOLUNTEERS_SETTINGS, mongo_url=mongo_url, run_id=run_id,
                                  amqp_url=amqp_url, PUBLIC_BASE_URL=BASE_URL))


@pytest.fixture
def vol_app(vol_config):
    yield from _app(create_volunteers, vol_config, after_create=forget_cached_collections)


@pytest.fixture
def vc(vol_app):
    return vol_app.test_client()


# ---- drills ----------------------------------------------------------------------------------------------

@pytest.fixture
def drills_config(mongo_url, amqp_url, run_id):
    yield from _config(TestConfig("drills", DRILLS_SETTINGS, mongo_url=mongo_url, run_id=run_id, amqp_url=amqp_url))


@pytest.fixture
def drills_app(drills_config):
    yield from _app(create_drills, drills_config)


@pytest.fixture
def drills(drills_app):
    return drills_app.test_client()


# ---- mediation -------------------------------------------------------------------------------------------

@pytest.fixture
def mediation_config(mongo_url, amqp_url, run_id):
    config = TestConfig("mediation", mongo_url=mongo_url, run_id=run_id, amqp_url=amqp_url)
    config.PUBLIC_BASE_URL = "https://grid.example.cn"
    yield from _config(config)


@pytest.fixture
def mediation_app(mediation_config):
    yield from _app(create_mediation, mediation_config)


@pytest.fixture
def api(mediation_app):
    return mediation_app.test_client()
