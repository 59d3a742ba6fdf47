"""One of every kind of object a service keeps, made through its own API, for fuzzing and access walks.

Each builder takes the service's Flask test client and app, makes the objects in one community (or grid)
the way a user would, and returns {path parameter name: id}, the names the service's routes use.
"""
import functools
import time
from datetime import date, datetime, timedelta, timezone

from urllib3 import encode_multipart_formdata

from tests.support import photos
from tests.support.callers import headers_for, sign_marked
from tests.support.data import phone


class HttpClient:
    """A service (or the gateway) over real HTTP with the Flask test client's calling style, so the builders
    here serve both: get/post/put/delete/open(path, json=, data=, headers=, query_string=)."""

    def __init__(self, base_url: str):
        import requests

        self.base_url = base_url.rstrip("/")
        self.http = requests.Session()
        self.http.trust_env = False

    def open(self, path, method="GET", *, json=None, data=None, headers=None, query_string=None, **kw):
        headers = sign_marked(headers, audience=self.service, method=method, path=path)
        return HttpAnswer(self.http.request(method, self.base_url + path, json=json, data=data, headers=headers,
                                            params=query_string, timeout=30, allow_redirects=False, **kw))

    @functools.cached_property
    def service(self) -> str:
        """The service's own name (the audience its identities must name), from its /healthz."""
        return self.http.get(self.base_url + "/healthz", timeout=30).json()["service"]

    def get(self, path, **kw):
        return self.open(path, "GET", **kw)

    def post(self, path, **kw):
        return self.open(path, "POST", **kw)

    def put(self, path, **kw):
        return self.open(path, "PUT", **kw)

    def delete(self, path, **kw):
        return self.open(path, "DELETE", **kw)


class HttpAnswer:
    """A requests response with the test client's `.json` and `get_data(as_text=True)`."""

    def __init__(self, response):
        self.response = response
        self.status_code = response.status_code
        self.headers = response.headers

    @property
    def json(self):
        return self.response.json()

    def get_data(self, as_text=False):
        return self.response.text if as_text else self.response.content


class Signer:
    """Stands in for a service app where callers' identities are named (`headers_for`); HttpClient signs them."""

    def __init__(self, secret: str):
        self.config = {"SECRET_KEY": secret}


def ok(response, *codes):
    assert response.status_code in (codes or (200, 201)), (response.status_code, response.get_data(as_text=True)[:500])
    return response.json


# ---- volunteers ---------------------------------------------------------------------------------------------

def volunteers_places(app) -> None:
    """Communities C1 (grids C1-G1, C1-G2) and C2 (C2-G1) in the volunteers service, as household events give them."""
    from services.volunteers import register_copy, service
    from shared.events import new_event
    from shared.identity import Principal

    for grid, community in (("C1-G1", "C1"), ("C1-G2", "C1"), ("C2-G1", "C2")):
        register_copy.on_register_event(new_event(
            "grid.created", version=1, source="households", community_id=community, grid_id=grid,
            data={"grid_id": grid, "code": grid, "name": f"{grid}网格", "community_id": community}).load())
    admin = Principal(user_id="admin", role="admin")
    service.name_community(actor=admin, community_id="C1", name="幸福社区")
    service.name_community(actor=admin, community_id="C2", name="和平社区")


def volunteers_objects(client, app, community: str = "C1", grid: str | None = None, n: int = 0) -> dict:
    """A team, a sign-up link, two volunteers (one assigned to a need, with hours, a report and a certificate)."""
    grid = grid or f"{community}-G1"
    staff = headers_for(app, role="community_staff", user_id=f"s-{community}", communities=[community])
    leader_id = f"tl-{community}"
    leader = headers_for(app, role="team_leader", user_id=leader_id, communities=[community])
    public = headers_for(app, role="resident", user_id="anon")
    team = ok(client.post("/teams", json={"community_id": community, "name": f"助老服务队{n}",
                                         "leader_ids": [leader_id]}, headers=staff))
    link = ok(client.post("/links", json={"community_id": community, "team_id": team["id"]}, headers=staff))
    people = []
    for k in range(2):
        body = {"name": f"志愿者{n}-{k}", "phone": phone(7000 + n * 10 + k), "skills": ["elderly_care"],
                "availability": ["sat_morning"], "grid_id": grid, "consent": True}
        people.append(ok(client.post(f"/public/links/{link['token']}/signups", json=body, headers=public)))
    token = people[0]["personal_url"].rsplit("/", 1)[1]
    own = ok(client.get(f"/public/volunteers/{token}", headers=public))
    again = {**body, "name": "冒名者", "phone": phone(7000 + n * 10)}  # the first one's phone: a claim for staff
    ok(client.post(f"/public/links/{link['token']}/signups", json=again, headers=public))
    claim = ok(client.get("/signup-claims", query_string={"community_id": community}, headers=staff))[0]
    volunteers = ok(client.get("/volunteers", query_string={"community_id": community, "link_id": link["id"]},
                               headers=staff))["items"]
    by_name = {v["name"]: v["id"] for v in volunteers}
    vid, other = by_name[f"志愿者{n}-0"], by_name[f"志愿者{n}-1"]
    ok(client.post(f"/teams/{team['id']}/members", json={"volunteer_id": other}, headers=staff))
    need = ok(client.post("/needs", json={"community_id": community, "grid_id": grid, "title": "周六助老",
                                         "people_wanted": 2, "starts_at": "2030-05-04T09:00:00+08:00",
                                         "team_ids": [team["id"]]}, headers=staff))
    ok(client.post(f"/needs/{need['id']}/assignments", json={"volunteer_ids": [vid, other]}, headers=leader))
    today = date.today().isoformat()
    entry = ok(client.post(f"/needs/{need['id']}/assignments/{vid}/complete", json={"hours": 2, "served_on": today},
                           headers=leader))
    report = ok(client.post(f"/public/volunteers/{token}/service-reports",
                            json={"served_on": today, "hours": 1.5, "description": "陪同就医"}, headers=public))
    approved = ok(client.post(f"/public/volunteers/{token}/service-reports",
                              json={"served_on": today, "hours": 1, "description": "社区清洁"}, headers=public))
    ok(client.post(f"/service-reports/{approved['id']}/approve", json={}, headers=leader))
    cert = ok(client.post("/certificates", json={"volunteer_id": vid, "period_from": f"{date.today().year}-01-01",
                                                "period_to": today}, headers=staff))
    return {"community_id": community, "grid_id": grid, "team_id": team["id"], "link_id": link["id"],
            "link_token": link["token"], "personal_token": token, "volunteer_id": vid, "other_volunteer_id": other,
            "need_id": need["id"], "entry_id": entry["id"], "report_id": report["id"],
            "certificate_id": cert["id"], "serial": cert["serial"], "claim_id": claim["id"], "own": own}


def volunteers_path_ids(objects: dict) -> dict:
    """The route placeholders of the volunteers service filled from `volunteers_objects`."""
    return {"community_id": objects["community_id"], "team_id": objects["team_id"], "link_id": objects["link_id"],
            "volunteer_id": objects["volunteer_id"], "need_id": objects["need_id"], "entry_id": objects["entry_id"],
            "report_id": objects["report_id"], "certificate_id": objects["certificate_id"],
            "claim_id": objects["claim_id"],
            "serial": objects["serial"], "user_id": "tl-" + objects["community_id"],
            "token": {"/public/links/": objects["link_token"], "/public/volunteers/": objects["personal_token"]}}


def soon(minutes: int = 10) -> str:
    return (datetime.now(timezone.utc) + timedelta(minutes=minutes)).isoformat()


# ---- drills -------------------------------------------------------------------------------------------------

def drills_register(households_per_grid=(4, 3, 2)) -> dict:
    """Grids C1-G1, C1-G2 (community C1) and C2-G1 (C2) with households and two volunteers per community, handed
    straight to the drills handlers as the households and volunteers services' events; {grid: [households]}."""
    from tests.support.drills import deliver, grid_created, household, registered, volunteer_registered

    homes = {"C1-G1": [], "C1-G2": [], "C2-G1": []}
    deliver(grid_created("C1-G1", "C1"), grid_created("C1-G2", "C1"), grid_created("C2-G1", "C2"))
    n = 0
    for (grid, community), count in zip((("C1-G1", "C1"), ("C1-G2", "C1"), ("C2-G1", "C2")), households_per_grid):
        for i in range(count):
            n += 1
            h = household(grid, community, n, care_tag="disability" if i == 0 else None)
            deliver(*registered(h))
            homes[grid].append(h)
    for community in ("C1", "C2"):
        for k in (1, 2):
            deliver(volunteer_registered(f"v-{community}-{k}", community, name=f"志愿者{community}{k}"))
    return homes


def drills_objects(client, app, homes: dict, grid: str) -> dict:
    """`drills_made` for a grid of `drills_register`'s district (households handed to the handlers)."""
    community = grid.split("-")[0]
    return drills_made(client, app, grid, community=community, household_id=str(homes[grid][0].pk),
                       resident_id=homes[grid][0].residents[0].resident_id, volunteer_id=f"v-{community}-1")


def drills_made(client, app, grid: str, *, community: str, household_id: str, resident_id: str,
                volunteer_id: str) -> dict:
    """In `grid`'s community: a shelter, a supply, a plan, a corrective action and a live drill of `grid` with a
    roll-call tick, a volunteer checked in and a problem noted; a resident's assistance set. The household,
    resident and volunteer are ones the drills service knows (from events)."""
    staff = headers_for(app, role="community_staff", user_id=f"s-{community}", communities=[community])
    worker = headers_for(app, role="grid_worker", user_id=f"w-{grid}", grids=[grid])
    shelter = ok(client.post("/shelters", json={"community_id": community, "name": "幸福小学操场", "kind": "outdoor",
                                               "location": "幸福路12号", "capacity": 800}, headers=staff))
    supply = ok(client.post("/supplies", json={"community_id": community, "name": "矿泉水", "category": "water",
                                              "unit": "箱", "quantity": 20, "required_quantity": 10,
                                              "location": "社区减灾防灾室"}, headers=staff))
    plan = ok(client.post("/plans", json={"community_id": community, "hazard": "natural_disaster",
                                         "title": "防汛应急预案", "level": "III"}, headers=staff))
    drill = ok(client.post("/drills", json={
        "community_id": community, "grid_ids": [grid], "title": "防汛演练", "hazard": "natural_disaster",
        "level": "III", "kind": "comprehensive", "scenario": "暴雨内涝", "starts_at": soon(10),
        "ends_at": soon(130), "shelter_ids": [shelter["id"]]}, headers=staff))
    ok(client.post(f"/drills/{drill['id']}/start", headers=staff))
    household, resident, volunteer = household_id, resident_id, volunteer_id
    ok(client.post(f"/drills/{drill['id']}/grids/{grid}/households/{household}/tick",
                   json={"client_id": f"tick-{grid}-0001", "status": "at_home"}, headers=worker))
    ok(client.post(f"/drills/{drill['id']}/checkins", json={"volunteer_id": volunteer}, headers=staff))
    ok(client.post(f"/drills/{drill['id']}/problems", json={"text": "3栋广播听不清", "grid_id": grid}, headers=staff))
    action = ok(client.post(f"/drills/{drill['id']}/actions", json={
        "title": "修复广播", "owner_name": "张网格员", "owner_user_id": f"w-{grid}", "grid_id": grid,
        "due_on": (date.today() + timedelta(days=14)).isoformat()}, headers=staff))
    ok(client.put(f"/residents/{resident}/assistance", json={"needs_help": True, "need": "轮椅"}, headers=worker))
    return {"community_id": community, "grid_id": grid, "plan_id": plan["id"], "shelter_id": shelter["id"],
            "supply_id": supply["id"], "drill_id": drill["id"], "household_id": household, "resident_id": resident,
            "volunteer_id": volunteer, "action_id": action["id"]}


# ---- mediation ----------------------------------------------------------------------------------------------

MEDIATION_GRIDS = {"C1-G1": "C1", "C1-G2": "C1", "C2-G1": "C2"}


def mediation_register(client, app) -> dict:
    """Grids C1-G1, C1-G2, C2-G1 and two households each, applied as the worker's handler applies households
    events; mediators m-C1 and m-C2 on their communities' rosters. Returns {grid: [household ids]}."""
    from services.mediation import handlers
    from tests.support.mediation import grid_created, household_registered

    homes = {}
    for n, grid in enumerate(MEDIATION_GRIDS):
        handlers.keep_register(grid_created(grid).load())
        homes[grid] = []
        for k in range(2):
            event = household_registered(grid, n * 10 + k)
            handlers.keep_register(event.load())
            homes[grid].append(event.data["household_id"])
    for community in ("C1", "C2"):
        mediator = headers_for(app, role="mediator", user_id=f"m-{community}", name=f"调解员{community}",
                               communities=[community])
        ok(client.post("/mediators/me", headers=mediator))
    return homes


def _notify_from_outbox(dispute_id: str) -> None:
    """Fill the feeds from a case's stored events, as the worker's `notify` handler does."""
    from services.mediation import handlers
    from services.mediation.models import Dispute
    from shared.events import EnvelopeSchema

    for entry in Dispute.objects.get(pk=dispute_id).outbox:
        event = EnvelopeSchema().load(entry.envelope)
        if (event.type, event.version) in {t for t, fs in handlers.HANDLERS.items() if handlers.notify in fs}:
            handlers.notify(event.load())


def mediation_objects(client, app, homes: dict, grid: str, *, community: str | None = None,
                      mediator_id: str | None = None, worker_id: str | None = None, notify: bool = True) -> dict:
    """In `grid`: an open case (assigned, a session, a referral) and a closed one with its survey link; the
    first-contact worker's notifications (filled here from the cases' events unless `notify` is False, when a
    running worker does it)."""
    community = community or MEDIATION_GRIDS[grid]
    mediator_id = mediator_id or f"m-{community}"
    worker_id = worker_id or f"w-{grid}"
    worker = headers_for(app, role="grid_worker", user_id=worker_id, name=f"网格员{grid}", grids=[grid])
    staff = headers_for(app, role="community_staff", user_id=f"s-{community}", communities=[community])
    mediator = headers_for(app, role="mediator", user_id=mediator_id, name=f"调解员{community}",
                           communities=[community])
    parties = [{"role": "applicant", "kind": "household", "household_id": homes[grid][0]},
               {"role": "respondent", "kind": "person", "name": "李四", "phone": "13912345678"}]
    body = {"grid_id": grid, "category": "neighbours", "description": "楼上漏水，协商不成", "urgency": "normal",
            "channel": "walk_in", "parties": parties}
    case = ok(client.post("/disputes", json=body, headers=worker))["dispute"]
    ok(client.post(f"/disputes/{case['id']}/assign", json={"mediator_id": mediator_id}, headers=staff))
    attendance = [{"party_id": p["party_id"], "present": True} for p in case["parties"]]
    ok(client.post(f"/disputes/{case['id']}/sessions", json={"place": "社区调解室", "attendance": attendance,
                                                             "notes": "双方陈述"}, headers=mediator))
    referred = ok(client.post(f"/disputes/{case['id']}/referrals", json={"kind": "judicial", "to_body": "区人民法院"},
                              headers=mediator))
    closed = ok(client.post("/disputes", json={**body, "description": "噪音扰民"}, headers=worker))["dispute"]
    ok(client.post(f"/disputes/{closed['id']}/assign", json={"mediator_id": mediator_id}, headers=staff))
    ok(client.post(f"/disputes/{closed['id']}/sessions", json={"place": "社区调解室", "attendance": [
        {"party_id": p["party_id"], "present": True} for p in closed["parties"]]}, headers=mediator))
    ok(client.post(f"/disputes/{closed['id']}/outcome", json={"kind": "agreement", "terms": ["晚十点后不再装修"]},
                   headers=mediator))
    survey = ok(client.post(f"/disputes/{closed['id']}/close", json={"note": "协议已履行"}, headers=mediator))
    incident = ok(client.post("/incidents", json={"grid_id": grid, "category": "safety_hazard", "description": "楼道堆物",
                                                  "place": {"building": "3栋"}, "attach_location": False},
                              headers=worker))["case"]
    # multipart made here, so the Flask test client and HttpClient send the very same bytes
    form, form_type = encode_multipart_formdata([("stage", "reported"), ("photos", ("p.jpg", photos.jpeg(), "image/jpeg"))])
    photo = ok(client.post(f"/cases/{incident['id']}/photos", headers={**worker, "Content-Type": form_type}, data=form))
    if notify:
        for dispute_id in (case["id"], closed["id"]):
            _notify_from_outbox(dispute_id)
    notes = []
    for _ in range(300):  # a running worker fills the feed a moment later
        notes = ok(client.get("/notifications", query_string={"unread": "false", "limit": 5}, headers=worker))["items"]
        if notes:
            break
        time.sleep(0.1)
    return {"community_id": community, "grid_id": grid, "dispute_id": case["id"], "closed_id": closed["id"],
            "referral_id": referred["referrals"][0]["referral_id"], "survey_token": survey["survey_token"],
            "notification_id": notes[0]["id"], "user_id": mediator_id, "token": survey["survey_token"],
            "party_ids": [p["party_id"] for p in case["parties"]], "household_ids": list(homes[grid]),
            "number": case["number"], "case_id": incident["id"], "photo_id": photo["photos"][0]["photo_id"]}


# ---- households ---------------------------------------------------------------------------------------------

def households_district(client, app) -> None:
    """Street S1; communities C1 (grids C1-G1, C1-G2) and C2 (C2-G1)."""
    admin = headers_for(app, role="admin")
    ok(client.post("/streets", json={"id": "S1", "name": "城关街道", "district": "示范区"}, headers=admin))
    for community, name in (("C1", "幸福社区"), ("C2", "和平社区")):
        ok(client.post("/communities", json={"id": community, "name": name, "street_id": "S1"}, headers=admin))
    for grid in ("C1-G1", "C1-G2", "C2-G1"):
        ok(client.post("/grids", json={"id": grid, "name": f"{grid}网格", "community_id": grid[:2]}, headers=admin))


def households_objects(client, app, grid: str, n: int = 0) -> dict:
    """In `grid` (of households_district's street S1): two households (one cared for), a visit with a follow-up,
    a reveal on record, and the four-in-one network of network_objects."""
    from tests.support.data import household

    community = grid.split("-")[0]
    staff = headers_for(app, role="community_staff", user_id=f"s-{community}", communities=[community])
    first = ok(client.post("/households", json=household(grid, n + 1, care_tag="elderly_alone"), headers=staff))
    second = ok(client.post("/households", json=household(grid, n + 2), headers=staff))
    visit = ok(client.post(f"/households/{first['id']}/visits", json={
        "visited_at": "2026-11-20T10:00:00+08:00", "notes": "走访", "follow_up_needed": True, "follow_up": "复访"},
        headers=staff))
    ok(client.post(f"/households/{first['id']}/reveal", json={"reason": "核对"}, headers=staff))
    return {"street_id": "S1", "community_id": community, "grid_id": grid, "household_id": first["id"],
            "resident_id": first["residents"][0]["resident_id"], "visit_id": visit["id"],
            **network_objects(client, app, grid, [first, second], n)}


def network_objects(client, app, grid: str, households: list[dict], n: int = 0) -> dict:
    """In `grid`: a building head and a ten-household group of `households`; a residents' group in its community.
    Their ids as a walk takes them: head_id, and group_id by route (ten-household or residents' group)."""
    community = grid.split("-")[0]
    staff = headers_for(app, role="community_staff", user_id=f"s-{community}", communities=[community])
    building = households[0]["address"]["building"]
    head = ok(client.put(f"/grids/{grid}/building-heads", json={
        "building": building, "resident_id": households[0]["residents"][0]["resident_id"]}, headers=staff))
    group = ok(client.post(f"/grids/{grid}/ten-groups", json={
        "name": f"联户{n}", "household_ids": [h["id"] for h in households], "lead_household_id": households[0]["id"]},
        headers=staff))
    residents_group = ok(client.post(f"/communities/{community}/residents-groups", json={
        "number": n + 1, "name": f"第{n + 1}居民小组", "buildings": [building]}, headers=staff))
    return {"head_id": head["id"],
            "group_id": {"/ten-groups/": group["id"], "/residents-groups/": residents_group["id"]}}
