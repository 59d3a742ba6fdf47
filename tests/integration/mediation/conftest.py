"""Fixtures of the mediation tests: the clock's today, the register, signed callers, the mediators' roster, its
worker on the real RabbitMQ (the app itself is in tests/integration/apps.py).

The register (grids and households) reaches the mediation service only as households events, so the fixtures
apply real households events (tests.support.mediation) the way the worker's handler does; the event tests
publish them through RabbitMQ where the test is about the flow itself.
"""
from datetime import date

import pytest

from services.mediation import handlers
from services.mediation.worker import bootstrap
from shared import clock
from shared.messaging.bus import EventPublisher
from shared.messaging.worker import Worker
from tests.support.callers import headers_for
from tests.support.mediation import GRIDS, grid_created, household_registered


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
