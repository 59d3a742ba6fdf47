"""Every route of the gateway, from its URL map, walked by outsiders against the real services (each a process,
events over the broker):

- its pages, as grid g2's worker asking for grid g1's objects (households, visits, disputes, drills, ...) and as
  community c2's staff asking for community c1's;
- its /api pass-through, for every route of every service (from each service's URL map), the same way;
- its public pages (sign-up links, a volunteer's own page, certificates, the satisfaction survey) with tokens that
  are not the right ones: 404.

Every answer is 403 or 404 (a refused button that redirects must land on a 403/404); the few pages that answer
200 (lists, forms, the user's own home) are named, and shown to hold nothing of the other side: no id, token,
case number or name of theirs. The route counts are printed."""
import io
import re
from datetime import date, timedelta

import pytest
from flask import Flask
from pymongo import MongoClient

from shared.clock import previous_month
from tests.support.access import is_public, leaks, placeholder_value, routes, stored_state
from tests.support.broker import wait_until
from tests.support.data import id_number, phone
from tests.support.objects import HttpClient, Signer, drills_made, mediation_objects, ok, volunteers_objects
from tests.support.stack import UNTHROTTLED, full_stack, page_token, seed_full, sign_in

pytestmark = pytest.mark.integration
PASSWORD = "demo-pass-1"
TODAY = date.today().isoformat()
REFUSED = (403, 404)


@pytest.fixture(scope="module")
def s(mongo_url):
    with full_stack(mongo_url, **UNTHROTTLED) as st:
        st.seeded = seed_full(st, password=PASSWORD)
        st.c1 = objects_of(st, "c1", "g1", st.seeded["g1"])
        yield st


def objects_of(s, community: str, grid: str, households: list) -> dict:
    """One of everything in `grid` (community `community`), made through each service's API."""
    signer = Signer(s.secret)
    first = households[0]
    visit = s.call("households", "POST", f"/households/{first['id']}/visits", json={
        "visited_at": "2026-11-20T10:00:00+08:00", "notes": "走访", "follow_up_needed": True, "follow_up": "复访"})
    assert visit.status_code == 201, visit.text
    vol = volunteers_objects(HttpClient(s.urls["volunteers"]), signer, community, grid, n=5)
    drills = HttpClient(s.urls["drills"])

    def drills_know_the_volunteer():  # from the volunteers service's volunteer.registered event
        known = ok(drills.get("/volunteers", query_string={"community_id": community}, headers=admin(signer)))
        return vol["volunteer_id"] in {v["volunteer_id"] for v in known}

    s.wait_for(drills_know_the_volunteer, 60)
    drill = drills_made(drills, signer, grid, community=community, household_id=first["id"],
                        resident_id=first["residents"][0]["resident_id"], volunteer_id=vol["volunteer_id"])
    med = mediation_objects(HttpClient(s.urls["mediation"]), signer, {grid: [h["id"] for h in households]}, grid,
                            community=community, mediator_id=s.seeded["mediator_id"], worker_id="w-" + grid,
                            notify=False)
    network = network_of(s, community, grid, households)
    job = s.call("households", "POST", f"/grids/{grid}/import", data={"dry_run": "true"}, files={"file": (
        "台账.csv", "楼栋,单元,房号,户籍类型,与户主关系,姓名\n1栋,1单元,101,户籍,户主,王一\n".encode())})
    assert job.status_code == 202, job.text
    s.wait_for(lambda: s.call("households", "GET", job.headers["Location"]).json()["outcome"], 60)  # its upload gone
    return {"community_id": community, "grid_id": grid, "household_id": first["id"],
            "resident_id": first["residents"][0]["resident_id"], "visit_id": visit.json()["id"], **network,
            "import_job_id": job.json()["id"],
            "volunteers": vol, "drills": drill, "mediation": med, "households": [h["id"] for h in households]}


def network_of(s, community: str, grid: str, households: list) -> dict:
    """A building head and a ten-household group in `grid`, a residents' group in `community` (households API)."""
    first = households[0]
    building = first["address"]["building"]
    head = s.call("households", "PUT", f"/grids/{grid}/building-heads", json={
        "building": building, "resident_id": first["residents"][0]["resident_id"]})
    group = s.call("households", "POST", f"/grids/{grid}/ten-groups", json={
        "name": "联户", "household_ids": [h["id"] for h in households[:3]], "lead_household_id": first["id"]})
    residents_group = s.call("households", "POST", f"/communities/{community}/residents-groups", json={
        "number": 1, "name": "第一居民小组", "buildings": [building]})
    for r in (head, group, residents_group):
        assert r.status_code in (200, 201), r.text

    def drills_keep_them():  # from building_head.changed and household_group.changed, before anything is compared
        with MongoClient(s.mongo_url) as client:
            db = client[f"test_{s.run_id}_drills"]
            return db["building_heads"].find_one() is not None and db["household_groups"].find_one() is not None

    s.wait_for(drills_keep_them, 60)
    return {"head_id": head.json()["id"], "ten_group_id": group.json()["id"],
            "residents_group_id": residents_group.json()["id"]}


def admin(signer):
    from tests.support.callers import headers_for

    return headers_for(signer, role="admin")


# ---- the gateway's pages --------------------------------------------------------------------------------------

# Not object pages: sign-in and out, the language link, the service worker, the home redirect, the caller's own
# identity; the pass-through (walked below, per service route) and the public pages (walked with wrong tokens).
NOT_OBJECTS = {"/", "/login", "/logout", "/lang/<code>", "/sw.js", "/api/me"}
PASSTHROUGH = "/api/<service>/<path:rest>"


def is_public_page(rule: str) -> bool:
    return rule.startswith(("/v/", "/survey/", "/case/"))


def page_ids(other: dict) -> dict:
    """The gateway's placeholders filled with the other side's objects."""
    vol, dr, med = other["volunteers"], other["drills"], other["mediation"]
    return {"grid_id": other["grid_id"], "community_id": other["community_id"], "household_id": other["household_id"],
            "street_id": "s1", "place_id": other["community_id"], "month": previous_month(), "resident_id": other["resident_id"], "tag": "elderly_alone", "visit_id": other["visit_id"],
            "user_id": other["user_id"], "dispute_id": med["dispute_id"], "case_id": med["case_id"],
            "photo_id": med["photo_id"],
            "referral_id": med["referral_id"], "notification_id": med["notification_id"],
            "drill_id": dr["drill_id"], "action_id": dr["action_id"], "plan_id": dr["plan_id"],
            "shelter_id": dr["shelter_id"], "supply_id": dr["supply_id"], "link_id": vol["link_id"],
            "team_id": vol["team_id"], "need_id": vol["need_id"], "volunteer_id": vol["volunteer_id"],
            "report_id": vol["report_id"], "entry_id": vol["entry_id"], "certificate_id": vol["certificate_id"],
            "claim_id": vol["claim_id"], "head_id": other["head_id"], "group_id": other["ten_group_id"],
            "serial": vol["serial"], "job_id": other["import_job_id"],
            "token": {"/v/me/": vol["personal_token"], "/v/": vol["link_token"], "/survey/": med["token"]}}


def page_form(other: dict, own_grid: str, csrf: str) -> dict:
    """One form body valid for every page form (each form reads its own fields), aimed at the other side."""
    med, vol = other["mediation"], other["volunteers"]
    soon = (date.today() + timedelta(days=7)).isoformat()
    return {"csrf_token": csrf, "reason": "核对", "notes": "走访", "visited_at": "2026-11-20T10:00",
            "client_id": "walk00000001", "tag": "disability", "to_grid_id": own_grid, "version": "1",
            "moved_out_on": TODAY, "building": "1栋", "unit": "1单元", "room": "101", "residency": "registered",
            "residents-0-name": "王大爷", "residents-0-relation": "head", "buildings": "1栋", "format": "csv",
            "problems": "广播听不清", "title": "修复广播", "owner_name": "张网格员", "due_on": soon,
            "resolution": "已修复", "text": "备注", "note": "备注", "mediator_id": other["user_id"],
            "working_days": "3", "to_body": "区人民法院", "result": "settled", "reasons": "other",
            "kind": "no_agreement", "rating": "5", "tick": f"{other['household_id']}:evacuated", "nonce": "walknonce01",
            "category": "neighbours", "description": "漏水", "channel": "walk_in",
            "place": f"grid:{other['grid_id']}", "applicant_name": "张三", "respondent_name": "李四",
            "present": med["party_ids"], "leave-moved_out_on": TODAY, "leave-version": "1", "pause-reason": "等待",
            "hours": "1", "served_on": TODAY, "volunteer_id": vol["volunteer_id"],
            "volunteer_ids": [vol["volunteer_id"]], "period_from": f"{date.today().year}-01-01", "period_to": TODAY,
            "name": "应急队", "capacity": "5", "valid_days": "30", "people_wanted": "1",
            "starts_at": "2030-05-04T09:00", "grid_id": other["grid_id"], "team_id": vol["team_id"],
            "problem": "missing", "direction": "out", "quantity": "1"}


FORM_OVERRIDES = {"mediation.refer": {"kind": "judicial"}}


def signed_in(s, username: str):
    client = s.gateway_app.test_client()
    assert sign_in(client, username, PASSWORD).status_code == 303
    return client


def settled_status(client, response) -> int:
    """A refused button may redirect back (303) to the object's page: what that page then answers."""
    if response.status_code in (302, 303) and response.headers.get("Location", "").startswith("/"):
        return client.get(response.headers["Location"]).status_code
    return response.status_code


def walk_pages(s, username: str, other: dict, own_grid: str):
    """[(method, rule, status, text)] for every object page of the gateway."""
    client = signed_in(s, username)
    csrf = page_token(client, "/grids")
    ids = page_ids(other)
    answers = []
    for rule, method, endpoint in routes(s.gateway_app, where=lambda r: not (
            r in NOT_OBJECTS or r == PASSTHROUGH or is_public_page(r) or r.startswith("/static/"))):
        url = re.sub(r"<(?:[^>:]+:)?([^>]+)>", lambda m: _one(ids, rule, m[1]), _simplify(rule))
        if method == "GET":
            response = client.get(url)
        else:
            response = client.open(url, method=method,
                                   data={**page_form(other, own_grid, csrf), **FORM_OVERRIDES.get(endpoint, {})})
        answers.append((method, rule, settled_status(client, response), response.get_data(as_text=True)))
    return answers


def _simplify(rule: str) -> str:
    """<any(receipt, agreement, 'special-report'):kind> -> receipt (the first of its choices)"""
    return re.sub(r"<any\(\s*'?([^,')]+)'?[^)]*\):[^>]+>", r"\1", rule)


def _one(ids, rule, name):
    value = placeholder_value(ids, rule, name)
    assert value is not None, f"gateway route {rule}: no id given for <{name}>; add one to the walk"
    return str(value)


def secrets_of(other: dict) -> list[str]:
    vol, dr, med = other["volunteers"], other["drills"], other["mediation"]
    return [*other["households"], other["visit_id"], other["resident_id"], other["head_id"], other["ten_group_id"],
            other["import_job_id"],
            other["residents_group_id"], med["dispute_id"], med["closed_id"], med["case_id"], med["photo_id"],
            med["number"], med["token"], *med["party_ids"], dr["drill_id"], dr["action_id"], vol["volunteer_id"],
            vol["link_token"], vol["personal_token"], vol["need_id"], vol["certificate_id"], vol["serial"]]


def service_states(s) -> dict:
    """What each service has stored (see stored_state); the mediation worker fills feeds from case events on its
    own time, so its notifications are left out (the walk's callers have none, and mark none: checked)."""
    from pymongo import MongoClient

    skip = ("processed_events", "outbox_sent", "notifications")
    with MongoClient(s.mongo_url) as client:
        return {name: stored_state(client[f"test_{s.run_id}_{name}"], skip=skip) for name in s.urls}


def their_feed_is_unread(s, other: dict) -> bool:
    """The notification of grid g1's worker is still unread: nobody else's 'mark as read' reached it."""
    from shared.identity import Principal

    owner = Principal(user_id="w-" + other["grid_id"], role="grid_worker", grid_ids=(other["grid_id"],))
    feed = s.call("mediation", "GET", "/notifications", principal=owner, params={"unread": "true", "limit": 200})
    return other["mediation"]["notification_id"] in {n["id"] for n in feed.json()["items"]}


def refused_or_harmless(answers, secrets, allowed=()) -> tuple[list, list]:
    """(let through, leaks): a route that names an object (has a placeholder) must answer 403 or 404 unless
    `allowed`; a page without one (a list, a form, the user's own feed) may answer, but must show nothing of
    the other side."""
    through = [(m, r, st) for m, r, st, _ in answers
               if st not in REFUSED and ("<" in r or st >= 500) and (m, r) not in allowed]
    return through, leaks(answers, secrets)


@pytest.mark.parametrize("username, own_grid, label", [
    ("worker-g2", "g2", "grid g2's worker on grid g1's objects"),
    ("staff-c2", "g3", "community c2's staff on community c1's objects"),
])
def test_every_page_refuses_outsiders(s, username, own_grid, label):
    other = {**s.c1, "user_id": s.seeded["mediator_id"]}
    # A grid worker of c1 may flag a missing supply of c1 (any grid's worker finds it during a drill); the
    # community's compliance page counts every drill of c1 by id.
    same_community = username == "worker-g2"
    allowed = {("POST", "/drills/supplies/<supply_id>/flag")} if same_community else set()
    touched = {("drills", "supplies")} if same_community else set()

    def states():
        return {(name, c): v for name, cs in service_states(s).items() for c, v in cs.items()
                if (name, c) not in touched}

    before = states()
    answers = walk_pages(s, username, other, own_grid)
    through, leaked = refused_or_harmless(answers, secrets_of(other), allowed)
    if same_community:
        leaked = [x for x in leaked if x[1] != "/drills/compliance"]
    assert through == [], through
    assert leaked == [], leaked
    assert states() == before, "a refused page stored something"
    assert their_feed_is_unread(s, other)
    answered = sorted({f"{m} {r}" for m, r, st, _ in answers if st not in REFUSED})
    print(f"\n[access walk] gateway pages: {len(answers)} route/method pairs walked as {label}; "
          f"{len(answers) - len(answered)} refused (403/404); answered without anything of theirs: {answered}")


# ---- the /api pass-through, for every route of every service ----------------------------------------------------

def service_url_map(name: str):
    """A service's routes (its blueprints on a bare app: nothing connects anywhere)."""
    import importlib

    app = Flask(f"walk-{name}")
    for module in {"households": ("views", "import_views", "network_views")}.get(name, ("views",)):
        app.register_blueprint(importlib.import_module(f"services.{name}.{module}").bp)
    return app


def api_plans(other: dict, own_grid: str) -> dict:
    """Per service: (ids, bodies, queries) aimed at the other side, as the services' own walks use them."""
    from tests.integration.drills import test_drills_access as dr
    from tests.integration.households import test_households_access as hh
    from tests.integration.mediation import test_mediation_access as md
    from tests.integration.volunteers import test_volunteers_access as vo
    from tests.support.objects import volunteers_path_ids

    households = {"community_id": other["community_id"], "grid_id": other["grid_id"],
                  "household_id": other["household_id"], "resident_id": other["resident_id"],
                  "visit_id": other["visit_id"], "street_id": "s1", "head_id": other["head_id"],
                  "job_id": other["import_job_id"],
                  "group_id": {"/ten-groups/": other["ten_group_id"], "/residents-groups/": other["residents_group_id"]}}
    vol, drill, med = other["volunteers"], other["drills"], other["mediation"]
    return {"households": (households, hh.bodies(households, own_grid), hh.queries(households)),
            "volunteers": (volunteers_path_ids(vol), vo.bodies(vol), vo.queries(vol)),
            "drills": (drill, dr.bodies(drill), dr.queries(drill)),
            "mediation": (md.ids(med), md.bodies(med), md.queries(med))}


@pytest.mark.parametrize("username, own_grid, label", [
    ("worker-g2", "g2", "grid g2's worker on grid g1's objects"),
    ("staff-c2", "g3", "community c2's staff on community c1's objects"),
])
def test_every_service_route_through_the_api_refuses_outsiders(s, username, own_grid, label):
    from tests.support.access import fill

    other = {**s.c1, "user_id": s.seeded["mediator_id"]}
    client = signed_in(s, username)
    csrf = {"X-CSRFToken": client.get("/api/me").json["csrf_token"]}
    same_community = username == "worker-g2"
    touched = {("drills", "supplies")} if same_community else set()

    def states():
        return {(name, c): v for name, cs in service_states(s).items() for c, v in cs.items()
                if (name, c) not in touched}

    before = states()
    answers, per_service = [], {}
    for name, (ids, bodies, queries) in api_plans(other, own_grid).items():
        app = service_url_map(name)
        walked = 0
        for rule, method, endpoint in routes(app, where=lambda r: not is_public(r)):
            kwargs = {"query_string": queries.get(endpoint)}
            if method != "GET":
                assert endpoint in bodies, f"{method} {rule} ({endpoint}): give a valid body to the access walk"
                body = bodies[endpoint]
                kwargs.update(body() if callable(body) else {"json": body})
                kwargs["headers"] = csrf
            response = client.open(f"/api/{name}" + fill(rule, ids), method=method, **kwargs)
            answers.append((method, f"/api/{name}{rule}", response.status_code,
                            response.get_data().decode("utf-8", "replace")))
            walked += 1
        per_service[name] = walked
    # what each service lets its own callers list (their own grid's or community's things): checked for leaks
    lists = {"GET /api/households/grids", "GET /api/households/communities", "GET /api/households/places", "GET /api/volunteers/communities",
             "GET /api/volunteers/teams/led", "GET /api/volunteers/volunteers", "GET /api/volunteers/needs",
             "GET /api/mediation/disputes", "GET /api/mediation/notices", "GET /api/mediation/notifications",
             "POST /api/mediation/notifications/read-all", "GET /api/mediation/reports/hotspots",
             "GET /api/mediation/register/households", "GET /api/mediation/mediators", "GET /api/drills/drills",
             "GET /api/drills/compliance"}
    if same_community:  # c1's community things serve every grid of c1 (as in test_drills_access)
        lists |= {f"GET /api/drills{r}" for r in ("/plans", "/plans/<plan_id>", "/shelters", "/shelters/<shelter_id>",
                                                  "/supplies", "/supplies/report", "/supplies/<supply_id>", "/grids",
                                                  "/volunteers", "/actions")}
        lists.add("POST /api/drills/supplies/<supply_id>/flags")
    through = [(m, r, st) for m, r, st, _ in answers if st not in REFUSED and f"{m} {r}" not in lists]
    # c1's drills lists serve all of c1: its compliance row counts every drill of c1, and the volunteers who can
    # be checked in at its drills include grid g1's
    leaked = [x for x in leaks(answers, secrets_of(other)) if not (same_community and x[1] in (
        "/api/drills/compliance", "/api/drills/volunteers"))]
    assert through == [], through
    assert leaked == [], leaked
    assert states() == before, "a refused call stored something"
    assert their_feed_is_unread(s, other)
    print(f"\n[access walk] gateway /api pass-through: {len(answers)} service route/method pairs "
          f"({', '.join(f'{k} {v}' for k, v in per_service.items())}) walked as {label}; "
          f"{sum(1 for a in answers if a[2] in REFUSED)} refused (403/404)")


def test_an_upload_through_the_api_reaches_the_service(s):
    client = signed_in(s, "worker-g1")
    csrf = {"X-CSRFToken": client.get("/api/me").json["csrf_token"]}
    sheet = ("楼栋,单元,房号,户籍类型,户主姓名,与户主关系,姓名,性别,出生日期,身份证号,联系电话,关爱类型,入住日期\n"
             f"9栋,1单元,101,户籍,张上传,户主,张上传,男,1950-01-01,{id_number(9901)},{phone(9901)},,2020-01-01\n").encode()
    r = client.post("/api/households/grids/g1/import", data={"file": (io.BytesIO(sheet), "register.csv"),
                                                             "dry_run": "true"},
                    content_type="multipart/form-data", headers=csrf)
    assert r.status_code == 202, r.json  # taken on as a job: followed through the same pass-through
    job = wait_until(lambda: (j := client.get(f"/api/households/imports/{r.json['id']}").json)["outcome"] and j, 60)
    body = job["outcome"]["body"]
    assert job["outcome"]["status"] == 200 and (body["rows"], body["bad_rows"], body["written"]) == (1, [], False)


# ---- public pages: the token (or serial) is the only key ----------------------------------------------------------

def test_public_pages_without_the_right_token_answer_404(s):
    vol = s.c1["volunteers"]
    anonymous = s.gateway_app.test_client()
    csrf = page_token(anonymous, f"/v/{vol['link_token']}")
    made_up = "Z" * 43
    wrong = [{"token": made_up, "serial": "VS2026-999999-ZZZZ"},
             {"token": {"/v/me/": vol["link_token"], "/v/": vol["personal_token"], "/survey/": vol["link_token"],
                        "/case/": s.c1["mediation"]["token"]},
              "serial": vol["serial"][:-1] + ("A" if vol["serial"][-1] != "A" else "B")}]
    form = {"csrf_token": csrf, "name": "冒名", "phone": "13900000001", "consent": "y", "rating": "1",
            "served_on": TODAY, "hours": "1", "description": "冒报", "reason": "冒名"}
    before = service_states(s)
    answers = []
    for ids in wrong:
        for rule, method, endpoint in routes(s.gateway_app, where=lambda r: is_public_page(r) and "<" in r):
            url = re.sub(r"<(?:[^>:]+:)?([^>]+)>", lambda m: _one(ids, rule, m[1]), rule)
            response = anonymous.open(url, method=method, data=form if method == "POST" else None)
            answers.append((method, rule, response.status_code))
    # someone's own personal link with another volunteer's (real) certificate
    theirs = anonymous.get(f"/v/me/{vol['personal_token']}/certificates/VS2026-000001-ABCD.pdf")
    answers.append(("GET", "/v/me/<token>/certificates/<serial>.pdf (not theirs)", theirs.status_code))
    assert {st for _, _, st in answers} == {404}, [a for a in answers if a[2] != 404]
    # the same through the /api pass-through, signed in: a staff role on a public route is refused as well
    client = signed_in(s, "staff-c2")
    csrf_header = {"X-CSRFToken": client.get("/api/me").json["csrf_token"]}
    api_answers = []
    for name in ("volunteers", "mediation"):
        for rule, method, endpoint in routes(service_url_map(name), where=lambda r: is_public(r) and "<" in r):
            for ids in wrong:
                url = f"/api/{name}" + re.sub(r"<(?:[^>:]+:)?([^>]+)>", lambda m: str(
                    placeholder_value(ids, "/v/" if "links" in rule else "/v/me/", m[1])
                    if m[1] == "token" else placeholder_value(ids, rule, m[1])), rule)
                r = client.open(url, method=method, json={} if method != "GET" else None,
                                headers=csrf_header if method != "GET" else None)
                api_answers.append((method, rule, r.status_code))
    assert {st for _, _, st in api_answers} <= {403, 404}, [a for a in api_answers if a[2] not in (403, 404)]
    assert service_states(s) == before
    print(f"\n[access walk] gateway public pages: {len(answers)} calls with wrong tokens or serials, all 404; "
          f"{len(api_answers)} public service routes through /api with wrong tokens, all 403/404")
