"""The four-in-one network in the register over HTTP: building heads (phones masked, reveals recorded), ten-household
groups (十联户) with their 422s, households dropping out when they leave, move or are redrawn, residents' groups."""
from services.households.models import BuildingHead, RevealRecord, TenHouseholdGroup
from tests.support.callers import headers_for
from tests.support.data import household, phone


def register(client, headers, body) -> str:
    r = client.post("/households", json=body, headers=headers)
    assert r.status_code == 201, r.json
    return r.json["id"]


def homes(client, headers, grid, numbers) -> list[str]:
    return [register(client, headers, household(grid, n)) for n in numbers]


def reason(r) -> str:
    return r.json["reason"]["code"]


def test_a_building_head_is_a_resident_there_with_a_masked_phone_revealed_on_record(client, district, as_worker,
                                                                                    households_app):
    grid = district["grid_a"]
    [first, _] = homes(client, as_worker, grid, [1, 2])  # both in 1栋
    resident_id = client.get(f"/households/{first}", headers=as_worker).json["residents"][0]["resident_id"]

    r = client.put(f"/grids/{grid}/building-heads", json={"building": "1栋", "resident_id": resident_id},
                   headers=as_worker)
    assert r.status_code == 200, r.json
    head = r.json
    assert (head["name"], head["household_id"], head["phone"]) == ("居民1", first, "138********")
    stored = BuildingHead.objects.get(pk=head["id"])
    assert stored.phone == phone(1)
    [event] = [e.envelope for e in stored.outbox]
    assert event["type"] == "building_head.changed" and event["data"]["name"] == "居民1"
    assert phone(1) not in str(event)  # no phone travels in events

    # masked on the household page's data and on the grid's network
    net = client.get(f"/households/{first}/network", headers=as_worker).json
    assert net["building_head"]["name"] == "居民1" and net["building_head"]["phone"] == "138********"
    grid_net = client.get(f"/grids/{grid}/network", headers=as_worker).json
    assert grid_net["buildings"] == [{"building": "1栋", "households": 2, "head": grid_net["building_heads"][0],
                                      "residents_group": None}]
    assert grid_net["building_heads"][0]["phone"] == "138********"

    # shown in full only with register.reveal, and recorded like a household's reveal
    r = client.post(f"/building-heads/{head['id']}/reveal", json={"reason": "通知楼栋长演练"}, headers=as_worker)
    assert r.status_code == 200 and r.json["phone"] == phone(1)
    record = RevealRecord.objects.get(kind="network")
    assert (record.household_id, record.user_id, record.reason) == (first, "w-a", "通知楼栋长演练")
    street = headers_for(households_app, role="street_staff", user_id="st", communities=[district["community"]])
    assert client.post(f"/building-heads/{head['id']}/reveal", json={"reason": "x"}, headers=street).status_code == 403

    # another head for the same building replaces the first: one head per building
    r = client.put(f"/grids/{grid}/building-heads", json={"building": "1栋", "name": "王楼长", "phone": "13900001111"},
                   headers=as_worker)
    assert r.status_code == 200 and r.json["id"] == head["id"] and r.json["household_id"] is None
    assert BuildingHead.objects.count() == 1


def test_building_head_refusals_are_422s_on_the_field(client, district, as_worker, as_staff, households_app):
    grid = district["grid_a"]
    [first] = homes(client, as_worker, grid, [1])
    homes(client, as_staff, district["grid_b"], [41])  # 2栋 lives in grid B, not A
    other = client.get(f"/households/{first}", headers=as_worker).json["residents"][0]["resident_id"]

    def put(body, headers=as_worker):
        return client.put(f"/grids/{grid}/building-heads", json=body, headers=headers)

    r = put({"building": "2栋", "name": "李四", "phone": "13900001111"})
    assert r.status_code == 422 and reason(r) == "network.building_not_in_grid" and "building" in r.json["fields"]
    r = put({"building": "1栋", "name": "李四"})
    assert r.status_code == 422 and reason(r) == "network.head_phone_needed"
    r = put({"building": "1栋", "phone": "13900001111"})
    assert r.status_code == 422 and reason(r) == "network.head_name_needed"
    r = put({"building": "1栋", "resident_id": "nobody-here"})
    assert r.status_code == 422 and reason(r) == "network.head_not_in_building"
    r = put({"building": "1栋", "name": "李四", "phone": "123"})
    assert r.status_code == 422 and "phone" in r.json["fields"]
    # outside the worker's grid: not found; a role without network.manage: 403
    other_worker = headers_for(households_app, role="grid_worker", user_id="w-b", grids=[district["grid_b"]])
    assert put({"building": "1栋", "resident_id": other}, other_worker).status_code == 404
    street = headers_for(households_app, role="street_staff", user_id="st", communities=[district["community"]])
    assert put({"building": "1栋", "resident_id": other}, street).status_code == 403
    assert BuildingHead.objects.count() == 0


def test_ten_household_groups_with_a_lead_and_every_refusal(client, district, as_worker, as_staff):
    grid = district["grid_a"]
    ids = homes(client, as_worker, grid, range(1, 19))  # 18 households of grid A
    [elsewhere] = homes(client, as_staff, district["grid_b"], [30])

    def create(body):
        return client.post(f"/grids/{grid}/ten-groups", json=body, headers=as_worker)

    r = create({"name": "第一联户", "household_ids": ids[:10], "lead_household_id": ids[0]})
    assert r.status_code == 201, r.json
    group = r.json
    assert group["lead_label"] == "1栋2单元102" and len(group["members"]) == 10
    stored = TenHouseholdGroup.objects.get(pk=group["id"])
    assert [e.envelope["data"]["household_ids"] for e in stored.outbox] == [ids[:10]]

    refusals = [
        ({"name": "x", "household_ids": ids[10:14], "lead_household_id": ids[0]}, "network.lead_not_a_member"),
        ({"name": "x", "household_ids": ids[9:14], "lead_household_id": ids[10]}, "network.in_another_group"),
        ({"name": "x", "household_ids": ids[10:14] + [elsewhere], "lead_household_id": ids[10]},
         "network.not_households_of_grid"),
        ({"name": "x", "household_ids": [ids[10]], "lead_household_id": ids[10]}, "network.group_too_small"),
        ({"name": "x", "household_ids": [ids[10], ids[10]], "lead_household_id": ids[10]}, "network.household_twice"),
    ]
    for body, code in refusals:
        r = create(body)
        assert r.status_code == 422 and reason(r) == code, (code, r.json)
        assert r.json["fields"]
    # too large: more than TEN_GROUP_MAX_HOUSEHOLDS (15)
    many = homes(client, as_worker, grid, range(19, 27))
    r = create({"name": "x", "household_ids": ids[10:] + many, "lead_household_id": ids[10]})
    assert r.status_code == 422 and reason(r) == "network.group_too_large"
    assert r.json["reason"]["params"] == {"max": 15}
    assert TenHouseholdGroup.objects.count() == 1

    # the household's place in the network shows its group and lead
    net = client.get(f"/households/{ids[3]}/network", headers=as_worker).json
    assert net["ten_group"]["name"] == "第一联户" and net["ten_group"]["lead_household_id"] == ids[0]
    assert net["ten_group"]["is_lead"] is False
    assert client.get(f"/households/{ids[0]}/network", headers=as_worker).json["ten_group"]["is_lead"] is True

    # changed with the version read; a stale version is a 409
    body = {"name": "第一联户", "household_ids": ids[:8], "lead_household_id": ids[1], "version": group["version"]}
    r = client.put(f"/ten-groups/{group['id']}", json=body, headers=as_worker)
    assert r.status_code == 200 and r.json["lead_household_id"] == ids[1] and len(r.json["household_ids"]) == 8
    assert client.put(f"/ten-groups/{group['id']}", json=body, headers=as_worker).status_code == 409
    # freed households may join another group; dissolving frees them all
    r = create({"name": "第二联户", "household_ids": ids[8:12], "lead_household_id": ids[8]})
    assert r.status_code == 201
    assert client.delete(f"/ten-groups/{group['id']}", headers=as_worker).json["household_ids"] == []
    assert client.get(f"/households/{ids[3]}/network", headers=as_worker).json["ten_group"] is None
    grid_net = client.get(f"/grids/{grid}/network", query_string={"building": "1栋"}, headers=as_worker).json
    assert [g["name"] for g in grid_net["ten_groups"]] == ["第二联户"]
    assert grid_net["households_grouped"] == 4
    in_second = [h for h in grid_net["households"] if h["group_name"] == "第二联户"]
    assert len(in_second) == 4


def test_households_that_leave_move_or_are_redrawn_drop_out_of_their_group(client, district, as_worker,
                                                                           households_app):
    grid, grid_b = district["grid_a"], district["grid_b"]
    staff = headers_for(households_app, role="community_staff", user_id="s-c1", communities=[district["community"]])
    ids = homes(client, as_worker, grid, [1, 2, 3, 4, 5, 41])  # 41: in 2栋
    group = client.post(f"/grids/{grid}/ten-groups", headers=as_worker, json={
        "name": "联户", "household_ids": ids, "lead_household_id": ids[0]}).json

    def version(hid):
        return client.get(f"/households/{hid}", headers=staff).json["version"]

    # the lead leaves the district: out of the group, which has no lead until one is chosen
    r = client.post(f"/households/{ids[0]}/leave", headers=staff,
                    json={"moved_out_on": "2024-01-01", "version": version(ids[0])})
    assert r.status_code == 200, r.json
    # another moves to grid B: out of grid A's group
    r = client.post(f"/households/{ids[1]}/move", headers=staff, json={"to_grid_id": grid_b, "version": version(ids[1])})
    assert r.status_code == 200, r.json
    # 2栋 is redrawn into grid B
    r = client.post(f"/grids/{grid}/redraw", headers=staff, json={"to_grid_id": grid_b, "buildings": ["2栋"],
                                                                  "reason": "调整网格"})
    assert r.status_code == 201, r.json

    now = client.get(f"/ten-groups/{group['id']}", headers=staff).json
    assert now["household_ids"] == ids[2:5] and now["lead_household_id"] is None
    stored = TenHouseholdGroup.objects.get(pk=group["id"])
    changes = [e.envelope["data"] for e in stored.outbox if e.type == "household_group.changed"]
    assert [len(c["household_ids"]) for c in changes] == [6, 5, 4, 3]
    assert client.get(f"/households/{ids[1]}/network", headers=staff).json["ten_group"] is None
    # the one who moved may join a group of its new grid; the worker's handler (run again) leaves that alone
    r = client.post(f"/grids/{grid_b}/ten-groups", headers=staff, json={
        "name": "新联户", "household_ids": [ids[1], ids[5]], "lead_household_id": ids[1]})
    assert r.status_code == 201, r.json
    from services.households.service import drop_from_network
    assert sum(drop_from_network(household_id=i) for i in ids) == 0
    assert client.get(f"/households/{ids[1]}/network", headers=staff).json["ten_group"]["name"] == "新联户"
    # a lead must be chosen again among those left
    r = client.put(f"/ten-groups/{group['id']}", headers=staff, json={
        "name": "联户", "household_ids": now["household_ids"], "lead_household_id": ids[0], "version": now["version"]})
    assert r.status_code == 422 and reason(r) == "network.lead_not_a_member"


def test_residents_groups_of_a_community(client, district, as_worker, as_staff):
    community = district["community"]
    ids = homes(client, as_worker, district["grid_a"], [1, 41])  # 1栋 and 2栋
    body = {"number": 1, "name": "第一居民小组", "buildings": ["1栋"], "leader_name": "赵组长",
            "leader_phone": "13700002222"}
    # a grid worker does not manage the community's groups
    assert client.post(f"/communities/{community}/residents-groups", json=body, headers=as_worker).status_code == 404
    r = client.post(f"/communities/{community}/residents-groups", json=body, headers=as_staff)
    assert r.status_code == 201, r.json
    assert r.json["leader_phone"] == "137********"
    r = client.post(f"/communities/{community}/residents-groups", json=body, headers=as_staff)
    assert r.status_code == 409 and reason(r) == "network.residents_group_number_taken"
    r = client.post(f"/communities/{community}/residents-groups", headers=as_staff,
                    json={**body, "number": 2, "buildings": ["9栋"]})
    assert r.status_code == 422 and reason(r) == "network.building_not_in_community"
    r = client.post(f"/communities/{community}/residents-groups", headers=as_staff,
                    json={**body, "number": 2, "buildings": []})
    assert r.status_code == 422 and reason(r) == "network.group_needs_members"
    r = client.post(f"/communities/{community}/residents-groups", headers=as_staff,
                    json={"number": 2, "name": "第二居民小组", "household_ids": [ids[1]]})
    assert r.status_code == 201

    assert client.get(f"/households/{ids[0]}/network", headers=as_worker).json["residents_group"]["name"] == "第一居民小组"
    assert client.get(f"/households/{ids[1]}/network", headers=as_worker).json["residents_group"]["name"] == "第二居民小组"
    listed = client.get(f"/communities/{community}/residents-groups", headers=as_staff).json
    assert [g["number"] for g in listed] == [1, 2] and listed[0]["leader_phone"] == "137********"
    r = client.post(f"/residents-groups/{listed[0]['id']}/reveal", json={"reason": "联系组长"}, headers=as_staff)
    assert r.status_code == 200 and r.json["leader_phone"] == "13700002222"
    assert RevealRecord.objects(kind="network").count() == 1


def test_two_groups_formed_at_the_same_moment_cannot_share_a_household(client, district, as_worker, monkeypatch):
    """The check before the write can pass for both of two requests at once; the unique index decides, and the
    second hears the same 422 as if it had come later."""
    from services.households.service import network

    grid = district["grid_a"]
    ids = homes(client, as_worker, grid, [1, 2, 3, 4])
    assert client.post(f"/grids/{grid}/ten-groups", headers=as_worker, json={
        "name": "先到", "household_ids": ids[:2], "lead_household_id": ids[0]}).status_code == 201
    real = network._check_members
    calls = []

    def raced(*args, **kwargs):  # the second request's check ran before the first one's write
        calls.append(1)
        if len(calls) > 1:
            return real(*args, **kwargs)

    monkeypatch.setattr(network, "_check_members", raced)
    r = client.post(f"/grids/{grid}/ten-groups", headers=as_worker, json={
        "name": "后到", "household_ids": ids[1:4], "lead_household_id": ids[2]})
    assert r.status_code == 422 and reason(r) == "network.in_another_group" and len(calls) == 2
    assert TenHouseholdGroup.objects(name="后到").count() == 0


def test_a_head_whose_household_leaves_the_building_heads_it_no_more(client, district, as_worker):
    grid = district["grid_a"]
    ids = homes(client, as_worker, grid, [1, 2, 41])  # 1栋, 1栋, 2栋
    first = client.get(f"/households/{ids[0]}", headers=as_worker).json
    second = client.get(f"/households/{ids[1]}", headers=as_worker).json
    for h in (first, second):
        head = client.put(f"/grids/{grid}/building-heads", headers=as_worker, json={
            "building": "1栋", "resident_id": h["residents"][0]["resident_id"]}).json
    assert head["household_id"] == ids[1]
    # the head's household moves to 2栋 (an edit of its address): 1栋 has no head any more
    body = {k: second[k] for k in ("residency", "residents", "version")}
    body["address"] = {**second["address"], "building": "2栋", "room": "909"}
    body["residents"] = [{k: r[k] for k in ("resident_id", "name", "relation")} for r in second["residents"]]
    r = client.put(f"/households/{ids[1]}", json=body, headers=as_worker)
    assert r.status_code == 200, r.json
    assert client.get(f"/households/{ids[0]}/network", headers=as_worker).json["building_head"] is None
    stored = BuildingHead.objects.get(pk=head["id"])
    assert stored.removed and stored.phone is None
    assert [e.envelope["data"]["removed"] for e in stored.outbox][-1] is True
    # a head named anew, whose household then leaves the district: removed again
    client.put(f"/grids/{grid}/building-heads", headers=as_worker, json={
        "building": "1栋", "resident_id": first["residents"][0]["resident_id"]})
    staff_version = client.get(f"/households/{ids[0]}", headers=as_worker).json["version"]
    r = client.post(f"/households/{ids[0]}/leave", headers=as_worker,
                    json={"moved_out_on": "2024-01-01", "version": staff_version})
    assert r.status_code == 200, r.json
    assert BuildingHead.objects.get(pk=head["id"]).removed
    grid_net = client.get(f"/grids/{grid}/network", headers=as_worker).json
    assert grid_net["building_heads"] == []


def test_the_demo_district_has_a_network_and_a_resumed_load_groups_only_the_new_households(households_app,
                                                                                            monkeypatch):
    import os

    from localrun import demo_data
    from tests.support.stack import serve

    key = os.environ["IDENTITY_PRIVATE_KEY"]
    with serve(households_app) as url:
        monkeypatch.setattr(demo_data, "GRIDS", [("XF-01", "幸福一网格", "XF", 25)])
        assert demo_data.seed(households_url=url, identity_private_key=key) == 25
        groups = {g.name: len(g.household_ids) for g in TenHouseholdGroup.objects}
        assert groups == {"1栋第1联户": 10, "1栋第2联户": 10, "1栋第3联户": 5}
        assert [h.name for h in BuildingHead.objects] == [demo_data.demo_household("XF-01", 0)["residents"][0]["name"]]
        monkeypatch.setattr(demo_data, "GRIDS", [("XF-01", "幸福一网格", "XF", 52)])
        assert demo_data.seed(households_url=url, identity_private_key=key, resume=True) == 27
        groups = {g.name: len(g.household_ids) for g in TenHouseholdGroup.objects}
        assert groups == {"1栋第1联户": 10, "1栋第2联户": 10, "1栋第3联户": 5, "1栋第4联户": 10, "1栋第5联户": 10,
                          "1栋第6联户": 3, "2栋第1联户": 4}
        assert BuildingHead.objects.count() == 2
