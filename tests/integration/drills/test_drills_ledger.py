"""Supplies are booked in (入库) and out (出库) on a ledger whose sum is the stock; before, the quantity was simply
overwritten and a shortage had no metric. Over-drawing is a 422 that writes nothing; a PUT no longer sets the
quantity; the shortage gauge grid_drills_supplies_short (community, category: no personal data) follows the stock."""
from services.drills.models import Supply
from tests.support.drills import COMMUNITY, OTHER, district


def short_gauge(drills, community="C1", category="water") -> str:
    line = f'grid_drills_supplies_short{{category="{category}",community_id="{community}"}} '
    found = [x for x in drills.get("/metrics").text.splitlines() if x.startswith(line)]
    return found[0][len(line):] if found else None


def test_supplies_are_booked_in_and_out_and_a_shortage_is_measured(drills, who):
    district()
    staff = who.staff()
    r = drills.post("/supplies", json={"community_id": COMMUNITY, "name": "矿泉水", "category": "water", "unit": "箱",
                                       "quantity": 12, "required_quantity": 10, "location": "社区减灾防灾室"},
                    headers=staff)
    assert r.status_code == 201, r.json
    water = r.json
    assert [(m["direction"], m["quantity"], m["stock"], m["by"]) for m in water["movements"]] == [
        ("in", 12, 12, "s-c1")]
    assert short_gauge(drills) == "0.0"
    path = f"/supplies/{water['id']}/movements"

    r = drills.post(path, json={"direction": "out", "quantity": 5, "reason": "演练发放"}, headers=staff)
    assert (r.status_code, r.json["quantity"], r.json["problems"]) == (201, 7, ["short"])
    assert [(m["direction"], m["quantity"], m["reason"], m["stock"]) for m in r.json["movements"]] == [
        ("out", 5, "演练发放", 7), ("in", 12, "opening stock", 12)]
    metrics = drills.get("/metrics").text
    assert 'grid_drills_supplies_short{category="water",community_id="C1"} 1.0' in metrics
    assert "# TYPE grid_drills_supplies_short gauge" in metrics

    # more out than in stock: 422 with the stock in the reason, and nothing written
    version = Supply.objects.get(pk=water["id"]).version
    r = drills.post(path, json={"direction": "out", "quantity": 8, "reason": "转运"}, headers=staff)
    assert r.status_code == 422 and r.json["reason"] == {"code": "drills.out_more_than_stock",
                                                         "params": {"stock": 7, "quantity": 8}}
    assert set(r.json["field_reasons"]) == {"quantity"}
    for bad, field in (({"direction": "sideways", "quantity": 1, "reason": "x"}, "direction"),
                       ({"direction": "in", "quantity": 0, "reason": "x"}, "quantity"),
                       ({"direction": "in", "quantity": -3, "reason": "x"}, "quantity"),
                       ({"direction": "in", "quantity": 3, "reason": " "}, "reason"),
                       ({"direction": "in", "quantity": 3}, "reason")):
        r = drills.post(path, json=bad, headers=staff)
        assert r.status_code == 422 and field in r.json["fields"], (bad, r.json)
    stored = Supply.objects.get(pk=water["id"])
    assert (stored.version, stored.quantity, len(stored.movements)) == (version, 7, 2)

    # the quantity is no longer set directly; the rest of the item still is
    body = {"name": "矿泉水", "category": "water", "unit": "箱", "location": "社区仓库", "required_quantity": 10,
            "version": version}
    r = drills.put(f"/supplies/{water['id']}", json={**body, "quantity": 50}, headers=staff)
    assert r.status_code == 422 and r.json["reason"]["code"] == "drills.quantity_by_movements"
    assert Supply.objects.get(pk=water["id"]).quantity == 7
    r = drills.put(f"/supplies/{water['id']}", json=body, headers=staff)
    assert (r.status_code, r.json["location"], r.json["quantity"]) == (200, "社区仓库", 7)

    # booked in again: stock is the sum of the lines, the shortage clears
    r = drills.post(path, json={"direction": "in", "quantity": 20, "reason": "区应急局调拨"}, headers=staff)
    assert (r.status_code, r.json["quantity"], r.json["problems"]) == (201, 27, [])
    lines = Supply.objects.get(pk=water["id"]).movements
    assert sum(m.quantity if m.direction == "in" else -m.quantity for m in lines) == 27
    assert short_gauge(drills) == "0.0"

    # who may: staff of the community; a grid worker may not; another community does not see it
    line = {"direction": "out", "quantity": 1, "reason": "x"}
    assert drills.post(path, json=line, headers=who.worker()).status_code == 403
    assert drills.post(path, json=line, headers=who.staff(OTHER, "s-c2")).status_code == 404
    assert Supply.objects.get(pk=water["id"]).quantity == 27
