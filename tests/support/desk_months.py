"""Service desk cases in past months on a full stack (tests.support.stack): made through the mediation service, then
their stored dates moved into the month a test reports on (the services run in their own processes, with the real
clock)."""
from datetime import date, datetime, time, timezone

from bson import ObjectId
from pymongo import MongoClient

from shared.identity import Principal

STAFF = Principal(user_id="desk-months-staff", role="community_staff", name="desk", community_ids=("c1",))
RESIDENT = Principal(user_id="anon", role="resident", name="")


def ok(response, status=200) -> dict:
    assert response.status_code == status, response.text
    return response.json()


def register(s, category: str, *, grid_id: str = "g1") -> str:
    """A dispute of `category` registered now in grid `grid_id`: its id."""
    body = {"grid_id": grid_id, "category": category, "description": "楼道堆放杂物", "urgency": "normal",
            "channel": "walk_in", "parties": [{"role": "applicant", "kind": "person", "name": "孙八"}]}
    return ok(s.call("mediation", "POST", "/disputes", json=body, principal=STAFF), 201)["dispute"]["id"]


def withdrawn_and_closed(s, dispute_id: str) -> str:
    """Assign the seeded mediator, record a withdrawal and close the case: the survey's token."""
    url = f"/disputes/{dispute_id}"
    ok(s.call("mediation", "POST", f"{url}/assign", json={"mediator_id": s.seeded["mediator_id"]}, principal=STAFF))
    ok(s.call("mediation", "POST", f"{url}/outcome", json={"kind": "withdrawn"}, principal=STAFF))
    return ok(s.call("mediation", "POST", f"{url}/close", json={}, principal=STAFF))["survey_token"]


def answer(s, token: str, rating: int) -> None:
    ok(s.call("mediation", "POST", f"/public/surveys/{token}", json={"rating": rating}, principal=RESIDENT), 201)


def _stored(value):
    return datetime.combine(value, time(), timezone.utc) if type(value) is date else value


def move(s, dispute_id: str, *, registered_on: date, due_on: date, closed_on: date | None = None,
         answered_at: datetime | None = None, escalated_at: datetime | None = None) -> None:
    """Move a case's stored dates (its month follows its registration)."""
    dates = {"registered_on": registered_on, "due_on": due_on, "month": registered_on.strftime("%Y-%m"),
             "year": registered_on.year, "closed_on": closed_on, "survey.answered_at": answered_at,
             "escalation.at": escalated_at}
    with MongoClient(s.mongo_url) as client:
        client[f"test_{s.run_id}_mediation"]["disputes"].update_one(
            {"_id": ObjectId(dispute_id)}, {"$set": {k: _stored(v) for k, v in dates.items() if v is not None}})
