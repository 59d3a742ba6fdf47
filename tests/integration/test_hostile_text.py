"""Hostile text in every field.

Services (each in turn, in-process over HTTP against the real MongoDB-wire server): every write route is called
with a valid body (aimed at real objects, as a caller who may), then once per text field of that body with the
field replaced by
  - a MongoDB operator ({"$gt": ""}, {"$ne": null}, ["$where"]): always 422 naming the field, nothing stored;
  - a very long string (200,000 characters): refused (422/413) or stored, never a 5xx;
  - control characters, bidi overrides, NUL: refused or stored, never a 5xx;
and every list route with query parameters is asked with `param[$ne]=…` and `param={"$gt": ""}`: the answer is
a 422, or the same as without the parameter, or (a search) finds nothing: the operator never reaches a query;
and every read route is asked with a parameter it does not declare (a misspelt filter): a 422 naming it, never the
unfiltered answer.

The gateway (every service a process, events over the broker): HTML and <script> are put into the free-text
fields of households, visits, volunteers, teams, needs, drills, problems, actions and disputes through the
services' APIs, then every page of the gateway (from its URL map) is opened as the users who may see them: the
rendered HTML never contains the raw tags, and the pages that show the text show its escaped form.
"""
import copy
import json
import time
from datetime import date, datetime, timedelta, timezone

import mongoengine
import pytest

from tests.support.callers import headers_for
from tests.support.fuzz import UNIFORM_ERROR, fingerprint, stored_difference

OPERATORS = ({"$gt": ""}, {"$ne": None}, ["$where", "sleep(1000)"])
LONG = "长" * 200_000
CONTROL = "a\x00b\x07c\x1b[31m\u202e\u200b\ufeffd\r\n\te"
TODAY = date.today().isoformat()


def soon(minutes: int) -> str:
    return (datetime.now(timezone.utc) + timedelta(minutes=minutes)).isoformat()


def text_leaves(body, path=()):
    """Paths to every string in a JSON body (nested dicts and lists)."""
    if isinstance(body, dict):
        for key, value in body.items():
            yield from text_leaves(value, (*path, key))
    elif isinstance(body, list):
        for i, value in enumerate(body):
            yield from text_leaves(value, (*path, i))
    elif isinstance(body, str):
        yield path


def replaced(body, path, value):
    out = copy.deepcopy(body)
    target = out
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return out


def assert_uniform(response, where):
    assert response.status_code < 500, (where, response.status_code, response.get_data(as_text=True)[:300])
    if response.status_code >= 400:
        assert set(response.json) == UNIFORM_ERROR, (where, response.get_data(as_text=True)[:300])


class Tally:
    def __init__(self):
        self.calls = self.operators = self.long = self.control = self.queries = self.reads = 0

    def line(self, service: str) -> str:
        return (f"[hostile text] {service}: {self.calls} calls: {self.operators} bodies with an operator in a text "
                f"field, all 422 with nothing stored; {self.long} very long and {self.control} control-character or "
                f"HTML values, no 5xx; {self.queries} operator query strings, none reached a query; {self.reads} "
                f"reads of everything afterwards, no 5xx")


def hostile_bodies(app, client, *, routes_bodies, ids, caller_for, tally: Tally):
    """Every write route, every text field, every hostile value (see the module's docstring)."""
    from tests.support.access import fill, routes

    db = mongoengine.get_db()
    for rule, method, endpoint in routes(app):
        if method == "GET" or endpoint not in routes_bodies:
            continue
        body = routes_bodies[endpoint]
        if callable(body) or not isinstance(body, dict):
            continue
        url, headers = fill(rule, ids), caller_for(rule)
        for path in list(text_leaves(body)):
            where = f"{method} {rule} {'.'.join(map(str, path))}"
            for operator in OPERATORS:
                before = fingerprint(db)
                r = client.open(url, method=method, json=replaced(body, path, operator), headers=headers)
                tally.calls += 1
                tally.operators += 1
                assert r.status_code == 422, (where, operator, r.status_code, r.get_data(as_text=True)[:300])
                assert set(r.json) == UNIFORM_ERROR and r.json["fields"], (where, r.json)
                after = fingerprint(db)
                assert after == before, (where, operator, stored_difference(before, after))
            for value, counter in ((LONG, "long"), (CONTROL, "control"), ("<script>alert(1)</script>", "control")):
                r = client.open(url, method=method, json=replaced(body, path, value), headers=headers)
                tally.calls += 1
                setattr(tally, counter, getattr(tally, counter) + 1)
                assert_uniform(r, f"{where} = {value[:20]!r}")


def hostile_queries(app, client, *, ids, caller_for, tally: Tally, spec: dict, baseline_queries: dict):
    """Every list route's query parameters with operators: 422, ignored, or nothing found."""
    from tests.support.access import fill, routes

    for rule, method, endpoint in routes(app):
        if method != "GET":
            continue
        params = [p["name"] for op in [spec["paths"].get(_openapi_path(rule), {}).get("get", {})]
                  for p in op.get("parameters", []) if p.get("in") == "query"]
        if not params:
            continue
        url, headers = fill(rule, ids), caller_for(rule)
        base_args = baseline_queries.get(endpoint, {})
        baseline = client.get(url, query_string=base_args, headers=headers)
        for name in params:
            for key, value in ((f"{name}[$ne]", "zzz"), (f"{name}[$gt]", ""), (name, json.dumps({"$gt": ""})),
                               (name, '{"$ne": null}')):
                args = {**base_args, key: value}
                r = client.get(url, query_string=args, headers=headers)
                tally.calls += 1
                tally.queries += 1
                where = f"GET {rule}?{key}={value}"
                assert_uniform(r, where)
                if r.status_code == 200 and baseline.status_code == 200:
                    assert _size(r.json) <= _size(baseline.json) or r.json == baseline.json, where
                    if key == name and name == "q":
                        assert _size(r.json) == 0, (where, "a search with an operator found something")


def undeclared_queries(app, client, *, ids, caller_for, tally: Tally, baseline_queries: dict):
    """Every read route with a query parameter it does not declare, beside those it does: 422 naming it."""
    from tests.support.access import fill, routes

    for rule, method, endpoint in routes(app):
        if method != "GET":
            continue
        args = {**baseline_queries.get(endpoint, {}), "comunity_id": "c1"}
        r = client.get(fill(rule, ids), query_string=args, headers=caller_for(rule))
        tally.calls += 1
        tally.queries += 1
        where = f"GET {rule}?comunity_id=c1"
        assert r.status_code == 422, (where, r.status_code, r.get_data(as_text=True)[:300])
        assert set(r.json) == UNIFORM_ERROR and list(r.json["fields"]) == ["comunity_id"], (where, r.json)


def read_everything(app, client, *, ids, caller_for, queries: dict, tally: Tally):
    """Every read route once the hostile text accepted above is stored: lists, PDFs, sheets, QR codes: no 5xx."""
    from tests.support.access import fill, routes

    for rule, method, endpoint in routes(app):
        if method != "GET":
            continue
        r = client.get(fill(rule, ids), query_string=queries.get(endpoint), headers=caller_for(rule))
        tally.calls += 1
        tally.reads += 1
        assert_uniform(r, f"GET {rule} (with hostile text stored)")


def _openapi_path(rule: str) -> str:
    import re

    return re.sub(r"<(?:[^>:]+:)?([^>]+)>", r"{\1}", rule)


def _size(body) -> int:
    if isinstance(body, list):
        return len(body)
    if isinstance(body, dict):
        for key in ("items", "results", "households"):
            if isinstance(body.get(key), list):
                return len(body[key])
        return body.get("total", 0) if isinstance(body.get("total"), int) else 0
    return 0


# ---- each service ---------------------------------------------------------------------------------------------

def test_households_refuses_operators_and_survives_hostile_text(households_app, client):
    from tests.integration.households.test_households_access import bodies, finished_import, queries
    from tests.support.objects import households_district, households_objects

    households_district(client, households_app)
    own = {**households_objects(client, households_app, "C1-G1"), "job_id": finished_import(client, "C1-G1")}
    admin = headers_for(households_app, role="admin")
    tally = Tally()
    spec = client.get("/openapi.json").json
    routes_bodies = bodies(own, "C1-G2")
    routes_bodies["households.register_household"] = {**routes_bodies["households.register_household"],
                                                      "grid_id": "C1-G1"}
    hostile_bodies(households_app, client, routes_bodies=routes_bodies, ids=own, caller_for=lambda r: admin,
                   tally=tally)
    hostile_queries(households_app, client, ids=own, caller_for=lambda r: admin, tally=tally, spec=spec,
                    baseline_queries=queries(own))
    undeclared_queries(households_app, client, ids=own, caller_for=lambda r: admin, tally=tally,
                       baseline_queries=queries(own))
    read_everything(households_app, client, ids=own, caller_for=lambda r: admin, queries=queries(own), tally=tally)
    # a search with an operator as text finds nothing (there are households to find)
    assert client.get("/households", query_string={"grid_id": "C1-G1"}, headers=admin).json["total"] >= 2
    print("\n" + tally.line("households"))


def test_volunteers_refuses_operators_and_survives_hostile_text(vol_app, vc):
    from tests.integration.volunteers.test_volunteers_access import bodies, queries
    from tests.support.access import is_public
    from tests.support.objects import volunteers_objects, volunteers_path_ids, volunteers_places

    volunteers_places(vol_app)
    own = volunteers_objects(vc, vol_app, "C1")
    ids = volunteers_path_ids(own)
    admin = headers_for(vol_app, role="admin")
    resident = headers_for(vol_app, role="resident", user_id="anon")

    def caller_for(rule):
        return resident if is_public(rule) else admin

    tally = Tally()
    hostile_bodies(vol_app, vc, routes_bodies=bodies(own), ids=ids, caller_for=caller_for, tally=tally)
    hostile_queries(vol_app, vc, ids=ids, caller_for=caller_for, tally=tally, spec=vc.get("/openapi.json").json,
                    baseline_queries=queries(own))
    undeclared_queries(vol_app, vc, ids=ids, caller_for=caller_for, tally=tally, baseline_queries=queries(own))
    read_everything(vol_app, vc, ids=ids, caller_for=caller_for, queries=queries(own), tally=tally)
    print("\n" + tally.line("volunteers"))


def test_drills_refuses_operators_and_survives_hostile_text(drills_app, drills):
    from tests.integration.drills.test_drills_access import bodies, queries
    from tests.support.objects import drills_objects, drills_register

    homes = drills_register()
    own = drills_objects(drills, drills_app, homes, "C1-G1")
    admin = headers_for(drills_app, role="admin")
    tally = Tally()
    hostile_bodies(drills_app, drills, routes_bodies=bodies(own), ids=own, caller_for=lambda r: admin, tally=tally)
    hostile_queries(drills_app, drills, ids=own, caller_for=lambda r: admin, tally=tally,
                    spec=drills.get("/openapi.json").json, baseline_queries=queries(own))
    undeclared_queries(drills_app, drills, ids=own, caller_for=lambda r: admin, tally=tally,
                       baseline_queries=queries(own))
    read_everything(drills_app, drills, ids=own, caller_for=lambda r: admin, queries=queries(own), tally=tally)
    print("\n" + tally.line("drills"))


def test_mediation_refuses_operators_and_survives_hostile_text(mediation_app, api):
    from tests.integration.mediation.test_mediation_access import bodies, ids, queries
    from tests.support.access import is_public
    from tests.support.objects import mediation_objects, mediation_register

    homes = mediation_register(api, mediation_app)
    own = mediation_objects(api, mediation_app, homes, "C1-G1")
    mediator = headers_for(mediation_app, role="mediator", user_id="m-C1", communities=["C1"])
    staff = headers_for(mediation_app, role="community_staff", user_id="s-C1", communities=["C1"])
    resident = headers_for(mediation_app, role="resident", user_id="anon")
    worker = headers_for(mediation_app, role="grid_worker", user_id="w-C1-G1", grids=["C1-G1"])

    def caller_for(rule):
        if is_public(rule):
            return resident
        if any(part in rule for part in ("/sessions", "/outcome", "/referrals", "/escalate", "/annotations")):
            return mediator
        return worker if rule.startswith("/notifications") else staff

    tally = Tally()
    hostile_bodies(mediation_app, api, routes_bodies=bodies(own), ids=ids(own), caller_for=caller_for, tally=tally)
    hostile_queries(mediation_app, api, ids=ids(own), caller_for=caller_for, tally=tally,
                    spec=api.get("/openapi.json").json, baseline_queries=queries(own))
    undeclared_queries(mediation_app, api, ids=ids(own), caller_for=caller_for, tally=tally,
                       baseline_queries=queries(own))
    read_everything(mediation_app, api, ids=ids(own), caller_for=caller_for, queries=queries(own), tally=tally)
    print("\n" + tally.line("mediation"))


# ---- the gateway: HTML and script escaped on every page ----------------------------------------------------------

def mark(n: str) -> str:
    """A payload that would run if a page printed it raw: a script tag with a label naming where it went."""
    return f"<script>{n}</script>"


def escaped(text: str) -> str:
    from markupsafe import escape

    return str(escape(text))


IMG = '"><img src=x onerror=alert(7)>'


def hostile_district(s) -> tuple[dict, dict]:
    """Objects of c1/g1 whose free-text fields carry script, made through each service's API.
    Returns ({label: payload}, page ids)."""
    from tests.support.callers import headers_for as sign
    from tests.support.objects import HttpClient, Signer, ok

    signer = Signer(s.secret)
    admin = sign(signer, role="admin")
    staff = sign(signer, role="community_staff", user_id="s-c1", communities=["c1"])
    resident = sign(signer, role="resident", user_id="anon")
    mediator = sign(signer, role="mediator", user_id=s.seeded["mediator_id"], communities=["c1"])
    hh, vol = HttpClient(s.urls["households"]), HttpClient(s.urls["volunteers"])
    dr, med = HttpClient(s.urls["drills"]), HttpClient(s.urls["mediation"])
    text = {k: mark(k) for k in ("hh-name", "hh-bld", "rm", "visit", "followup", "team", "link", "vname", "need",
                                 "report", "plan", "shelter", "supply", "drill", "scenario", "problem", "action",
                                 "dispute", "party", "annotate", "session")}
    text["img"] = IMG
    household = ok(hh.post("/households", json={
        "grid_id": "g1", "residency": "registered",
        "address": {"building": text["hh-bld"], "unit": "1单元", "room": text["rm"]},
        "residents": [{"name": text["hh-name"], "relation": "head", "gender": "female", "birth_date": "1950-01-01",
                       "care_tags": [{"tag": "elderly_alone", "since": "2024-01-01"}]}]}, headers=admin))
    visit = ok(hh.post(f"/households/{household['id']}/visits", json={
        "visited_at": "2026-11-20T10:00:00+08:00", "notes": text["visit"] + IMG + "\x07" + "长" * 1500,
        "follow_up_needed": True, "follow_up": text["followup"]}, headers=admin))
    team = ok(vol.post("/teams", json={"community_id": "c1", "name": text["team"], "leader_ids": ["tl-x"]},
                       headers=staff))
    link = ok(vol.post("/links", json={"community_id": "c1", "team_id": team["id"], "title": text["link"] + IMG},
                       headers=staff))
    signed_up = ok(vol.post(f"/public/links/{link['token']}/signups", json={
        "name": text["vname"], "phone": "13912340001", "skills": ["elderly_care"], "availability": ["sat_morning"],
        "grid_id": "g1", "consent": True}, headers=resident))
    personal = signed_up["personal_url"].rsplit("/", 1)[1]
    volunteer = ok(vol.get("/volunteers", query_string={"community_id": "c1", "link_id": link["id"]},
                           headers=staff))["items"][0]["id"]
    need = ok(vol.post("/needs", json={"community_id": "c1", "grid_id": "g1", "title": text["need"],
                                      "description": IMG, "people_wanted": 1,
                                      "starts_at": "2030-05-04T09:00:00+08:00", "team_ids": [team["id"]]},
                       headers=staff))
    report = ok(vol.post(f"/public/volunteers/{personal}/service-reports", json={
        "served_on": TODAY, "hours": 1, "description": text["report"]}, headers=resident))
    plan = ok(dr.post("/plans", json={"community_id": "c1", "hazard": "natural_disaster", "title": text["plan"],
                                      "level": "III", "summary": IMG}, headers=staff))
    shelter = ok(dr.post("/shelters", json={"community_id": "c1", "name": text["shelter"], "kind": "outdoor",
                                           "location": IMG, "capacity": 10}, headers=staff))
    supply = ok(dr.post("/supplies", json={"community_id": "c1", "name": text["supply"], "category": "water",
                                          "unit": "箱", "quantity": 1, "location": IMG}, headers=staff))
    drill = ok(dr.post("/drills", json={
        "community_id": "c1", "grid_ids": ["g1"], "title": text["drill"], "hazard": "natural_disaster",
        "level": "III", "kind": "comprehensive", "scenario": text["scenario"] + IMG, "starts_at": soon(10),
        "ends_at": soon(130), "shelter_ids": [shelter["id"]]}, headers=staff))
    ok(dr.post(f"/drills/{drill['id']}/start", headers=staff))
    ok(dr.post(f"/drills/{drill['id']}/problems", json={"text": text["problem"], "grid_id": "g1"}, headers=staff))
    action = ok(dr.post(f"/drills/{drill['id']}/actions", json={
        "title": text["action"], "owner_name": "张网格员", "grid_id": "g1", "detail": IMG,
        "due_on": (date.today() + timedelta(days=7)).isoformat()}, headers=staff))
    case = ok(med.post("/disputes", json={
        "grid_id": "g1", "category": "neighbours", "description": text["dispute"] + IMG + "长" * 3000,
        "channel": "walk_in", "parties": [{"role": "applicant", "kind": "household", "household_id": household["id"]},
                                          {"role": "respondent", "kind": "person", "name": text["party"],
                                           "address": IMG}]}, headers=staff))["dispute"]
    ok(med.post(f"/disputes/{case['id']}/assign", json={"mediator_id": s.seeded["mediator_id"]}, headers=staff))
    ok(med.post(f"/disputes/{case['id']}/annotations", json={"text": text["annotate"]}, headers=staff))
    ok(med.post(f"/disputes/{case['id']}/sessions", json={
        "place": IMG, "notes": text["session"], "attendance": [{"party_id": p["party_id"], "present": True}
                                                               for p in case["parties"]]}, headers=mediator))
    ids = {"grid_id": "g1", "community_id": "c1", "household_id": household["id"],
           "resident_id": household["residents"][0]["resident_id"], "tag": "elderly_alone", "visit_id": visit["id"],
           "user_id": s.seeded["mediator_id"], "dispute_id": case["id"], "referral_id": "none",
           "notification_id": "none", "drill_id": drill["id"], "action_id": action["id"], "plan_id": plan["id"],
           "shelter_id": shelter["id"], "supply_id": supply["id"], "link_id": link["id"], "team_id": team["id"],
           "need_id": need["id"], "volunteer_id": volunteer, "report_id": report["id"], "entry_id": "none",
           "certificate_id": "none", "serial": "none", "token": {"/v/me/": personal, "/v/": link["token"],
                                                                 "/survey/": "none"}}
    return text, ids


@pytest.fixture
def stack(seeded_stack):
    """The session's seeded product (public-page limits out of the way); the hostile objects are this test's own."""
    return seeded_stack


def test_every_gateway_page_shows_hostile_text_escaped(stack):
    import re

    from tests.support.access import placeholder_value, routes
    from tests.support.stack import sign_in

    text, ids = hostile_district(stack)
    time.sleep(1.0)  # the events of these objects reach the other services' copies
    pages, shown = 0, {}
    for username in ("worker-g1", "staff-c1", "mediator", "leader", "anonymous"):
        client = stack.gateway_app.test_client()
        if username != "anonymous":
            assert sign_in(client, username, "demo-pass-1").status_code == 303
        for rule, method, endpoint in routes(stack.gateway_app, where=lambda r: not r.startswith(("/static/", "/api/"))
                                             and r not in ("/logout", "/sw.js")):
            if method != "GET":
                continue
            rule_ = re.sub(r"<any\(\s*'?([^,')]+)'?[^)]*\):[^>]+>", r"\1", rule)
            url = re.sub(r"<(?:[^>:]+:)?([^>]+)>", lambda m: str(placeholder_value(ids, rule, m[1])), rule_)
            response = client.get(url)
            pages += 1
            assert response.status_code < 500, (username, url, response.status_code)
            if response.mimetype != "text/html":
                continue
            html = response.get_data(as_text=True)
            for label, payload in text.items():
                assert payload not in html, f"{username} {url}: {label} printed raw"
                if escaped(payload) in html:
                    shown.setdefault(label, set()).add(rule)
    core = {"hh-name", "hh-bld", "rm", "visit", "followup", "dispute", "party", "drill", "problem", "action",
            "vname", "annotate", "session", "img"}
    missing = core - set(shown)
    assert not missing, f"never shown escaped on any page: {sorted(missing)}"
    print(f"\n[hostile text] gateway: {pages} page views (5 users, every GET page of the URL map); script and HTML in "
          f"{len(text)} fields never printed raw; {len(shown)} of them shown escaped, on "
          f"{len(set().union(*shown.values()))} different pages; not on any page: {sorted(set(text) - set(shown))}")
