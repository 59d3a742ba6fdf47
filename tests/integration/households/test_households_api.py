"""The grid register over HTTP against a real MongoDB-wire server."""
from datetime import timedelta

from services.households.models import Household, RevealRecord
from shared import clock
from tests.support.callers import headers_for
from tests.support.data import household, id_number


def register(client, headers, body):
    r = client.post("/households", json=body, headers=headers)
    assert r.status_code == 201, r.json
    return r.json


def test_register_masks_personal_data_and_stores_event_in_outbox(client, district, as_worker):
    body = register(client, as_worker, household(district["grid_a"], 7, care_tag="elderly_alone"))
    resident = body["residents"][0]
    assert resident["id_number"] == id_number(7)[:2] + "*" * 16
    assert resident["phone"] == "138********"
    assert body["care"] is True and body["version"] == 1
    stored = Household.objects.get(pk=body["id"])
    assert [e.type for e in stored.outbox] == ["household.registered", "resident.care_flagged"]
    assert "id_number" not in str(stored.outbox[0].envelope)  # no ID numbers travel in events


def test_reveal_shows_full_numbers_and_records_who_and_why(client, district, as_worker, households_app):
    hid = register(client, as_worker, household(district["grid_a"], 8))["id"]
    r = client.post(f"/households/{hid}/reveal", json={"reason": "核对低保申请"}, headers=as_worker)
    assert r.status_code == 200
    assert r.json["residents"][0]["id_number"] == id_number(8)
    record = RevealRecord.objects.get(household_id=hid)
    assert (record.user_id, record.reason) == ("w-a", "核对低保申请")
    assert client.post(f"/households/{hid}/reveal", json={}, headers=as_worker).json["fields"] == {
        "reason": ["Missing data for required field."]}
    operator = headers_for(households_app, role="operator")
    assert client.post(f"/households/{hid}/reveal", json={"reason": "x"}, headers=operator).status_code == 403


def test_bad_input_gets_422_with_each_field_and_nothing_stored(client, district, as_worker):
    body = household(district["grid_a"], 9)
    body["residents"][0]["id_number"] = id_number(9)[:17] + ("0" if id_number(9)[17] != "0" else "1")
    body["residents"][0]["phone"] = "12345"
    body["address"].pop("room")
    r = client.post("/households", json=body, headers=as_worker)
    assert r.status_code == 422
    assert r.json["error"] == "validation_failed"
    assert set(r.json["fields"]) == {"residents.0.id_number", "residents.0.phone", "address.room"}
    assert "check character" in r.json["fields"]["residents.0.id_number"][0]
    assert Household.objects.count() == 0


def test_operators_in_json_never_reach_a_query(client, district, as_worker):
    r = client.get("/households", query_string={"grid_id": district["grid_a"], "q": '{"$gt": ""}'}, headers=as_worker)
    assert r.status_code == 200 and r.json["total"] == 0
    body = household(district["grid_a"], 10)
    body["address"]["building"] = {"$gt": ""}
    assert client.post("/households", json=body, headers=as_worker).status_code == 422


def test_one_household_per_address_per_grid(client, district, as_worker):
    register(client, as_worker, household(district["grid_a"], 11))
    r = client.post("/households", json=household(district["grid_a"], 11), headers=as_worker)
    assert r.status_code == 409 and "address" in r.json["fields"]


def test_search_by_address_or_name_sorted_by_address_and_by_full_number_only_through_lookup(client, district,
                                                                                           as_worker):
    for n in (1, 2, 45, 90):  # buildings 1栋, 1栋, 2栋, 3栋 ...
        register(client, as_worker, household(district["grid_a"], n))
    grid = district["grid_a"]
    page = client.get("/households", query_string={"grid_id": grid}, headers=as_worker).json
    assert [h["address"]["building"] for h in page["items"]] == ["1栋", "1栋", "2栋", "3栋"]
    by_name = client.get("/households", query_string={"grid_id": grid, "q": "居民45"}, headers=as_worker).json
    assert [h["residents"][0]["name"] for h in by_name["items"]] == ["居民45"]
    by_fragment = client.get("/households", query_string={"grid_id": grid, "q": "00000090"}, headers=as_worker).json
    assert by_fragment["total"] == 0
    by_phone = client.post("/households/lookup", json={"number": "13800000090", "reason": "来电核实"}, headers=as_worker)
    assert [h["residents"][0]["name"] for h in by_phone.json] == ["居民90"]
    paged = client.get("/households", query_string={"grid_id": grid, "page": 2, "page_size": 3}, headers=as_worker).json
    assert (paged["total"], len(paged["items"])) == (4, 1)


def test_care_tag_filter_flag_and_clear(client, district, as_worker):
    hid = register(client, as_worker, household(district["grid_a"], 20))["id"]
    rid = client.get(f"/households/{hid}", headers=as_worker).json["residents"][0]["resident_id"]
    url = f"/households/{hid}/residents/{rid}/care-tags"
    assert client.post(url, json={"tag": "disability"}, headers=as_worker).status_code == 200
    assert client.post(url, json={"tag": "disability"}, headers=as_worker).status_code == 409
    listed = client.get("/households", query_string={"grid_id": district["grid_a"], "care_tag": "disability"},
                        headers=as_worker).json
    assert listed["total"] == 1
    r = client.post(url + "/clear", json={"tag": "disability"}, headers=as_worker)
    assert r.status_code == 200 and r.json["care"] is False
    types = [e.type for e in Household.objects.get(pk=hid).outbox]
    assert types == ["household.registered", "resident.care_flagged", "resident.care_cleared"]


def test_update_needs_the_version_read(client, district, as_worker):
    created = register(client, as_worker, household(district["grid_a"], 21))
    body = {k: v for k, v in household(district["grid_a"], 21).items() if k != "grid_id"}
    body["residency"] = "floating"
    assert client.put(f"/households/{created['id']}", json={**body, "version": 1}, headers=as_worker).status_code == 200
    stale = client.put(f"/households/{created['id']}", json={**body, "version": 1}, headers=as_worker)
    assert stale.status_code == 409


def test_an_edit_that_leaves_out_id_numbers_and_phones_keeps_them(client, district, as_worker):
    created = register(client, as_worker, {**household(district["grid_a"], 22), "phone": "13900000022"})
    resident = created["residents"][0]
    body = {k: v for k, v in household(district["grid_a"], 22).items() if k != "grid_id"}
    body["residents"] = [{"resident_id": resident["resident_id"], "name": "新名字", "relation": "head"}]
    assert client.put(f"/households/{created['id']}", json={**body, "version": 1}, headers=as_worker).status_code == 200
    stored = Household.objects.get(pk=created["id"])
    assert (stored.residents[0].name, stored.residents[0].id_number, stored.residents[0].phone, stored.phone) == (
        "新名字", id_number(22), "13800000022", "13900000022")
    body["residents"][0]["phone"] = None  # cleared on purpose
    client.put(f"/households/{created['id']}", json={**body, "version": 2}, headers=as_worker)
    assert Household.objects.get(pk=created["id"]).residents[0].phone is None


def test_move_to_another_grid_carries_history(client, district, as_staff):
    hid = register(client, as_staff, household(district["grid_a"], 30))["id"]
    r = client.post(f"/households/{hid}/move", json={"to_grid_id": district["grid_b"], "version": 1}, headers=as_staff)
    assert r.status_code == 200 and r.json["grid_id"] == district["grid_b"]
    h = Household.objects.get(pk=hid)
    assert [e.action for e in h.history] == ["registered", "moved"]
    assert h.outbox[-1].envelope["data"]["from_grid_id"] == district["grid_a"]


def test_leave_the_district(client, district, as_worker):
    hid = register(client, as_worker, household(district["grid_a"], 31))["id"]
    r = client.post(f"/households/{hid}/leave", json={"moved_out_on": "2026-11-01", "version": 1}, headers=as_worker)
    assert r.status_code == 200 and r.json["status"] == "left"
    # the address is free again for a new household
    register(client, as_worker, household(district["grid_a"], 31))


def test_visits_overdue_and_follow_ups(client, district, as_worker):
    grid = district["grid_a"]
    care = register(client, as_worker, household(grid, 40, care_tag="elderly_alone"))["id"]
    other = register(client, as_worker, household(grid, 41, care_tag="left_behind_child"))["id"]
    register(client, as_worker, household(grid, 42))
    overdue = client.get(f"/grids/{grid}/overdue-visits", headers=as_worker).json
    assert {row["household_id"] for row in overdue} == {care, other}
    # a day ago: within every care tag's cadence (elderly_alone: 7 days), whatever day the suite runs
    yesterday = (clock.now() - timedelta(days=1)).isoformat()
    visit = {"visited_at": yesterday, "notes": "身体尚可", "follow_up_needed": True,
             "follow_up": "帮助申请助餐", "client_id": "phone-0001-abc"}
    first = client.post(f"/households/{care}/visits", json=visit, headers=as_worker)
    again = client.post(f"/households/{care}/visits", json=visit, headers=as_worker)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json["id"] == again.json["id"]
    overdue = client.get(f"/grids/{grid}/overdue-visits", headers=as_worker).json
    assert [row["household_id"] for row in overdue] == [other]
    follow_ups = client.get(f"/grids/{grid}/follow-ups", headers=as_worker).json
    assert [f["follow_up"] for f in follow_ups] == ["帮助申请助餐"]
    done = client.post(f"/visits/{first.json['id']}/follow-up-done", headers=as_worker)
    assert done.status_code == 200 and client.get(f"/grids/{grid}/follow-ups", headers=as_worker).json == []
    future = {**visit, "visited_at": "2099-01-01T00:00:00+08:00", "client_id": None}
    assert client.post(f"/households/{care}/visits", json=future, headers=as_worker).status_code == 422


def test_redraw_moves_buildings_in_one_operation(client, district, as_staff):
    grid = district["grid_a"]
    ids = [register(client, as_staff, household(grid, n, building="9栋"))["id"] for n in range(3)]
    register(client, as_staff, household(grid, 50, building="8栋"))
    r = client.post(f"/grids/{grid}/redraw", json={"to_grid_id": "C1-G9", "new_grid_name": "第九网格",
                                                   "buildings": ["9栋"], "reason": "9栋划入新网格"}, headers=as_staff)
    assert r.status_code == 201, r.json
    assert r.json["status"] == "applied" and sorted(r.json["household_ids"]) == sorted(ids)
    moved = Household.objects(grid_id="C1-G9")
    assert moved.count() == 3 and all(h.history[-1].action == "redrawn" for h in moved)
    assert client.get("/grids/C1-G9", headers=as_staff).json["community_id"] == "C1"


def test_grid_worker_of_a_gets_nothing_of_b(client, district, households_app, as_staff):
    hid_b = register(client, as_staff, household(district["grid_b"], 60))["id"]
    worker_a = headers_for(households_app, grids=[district["grid_a"]])
    update = {k: v for k, v in household(district["grid_b"], 60).items() if k != "grid_id"}
    attempts = [
        client.get(f"/households/{hid_b}", headers=worker_a),
        client.put(f"/households/{hid_b}", json={**update, "version": 1}, headers=worker_a),
        client.post(f"/households/{hid_b}/reveal", json={"reason": "x"}, headers=worker_a),
        client.post(f"/households/{hid_b}/visits", json={"visited_at": "2026-11-20T10:00:00+08:00"}, headers=worker_a),
        client.get(f"/households/{hid_b}/visits", headers=worker_a),
        client.get("/households", query_string={"grid_id": district["grid_b"]}, headers=worker_a),
        client.get("/households", query_string={"community_id": "C1"}, headers=worker_a),
        client.get(f"/grids/{district['grid_b']}/overdue-visits", headers=worker_a),
        client.post("/households", json=household(district["grid_b"], 61), headers=worker_a),
    ]
    assert [r.status_code for r in attempts] == [404] * len(attempts)
    assert all(b"\xe5\xb1\x85\xe6\xb0\x9160" not in r.data for r in attempts)  # "居民60" never shown
    grids = client.get("/grids", headers=worker_a).json
    assert [g["id"] for g in grids] == [district["grid_a"]]


def test_unsigned_forged_or_expired_identity_is_refused(client, district, households_app):
    from itsdangerous import URLSafeTimedSerializer

    assert client.get("/grids").status_code == 401
    forged = URLSafeTimedSerializer("not-the-key", salt="grid-identity").dumps({"sub": "x", "role": "admin"})
    assert client.get("/grids", headers={"X-Grid-Identity": forged}).status_code == 401


def test_health_metrics_and_openapi(client, district, as_worker):
    register(client, as_worker, household(district["grid_a"], 70))
    assert client.get("/healthz").json["status"] == "ok"
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json["checks"] == {"database": True, "broker": True}
    metrics = client.get("/metrics").text
    assert 'grid_http_requests_total{method="POST",route="/households",service="households",status="201"}' in metrics
    spec = client.get("/openapi.json").json
    assert "/households/{household_id}/visits" in spec["paths"]
