"""Fixtures for the volunteers service: its app over HTTP, a real RabbitMQ, a real MongoDB-wire server.

Import them into a test module with `from tests.integration.volunteers_fixtures import *`.
"""
import mongoengine
import pytest

from services.volunteers import models, register_copy, service
from services.volunteers.app import create_app
from services.volunteers.config import SERVICE, SETTINGS
from shared.config import TestConfig
from shared.events import new_event
from tests.support import broker
from tests.support.callers import headers_for

BASE_URL = "https://grid.example.cn"


@pytest.fixture
def vol_config(mongo_url, amqp_url, run_id):
    config = TestConfig(SERVICE, SETTINGS, mongo_url=mongo_url, run_id=run_id, amqp_url=amqp_url,
                        PUBLIC_BASE_URL=BASE_URL)
    yield config
    try:
        broker.delete_exchanges(config.EVENT_EXCHANGE, config.EVENT_EXCHANGE + ".dead")
    except Exception:  # leftovers are harmless if the broker is away
        pass


def _forget_cached_collections():
    """mongoengine resets cached collections on reconnect only for the class registered under each name;
    other services' documents of the same name may hold it. Make sure ours use this test's connection."""
    for obj in vars(models).values():
        if isinstance(obj, type) and issubclass(obj, mongoengine.Document) and not obj._meta.get("abstract"):
            obj._collection = None


@pytest.fixture
def vol_app(vol_config):
    app = create_app(vol_config)
    _forget_cached_collections()
    yield app
    mongoengine.get_db().client.drop_database(vol_config.MONGO_DB)


@pytest.fixture
def vc(vol_app):
    return vol_app.test_client()


def grid_created(grid_id: str, community_id: str):
    return new_event("grid.created", version=1, source="households", community_id=community_id, grid_id=grid_id,
                     data={"grid_id": grid_id, "code": grid_id, "name": f"{grid_id}网格", "community_id": community_id})


@pytest.fixture
def places(vol_app):
    """Two communities known from grid.created events: C1 (grids C1-G1, C1-G2) and C2 (C2-G1); C1 is named."""
    for grid, community in (("C1-G1", "C1"), ("C1-G2", "C1"), ("C2-G1", "C2")):
        register_copy.on_register_event(grid_created(grid, community).load())
    service.name_community(actor=_admin(), community_id="C1", name="幸福社区")
    service.name_community(actor=_admin(), community_id="C2", name="和平社区")
    return {"community": "C1", "grid_a": "C1-G1", "grid_b": "C1-G2", "other": "C2", "other_grid": "C2-G1"}


def _admin():
    from shared.identity import Principal

    return Principal(user_id="admin", role="admin")


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


def leader_of(app, user_id: str, community: str = "C1"):
    return headers_for(app, role="team_leader", user_id=user_id, communities=[community], name="队长")


def make_team(client, headers, name="助老服务队", community="C1", leaders=("tl-1",)):
    r = client.post("/teams", json={"community_id": community, "name": name, "leader_ids": list(leaders)},
                    headers=headers)
    assert r.status_code == 201, r.json
    return r.json


def make_link(client, headers, **body):
    body.setdefault("community_id", "C1")
    r = client.post("/links", json=body, headers=headers)
    assert r.status_code == 201, r.json
    return r.json


def person(n: int, **extra) -> dict:
    from tests.support.data import phone

    return {"name": f"志愿者{n}", "phone": phone(5000 + n), "skills": ["elderly_care"],
            "availability": ["sat_morning"], "grid_id": "C1-G1", "consent": True, **extra}


def sign_up(client, headers, token, body, status=201):
    r = client.post(f"/public/links/{token}/signups", json=body, headers=headers)
    assert r.status_code == status, r.json
    return r.json


def volunteer_id_by_phone(phone_number: str, community="C1") -> str:
    from services.volunteers.models import VolunteerRecord

    return str(VolunteerRecord.objects.get(phone_key=f"{community}|{phone_number}").pk)


def status_of(phone_number: str, community="C1") -> str:
    from services.volunteers.models import VolunteerRecord

    return VolunteerRecord.objects.get(phone_key=f"{community}|{phone_number}").status


def personal_token(result: dict) -> str:
    return result["personal_url"].rsplit("/", 1)[1]


def pending_claims(client, headers, community="C1") -> list[dict]:
    r = client.get("/signup-claims", query_string={"community_id": community}, headers=headers)
    assert r.status_code == 200, r.json
    return r.json
