"""The four-in-one network in drills: building heads and ten-household groups reach the drills service as events (on
the real RabbitMQ, delivered twice), its handler keeps them idempotently and newest-wins, and the roll-call is
handed out by building (with its head) or by ten-household group (with its lead household) through the API; a
household that changes group shows in its new one."""
from dataclasses import replace
from datetime import timedelta

from bson import ObjectId

from services.drills.models import BuildingHead, HouseholdGroup
from services.households import events as hh_events
from services.households.models import BuildingHead as HhHead
from services.households.models import TenHouseholdGroup
from tests.support import broker
from tests.support.drills import COMMUNITY, GRID_A, GRID_B, deliver, drill_body, grid_created, household, registered


def homes(buildings: dict[str, int]) -> list:
    """Households of grid A in the named buildings (how many in each), registered with the drills copy."""
    out, n = [], 0
    for building, count in buildings.items():
        for _ in range(count):
            n += 1
            h = household(GRID_A, COMMUNITY, n)
            h.address.building, h.address.unit = building, "1单元"  # rooms in the order made
            out.append(h)
    return out


def head(building: str, name: str, household_id: str | None = None) -> HhHead:
    return HhHead(id=ObjectId(), community_id=COMMUNITY, grid_id=GRID_A, building=building, name=name,
                  household_id=household_id, phone="13900001111")


def group(name: str, members: list, lead) -> TenHouseholdGroup:
    return TenHouseholdGroup(id=ObjectId(), community_id=COMMUNITY, grid_id=GRID_A, name=name,
                             household_ids=[str(h.pk) for h in members], lead_household_id=str(lead.pk))


def roll(drills, who, drill_id, by):
    r = drills.get(f"/drills/{drill_id}/grids/{GRID_A}/roster", query_string={"by": by}, headers=who.worker())
    assert r.status_code == 200, r.json
    return r.json


def sections(body) -> list[tuple]:
    return [(s["title"], s["head_names"], s["lead_label"], [h["label"] for h in s["households"]])
            for s in body["sections"]]


def test_network_events_reach_drills_twice_and_hand_out_the_roll_call(drills, who, publisher, drills_worker):
    hs = homes({"1栋": 2, "2栋": 2})
    g = group("第一联户", hs[:3], lead=hs[1])
    history = [grid_created(GRID_A, COMMUNITY)]
    for h in hs:
        history += registered(h)
    history += [hh_events.building_head_changed(head("1栋", "王楼长", str(hs[0].pk))),
                hh_events.household_group_changed(g)]
    for event in history:
        publisher.publish(event.to_dict())
        publisher.publish(event.to_dict())  # delivered twice

    broker.wait_until(lambda: len(drills.get(f"/grids/{GRID_A}/roster", headers=who.staff()).json.get("households")
                                  or []) == 4, timeout=30)
    r = drills.post("/drills", json=drill_body(), headers=who.staff())
    assert r.status_code == 201, r.json
    drill_id = r.json["id"]

    def grouped():
        body = drills.get(f"/drills/{drill_id}/grids/{GRID_A}/roster", query_string={"by": "group"},
                          headers=who.worker()).json
        return body.get("sections") and body["sections"][0]["title"] == "第一联户" and body["total"] == 4
    broker.wait_until(grouped, timeout=30)
    assert HouseholdGroup.objects.count() == 1 and BuildingHead.objects.count() == 1
    labels = [label(h) for h in hs]
    assert sections(roll(drills, who, drill_id, "group")) == [
        ("第一联户", ["王楼长"], labels[1], labels[:3]), (None, [], None, labels[3:])]
    assert "phone" not in str(BuildingHead._get_collection().find_one())  # names only in the copy


def label(h) -> str:
    a = h.address
    return f"{a.building}{a.unit}{a.room}"


def test_roll_call_by_building_and_by_group_follows_groups_as_they_change(drills, who):
    hs = homes({"2栋": 2, "10栋": 2, "1栋": 1})
    deliver(grid_created(GRID_A, COMMUNITY), grid_created(GRID_B, COMMUNITY))
    for h in hs:
        deliver(*registered(h))
    labels = [label(h) for h in hs]
    deliver(hh_events.building_head_changed(head("2栋", "李楼长")),
            hh_events.building_head_changed(head("10栋", "赵楼长")))
    first = group("东联户", hs[:3], lead=hs[0])
    second = group("西联户", hs[3:4], lead=hs[3])
    deliver(hh_events.household_group_changed(first), hh_events.household_group_changed(second))

    drill_id = drills.post("/drills", json=drill_body(), headers=who.staff()).json["id"]
    # before the start: a preview, handed out the same way
    by_building = roll(drills, who, drill_id, "building")
    assert by_building["by"] == "building" and by_building["frozen"] is False
    assert sections(by_building) == [("1栋", [], None, [labels[4]]), ("2栋", ["李楼长"], None, labels[:2]),
                                     ("10栋", ["赵楼长"], None, labels[2:4])]
    assert drills.post(f"/drills/{drill_id}/start", headers=who.staff()).status_code == 200
    by_group = roll(drills, who, drill_id, "group")
    assert by_group["frozen"] is True
    assert sections(by_group) == [("东联户", ["李楼长", "赵楼长"], labels[0], labels[:3]),
                                  ("西联户", ["赵楼长"], labels[3], [labels[3]]),
                                  (None, [], None, [labels[4]])]
    # ticks show in the sections too
    tick = {"client_id": "net-tick-0001", "household_id": str(hs[0].pk), "status": "at_home"}
    r = drills.post(f"/drills/{drill_id}/grids/{GRID_A}/ticks", json={"ticks": [tick]}, headers=who.worker())
    assert r.status_code in (200, 207), r.json
    assert roll(drills, who, drill_id, "group")["sections"][0]["households"][0]["status"] == "at_home"

    # a household moves from the east group to the west one: the hand-out follows
    first.household_ids = [str(h.pk) for h in hs[:2]]
    second.household_ids = [str(h.pk) for h in hs[2:4]]
    deliver(hh_events.household_group_changed(first), hh_events.household_group_changed(second))
    assert sections(roll(drills, who, drill_id, "group"))[:2] == [
        ("东联户", ["李楼长"], labels[0], labels[:2]), ("西联户", ["赵楼长"], labels[3], labels[2:4])]
    # a group dissolved, a head removed: those households are in no group, the building has no head
    first.dissolved, first.household_ids, first.lead_household_id = True, [], None
    gone = head("2栋", None)
    gone.pk = BuildingHead.objects.get(name="李楼长").pk
    gone.removed = True
    deliver(hh_events.household_group_changed(first), hh_events.building_head_changed(gone))
    assert sections(roll(drills, who, drill_id, "group")) == [("西联户", ["赵楼长"], labels[3], labels[2:4]),
                                                              (None, [], None, [labels[4], labels[0], labels[1]])]
    # no `by`: no sections; an unknown one: 422
    assert drills.get(f"/drills/{drill_id}/grids/{GRID_A}/roster", headers=who.worker()).json["sections"] == []
    r = drills.get(f"/drills/{drill_id}/grids/{GRID_A}/roster", query_string={"by": "floor"}, headers=who.worker())
    assert r.status_code == 422


def test_the_network_handler_is_idempotent_and_an_older_event_never_wins(drills, who):
    hs = homes({"1栋": 3})
    deliver(grid_created(GRID_A, COMMUNITY))
    for h in hs:
        deliver(*registered(h))
    g = group("联户", hs, lead=hs[0])
    older = hh_events.household_group_changed(g)
    g.household_ids, g.lead_household_id = [str(h.pk) for h in hs[:2]], str(hs[1].pk)
    newer = replace(hh_events.household_group_changed(g), occurred_at=older.occurred_at + timedelta(seconds=1))
    deliver(newer, newer, older, older)
    [stored] = HouseholdGroup.objects
    assert stored.household_ids == [str(h.pk) for h in hs[:2]] and stored.lead_household_id == str(hs[1].pk)
    h_old = hh_events.building_head_changed(head("1栋", "甲"))
    renamed = head("1栋", "乙")
    renamed.pk = ObjectId(h_old.data["head_id"])
    h_new = replace(hh_events.building_head_changed(renamed), occurred_at=h_old.occurred_at + timedelta(seconds=1))
    deliver(h_new, h_old, h_new)
    assert [b.name for b in BuildingHead.objects] == ["乙"]
