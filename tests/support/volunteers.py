"""Volunteers test helpers: the register's grids as events, callers, teams, links, sign-ups and what they stored."""
import mongoengine

from services.volunteers import models
from shared.events import new_event
from tests.support.callers import headers_for

BASE_URL = "https://grid.example.cn"


def forget_cached_collections():
    """mongoengine resets cached collections on reconnect only for the class registered under each name;
    other services' documents of the same name may hold it. Make sure ours use this test's connection."""
    for obj in vars(models).values():
        if isinstance(obj, type) and issubclass(obj, mongoengine.Document) and not obj._meta.get("abstract"):
            obj._collection = None


def grid_created(grid_id: str, community_id: str):
    return new_event("grid.created", version=1, source="households", community_id=community_id, grid_id=grid_id,
                     data={"grid_id": grid_id, "code": grid_id, "name": f"{grid_id}网格", "community_id": community_id})


def add_residents(n_households: int, per_household: int = 3, community: str = "C1", grid: str = "C1-G1") -> None:
    """Households of `per_household` residents each, as households' events tell the register copy."""
    from services.volunteers import register_copy

    for n in range(n_households):
        register_copy.on_register_event(new_event(
            "household.registered", version=1, source="households", community_id=community, grid_id=grid,
            data={"household_id": f"{community}-t{n}", "address": {"building": "1栋", "room": f"{n}"},
                  "residency": "registered",
                  "residents": [{"resident_id": f"{community}-t{n}-{k}", "name": "居民"} for k in range(per_household)]
                  }).load())


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
