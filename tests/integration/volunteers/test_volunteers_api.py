"""The volunteers API over HTTP against a real MongoDB-wire server."""
import re
import threading
from datetime import date, datetime, timedelta, timezone

from services.volunteers.models import HoursEntry, SignupClaim, SignupLink, VolunteerRecord
from tests.support.callers import headers_for
from tests.support.data import id_number
from tests.support.volunteers import (
    BASE_URL,
    forget_cached_collections,
    leader_of,
    make_link,
    make_team,
    pending_claims,
    person,
    personal_token,
    sign_up,
    status_of,
    volunteer_id_by_phone,
)


def test_sign_up_through_a_link_registers_once_and_a_repeat_waits_for_staff(vc, staff, public):
    link = make_link(vc, staff, title="幸福社区志愿者招募")
    assert link["public_url"] == f"{BASE_URL}/v/{link['token']}" and len(link["token"]) >= 43
    info = vc.get(f"/public/links/{link['token']}", headers=public).json
    assert (info["community_name"], info["state"]) == ("幸福社区", "open")
    assert {g["id"] for g in info["grids"]} == {"C1-G1", "C1-G2"}
    assert "elderly_care" in {s["code"] for s in info["skills"]} and info["consent_text"]

    first = sign_up(vc, public, link["token"], person(1, id_number=id_number(1, "19900101")))
    assert first["personal_url"].startswith(f"{BASE_URL}/v/me/") and status_of(person(1)["phone"]) == "registered"

    # same phone again, then same ID number with another phone: a claim each for staff, the record untouched
    again = sign_up(vc, public, link["token"], {**person(1), "name": "冒名者"})
    assert set(again) == set(first) and again["message"] == first["message"] and again["name"] == "冒名者"
    assert personal_token(again) != personal_token(first)
    by_id = sign_up(vc, public, link["token"], {**person(2), "id_number": id_number(1, "19900101")})
    assert by_id["message"] == first["message"]
    assert VolunteerRecord.objects(community_id="C1").count() == 1
    claims = pending_claims(vc, staff)
    assert [(c["matched_on"], c["name"], c["volunteer"]["name"]) for c in claims] == [
        ("phone", "冒名者", "志愿者1"), ("id_number", "志愿者2", "志愿者1")]
    assert claims[0]["phone"] == "138********" and claims[1]["id_number"] == "11" + "*" * 16  # masked for staff too
    stored = VolunteerRecord.objects.get(community_id="C1")
    assert [e.type for e in stored.outbox] == ["volunteer.registered"]
    envelope = stored.outbox[0].envelope
    assert envelope["data"] == {"volunteer_id": str(stored.pk), "community_id": "C1", "grid_id": "C1-G1",
                                "name": "志愿者1", "skills": ["elderly_care"], "team_ids": []}
    assert stored.phone not in str(envelope) and stored.id_number not in str(envelope)
    assert vc.get(f"/links/{link['id']}", headers=staff).json["filled"] == 3  # a claim takes a place, as a new one


def test_the_same_person_may_sign_up_in_another_community(vc, staff, staff_b, public):
    a = make_link(vc, staff)
    b = make_link(vc, staff_b, community_id="C2")
    sign_up(vc, public, a["token"], person(3))
    sign_up(vc, public, b["token"], {**person(3), "grid_id": "C2-G1"})
    assert VolunteerRecord.objects.count() == 2 and SignupClaim.objects.count() == 0


def test_an_expired_or_closed_link_refuses_clearly(vc, staff, public):
    link = make_link(vc, staff, valid_days=1)
    SignupLink.objects(pk=link["id"]).update_one(set__expires_at=datetime.now(timezone.utc) - timedelta(minutes=1))
    assert vc.get(f"/public/links/{link['token']}", headers=public).json["state"] == "expired"
    r = vc.post(f"/public/links/{link['token']}/signups", json=person(4), headers=public)
    assert r.status_code == 410 and "expired" in r.json["message"] and "token" in r.json["fields"]
    closed = make_link(vc, staff)
    assert vc.post(f"/links/{closed['id']}/close", headers=staff).json["state"] == "closed"
    r = vc.post(f"/public/links/{closed['token']}/signups", json=person(4), headers=public)
    assert r.status_code == 410 and "closed" in r.json["message"]
    unknown = vc.post("/public/links/" + "x" * 43 + "/signups", json=person(4), headers=public)
    assert unknown.status_code == 404
    assert VolunteerRecord.objects.count() == 0


def test_a_full_link_waitlists_and_a_raised_capacity_promotes_in_order(vc, staff, public):
    link = make_link(vc, staff, capacity=2)
    for n in (10, 11):
        sign_up(vc, public, link["token"], person(n))
    assert [status_of(person(n)["phone"]) for n in (10, 11)] == ["registered"] * 2
    assert vc.get(f"/public/links/{link['token']}", headers=public).json["state"] == "full"
    third = sign_up(vc, public, link["token"], person(12))
    fourth = sign_up(vc, public, link["token"], person(13))
    own = [vc.get(f"/public/volunteers/{personal_token(r)}", headers=public).json for r in (third, fourth)]
    assert [(o["status"], o["waitlist_position"]) for o in own] == [("waitlisted", 1), ("waitlisted", 2)]
    waiting = VolunteerRecord.objects.get(phone_key="C1|" + person(12)["phone"])
    assert waiting.outbox == []  # no volunteer.registered for a waiting-list place
    view = vc.put(f"/links/{link['id']}/capacity", json={"capacity": 3}, headers=staff).json
    assert (view["filled"], view["waitlisted"]) == (3, 1)
    assert VolunteerRecord.objects.get(pk=waiting.pk).status == "registered"
    assert VolunteerRecord.objects.get(phone_key="C1|" + person(13)["phone"]).status == "waitlisted"
    # a registered volunteer leaving frees a place: the next on the list moves up
    vid = volunteer_id_by_phone(person(10)["phone"])
    assert vc.post(f"/volunteers/{vid}/leave", json={"reason": "搬家"}, headers=staff).json["status"] == "left"
    assert VolunteerRecord.objects.get(phone_key="C1|" + person(13)["phone"]).status == "registered"
    assert SignupLink.objects.get(pk=link["id"]).filled == 3


def test_concurrent_sign_ups_for_the_last_place_one_is_waitlisted(vol_app, vc, staff, public):
    link = make_link(vc, staff, capacity=1)
    results, barrier = [], threading.Barrier(2)

    def go(n):
        client = vol_app.test_client()
        barrier.wait()
        results.append(client.post(f"/public/links/{link['token']}/signups", json=person(n), headers=public).json)

    threads = [threading.Thread(target=go, args=(n,)) for n in (20, 21)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(results) == 2 and all(r["personal_url"] for r in results)
    assert sorted(VolunteerRecord.objects(link_id=link["id"]).scalar("status")) == ["registered", "waitlisted"]
    assert SignupLink.objects.get(pk=link["id"]).filled == 1


def test_many_concurrent_sign_ups_never_exceed_capacity(vol_app, vc, staff, public):
    link = make_link(vc, staff, capacity=5)
    results, barrier = [], threading.Barrier(16)

    def go(n):
        client = vol_app.test_client()
        barrier.wait()
        results.append(client.post(f"/public/links/{link['token']}/signups", json=person(n), headers=public).json)

    threads = [threading.Thread(target=go, args=(n,)) for n in range(30, 46)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    statuses = list(VolunteerRecord.objects(link_id=link["id"]).scalar("status"))
    assert len(results) == 16 and (statuses.count("registered"), statuses.count("waitlisted")) == (5, 11)
    assert VolunteerRecord.objects(link_id=link["id"], status="registered").count() == 5
    assert SignupLink.objects.get(pk=link["id"]).filled == 5


def test_bad_sign_up_input_is_422_per_field_and_stores_nothing(vc, staff, public):
    link = make_link(vc, staff)
    bad = {**person(50), "phone": "12345", "id_number": "110105199001011234", "skills": ["juggling"],
           "consent": False}
    r = vc.post(f"/public/links/{link['token']}/signups", json=bad, headers=public)
    assert r.status_code == 422
    assert set(r.json["fields"]) == {"phone", "id_number", "skills.0", "consent"}
    r = vc.post(f"/public/links/{link['token']}/signups", json={**person(50), "grid_id": "C2-G1"}, headers=public)
    assert r.status_code == 422 and r.json["fields"] == {"grid_id": ["not a grid of this community"]}
    r = vc.post(f"/public/links/{link['token']}/signups", json={k: v for k, v in person(50).items() if k != "consent"},
                headers=public)
    assert r.status_code == 422 and "consent" in r.json["fields"]
    r = vc.post(f"/public/links/{link['token']}/signups", json={**person(50), "name": {"$gt": ""}}, headers=public)
    assert r.status_code == 422
    assert VolunteerRecord.objects.count() == 0 and SignupLink.objects.get(pk=link["id"]).filled == 0


def test_a_resident_reaches_only_the_public_routes(vc, staff, public):
    link = make_link(vc, staff)
    sign_up(vc, public, link["token"], person(60))
    for path in ("/volunteers?community_id=C1", f"/links/{link['id']}", "/teams?community_id=C1",
                 "/communities/C1/figures", "/needs?community_id=C1"):
        assert vc.get(path, headers=public).status_code == 403, path
    assert vc.post("/links", json={"community_id": "C1"}, headers=public).status_code == 403
    assert vc.get("/public/options").status_code == 401  # even public routes need the gateway's signature
    assert vc.get("/public/options", headers=public).json["consent_version"]


def test_scope_a_team_leader_of_community_a_sees_nothing_of_b(vol_app, vc, staff, staff_b, public):
    team_a = make_team(vc, staff, leaders=["tl-a"])
    team_b = make_team(vc, staff_b, community="C2", name="应急队", leaders=["tl-b"])
    link_b = make_link(vc, staff_b, community_id="C2", team_id=team_b["id"])
    sign_up(vc, public, link_b["token"], {**person(70), "grid_id": "C2-G1"})
    vid_b = volunteer_id_by_phone(person(70)["phone"], "C2")
    need_b = vc.post("/needs", json={"community_id": "C2", "title": "清扫", "people_wanted": 1,
                                     "starts_at": "2030-05-04T09:00:00+08:00"}, headers=staff_b).json
    leader_a = leader_of(vol_app, "tl-a", "C1")
    assert vc.get(f"/volunteers/{vid_b}", headers=leader_a).status_code == 404
    assert vc.get(f"/volunteers/{vid_b}/hours", headers=leader_a).status_code == 404
    assert vc.get(f"/teams/{team_b['id']}", headers=leader_a).status_code == 404
    assert vc.get(f"/needs/{need_b['id']}", headers=leader_a).status_code == 404
    assert vc.get(f"/links/{link_b['id']}", headers=leader_a).status_code == 404
    assert vc.get("/volunteers?community_id=C2", headers=leader_a).status_code == 404
    assert vc.get("/teams?community_id=C2", headers=leader_a).status_code == 404
    assert vc.get("/communities/C2/figures", headers=leader_a).status_code == 404
    assert vc.post(f"/teams/{team_a['id']}/members", json={"volunteer_id": vid_b}, headers=leader_a).status_code == 404
    assert [c["id"] for c in vc.get("/communities", headers=leader_a).json] == ["C1"]
    # and within C1, a team leader acts only for the team they lead
    other = make_team(vc, staff, name="治安巡逻队", leaders=["tl-x"])
    r = vc.post("/links", json={"community_id": "C1", "team_id": other["id"]}, headers=leader_a)
    assert r.status_code == 403
    assert vc.post("/links", json={"community_id": "C1"}, headers=leader_a).status_code == 403
    assert vc.post("/links", json={"community_id": "C1", "team_id": team_a["id"]}, headers=leader_a).status_code == 201


def test_teams_membership_and_a_team_link(vol_app, vc, staff, public):
    team = make_team(vc, staff, leaders=["tl-1"])
    again = vc.post("/teams", json={"community_id": "C1", "name": "助老服务队"}, headers=staff)
    assert again.status_code == 409
    general = make_link(vc, staff)
    sign_up(vc, public, general["token"], person(80))
    vid = volunteer_id_by_phone(person(80)["phone"])
    team_link = make_link(vc, leader_of(vol_app, "tl-1"), team_id=team["id"])
    joined = sign_up(vc, public, team_link["token"], person(80))
    assert joined["team_name"] == "助老服务队" and VolunteerRecord.objects.get(pk=vid).team_ids == []
    claim = pending_claims(vc, leader_of(vol_app, "tl-1"))[0]  # the team's leader sees it and confirms
    r = vc.post(f"/signup-claims/{claim['id']}/confirm", json={}, headers=leader_of(vol_app, "tl-1"))
    assert r.status_code == 200 and r.json["status"] == "confirmed"
    v = VolunteerRecord.objects.get(pk=vid)
    assert v.team_ids == [team["id"]] and [e.type for e in v.outbox] == ["volunteer.registered", "volunteer.updated"]
    assert vc.get(f"/teams/{team['id']}", headers=staff).json["members"] == 1
    assert [t["id"] for t in vc.get("/teams/led", headers=leader_of(vol_app, "tl-1")).json] == [team["id"]]
    listed = vc.get("/volunteers", query_string={"community_id": "C1", "team_id": team["id"]}, headers=staff).json
    assert listed["total"] == 1 and listed["items"][0]["phone"] == "138********"
    assert vc.delete(f"/teams/{team['id']}/members/{vid}", headers=staff).json["team_ids"] == []
    svg = vc.get(f"/links/{team_link['id']}/qr.svg", headers=staff)
    png = vc.get(f"/links/{team_link['id']}/qr.png", headers=staff)
    assert svg.mimetype == "image/svg+xml" and b"<svg" in svg.data
    assert png.mimetype == "image/png" and png.data[:8] == b"\x89PNG\r\n\x1a\n"


def test_reveal_is_recorded(vol_app, vc, staff, public):
    from services.volunteers.models import ContactReveal

    link = make_link(vc, staff)
    sign_up(vc, public, link["token"], person(85))
    vid = volunteer_id_by_phone(person(85)["phone"])
    r = vc.post(f"/volunteers/{vid}/reveal", json={"reason": "联系探访安排"}, headers=staff)
    assert r.json["phone"] == person(85)["phone"]
    assert ContactReveal.objects.get(volunteer_id=vid).reason == "联系探访安排"
    operator = headers_for(vol_app, role="operator")
    assert vc.post(f"/volunteers/{vid}/reveal", json={"reason": "x"}, headers=operator).status_code == 403


def _registered(vc, public, link, n, **extra):
    sign_up(vc, public, link["token"], person(n, **extra))
    return volunteer_id_by_phone(person(n)["phone"])


def test_matching_ranks_by_skill_place_and_time_and_a_leader_confirms(vol_app, vc, staff, public):
    team = make_team(vc, staff, leaders=["tl-1"])
    link = make_link(vc, staff, team_id=team["id"])
    best = _registered(vc, public, link, 90, skills=["first_aid", "elderly_care"], availability=["sat_morning"])
    other_grid = _registered(vc, public, link, 91, skills=["first_aid"], availability=["sat_morning"],
                             grid_id="C1-G2")
    no_skill = _registered(vc, public, link, 92, skills=["it"], availability=["sun_evening"])
    need = vc.post("/needs", json={"community_id": "C1", "grid_id": "C1-G1", "title": "周六义诊", "people_wanted": 2,
                                   "skills": ["first_aid"], "starts_at": "2030-05-04T09:00:00+08:00",
                                   "team_ids": [team["id"]]}, headers=staff).json
    assert need["status"] == "open"
    ranked = vc.get(f"/needs/{need['id']}/matches", headers=staff).json
    assert [m["volunteer_id"] for m in ranked] == [best, other_grid, no_skill]
    assert (ranked[0]["same_grid"], ranked[0]["available"], ranked[0]["skills_matched"]) == (True, True, ["first_aid"])
    leader = leader_of(vol_app, "tl-1")
    outsider = leader_of(vol_app, "tl-9")
    assert vc.post(f"/needs/{need['id']}/assignments", json={"volunteer_ids": [best]},
                   headers=outsider).status_code == 403
    r = vc.post(f"/needs/{need['id']}/assignments", json={"volunteer_ids": [best, other_grid, no_skill]},
                headers=leader)
    assert r.status_code == 409
    filled = vc.post(f"/needs/{need['id']}/assignments", json={"volunteer_ids": [best, other_grid]}, headers=leader).json
    assert filled["status"] == "filled" and len(filled["assignments"]) == 2
    # the task done: hours go to the ledger once
    done = vc.post(f"/needs/{need['id']}/assignments/{best}/complete",
                   json={"hours": 3, "served_on": date.today().isoformat()}, headers=leader)
    assert done.status_code == 201 and done.json["source"] == "task"
    repeat = vc.post(f"/needs/{need['id']}/assignments/{best}/complete",
                     json={"hours": 3, "served_on": date.today().isoformat()}, headers=leader)
    assert repeat.status_code == 200 and repeat.json["id"] == done.json["id"]
    assert HoursEntry.objects(volunteer_id=best).count() == 1
    # a volunteer leaving opens the need again
    vc.post(f"/volunteers/{other_grid}/leave", json={}, headers=staff)
    assert vc.get(f"/needs/{need['id']}", headers=staff).json["status"] == "open"


def test_self_reported_hours_approved_or_rejected_and_corrections_append(vol_app, vc, staff, public):
    team = make_team(vc, staff, leaders=["tl-1"])
    link = make_link(vc, staff, team_id=team["id"])
    first = sign_up(vc, public, link["token"], person(100))
    token = first["personal_url"].rsplit("/", 1)[1]
    vid = volunteer_id_by_phone(person(100)["phone"])
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    r1 = vc.post(f"/public/volunteers/{token}/service-reports",
                 json={"served_on": yesterday, "hours": 2.5, "description": "陪同老人就医"}, headers=public)
    r2 = vc.post(f"/public/volunteers/{token}/service-reports",
                 json={"served_on": yesterday, "hours": 8, "description": "不实申报"}, headers=public)
    assert r1.status_code == 201 and r1.json["status"] == "pending"
    future = vc.post(f"/public/volunteers/{token}/service-reports",
                     json={"served_on": (date.today() + timedelta(days=2)).isoformat(), "hours": 1,
                           "description": "x"}, headers=public)
    assert future.status_code == 422 and "served_on" in future.json["fields"]
    leader = leader_of(vol_app, "tl-1")
    pending = vc.get("/service-reports", query_string={"community_id": "C1"}, headers=leader).json
    assert {p["id"] for p in pending} == {r1.json["id"], r2.json["id"]}
    assert {p["volunteer_name"] for p in pending} == {"志愿者100"}
    assert vc.get("/service-reports", query_string={"community_id": "C1"},
                  headers=leader_of(vol_app, "tl-other")).json == []
    assert vc.post(f"/service-reports/{r1.json['id']}/approve", json={}, headers=leader).json["status"] == "approved"
    assert vc.post(f"/service-reports/{r1.json['id']}/approve", json={}, headers=leader).status_code == 409
    rejected = vc.post(f"/service-reports/{r2.json['id']}/reject", json={"note": "无法核实"}, headers=leader).json
    assert rejected["status"] == "rejected"
    ledger = vc.get(f"/volunteers/{vid}/hours", headers=leader).json
    assert ledger["total_hours"] == 2.5 and len(ledger["entries"]) == 1
    line = ledger["entries"][0]
    fix = vc.post(f"/hours/{line['id']}/corrections", json={"hours": 2, "reason": "实际2小时"}, headers=leader)
    assert fix.status_code == 201 and (fix.json["delta"], fix.json["corrects"]) == (-0.5, line["id"])
    twice = vc.post(f"/hours/{line['id']}/corrections", json={"hours": 1, "reason": "x"}, headers=leader)
    assert twice.status_code == 409  # correct the latest line, not the old one again
    again = vc.post(f"/hours/{fix.json['id']}/corrections", json={"hours": 3, "reason": "补记"}, headers=leader).json
    assert again["delta"] == 1.0
    ledger = vc.get(f"/volunteers/{vid}/hours", headers=leader).json
    assert ledger["total_hours"] == 3.0 and len(ledger["entries"]) == 3
    original = HoursEntry.objects.get(pk=line["id"])
    assert (original.hours, original.delta) == (2.5, 2.5)  # never changed
    own = vc.get(f"/public/volunteers/{token}", headers=public).json
    assert own["hours_total"] == 3.0 and {r["status"] for r in own["reports"]} == {"approved", "rejected"}
    assert "phone" not in own and "id_number" not in own


def test_certificate_pdf_verifies_publicly_and_a_tampered_serial_does_not(vol_app, vc, staff, public):
    team = make_team(vc, staff, leaders=["tl-1"])
    link = make_link(vc, staff, team_id=team["id"])
    token = sign_up(vc, public, link["token"], person(110))["personal_url"].rsplit("/", 1)[1]
    vid = volunteer_id_by_phone(person(110)["phone"])
    leader = leader_of(vol_app, "tl-1")
    today = date.today()
    report = vc.post(f"/public/volunteers/{token}/service-reports",
                     json={"served_on": today.isoformat(), "hours": 4, "description": "社区清洁"}, headers=public).json
    vc.post(f"/service-reports/{report['id']}/approve", json={}, headers=leader)
    empty = vc.post("/certificates", json={"volunteer_id": vid, "period_from": "2020-01-01",
                                           "period_to": "2020-12-31"}, headers=leader)
    assert empty.status_code == 422
    r = vc.post("/certificates", json={"volunteer_id": vid, "period_from": f"{today.year}-01-01",
                                       "period_to": today.isoformat()}, headers=leader)
    assert r.status_code == 201, r.json
    cert = r.json
    assert re.fullmatch(rf"VS{today.year}-\d{{6}}-[A-Z2-9]{{4}}", cert["serial"]) and cert["hours"] == 4
    assert cert["verify_url"] == f"{BASE_URL}/v/cert/{cert['serial']}"
    second = vc.post("/certificates", json={"volunteer_id": vid, "period_from": f"{today.year}-01-01",
                                            "period_to": today.isoformat()}, headers=leader).json
    assert second["serial"] != cert["serial"]
    pdf = vc.get(f"/certificates/{cert['id']}/pdf", headers=leader)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    own_pdf = vc.get(f"/public/volunteers/{token}/certificates/{cert['serial']}/pdf", headers=public)
    assert own_pdf.data.startswith(b"%PDF")
    checked = vc.get(f"/public/certificates/{cert['serial']}", headers=public).json
    assert checked == {**checked, "status": "valid", "name": "志*****", "hours": 4.0, "community_name": "幸福社区"}
    assert vc.get(f"/public/certificates/{cert['serial'].lower()}", headers=public).status_code == 200
    tampered = cert["serial"][:-1] + ("A" if cert["serial"][-1] != "A" else "B")
    assert vc.get(f"/public/certificates/{tampered}", headers=public).status_code == 404
    guessed = cert["serial"].replace("-000", "-001", 1)
    assert vc.get(f"/public/certificates/{guessed}", headers=public).status_code == 404
    assert vc.post(f"/certificates/{cert['id']}/revoke", json={"reason": "重复出具"}, headers=leader).status_code == 403
    vc.post(f"/certificates/{cert['id']}/revoke", json={"reason": "重复出具"}, headers=staff)
    assert vc.get(f"/public/certificates/{cert['serial']}", headers=public).json["status"] == "revoked"
    own = vc.get(f"/public/volunteers/{token}", headers=public).json
    assert {c["serial"] for c in own["certificates"]} == {cert["serial"], second["serial"]}


def test_figures_against_the_targets(vol_app, vc, staff, public):
    from services.volunteers import register_copy
    from shared.events import new_event

    for n in range(3):  # 3 households of 4 residents: 12 residents -> 2 volunteers wanted (10%, rounded up)
        register_copy.on_register_event(new_event("household.registered", version=1, source="households",
                                                  community_id="C1", grid_id="C1-G1", data={
            "household_id": f"h{n}", "address": {"building": "1栋", "room": f"10{n}"}, "residency": "registered",
            "residents": [{"resident_id": f"r{n}{i}", "name": "居民"} for i in range(4)]}).load())
    link = make_link(vc, staff)
    _registered(vc, public, link, 120)
    for name in ("一队", "二队"):
        make_team(vc, staff, name=name)
    figures = vc.get("/communities/C1/figures", headers=staff).json
    assert (figures["residents"], figures["volunteers"], figures["volunteer_target"]) == (12, 1, 2)
    assert (figures["teams"], figures["team_target"], figures["meets_team_target"]) == (2, 5, False)
    assert figures["volunteers_vs_target"] == 0.5 and figures["meets_volunteer_target"] is False
    metrics = vc.get("/metrics").text
    assert 'grid_volunteers{community_id="C1"} 1.0' in metrics
    assert 'grid_volunteer_target{community_id="C1"} 2.0' in metrics
    assert 'grid_volunteer_teams{community_id="C1"} 2.0' in metrics


def test_a_standing_care_need_records_each_visit_once_per_day(vol_app, vc, staff, public):
    from services.volunteers import service
    from shared.events import new_event

    service.on_care_event(new_event("resident.care_flagged", version=1, source="households", community_id="C1", grid_id="C1-G1",
                                    data={"household_id": "h-9", "resident_id": "r-9", "name": "李爷爷",
                                          "tag": "empty_nest", "since": None, "until": None}).load())
    team = make_team(vc, staff, leaders=["tl-1"])
    leader = leader_of(vol_app, "tl-1")
    [need] = vc.get("/needs", query_string={"community_id": "C1", "kind": "care"}, headers=leader).json["items"]
    assert (need["recurrence"], need["people_wanted"], need["care"]["tag"]) == ("days", 1, "empty_nest")
    link = make_link(vc, staff, team_id=team["id"])
    vid = _registered(vc, public, link, 130)
    assert vc.get(f"/needs/{need['id']}/matches", headers=leader).json[0]["volunteer_id"] == vid
    assert vc.post(f"/needs/{need['id']}/assignments", json={"volunteer_ids": [vid]},
                   headers=leader).json["status"] == "filled"
    days = [(date.today() - timedelta(days=d)).isoformat() for d in (7, 0, 0)]
    codes = [vc.post(f"/needs/{need['id']}/assignments/{vid}/complete", json={"hours": 1.5, "served_on": d},
                     headers=leader).status_code for d in days]
    assert codes == [201, 201, 200]
    assert HoursEntry.objects(volunteer_id=vid, source="task").count() == 2
    after = vc.get(f"/needs/{need['id']}", headers=leader).json
    assert after["status"] == "filled" and after["assignments"][0]["visits"] == 2  # standing: stays filled


def test_a_volunteer_leaves_by_their_own_link_and_rejoins_when_staff_confirm(vc, staff, public):
    link = make_link(vc, staff)
    first = sign_up(vc, public, link["token"], person(140))
    token = first["personal_url"].rsplit("/", 1)[1]
    left = vc.post(f"/public/volunteers/{token}/leave", json={"reason": "工作调动"}, headers=public)
    assert left.status_code == 200 and left.json["status"] == "left"
    v = VolunteerRecord.objects.get(phone_key="C1|" + person(140)["phone"])
    assert [e.type for e in v.outbox] == ["volunteer.registered", "volunteer.left"]
    back = sign_up(vc, public, link["token"], {**person(140), "skills": ["driving"]})
    assert back["personal_url"] != first["personal_url"] and status_of(person(140)["phone"]) == "left"
    waiting = vc.get(f"/public/volunteers/{personal_token(back)}", headers=public).json
    assert (waiting["status"], waiting["hours_total"], waiting["skills"]) == ("pending", 0.0, ["driving"])
    assert vc.get(f"/public/volunteers/{token}", headers=public).json["status"] == "left"  # still the old record's
    claim = pending_claims(vc, staff)[0]
    assert vc.post(f"/signup-claims/{claim['id']}/confirm", json={}, headers=staff).status_code == 200
    assert vc.get(f"/public/volunteers/{token}", headers=public).status_code == 404  # the old personal link is dead
    assert vc.get(f"/public/volunteers/{personal_token(back)}", headers=public).json["status"] == "registered"
    v.reload()
    assert (v.status, v.skills, VolunteerRecord.objects.count()) == ("registered", ["driving"], 1)
    assert v.outbox[-1].type == "volunteer.registered" and vc.get(f"/links/{link['id']}", headers=staff).json[
        "filled"] == 1  # the place the claim took is the one the volunteer holds again


def test_someone_waiting_on_one_link_takes_a_place_on_another(vc, staff, public):
    full = make_link(vc, staff, capacity=1)
    roomy = make_link(vc, staff)
    sign_up(vc, public, full["token"], person(150))
    sign_up(vc, public, full["token"], person(151))
    assert status_of(person(151)["phone"]) == "waitlisted"
    sign_up(vc, public, roomy["token"], person(151))
    claim = pending_claims(vc, staff)[0]
    assert claim["holds_place"] is True and claim["volunteer"]["status"] == "waitlisted"
    assert vc.post(f"/signup-claims/{claim['id']}/confirm", json={}, headers=staff).status_code == 200
    v = VolunteerRecord.objects.get(phone_key="C1|" + person(151)["phone"])
    assert (v.link_id, v.holds_place, v.outbox[-1].type) == (roomy["id"], True, "volunteer.registered")
    assert vc.get(f"/links/{full['id']}", headers=staff).json["waitlisted"] == 0


def test_personal_tokens_stored_in_plain_by_an_older_version_are_hashed_at_start(vol_config, vc, staff, public):
    from services.volunteers.app import create_app

    link = make_link(vc, staff)
    token = personal_token(sign_up(vc, public, link["token"], person(160)))
    coll = VolunteerRecord._get_collection()
    stored = coll.find_one({"phone": person(160)["phone"]})["personal_token"]
    assert re.fullmatch(r"[0-9a-f]{64}", stored) and vc.get(f"/public/volunteers/{stored}",
                                                            headers=public).status_code == 404
    coll.update_one({"_id": coll.find_one()["_id"]}, {"$set": {"personal_token": token}})  # as an older version kept it
    create_app(vol_config)  # a start hashes it; the link keeps working
    forget_cached_collections()
    assert VolunteerRecord._get_collection().find_one()["personal_token"] == stored
    assert vc.get(f"/public/volunteers/{token}", headers=public).json["name"] == "志愿者160"
