"""Fixtures of the mediation tests: the service over HTTP, its worker on the real RabbitMQ, a register.

The register (grids and households) reaches the mediation service only as households events, so the
fixtures build real households events (shared.events.new_event) and either apply them the way the
worker's handler does, or publish them through RabbitMQ where the test is about the flow itself.
"""
import uuid
from datetime import date

import mongoengine
import pytest

from services.mediation import handlers
from services.mediation.app import create_app
from services.mediation.worker import bootstrap
from shared import clock
from shared.config import TestConfig
from shared.events import new_event
from shared.messaging.bus import EventPublisher
from shared.messaging.worker import Worker
from tests.support import broker
from tests.support.callers import headers_for

GRIDS = {"C1-G1": "C1", "C1-G2": "C1", "C2-G1": "C2"}


def grid_created(grid_id: str):
    return new_event("grid.created", version=1, source="households", community_id=GRIDS[grid_id], grid_id=grid_id,
                     data={"grid_id": grid_id, "code": grid_id, "name": f"{grid_id}网格",
                           "community_id": GRIDS[grid_id]})


def household_registered(grid_id: str, n: int, *, care_tags=(), household_id: str | None = None):
    return new_event("household.registered", version=1, source="households", community_id=GRIDS[grid_id], grid_id=grid_id,
                     data={"household_id": household_id or uuid.uuid4().hex[:24],
                           "address": {"building": f"{n // 10 + 1}栋", "unit": "1单元", "room": f"{100 + n}"},
                           "residency": "registered",
                           "residents": [{"resident_id": f"r{n}", "name": f"居民{n}", "relation": "head",
                                          "care_tags": list(care_tags)},
                                         {"resident_id": f"r{n}b", "name": f"家属{n}", "relation": "spouse"}]})


def household_moved(household_id: str, from_grid: str, to_grid: str):
    return new_event("household.moved", version=1, source="households", community_id=GRIDS[to_grid], grid_id=to_grid,
                     data={"household_id": household_id, "from_grid_id": from_grid,
                           "from_community_id": GRIDS[from_grid], "to_grid_id": to_grid,
                           "to_community_id": GRIDS[to_grid],
                           "address": {"building": "9栋", "unit": "2单元", "room": "901"}})


class Today:
    """The clock's today, set by a test (the service and the worker read shared.clock.today())."""

    def __init__(self, monkeypatch):
        self.value = None
        monkeypatch.setattr(clock, "today", lambda: self.value or date.today())

    def set(self, value: date | str) -> None:
        self.value = date.fromisoformat(value) if isinstance(value, str) else value


@pytest.fixture
def today(monkeypatch):
    return Today(monkeypatch)


@pytest.fixture
def mediation_config(mongo_url, amqp_url, run_id):
    config = TestConfig("mediation", mongo_url=mongo_url, run_id=run_id, amqp_url=amqp_url)
    config.PUBLIC_BASE_URL = "https://grid.example.cn"
    yield config
    try:
        broker.delete_exchanges(config.EVENT_EXCHANGE, config.EVENT_EXCHANGE + ".dead")
    except Exception:  # the broker may be gone; leftover exchanges of a test run are harmless
        pass


@pytest.fixture
def mediation_app(mediation_config):
    app = create_app(mediation_config)
    yield app
    mongoengine.get_db().client.drop_database(mediation_config.MONGO_DB)


@pytest.fixture
def api(mediation_app):
    return mediation_app.test_client()


@pytest.fixture
def register(mediation_app):
    """Grids C1-G1, C1-G2 (community C1) and C2-G1 (C2), and households, as the handler stores them."""
    for grid_id in GRIDS:
        handlers.keep_register(grid_created(grid_id).load())

    def add(grid_id: str, n: int, **kw) -> str:
        event = household_registered(grid_id, n, **kw)
        handlers.keep_register(event.load())
        return event.data["household_id"]

    return add


@pytest.fixture
def people(mediation_app):
    """Signed callers: grid workers, staff and mediators of C1 and C2."""
    def h(role, user_id, **scope):
        return headers_for(mediation_app, role=role, user_id=user_id, name=user_id, **scope)

    return {
        "worker": h("grid_worker", "w-a", grids=["C1-G1"]),
        "worker_b": h("grid_worker", "w-b", grids=["C1-G2"]),
        "staff": h("community_staff", "s-c1", communities=["C1"]),
        "staff_c2": h("community_staff", "s-c2", communities=["C2"]),
        "m1": h("mediator", "m-1", communities=["C1"]),
        "m2": h("mediator", "m-2", communities=["C1"]),
        "m_c2": h("mediator", "m-9", communities=["C2"]),
        "operator": h("operator", "op"),
        "resident": h("resident", "anon"),
    }


@pytest.fixture
def mediators(api, people):
    """m-1 and m-2 on C1's roster, m-9 on C2's (each enrolled from their signed identity)."""
    for who in ("m1", "m2", "m_c2"):
        assert api.post("/mediators/me", headers=people[who]).status_code == 200
    return {"m1": "m-1", "m2": "m-2", "m_c2": "m-9"}


def dispute_body(*parties, grid_id="C1-G1", category="neighbours", **extra) -> dict:
    rows = list(parties) or [{"role": "applicant", "kind": "person", "name": "张三"},
                             {"role": "respondent", "kind": "person", "name": "李四"}]
    return {"grid_id": grid_id, "category": category, "description": "楼上漏水，协商不成", "urgency": "normal",
            "channel": "walk_in", "parties": rows, **extra}


@pytest.fixture
def publisher(mediation_config):
    pub = EventPublisher(url=mediation_config.AMQP_URL, exchange=mediation_config.EVENT_EXCHANGE,
                         service="households")
    yield pub
    pub.close()


@pytest.fixture
def mediation_worker(mediation_app, mediation_config):
    """The mediation worker (relay, consumers) running on the real broker for the test."""
    worker = Worker(mediation_config, **bootstrap(mediation_config))
    worker.consumer.declare()
    worker.start()
    yield worker
    worker.shutdown()
