"""The desk's intake and reading over HTTP against the MongoDB-wire server: requests and incidents registered and
numbered per kind, refusals with their field, receipts with the one-time notice and feedback link, an offline
report sent twice, photos cleaned before anything is written, lists, figures and hot spots by kind, feeds."""
import json
from datetime import date
from io import BytesIO

import gridfs
import mongoengine as me
import pytest

from services.mediation import events, handlers, photos
from services.mediation.models import Dispatch, Dispute, Notification
from services.mediation.service import feedback
from shared.clock import now
from shared.tokens import token_hash
from tests.support import broker
from tests.support.callers import headers_for
from tests.support.mediation import dispute_body
from tests.support.photos import jpeg

GPS = {1: "N", 2: (30.0, 15.0, 36.0), 3: "E", 4: (120.0, 9.0, 0.0)}


def request_body(applicant=None, *, category="subsistence", **extra) -> dict:
    return {"category": category, "description": "低保年审，老人行动不便", "urgency": "normal", "channel": "walk_in",
            "applicant": applicant or {"kind": "person", "name": "王大爷", "phone": "13800138000"}, **extra}


def incident_body(**extra) -> dict:
    return {"grid_id": "C1-G1", "category": "public_facility", "description": "3栋楼道灯不亮",
            "place": {"building": "3栋"}, **extra}


def ok(response, status=201):
    assert response.status_code == status, response.json
    return response.json


def refused(response, status, field):
    assert response.status_code == status, response.json
    assert field in response.json["fields"], response.json
    return response.json


@pytest.fixture
def c1(register, today):
    today.set("2026-03-02")
    return register("C1-G1", 3)


# ---- registering -------------------------------------------------------------------------------

def test_a_request_from_a_household_is_numbered_received_and_carries_its_notice(api, people, c1):
    r = ok(api.post("/requests", json=request_body({"kind": "household", "household_id": c1}),
                    headers=people["worker"]))
    case, receipt = r["case"], r["receipt"]
    assert (case["kind"], case["kind_label"], case["number"]) == ("request", "求助办事", "2026-QZ-0001")
    assert (case["grid_id"], case["community_id"], case["category_label"]) == ("C1-G1", "C1", "最低生活保障")
    assert [(p["role"], p["household_id"], p["name"]) for p in case["parties"]] == [("applicant", c1, "居民3")]
    assert case["first_contact"]["user_id"] == "w-a" and case["status"] == "registered"
    assert case["due_on"] == "2026-03-11" and case["clock"]["running"]
    assert receipt["number"] == case["number"] and receipt["kind"] == "request" and receipt["applicants"] == ["居民3"]
    assert "户口簿" in receipt["notice"]["documents"] and "收入" in "".join(receipt["notice"]["documents"])
    assert receipt["notice"]["title"] == "最低生活保障受理一次性告知书" and "2026年3月11日" in receipt["notice"]["deadline"]
    url = receipt["feedback_url"]
    assert url.startswith("https://grid.example.cn/case/")
    stored = Dispute.objects.get(pk=case["id"])
    assert stored.receipt_token_hash == token_hash(url.rsplit("/", 1)[1])
    assert [e.type for e in stored.outbox] == ["case.registered"]
    # the first-contact owner reads it; staff may dispatch it; nobody may handle or verify it yet
    assert ok(api.get(f"/cases/{case['id']}", headers=people["worker"]), 200)["allowed"] == {
        "dispatch": False, "handle": False, "verify": False}
    assert ok(api.get(f"/cases/{case['id']}", headers=people["staff"]), 200)["allowed"]["dispatch"] is True
    assert api.get(f"/cases/{case['id']}", headers=people["staff_c2"]).status_code == 404


def test_an_incident_is_numbered_per_kind_and_its_reporter_owns_it(api, people, c1):
    first = ok(api.post("/incidents", json=incident_body(), headers=people["worker"]))
    case, receipt = first["case"], first["receipt"]
    assert (case["kind"], case["number"], case["category_label"]) == ("incident", "2026-SJ-0001", "公共设施")
    assert case["place"] == {"building": "3栋", "text": None, "lat": None, "lon": None, "gps_from": None}
    assert case["parties"] == [] and case["channel"] == "grid_report" and case["first_contact"]["user_id"] == "w-a"
    assert receipt["notice"]["title"] == "公共设施事件登记告知" and receipt["feedback_url"]
    # numbers run per kind and per year: a request, a dispute and a second incident each take their own
    assert ok(api.post("/requests", json=request_body(grid_id="C1-G1"), headers=people["worker"]))["case"][
        "number"] == "2026-QZ-0001"
    assert ok(api.post("/disputes", json=dispute_body(), headers=people["worker"]))["dispute"]["number"] == \
        "2026-XF-0001"
    assert ok(api.post("/incidents", json=incident_body(category="other"), headers=people["worker"]))["case"][
        "number"] == "2026-SJ-0002"


def test_bad_intake_is_refused_on_its_field_and_leaves_no_case_and_no_gap(api, people, c1):
    w = people["worker"]
    refused(api.post("/requests", json=request_body(category="safety_hazard"), headers=w), 422, "category")
    refused(api.post("/requests", json=request_body(grid_id="C9-G9"), headers=w), 422, "grid_id")
    refused(api.post("/requests", json={k: v for k, v in request_body(grid_id="C1-G1").items() if k != "applicant"},
                     headers=w), 422, "applicant")
    refused(api.post("/requests", json=request_body({"kind": "person"}, grid_id="C1-G1"), headers=w), 422,
            "applicant.name")
    # a grid worker registers in their own grid only: another grid is outside their area, as for a dispute
    refused(api.post("/requests", json=request_body(grid_id="C1-G2"), headers=w), 404, "community_id")
    refused(api.post("/incidents", json=incident_body(grid_id="C1-G2"), headers=w), 404, "community_id")
    # an incident's category is one of INCIDENT_CATEGORIES (a dispute's is not)
    body = refused(api.post("/incidents", json=incident_body(category="neighbours"), headers=w), 422, "category")
    assert body["field_reasons"]["category"][0]["code"] == "mediation.category_unknown"
    refused(api.post("/incidents", json=incident_body(place={}), headers=w), 422, "place")
    refused(api.post("/incidents", json=incident_body(place={"text": "门口", "lat": 30.1}), headers=w), 422,
            "place.lat")
    # a mediator registers disputes, not requests or incidents
    assert api.post("/requests", json=request_body(grid_id="C1-G1"), headers=people["m1"]).status_code == 403
    assert Dispute.objects.count() == 0
    assert ok(api.post("/requests", json=request_body(grid_id="C1-G1"), headers=w))["case"]["number"] == \
        "2026-QZ-0001"
    assert ok(api.post("/incidents", json=incident_body(), headers=w))["case"]["number"] == "2026-SJ-0001"


def test_the_same_offline_report_sent_twice_makes_one_case(api, people, c1):
    body = incident_body(client_id="phone-7f3a-0001")
    first = ok(api.post("/incidents", json=body, headers=people["worker"]))
    again = ok(api.post("/incidents", json=body, headers=people["worker"]), 200)
    assert again["case"]["id"] == first["case"]["id"] and again["case"]["number"] == "2026-SJ-0001"
    assert again["receipt"]["feedback_url"] is None  # the link was on the first receipt only
    assert Dispute.objects.count() == 1
    # another reporter's phone may use the same id: it is theirs
    other = ok(api.post("/incidents", json=body, headers=people["staff"]))
    assert other["case"]["number"] == "2026-SJ-0002" and Dispute.objects.count() == 2


# ---- multipart reports with photos ---------------------------------------------------------------

def post_form(api, headers, data, *photos):
    form = {"data": data if isinstance(data, str) else json.dumps(data, ensure_ascii=False),
            "photos": [(BytesIO(p), f"p{i}.jpg") for i, p in enumerate(photos)]}
    return api.post("/incidents", data=form, headers=headers, content_type="multipart/form-data")


def stored_files() -> int:
    return len(list(gridfs.GridFSBucket(me.get_db(), bucket_name=photos.BUCKET).find()))


def test_a_multipart_report_keeps_cleaned_photos_and_gps_only_when_asked(api, people, c1):
    case = ok(post_form(api, people["worker"], incident_body(attach_location=True), jpeg(gps=GPS), jpeg()))["case"]
    assert [(p["stage"], p["content_type"], p["by"]) for p in case["photos"]] == [("reported", "image/jpeg", "w-a")] * 2
    assert (case["place"]["lat"], case["place"]["lon"], case["place"]["gps_from"]) == (30.26, 120.15, "photo")
    assert "data" not in case["photos"][0]  # ids and sizes, never bytes
    # the form's own point wins over a photo's; without attach_location no point is kept at all
    spot = {"building": "3栋", "lat": 30.5, "lon": 120.5}
    case = ok(post_form(api, people["worker"], incident_body(place=spot, attach_location=True), jpeg(gps=GPS)))["case"]
    assert (case["place"]["lat"], case["place"]["gps_from"]) == (30.5, "phone")
    case = ok(post_form(api, people["worker"], incident_body(place=spot), jpeg(gps=GPS)))["case"]
    assert case["place"]["lat"] is None and case["place"]["gps_from"] is None


def test_a_refused_photo_or_form_writes_nothing(api, people, c1):
    before = stored_files()
    body = refused(post_form(api, people["worker"], incident_body(), jpeg(), b"<html>not a photo</html>"), 422,
                   "photos")
    assert body["field_reasons"]["photos"][0]["code"] == "mediation.photo_type"
    refused(post_form(api, people["worker"], incident_body(), jpeg(), jpeg(), jpeg(), jpeg()), 422, "photos")
    refused(post_form(api, people["worker"], "{not json", jpeg()), 422, "data")
    refused(post_form(api, people["worker"], incident_body(category="nope"), jpeg()), 422, "category")
    assert Dispute.objects.count() == 0 and stored_files() == before
    assert ok(post_form(api, people["worker"], incident_body(), jpeg()))["case"]["number"] == "2026-SJ-0001"


def test_photos_kept_are_removed_when_the_case_cannot_be_saved(api, people, c1, monkeypatch):
    before = stored_files()

    def refuse(*args, **kwargs):
        raise me.OperationError("the database went away mid-write")

    monkeypatch.setattr("services.mediation.service.desk.commit", refuse)
    assert post_form(api, people["worker"], incident_body(), jpeg(), jpeg()).status_code == 500
    assert Dispute.objects.count() == 0 and stored_files() == before


# ---- disputes stay disputes ----------------------------------------------------------------------

def test_disputes_list_only_disputes_even_beside_old_kindless_ones(api, people, c1):
    old = ok(api.post("/disputes", json=dispute_body(), headers=people["worker"]))["dispute"]
    Dispute._get_collection().update_one({"_id": Dispute.objects.get(pk=old["id"]).pk}, {"$unset": {"kind": ""}})
    assert "kind" not in Dispute._get_collection().find_one({"number": old["number"]})
    request = ok(api.post("/requests", json=request_body(grid_id="C1-G1"), headers=people["worker"]))["case"]
    incident = ok(api.post("/incidents", json=incident_body(), headers=people["worker"]))["case"]

    listed = ok(api.get("/disputes?status=all", headers=people["staff"]), 200)
    assert [c["number"] for c in listed["items"]] == [old["number"]] and listed["total"] == 1
    assert ok(api.get(f"/disputes/{old['id']}", headers=people["staff"]), 200)["category_label"] == "邻里纠纷"
    every = ok(api.get("/cases?status=all&sort=newest", headers=people["staff"]), 200)
    assert {(c["number"], c["kind"]) for c in every["items"]} == {
        (old["number"], "dispute"), (request["number"], "request"), (incident["number"], "incident")}
    assert [c["number"] for c in ok(api.get("/cases?kind=dispute", headers=people["staff"]), 200)["items"]] == [
        old["number"]]
    # the dispute routes every kind shares read a request as well (labels of its kind)
    assert ok(api.get(f"/disputes/{request['id']}", headers=people["staff"]), 200)["category_label"] == "最低生活保障"


def test_the_shared_flows_work_for_a_request_and_an_incident(api, people, c1, mediation_app):
    admin = headers_for(mediation_app, role="admin", user_id="adm", name="adm")
    for path, body in (("/requests", request_body(grid_id="C1-G1")), ("/incidents", incident_body())):
        case = ok(api.post(path, json=body, headers=people["worker"]))["case"]
        url = f"/disputes/{case['id']}"
        receipt = api.get(f"{url}/receipt.pdf", headers=people["worker"])
        assert receipt.status_code == 200 and receipt.data.startswith(b"%PDF")
        assert ok(api.get(f"{url}/receipt", headers=people["worker"]), 200)["category_label"] == case["category_label"]
        ok(api.post(f"{url}/pause", json={"reason": "等待补充材料"}, headers=people["staff"]), 200)
        ok(api.post(f"{url}/resume", headers=people["staff"]), 200)
        ok(api.post(f"{url}/extend", json={"working_days": 2, "reason": "需补充材料"}, headers=people["staff"]), 200)
        ok(api.post(f"{url}/extend/decision", json={"approve": True, "reason": "同意"}, headers=admin), 200)
        ok(api.post(f"{url}/escalate", json={"reasons": ["other"], "note": "涉及多户"}, headers=people["staff"]), 200)
        report = api.get(f"{url}/special-report.pdf", headers=people["staff"])
        assert report.status_code == 200 and report.data.startswith(b"%PDF")
        ok(api.post(f"{url}/annotations", json={"text": "已电话回访"}, headers=people["staff"]))
        types = [e.type for e in Dispute.objects.get(pk=case["id"]).outbox]
        assert types == ["case.registered", "case.paused", "case.resumed", "case.extension_requested",
                         "case.extended", "case.escalated"]


# ---- help, lists, figures --------------------------------------------------------------------------

def test_a_request_asks_volunteers_once(api, people, c1):
    case = ok(api.post("/requests", json=request_body({"kind": "household", "household_id": c1},
                                                      category="elderly_care"), headers=people["worker"]))["case"]
    url = f"/cases/{case['id']}/help"
    refused(api.post(url, json={"help": "groceries", "summary": "每周代买菜", "needed_by": "2026-03-01"},
                     headers=people["worker"]), 422, "needed_by")
    read = ok(api.post(url, json={"help": "groceries", "summary": "每周代买菜"}, headers=people["worker"]), 200)
    assert read["help_request"]["help_label"] == "代购生活用品" and read["help_request"]["household_id"] == c1
    event = Dispute.objects.get(pk=case["id"]).outbox[-1]
    assert event.type == "case.help_requested" and event.envelope["data"]["household_id"] == c1
    refused(api.post(url, json={"help": "visit", "summary": "探访"}, headers=people["worker"]), 409, "help")
    incident = ok(api.post("/incidents", json=incident_body(), headers=people["worker"]))["case"]
    refused(api.post(f"/cases/{incident['id']}/help", json={"help": "visit", "summary": "探访"},
                     headers=people["worker"]), 409, "kind")
    # registered with help at once: both events in one write
    both = ok(api.post("/requests", json=request_body(grid_id="C1-G1", help={"help": "escort", "summary": "陪同就医"}),
                       headers=people["worker"]))["case"]
    assert [e.type for e in Dispute.objects.get(pk=both["id"]).outbox] == ["case.registered", "case.help_requested"]


def test_lists_filter_by_kind_owner_handler_verifier_category_and_words(api, people, c1, today):
    w, s = people["worker"], people["staff"]
    mine = ok(api.post("/incidents", json=incident_body(description="井盖松动"), headers=w))["case"]
    staffs = ok(api.post("/incidents", json=incident_body(category="environment"), headers=s))["case"]
    request = ok(api.post("/requests", json=request_body(grid_id="C1-G1"), headers=s))["case"]
    ok(api.post("/disputes", json=dispute_body(), headers=w))

    def numbers(query, who=s):
        return sorted(c["number"] for c in ok(api.get(f"/cases?{query}", headers=who), 200)["items"])

    assert numbers("kind=incident") == sorted([mine["number"], staffs["number"]])
    assert numbers("kind=request") == [request["number"]]
    assert numbers("mine=first_contact", w) == sorted([mine["number"], "2026-XF-0001"])
    assert numbers("category=environment") == [staffs["number"]]
    assert numbers("q=井盖") == [mine["number"]] and numbers("q=2026-QZ") == [request["number"]]
    # handled cases wait for their reporter or the community's staff to verify them
    Dispute.objects(pk=staffs["id"]).update(set__status="handled", set__handler_id="w-b")
    Dispute.objects(pk=mine["id"]).update(set__status="handled")
    assert numbers("mine=verify", w) == [mine["number"]]
    assert numbers("mine=verify", s) == sorted([mine["number"], staffs["number"]])
    assert numbers("mine=handler", people["worker_b"]) == [staffs["number"]]  # the handler sees it, outside the grid
    assert ok(api.get(f"/cases/{mine['id']}", headers=w), 200)["allowed"]["verify"] is True
    assert ok(api.get(f"/cases/{staffs['id']}", headers=w), 200)["allowed"]["verify"] is False
    today.set("2026-03-20")
    assert numbers("overdue=true&kind=request") == [request["number"]]
    assert numbers("status=handled") == sorted([mine["number"], staffs["number"]])


def test_desk_figures_and_hot_spots_count_each_kind(api, people, c1):
    w = people["worker"]
    ontime = ok(api.post("/incidents", json=incident_body(), headers=w))["case"]
    ok(api.post("/incidents", json=incident_body(category="fire_safety"), headers=w))
    late = ok(api.post("/requests", json=request_body(grid_id="C1-G1"), headers=w))["case"]
    old = ok(api.post("/disputes", json=dispute_body(), headers=w))["dispute"]
    Dispute._get_collection().update_one({"number": old["number"]}, {"$unset": {"kind": ""}})
    Dispute.objects(pk=ontime["id"]).update(set__status="closed", set__closed_on=date(2026, 3, 2))
    Dispute.objects(pk=late["id"]).update(set__status="closed", set__closed_on=date(2026, 3, 20))

    figures = ok(api.get("/reports/desk?year=2026", headers=people["staff"]), 200)
    assert figures["kinds"]["incident"] == {"registered": 2, "open": 1, "overdue": 0, "closed": 1, "on_time": 1,
                                            "on_time_share": 1.0}
    assert figures["kinds"]["request"] == {"registered": 1, "open": 0, "overdue": 0, "closed": 1, "on_time": 0,
                                           "on_time_share": 0.0}
    assert figures["kinds"]["dispute"]["registered"] == 1 and figures["kinds"]["dispute"]["on_time_share"] is None
    assert {(c["kind"], c["category_label"], c["count"]) for c in figures["by_category"]} == {
        ("incident", "公共设施", 1), ("incident", "消防安全", 1), ("request", "最低生活保障", 1), ("dispute", "邻里纠纷", 1)}
    assert ok(api.get("/reports/desk?year=2026", headers=people["staff_c2"]), 200)["kinds"]["incident"][
        "registered"] == 0

    hot = ok(api.get("/reports/hotspots?year=2026&kind=incident", headers=people["staff"]), 200)
    assert hot["total"] == 2 and {c["category_label"] for c in hot["by_category"]} == {"公共设施", "消防安全"}
    disputes = ok(api.get("/reports/hotspots?year=2026", headers=people["staff"]), 200)
    assert disputes["total"] == 1 and disputes["by_category"][0]["category_label"] == "邻里纠纷"
    every = ok(api.get("/reports/hotspots?year=2026&kind=all", headers=people["staff"]), 200)
    assert every["total"] == 4 and {r["kind"] for r in every["rows"]} == {"dispute", "request", "incident"}


def test_categories_of_every_kind_for_the_forms(api, people, c1):
    got = ok(api.get("/desk/categories", headers=people["worker"]), 200)
    assert {"code": "subsistence", "label": "最低生活保障"} in got["request"]
    assert [c["code"] for c in got["incident"]][:2] == ["safety_hazard", "public_facility"]
    assert {"code": "neighbours", "label": "邻里纠纷"} in got["dispute"]
    assert {"code": "property", "label": "物业服务企业"} in got["departments"]
    assert {"code": "groceries", "label": "代购生活用品"} in got["help_kinds"]


# ---- feeds ---------------------------------------------------------------------------------------

def test_the_owner_and_the_handler_hear_of_a_case_s_steps(api, people, c1, mediation_worker):
    case = ok(api.post("/requests", json=request_body(grid_id="C1-G1"), headers=people["worker"]))["case"]
    ok(api.post(f"/disputes/{case['id']}/pause", json={"reason": "等待补充收入证明"}, headers=people["staff"]), 200)
    ok(api.post(f"/cases/{case['id']}/help", json={"help": "visit", "summary": "上门探访"}, headers=people["staff"]),
       200)

    def feed(who, n):
        items = api.get("/notifications", headers=people[who]).json["items"]
        return items if len(items) >= n else None

    items = broker.wait_until(lambda: feed("worker", 2))
    assert sorted((n["event_type"], n["why"], n["dispute_id"]) for n in items) == [
        ("case.help_requested", "first_contact", case["id"]), ("case.paused", "first_contact", case["id"])]
    assert any(n["message"] == f"求助办事 {case['number']} 暂停计时：等待补充收入证明" for n in items)
    assert not api.get("/notifications", headers=people["staff"]).json["items"]  # what staff did themselves
    # a step of the dispatched case reaches its handler too (the event as the dispatch work raises it)
    d = Dispute.objects.get(pk=case["id"])
    d.handler_id = "w-b"
    dispatch = Dispatch(dispatch_id="x1", round=1, target="person", user_id="w-b", due_on=d.due_on, at=now(),
                        by="s-c1")
    handlers.notify(events.dispatched(d, "s-c1", dispatch).load())
    told = {n.user_id: n for n in Notification.objects(event_type="case.dispatched")}
    assert set(told) == {"w-a", "w-b"} and told["w-b"].why == "handler"
    assert told["w-b"].message.startswith(f"求助办事 {case['number']} 已分拨给处置人")
    assert feedback.feedback_url("t") == "https://grid.example.cn/case/t"
