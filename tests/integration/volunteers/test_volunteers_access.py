"""Every route of the volunteers service, from its URL map, walked by outsiders:

- grid C1-G1's worker asking for the objects of grid C1-G2 (volunteers and a need of that grid, and the
  community-level things a grid worker does not hold: teams, links, reports, certificates);
- community C1's staff, and a C1 team leader, asking for everything of community C2;
- a resident on the public routes with tokens that are not the right ones (another link's, a personal
  token where a link's belongs, made-up ones): every answer 404.

Every answer is 403 or 404; the few list routes that answer 200 are named, and shown to hold nothing of the
other side (no id, token or name of theirs in the answer). Nothing is stored by any refused call."""
from datetime import date

import mongoengine

from shared.clock import previous_month
from tests.support.access import is_public, leaks, let_through, outsiders, report, walk, walk_detail
from tests.support.callers import headers_for
from tests.support.fuzz import fingerprint
from tests.support.objects import volunteers_objects, volunteers_path_ids, volunteers_places

TODAY = date.today().isoformat()


def bodies(other: dict) -> dict:
    """A valid body for every write route, aimed at the other side's objects."""
    return {
        "volunteers.name_community": {"name": "改名"},
        "volunteers.create_link": {"community_id": other["community_id"], "team_id": other["team_id"]},
        "volunteers.set_capacity": {"capacity": 5},
        "volunteers.close_link": {},
        "volunteers.update_volunteer": {"version": 1, "grid_id": other["grid_id"], "skills": ["first_aid"],
                                        "availability": ["sun_morning"]},
        "volunteers.reveal_volunteer": {"reason": "核对"},
        "volunteers.leave": {"reason": "搬家"},
        "volunteers.create_team": {"community_id": other["community_id"], "name": "应急队"},
        "volunteers.set_leaders": {"leader_ids": ["tl-x"]},
        "volunteers.add_member": {"volunteer_id": other["volunteer_id"]},
        "volunteers.remove_member": {},
        "volunteers.create_need": {"community_id": other["community_id"], "grid_id": other["grid_id"],
                                   "title": "助老", "people_wanted": 1, "starts_at": "2030-05-04T09:00:00+08:00"},
        "volunteers.confirm_assignments": {"volunteer_ids": [other["volunteer_id"]]},
        "volunteers.cancel_assignment": {},
        "volunteers.complete_assignment": {"hours": 1, "served_on": TODAY},
        "volunteers.close_need": {"reason": "取消"},
        "volunteers.correct_hours": {"hours": 1, "reason": "更正"},
        "volunteers.approve_report": {},
        "volunteers.reject_report": {"note": "无法核实"},
        "volunteers.issue_certificate": {"volunteer_id": other["volunteer_id"],
                                         "period_from": f"{date.today().year}-01-01", "period_to": TODAY},
        "volunteers.revoke_certificate": {"reason": "重复"},
        "volunteers.issue_personal_link": {},
        "volunteers.confirm_claim": {},
        "volunteers.reject_claim": {"note": "冒名"},
        # public routes (walked with tokens that are not the right ones)
        "volunteers.signup": {"name": "冒名", "phone": "13900000001", "skills": ["it"], "availability": ["sat_morning"],
                              "consent": True},
        "volunteers.report_service": {"served_on": TODAY, "hours": 1, "description": "冒报"},
        "volunteers.leave_self": {"reason": "冒名退出"},
    }


def queries(other: dict) -> dict:
    """List routes asked about the other side's community (and grid, where a list filters by grid)."""
    community = {"community_id": other["community_id"]}
    return {"volunteers.list_links": community, "volunteers.list_teams": community,
            "volunteers.list_volunteers": {**community, "grid_id": other["grid_id"]},
            "volunteers.list_needs": {**community, "status": "all"}, "volunteers.list_reports": community,
            "volunteers.list_certificates": community, "volunteers.list_claims": community,
            "volunteers.month_figures": {**community, "month": previous_month()}}


def secrets(other: dict) -> list[str]:
    """What of the other side must never show in an answer: ids, tokens, serials, names."""
    return [other[k] for k in ("team_id", "link_id", "link_token", "personal_token", "volunteer_id",
                               "other_volunteer_id", "need_id", "entry_id", "report_id", "certificate_id", "serial", "claim_id")]


def staff_walk(app, client, who: dict, other: dict, allowed=()):
    before = fingerprint(mongoengine.get_db())
    answers = walk_detail(app, client, headers=who, ids=volunteers_path_ids(other), bodies=bodies(other),
                          query=queries(other), where=lambda rule: not is_public(rule))
    assert let_through(answers, allowed) == []
    assert leaks(answers, secrets(other)) == []
    assert fingerprint(mongoengine.get_db()) == before, "a refused call stored something"
    return answers


def test_grid_a_worker_gets_403_or_404_for_every_route_on_grid_b(vol_app, vc):  # noqa: F811
    volunteers_places(vol_app)
    volunteers_objects(vc, vol_app, "C1", "C1-G1", n=0)
    grid_b = volunteers_objects(vc, vol_app, "C1", "C1-G2", n=1)
    worker_a = headers_for(vol_app, role="grid_worker", user_id="w-a", grids=["C1-G1"])
    # A grid worker's lists of their community answer with their own grid's part: nothing of grid B (checked).
    allowed = {("GET", "/communities"), ("GET", "/teams/led"), ("GET", "/volunteers"), ("GET", "/needs")}
    answers = staff_walk(vol_app, vc, worker_a, grid_b, allowed)
    print("\n" + report("volunteers service", answers, "grid C1-G1's worker on grid C1-G2's objects"))


def test_community_c1_staff_and_leaders_get_403_or_404_for_every_route_on_community_c2(vol_app, vc):  # noqa: F811
    volunteers_places(vol_app)
    volunteers_objects(vc, vol_app, "C1", n=0)
    c2 = volunteers_objects(vc, vol_app, "C2", n=1)
    allowed = {("GET", "/communities"), ("GET", "/teams/led")}  # their own community, their own teams
    for who, label in ((headers_for(vol_app, role="community_staff", user_id="s-C1", communities=["C1"]),
                        "community C1's staff"),
                       (headers_for(vol_app, role="team_leader", user_id="tl-C1", communities=["C1"]),
                        "a team leader of C1")):
        answers = staff_walk(vol_app, vc, who, c2, allowed)
        print("\n" + report("volunteers service", answers, f"{label} on community C2's objects"))


def test_public_routes_without_the_right_token_answer_404(vol_app, vc):  # noqa: F811
    volunteers_places(vol_app)
    mine = volunteers_objects(vc, vol_app, "C1", n=0)
    theirs = volunteers_objects(vc, vol_app, "C2", n=1)
    resident = headers_for(vol_app, role="resident", user_id="anon")
    made_up = "Z" * 43
    wrong = [
        ("made-up tokens", {"token": made_up, "serial": "VS2026-000001-ABCD"}),
        # a link's token where a personal token belongs, and the other way round
        ("swapped tokens", {"token": {"/public/links/": mine["personal_token"],
                                      "/public/volunteers/": mine["link_token"]}, "serial": made_up}),
    ]
    before = fingerprint(mongoengine.get_db())
    walked = 0
    for label, ids in wrong:
        answers = walk_detail(vol_app, vc, headers=resident, ids=ids, bodies=bodies(theirs),
                              where=lambda rule: is_public(rule) and "<" in rule)
        walked += len(answers)
        assert let_through(answers) == [], label
        assert {s for _, _, s, _ in answers} == {404}, (label, [(m, r, s) for m, r, s, _ in answers])
    # my own personal token with somebody else's (real) certificate serial
    own_pdf = vc.get(f"/public/volunteers/{mine['personal_token']}/certificates/{theirs['serial']}/pdf",
                     headers=resident)
    assert own_pdf.status_code == 404
    assert fingerprint(mongoengine.get_db()) == before
    # and the resident role reaches nothing else
    staff_routes = walk_detail(vol_app, vc, headers=resident, ids=volunteers_path_ids(theirs), bodies=bodies(theirs),
                               query=queries(theirs), where=lambda rule: not is_public(rule))
    assert {s for _, _, s, _ in staff_routes} == {403}, [(m, r, s) for m, r, s, _ in staff_routes if s != 403]
    print(f"\n[access walk] volunteers public routes: {walked + 1} calls with wrong tokens, all 404; "
          f"{len(staff_routes)} staff routes as a resident, all 403")


def test_every_route_refuses_identities_not_from_the_gateway(vol_app, vc):  # noqa: F811
    """Every route, public ones included, answers 401 to an identity the gateway did not sign (or signed too
    long ago, or for a role that does not exist), and stores nothing."""
    volunteers_places(vol_app)
    own = volunteers_objects(vc, vol_app, "C1")
    before = fingerprint(mongoengine.get_db())
    walked = 0
    for label, headers in outsiders(vol_app):
        answers = walk(vol_app, vc, headers=headers, ids=volunteers_path_ids(own), bodies=bodies(own),
                       query=queries(own))
        walked += len(answers)
        assert {s for _, _, s in answers} == {401}, (label, [a for a in answers if a[2] != 401])
    assert fingerprint(mongoengine.get_db()) == before
    print(f"\n[access walk] volunteers service: {walked} calls with identities not from the gateway "
          f"({len(outsiders(vol_app))} kinds), all 401")
