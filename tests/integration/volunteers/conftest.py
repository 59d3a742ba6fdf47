"""Fixtures of the volunteers tests: the communities it knows, signed callers (the app itself is in
tests/integration/apps.py)."""
import pytest

from services.volunteers import register_copy, service
from services.volunteers.worker import bootstrap
from shared.identity import Principal
from shared.messaging.bus import EventPublisher
from shared.messaging.worker import Worker
from tests.support.callers import headers_for
from tests.support.volunteers import grid_created

ADMIN = Principal(user_id="admin", role="admin")


@pytest.fixture
def places(vol_app):
    """Two communities known from grid.created events: C1 (grids C1-G1, C1-G2) and C2 (C2-G1); C1 is named."""
    for grid, community in (("C1-G1", "C1"), ("C1-G2", "C1"), ("C2-G1", "C2")):
        register_copy.on_register_event(grid_created(grid, community).load())
    service.name_community(actor=ADMIN, community_id="C1", name="幸福社区")
    service.name_community(actor=ADMIN, community_id="C2", name="和平社区")
    return {"community": "C1", "grid_a": "C1-G1", "grid_b": "C1-G2", "other": "C2", "other_grid": "C2-G1"}


@pytest.fixture
def staff(vol_app, places):
    """Community staff of C1."""
    return headers_for(vol_app, role="community_staff", user_id="s-c1", communities=["C1"], name="社区干部")


@pytest.fixture
def staff_b(vol_app, places):
    """Community staff of C2."""
    return headers_for(vol_app, role="community_staff", user_id="s-c2", communities=["C2"])


@pytest.fixture
def public(vol_app):
    """A resident on a public page (no account)."""
    return headers_for(vol_app, role="resident", user_id="anon")


@pytest.fixture
def publisher(vol_config):
    """Publishes events onto the run's exchange as another service would."""
    pub = EventPublisher(url=vol_config.AMQP_URL, exchange=vol_config.EVENT_EXCHANGE, service="test")
    yield pub
    pub.close()


@pytest.fixture
def worker(vol_app, vol_config):
    """The volunteers worker (relay, consumer, periodic jobs) with its queues declared before anything is sent."""
    w = Worker(vol_config, **bootstrap(vol_config))
    w.consumer.declare()
    w.start()
    yield w
    w.shutdown()
