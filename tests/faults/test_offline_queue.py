"""Proves: the phone's offline queue cannot store anything twice. A visit log and a roll-call tick kept on the
phone while it was offline (each with its client_id) are sent three times after it reconnects, the way the phone
sends them (JSON through the gateway's /api pass-through with the CSRF header, as static/app.js does), both one
after another (the answer was lost, so the phone sends again) and all at once (two tabs flushing together): each
is stored once, the first answer says "stored" (201) and the others "already stored" (200) with the same record."""
import re
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import pytest
import requests
from pymongo import MongoClient

from tests.support.stack import DEMO_PASSWORD, staff_principal

PASSWORD = DEMO_PASSWORD


@pytest.fixture(scope="module")
def s(seeded_stack):
    return seeded_stack


def phone(s, username: str) -> requests.Session:
    """A phone signed in to the gateway over HTTP, carrying its session cookie and the CSRF token."""
    http = requests.Session()
    page = http.get(s.gateway_url + "/login", timeout=30).text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)[1]
    r = http.post(s.gateway_url + "/login", data={"csrf_token": token, "username": username, "password": PASSWORD},
                  allow_redirects=False, timeout=30)
    assert r.status_code == 303, r.text[:300]
    http.headers.update({"X-CSRFToken": http.get(s.gateway_url + "/api/me", timeout=30).json()["csrf_token"],
                         "Accept": "application/json"})
    return http


def send_three_times(http, url: str, body: dict, *, together: bool) -> list:
    def once(_):
        r = http.post(url, json=body, timeout=30)
        return r.status_code, r.json()
    if together:
        with ThreadPoolExecutor(3) as pool:
            return list(pool.map(once, range(3)))
    return [once(n) for n in range(3)]


@pytest.mark.parametrize("together", [False, True], ids=["one after another", "all at once"])
def test_a_visit_sent_three_times_is_stored_once(s, together):
    http = phone(s, "worker-g1")
    household = s.seeded["g1"][1 if together else 0]
    client_id = uuid.uuid4().hex
    body = {"visited_at": (datetime.now(timezone.utc) - timedelta(hours=2)).isoformat(), "seen": [],
            "notes": "离线时记录的走访", "follow_up_needed": False, "follow_up": None, "client_id": client_id}
    answers = send_three_times(http, f"{s.gateway_url}/api/households/households/{household['id']}/visits", body,
                               together=together)
    assert sorted(status for status, _ in answers) == [200, 200, 201], answers
    assert len({a["id"] for _, a in answers}) == 1
    with MongoClient(s.mongo_url) as client:
        visits = client[f"test_{s.run_id}_households"]["visits"]
        assert visits.count_documents({"client_id": client_id}) == 1
        assert visits.count_documents({"household_id": household["id"], "notes": "离线时记录的走访"}) == 1
    print(f"\n[offline queue] a visit sent 3 times ({'all at once' if together else 'one after another'}): "
          f"answers {[status for status, _ in answers]}, stored once")


@pytest.fixture(scope="module")
def live_drill(s):
    staff = staff_principal("c1")
    starts = datetime.now(timezone.utc) + timedelta(minutes=5)
    r = s.call("drills", "POST", "/drills", principal=staff, json={
        "community_id": "c1", "grid_ids": ["g1"], "title": "防汛演练", "hazard": "natural_disaster", "level": "III",
        "kind": "comprehensive", "scenario": "暴雨内涝", "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=2)).isoformat()})
    assert r.status_code == 201, r.text
    drill_id = r.json()["id"]
    assert s.call("drills", "POST", f"/drills/{drill_id}/start", principal=staff).status_code == 200
    return drill_id


@pytest.mark.parametrize("together", [False, True], ids=["one after another", "all at once"])
def test_a_roll_call_tick_sent_three_times_is_stored_once(s, live_drill, together):
    http = phone(s, "worker-g1")
    household = s.seeded["g1"][3 if together else 2]["id"]
    client_id = uuid.uuid4().hex
    tapped = datetime.now(timezone.utc) - timedelta(seconds=30)
    body = {"client_id": client_id, "status": "evacuated", "at": tapped.isoformat(),
            "sent_at": datetime.now(timezone.utc).isoformat()}
    url = f"{s.gateway_url}/api/drills/drills/{live_drill}/grids/g1/households/{household}/tick"
    with MongoClient(s.mongo_url) as client:
        ticks = client[f"test_{s.run_id}_drills"]["ticks"]
        before = ticks.count_documents({"drill_id": live_drill})
        answers = send_three_times(http, url, body, together=together)
        assert sorted(status for status, _ in answers) == [200, 200, 201], answers
        assert ticks.count_documents({"drill_id": live_drill, "client_id": client_id}) == 1
        assert ticks.count_documents({"drill_id": live_drill}) == before + 1
    accounted = {a["accounted"] for _, a in answers}
    assert len(accounted) == 1, answers  # every answer reports the same roll-call: the tick counted once
    status = http.get(f"{s.gateway_url}/api/drills/drills/{live_drill}/grids/g1/status", timeout=30).json()
    assert status["statuses"][household] == "evacuated"
    print(f"\n[offline queue] a roll-call tick sent 3 times ({'all at once' if together else 'one after another'}): "
          f"answers {[status for status, _ in answers]}, stored once, {accounted.pop()} household(s) accounted")
