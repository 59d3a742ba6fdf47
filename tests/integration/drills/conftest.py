"""Fixtures of the drills tests: its worker on the real RabbitMQ, a households publisher, signed callers (the
app itself is in tests/integration/apps.py)."""
import pytest

from services.drills.worker import bootstrap
from shared.messaging.bus import EventPublisher
from shared.messaging.worker import Worker
from tests.support.callers import headers_for
from tests.support.drills import COMMUNITY, GRID_A


@pytest.fixture
def publisher(drills_config):
    pub = EventPublisher(url=drills_config.AMQP_URL, exchange=drills_config.EVENT_EXCHANGE, service="households")
    yield pub
    pub.close()


@pytest.fixture
def drills_worker(drills_app, drills_config):
    """The drills worker (relay, consumers) running against the real broker for the test."""
    worker = Worker(drills_config, **bootstrap(drills_config))
    worker.consumer.declare()  # queues exist before anything is published
    worker.start()
    yield worker
    worker.shutdown()


class Callers:
    """Signed identities for the drills app."""

    def __init__(self, app):
        self.app = app

    def staff(self, community=COMMUNITY, user_id="s-c1"):
        return headers_for(self.app, role="community_staff", user_id=user_id, communities=[community], name="社区干部")

    def worker(self, grid=GRID_A, user_id="w-a"):
        return headers_for(self.app, role="grid_worker", user_id=user_id, grids=[grid], name=f"网格员{grid}")

    def role(self, role, **kw):
        return headers_for(self.app, role=role, **kw)


@pytest.fixture
def who(drills_app):
    return Callers(drills_app)
