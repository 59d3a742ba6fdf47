"""Every route of the mediation service, from its URL map, walked by outsiders:

- grid C1-G1's worker asking for grid C1-G2's cases (an open one with a session and a referral, a closed one),
  its register copy and notifications;
- community C1's staff, and C1's mediator, asking for everything of community C2 (and C2's mediator's record);
- a resident on the survey routes with tokens that are not the right ones: every answer 404.

Every answer is 403 or 404 but for named list routes, which are shown to hold nothing of the other side (no
case id, number, household or party of theirs); no refused call stores anything."""
from io import BytesIO

import mongoengine

from shared import clock
from tests.support import photos
from tests.support.access import is_public, leaks, let_through, outsiders, report, walk, walk_detail
from tests.support.callers import headers_for
from tests.support.fuzz import fingerprint, stored_difference
from tests.support.objects import mediation_objects, mediation_register

# the desk's list, figures and category lists: shown to hold nothing of the other side
DESK_LISTS = {("GET", "/cases"), ("GET", "/reports/desk"), ("GET", "/desk/categories")}


def bodies(other: dict) -> dict:
    """A valid body for every write route, aimed at the other side's objects."""
    return {
        "mediation.register_dispute": {"grid_id": other["grid_id"], "category": "neighbours", "description": "漏水",
                                       "channel": "walk_in", "parties": [
                                           {"role": "applicant", "kind": "person", "name": "赵六"},
                                           {"role": "respondent", "kind": "person", "name": "王五"}]},
        "mediation.update_dispute": {"version": 1, "urgency": "urgent"},
        "mediation.assign_mediator": {"mediator_id": other["user_id"], "reason": "回避"},
        "mediation.pause_clock": {"reason": "等待鉴定"},
        "mediation.resume_clock": {},
        "mediation.extend_deadline": {"working_days": 3, "reason": "案情复杂"},
        "mediation.decide_extension": {"approve": True, "reason": "同意延期"},
        "mediation.closing_notice_pdf": {"token": other["token"]},
        "mediation.record_session": {"attendance": [{"party_id": p, "present": True} for p in other["party_ids"]]},
        "mediation.record_outcome": {"kind": "no_agreement"},
        "mediation.refer": {"kind": "judicial", "to_body": "区人民法院"},
        "mediation.record_referral_return": {"result": "settled"},
        "mediation.escalate": {"reasons": ["other"]},
        "mediation.close_dispute": {"note": "结案"},
        "mediation.renew_survey_link": {},
        "mediation.archive": {},
        "mediation.annotate": {"text": "备注"},
        "mediation.reveal_parties": {"reason": "联系当事人"},
        "mediation.answer_survey": {"rating": 1, "comment": "冒名评价"},
        "mediation.put_mediator": {"name": "改名", "community_ids": [other["community_id"]]},
        "mediation.enrol_self": {},
        "mediation.mark_read": {},
        "mediation.mark_all_read": {},
        "desk.register_request": {"grid_id": other["grid_id"], "category": "subsistence", "description": "低保年审",
                                  "applicant": {"kind": "person", "name": "赵六"}},
        "desk.register_incident": {"grid_id": other["grid_id"], "category": "other", "description": "路灯不亮",
                                   "place": {"text": "路口"}},
        "desk.request_help": {"help": "visit", "summary": "上门探访"},
        "photos.add_photos": lambda: {"content_type": "multipart/form-data", "data": {
            "stage": "reported", "photos": [(BytesIO(photos.jpeg()), "p.jpg", "image/jpeg")]}},
        "dispatch.dispatch_case": {"target": "person", "user_id": "w-a", "user_name": "网格员"},
        "dispatch.handle_case": {"handling": "已处理"},
        "dispatch.verify_case": {"passed": True},
        "dispatch.renew_feedback_link": {},
        "dispatch.answer_feedback_survey": {"rating": 1, "comment": "冒名评价"},
    }


def queries(other: dict) -> dict:
    place = {"community_id": other["community_id"], "grid_id": other["grid_id"]}
    return {"mediation.list_disputes": {**place, "status": "all"},
            "mediation.list_mediators": {"community_id": other["community_id"]},
            "mediation.search_register": place, "mediation.hotspots": place,
            "mediation.list_notifications": {"unread": "false"},
            "desk.list_cases": {**place, "status": "all"}, "desk.desk_report": place,
            "mediation.month_report": {"community_id": other["community_id"], "month": clock.previous_month()},
            "mediation.cases_by_month": {"community_id": other["community_id"]}}


def ids(other: dict) -> dict:
    return {"dispute_id": {"/survey-link": other["closed_id"], "/closing-notice": other["closed_id"],
                           "/archive": other["closed_id"],
                           "/disputes/": other["dispute_id"]},
            "referral_id": other["referral_id"], "notification_id": other["notification_id"],
            "user_id": other["user_id"], "token": other["token"], "case_id": other["case_id"],
            "photo_id": other["photo_id"]}


def secrets(other: dict) -> list[str]:
    return [other["dispute_id"], other["closed_id"], other["number"], other["notification_id"], other["token"],
            *other["household_ids"], *other["party_ids"], other["case_id"], other["photo_id"]]


def outsider_walk(app, client, who: dict, other: dict, allowed=(), touched=()):
    """Walk every staff route; `touched` names the collections an allowed write may change."""
    db = mongoengine.get_db()
    before = {k: v for k, v in fingerprint(db).items() if k not in touched}
    answers = walk_detail(app, client, headers=who, ids=ids(other), bodies=bodies(other), query=queries(other),
                          where=lambda rule: not is_public(rule))
    through = let_through(answers, allowed)
    assert through == [], [(m, r, s, t[:300]) for m, r, s, t in answers if (m, r, s) in through]
    found = leaks(answers, secrets(other))
    assert found == [], "\n".join(map(str, found))
    after = {k: v for k, v in fingerprint(db).items() if k not in touched}
    assert after == before, f"a refused call stored something: {stored_difference(before, after)}"
    return answers


def test_grid_a_worker_gets_403_or_404_for_every_route_on_grid_b(mediation_app, api):  # noqa: F811
    homes = mediation_register(api, mediation_app)
    grid_b = mediation_objects(api, mediation_app, homes, "C1-G2")
    worker_a = headers_for(mediation_app, role="grid_worker", user_id="w-C1-G1", grids=["C1-G1"])
    # the worker's own cases, feed (empty: nothing is marked), grid figures, register search and C1's mediators
    allowed = {("GET", "/disputes"), ("GET", "/notices"), ("GET", "/notifications"),
               ("POST", "/notifications/read-all"), ("GET", "/reports/hotspots"), ("GET", "/register/households"),
               ("GET", "/mediators"), *DESK_LISTS}
    answers = outsider_walk(mediation_app, api, worker_a, grid_b, allowed)
    print("\n" + report("mediation service", answers, "grid C1-G1's worker on grid C1-G2's objects"))


def test_c1_staff_and_mediator_get_403_or_404_for_every_route_on_community_c2(mediation_app, api):  # noqa: F811
    homes = mediation_register(api, mediation_app)
    c2 = mediation_objects(api, mediation_app, homes, "C2-G1")
    allowed = {("GET", "/disputes"), ("GET", "/notices"), ("GET", "/notifications"),
               ("POST", "/notifications/read-all"), ("GET", "/reports/hotspots"), ("GET", "/register/households"),
               *DESK_LISTS}
    staff = headers_for(mediation_app, role="community_staff", user_id="s-C1", communities=["C1"])
    answers = outsider_walk(mediation_app, api, staff, c2, allowed)
    print("\n" + report("mediation service", answers, "community C1's staff on community C2's objects"))
    # enrolling oneself on one's own community's roster is the mediator's own business
    mediator = headers_for(mediation_app, role="mediator", user_id="m-C1", communities=["C1"])
    admin = headers_for(mediation_app, role="admin")
    theirs = api.get("/mediators", query_string={"community_id": "C2"}, headers=admin).json
    answers = outsider_walk(mediation_app, api, mediator, c2, allowed | {("POST", "/mediators/me")},
                            touched={"mediators"})
    # C2's roster untouched
    assert api.get("/mediators", query_string={"community_id": "C2"}, headers=admin).json == theirs
    print("\n" + report("mediation service", answers, "community C1's mediator on community C2's objects"))


def test_survey_routes_without_the_right_token_answer_404(mediation_app, api):  # noqa: F811
    homes = mediation_register(api, mediation_app)
    c2 = mediation_objects(api, mediation_app, homes, "C2-G1")
    resident = headers_for(mediation_app, role="resident", user_id="anon")
    before = fingerprint(mongoengine.get_db())
    walked = 0
    for token in ("Z" * 43, c2["dispute_id"], c2["token"][:-1] + ("A" if c2["token"][-1] != "A" else "B")):
        answers = walk_detail(mediation_app, api, headers=resident, ids={"token": token}, bodies=bodies(c2),
                              where=is_public)
        walked += len(answers)
        assert {s for _, _, s, _ in answers} == {404}, (token, [(m, r, s) for m, r, s, _ in answers])
    staff_routes = walk_detail(mediation_app, api, headers=resident, ids=ids(c2), bodies=bodies(c2),
                               query=queries(c2), where=lambda rule: not is_public(rule))
    assert {s for _, _, s, _ in staff_routes} == {403}, [(m, r, s) for m, r, s, _ in staff_routes if s != 403]
    assert fingerprint(mongoengine.get_db()) == before
    print(f"\n[access walk] mediation survey routes: {walked} calls with wrong tokens, all 404; "
          f"{len(staff_routes)} staff routes as a resident, all 403")


def test_naming_another_grids_household_as_a_party_is_refused_like_an_unknown_one(mediation_app, api):  # noqa: F811
    """A case body naming a household of grid B is refused with the very answer a made-up household gets, so
    the refusal tells an outsider nothing; nothing is stored."""
    homes = mediation_register(api, mediation_app)
    worker_a = headers_for(mediation_app, role="grid_worker", user_id="w-C1-G1", grids=["C1-G1"])
    before = fingerprint(mongoengine.get_db())

    def refused(household_id):
        body = {"grid_id": "C1-G1", "category": "neighbours", "description": "漏水", "channel": "walk_in",
                "parties": [{"role": "applicant", "kind": "household", "household_id": household_id},
                            {"role": "respondent", "kind": "person", "name": "王五"}]}
        r = api.post("/disputes", json=body, headers=worker_a)
        return r.status_code, str(r.json["fields"]).replace(household_id, "X"), \
            r.json["message"].replace(household_id, "X")

    assert refused(homes["C1-G2"][0]) == refused("f" * 24) == refused(homes["C2-G1"][0])
    assert refused(homes["C1-G2"][0])[0] == 422
    assert fingerprint(mongoengine.get_db()) == before


def test_every_route_refuses_identities_not_from_the_gateway(mediation_app, api):  # noqa: F811
    """Every route, public ones included, answers 401 to an identity the gateway did not sign (or signed too
    long ago, or for a role that does not exist), and stores nothing."""
    homes = mediation_register(api, mediation_app)
    own = mediation_objects(api, mediation_app, homes, "C1-G1")
    before = fingerprint(mongoengine.get_db())
    walked = 0
    for label, headers in outsiders(mediation_app):
        answers = walk(mediation_app, api, headers=headers, ids=ids(own), bodies=bodies(own), query=queries(own))
        walked += len(answers)
        assert {s for _, _, s in answers} == {401}, (label, [a for a in answers if a[2] != 401])
    assert fingerprint(mongoengine.get_db()) == before
    print(f"\n[access walk] mediation service: {walked} calls with identities not from the gateway "
          f"({len(outsiders(mediation_app))} kinds), all 401")
