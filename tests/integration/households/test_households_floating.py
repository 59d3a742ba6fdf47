"""Issue 15 point 6: floating population (流动人口) as the register needs it, over HTTP against a real
MongoDB-wire server: place of registration, residence permit (居住证) number and expiry, arrival date and expected
stay per resident of a floating household; the permit number masked in every channel unless revealed (recorded);
clear 422s; the permits expiring within PERMIT_EXPIRY_NOTICE_DAYS (and those expired) listed per grid, in scope."""
import csv
import io
from datetime import timedelta

from prometheus_client import generate_latest

from services.households import metrics, service
from services.households.models import Household, RevealRecord
from shared import clock
from shared.metrics_refresh import REFRESHED
from tests.support.callers import headers_for
from tests.support.data import household
from tests.support.imports import run_import

PERMIT = "SZ4403A0012345"
MASKED = PERMIT[:2] + "*" * (len(PERMIT) - 2)


def day(offset: int) -> str:
    return (clock.today() + timedelta(days=offset)).isoformat()


def floating(grid_id: str, n: int, *, permit=PERMIT, expires=None, arrived=None, **extra) -> dict:
    body = household(grid_id, n)
    body["residency"] = "floating"
    body["residents"][0].update({"hukou_place": "河南省周口市", "permit_number": permit,
                                 "permit_expires_on": expires or day(200), "arrived_on": arrived or day(-300),
                                 "stay_months": 24, **extra})
    return body


def register(client, headers, body) -> dict:
    r = client.post("/households", json=body, headers=headers)
    assert r.status_code == 201, r.json
    return r.json


def test_a_floating_residents_permit_is_kept_and_masked_in_every_channel_until_revealed(client, district, as_worker):
    grid = district["grid_a"]
    created = register(client, as_worker, floating(grid, 1))
    hid = created["id"]
    head = created["residents"][0]
    assert (head["hukou_place"], head["permit_number"], head["permit_expires_on"], head["arrived_on"],
            head["stay_months"]) == ("河南省周口市", MASKED, day(200), day(-300), 24)
    stored = Household.objects.get(pk=hid).residents[0]
    assert stored.permit_number == PERMIT

    got = client.get(f"/households/{hid}", headers=as_worker).json
    listed = client.get("/households", query_string={"grid_id": grid}, headers=as_worker).json["items"]
    assert got["residents"][0]["permit_number"] == MASKED == listed[0]["residents"][0]["permit_number"]
    for fragment in (PERMIT, PERMIT[2:10].lower()):       # search is by address and name only
        found = client.get("/households", query_string={"grid_id": grid, "q": fragment}, headers=as_worker).json
        assert found["total"] == 0

    export = client.get(f"/grids/{grid}/export", query_string={"format": "csv"}, headers=as_worker)
    rows = list(csv.reader(io.StringIO(export.data.decode("utf-8-sig"))))
    column = rows[0].index("居住证号")
    assert rows[1][column] == MASKED and PERMIT not in export.data.decode("utf-8-sig")
    assert {"户籍地", "居住证有效期至", "来本地日期", "预计居住期限（月）"} <= set(rows[0])
    assert rows[1][rows[0].index("户籍地")] == "河南省周口市"
    assert rows[1][rows[0].index("居住证有效期至")] == day(200)
    assert RevealRecord.objects.count() == 0

    # events carry no permit number and none of the personal floating fields: only the residency flag
    for entry in Household.objects.get(pk=hid).outbox:
        text = str(entry.envelope)
        assert PERMIT not in text and "permit" not in text and "hukou" not in text
        assert entry.envelope["data"]["residency"] == "floating"

    mediator = headers_for(role="mediator", grids=[grid])    # reads the register, may not reveal
    assert client.get(f"/households/{hid}", headers=mediator).json["residents"][0]["permit_number"] == MASKED
    assert client.post(f"/households/{hid}/reveal", json={"reason": "看看"}, headers=mediator).status_code == 403
    assert client.post("/households/lookup", json={"number": PERMIT, "reason": "看看"},
                       headers=mediator).status_code == 403
    revealed = client.post(f"/households/{hid}/reveal", json={"reason": "居住证续签核对"}, headers=as_worker)
    assert revealed.status_code == 200 and revealed.json["residents"][0]["permit_number"] == PERMIT
    full = client.post(f"/grids/{grid}/export", json={"format": "csv", "reason": "居住证年审"}, headers=as_worker)
    rows = list(csv.reader(io.StringIO(full.data.decode("utf-8-sig"))))
    assert rows[1][rows[0].index("居住证号")] == PERMIT
    assert [(r.kind, r.reason) for r in RevealRecord.objects(household_id=hid).order_by("at")] == [
        ("reveal", "居住证续签核对"), ("reveal", "[导出] 居住证年审")]

    # found by the full permit number through the keyed look-up (recorded); never by a part of it
    by_permit = client.post("/households/lookup", json={"number": PERMIT.lower(), "reason": "居住证核验"},
                            headers=as_worker)
    assert by_permit.status_code == 200 and [h["id"] for h in by_permit.json] == [hid]
    assert by_permit.json[0]["residents"][0]["permit_number"] == MASKED
    part = client.post("/households/lookup", json={"number": PERMIT[:8], "reason": "居住证核验"}, headers=as_worker)
    assert part.status_code == 200 and part.json == []
    assert RevealRecord.objects(household_id=hid, kind="lookup").count() == 1
    refused = client.post("/households", json=floating(grid, 9, permit=PERMIT + "!"), headers=as_worker)
    assert refused.status_code == 422 and PERMIT not in refused.get_data(as_text=True)


def test_bad_floating_fields_get_422_on_the_field_and_nothing_is_stored(client, district, as_worker):
    grid = district["grid_a"]
    cases = [
        (floating(grid, 2, expires=day(-400), arrived=day(-300)), "residents.0.permit_expires_on",
         "floating.expires_before_arrival"),
        (floating(grid, 3, permit="12-34"), "residents.0.permit_number", "floating.permit_number_form"),
        (floating(grid, 4, permit="A" * 31), "residents.0.permit_number", "floating.permit_number_form"),
        (floating(grid, 5, permit="居住证123456"), "residents.0.permit_number", "floating.permit_number_form"),
        (floating(grid, 6, stay_months=0), "residents.0.stay_months", None),
    ]
    registered = floating(grid, 7)
    registered["residency"] = "registered"
    cases.append((registered, "residents.0.permit_number", "floating.only_floating"))
    for body, field, code in cases:
        r = client.post("/households", json=body, headers=as_worker)
        assert r.status_code == 422, (field, r.json)
        assert field in r.json["fields"], r.json
        if code:
            assert r.json["field_reasons"][field][0]["code"] == code
    r = client.post("/households", json=registered, headers=as_worker)
    assert {f for f in r.json["fields"]} == {f"residents.0.{k}" for k in (
        "hukou_place", "permit_number", "permit_expires_on", "arrived_on", "stay_months")}
    assert Household.objects.count() == 0


def test_an_edit_keeps_the_permit_number_left_out_and_a_registered_household_keeps_no_permit(client, district,
                                                                                                 as_worker):
    created = register(client, as_worker, floating(district["grid_a"], 8))
    hid, head = created["id"], created["residents"][0]
    body = {"address": created["address"], "residency": "floating", "version": created["version"],
            "residents": [{"resident_id": head["resident_id"], "name": head["name"], "relation": "head",
                           "hukou_place": "四川省南充市", "permit_expires_on": day(100), "arrived_on": day(-10)}]}
    r = client.put(f"/households/{hid}", json=body, headers=as_worker)
    assert r.status_code == 200, r.json
    stored = Household.objects.get(pk=hid).residents[0]
    assert (stored.permit_number, stored.hukou_place, stored.stay_months) == (PERMIT, "四川省南充市", None)

    body = {**body, "residency": "registered", "version": r.json["version"],
            "residents": [{"resident_id": head["resident_id"], "name": head["name"], "relation": "head"}]}
    r = client.put(f"/households/{hid}", json=body, headers=as_worker)
    assert r.status_code == 200, r.json
    stored = Household.objects.get(pk=hid).residents[0]
    assert (stored.permit_number, stored.hukou_place, stored.permit_expires_on) == (None, None, None)


def test_permits_expiring_within_the_notice_days_and_expired_ones_are_listed_for_the_grid(client, district,
                                                                                           as_worker, households_app):
    grid = district["grid_a"]
    soon = register(client, as_worker, floating(grid, 10, permit="PERMIT0010", expires=day(10)))
    gone = register(client, as_worker, floating(grid, 11, permit="PERMIT0011", expires=day(-5)))
    edge = register(client, as_worker, floating(grid, 12, permit="PERMIT0012", expires=day(30)))
    register(client, as_worker, floating(grid, 13, permit="PERMIT0013", expires=day(31)))    # outside the 30 days
    register(client, as_worker, floating(grid, 14, permit=None, expires=None, arrived=None))
    other = headers_for(households_app, role="grid_worker", user_id="w-b", grids=[district["grid_b"]])
    register(client, other, floating(district["grid_b"], 15, permit="PERMIT0015", expires=day(3)))

    r = client.get(f"/grids/{grid}/permits-expiring", headers=as_worker)
    assert r.status_code == 200, r.json
    assert [(row["household_id"], row["days_left"], row["expired"]) for row in r.json] == [
        (gone["id"], -5, True), (soon["id"], 10, False), (edge["id"], 30, False)]
    first = r.json[0]
    assert first["permit_number"] == "PE********" and first["name"] == "居民11"
    assert first["permit_expires_on"] == day(-5) and first["address"] == gone["address"]
    assert "PERMIT0011" not in r.get_data(as_text=True)

    # scope: another grid's worker cannot see this grid's list; community staff can
    assert client.get(f"/grids/{grid}/permits-expiring", headers=other).status_code in (403, 404)
    staff = headers_for(households_app, role="community_staff", communities=[district["community"]])
    assert len(client.get(f"/grids/{grid}/permits-expiring", headers=staff).json) == 3
    outsider = headers_for(households_app, role="community_staff", communities=["C2"])
    assert client.get(f"/grids/{grid}/permits-expiring", headers=outsider).status_code in (403, 404)

    # the metric: counts per grid and state, no names or numbers in its labels
    for gid in (grid, district["grid_b"]):
        service.refresh_summary(grid_id=gid)
    metrics.refresh()
    scrape = generate_latest(REFRESHED).decode()
    sample = lambda g, state: REFRESHED.get_sample_value(  # noqa: E731
        "grid_residence_permits", {"community_id": "C1", "grid_id": g, "state": state})
    assert (sample(grid, "expiring"), sample(grid, "expired")) == (2, 1)
    assert (sample(district["grid_b"], "expiring"), sample(district["grid_b"], "expired")) == (1, 0)
    assert "PERMIT00" not in scrape and "居民11" not in scrape


def test_the_register_sheet_imports_the_floating_columns_and_refuses_what_does_not_fit(client, district, as_worker):
    grid = district["grid_a"]
    header = ["楼栋", "房号", "户籍类型", "与户主关系", "姓名", "户籍地", "居住证号", "居住证有效期至", "来本地日期",
              "预计居住期限（月）"]
    good = [["8栋", "101", "流动", "户主", "周外来", "安徽省阜阳市", "ah 3412 0099", day(20), day(-100), "12个月"]]

    def upload(rows, **form):
        text = io.StringIO()
        csv.writer(text).writerows([header, *rows])
        data = {"file": (io.BytesIO(text.getvalue().encode("utf-8-sig")), "台账.csv"), **form}
        return run_import(client, grid, headers=as_worker, **data)

    bad = [["8栋", "102", "户籍", "户主", "吴本地", "", "AH34120100", "", "", ""],            # not floating
           ["8栋", "103", "流动", "户主", "郑脱敏", "", "AH**********", "", "", ""],            # a masked export's cell
           ["8栋", "104", "流动", "户主", "王日期", "", "AH34120102", day(-200), day(-100), "半年"]]
    r = upload(good + bad)
    assert r.status_code == 422, r.json
    problems = {(p["row"], p["field"], p["code"]) for p in r.json["report"]["bad_rows"]}
    assert problems == {(3, "居住证号", "floating.only_floating"), (4, "居住证号", "import.cell.masked_permit"),
                        (5, "预计居住期限（月）", "import.cell.not_months"),
                        (5, "居住证有效期至", "floating.expires_before_arrival")}
    assert Household.objects.count() == 0

    r = upload(good)
    assert r.status_code == 201, r.json
    [stored] = Household.objects(grid_id=grid)
    person = stored.residents[0]
    assert (stored.residency, person.hukou_place, person.permit_number, person.stay_months) == (
        "floating", "安徽省阜阳市", "AH34120099", 12)
    assert person.permit_expires_on.isoformat() == day(20) and person.arrived_on.isoformat() == day(-100)
    listed = client.get(f"/grids/{grid}/permits-expiring", headers=as_worker).json
    assert [(row["name"], row["days_left"]) for row in listed] == [("周外来", 20)]
