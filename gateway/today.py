"""What "my grid today" shows, one section per service, all of it gathered at once.

Each section declares the service calls it needs (`calls`: name -> Get) and builds its data from their answers
(`build`). The page starts every call of every section together (gateway.fanout), the grid's own among them, so it
takes about as long as its slowest call. A section whose service is down, not configured, late (FANOUT_DEADLINE_S)
or answering something unexpected shows that it is unavailable (暂不可用) and the page names it in one notice at the
top; the others still show, and the page never fails because of one of them. A 403 drops the section (the role has
no part in that service). Only the grid and the households section may end the page (a grid outside the user's
area is a 404, as before).
"""
import logging
from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from gateway.fanout import Outcome, gather
from gateway.upstream import ServiceError, client
from shared import clock
from shared.identity import Principal

log = logging.getLogger(__name__)
DUE_SOON_WORKING_DAYS = 2
OPEN_FIRST = {"status": "open", "sort": "attention", "page_size": 20}


Call = Callable[[], object]  # one upstream call, run in the fan-out's pool; `label` names it (bench_pages)


@dataclass(frozen=True)
class Get:
    """One GET a section needs, made as the signed-in user."""

    principal: Principal
    service: str
    path: str
    params: dict | None = None

    def __call__(self):
        return client(self.service, self.principal).get(self.path, params=self.params)

    @property
    def label(self) -> str:
        return f"{self.service} {self.path}"


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    template: str
    calls: Callable[[str, Principal], dict[str, Call]]  # (grid id, principal) -> the calls it needs, by name
    build: Callable[[dict, Principal, dict], dict]  # (grid, principal, {name: answer}) -> the section's data


def households_calls(grid_id: str, principal: Principal) -> dict[str, Call]:
    calls = {"follow_ups": Get(principal, "households", f"/grids/{grid_id}/follow-ups"),
             "households": Get(principal, "households", "/households", {"grid_id": grid_id, "page_size": 1})}
    if principal.may("care.read"):  # without it, not even "none overdue": the care list is not theirs to see
        calls["overdue"] = Get(principal, "households", f"/grids/{grid_id}/overdue-visits")
    return calls


def households_section(grid: dict, principal: Principal, got: dict) -> dict:
    follow_ups = got["follow_ups"]
    section = {"follow_ups": follow_ups, "counts": {"households": got["households"]["total"],
                                                   "follow_ups": len(follow_ups)}}
    if "overdue" in got:
        section["overdue"] = got["overdue"]
        section["counts"]["overdue"] = len(got["overdue"])
    return section


def permits_calls(grid_id: str, principal: Principal) -> dict[str, Call]:
    return {"rows": Get(principal, "households", f"/grids/{grid_id}/permits-expiring")}


def permits_section(grid: dict, principal: Principal, got: dict) -> dict:
    """Residence permits (居住证) of the grid's floating residents expiring soon or expired (numbers masked)."""
    rows = got["rows"]
    expired = sum(1 for row in rows if row.get("expired"))
    return {"items": rows[:10], "more": max(0, len(rows) - 10), "expired": expired,
            "tiles": [(_l("Residence permits expiring or expired"), len(rows), "#permits", bool(expired))]}


def _distinct(rows) -> list[dict]:
    """The rows in order, each case once (the lists a section gathers overlap)."""
    unique: dict[str, dict] = {}
    for row in rows:
        unique.setdefault(row["id"], row)
    return list(unique.values())


def _due_soon(d: dict) -> bool:
    """Overdue, or due within DUE_SOON_WORKING_DAYS working days."""
    c = d.get("clock") or {}
    return bool(c.get("overdue")) or (c.get("working_days_left") is not None
                                      and c["working_days_left"] <= DUE_SOON_WORKING_DAYS)


def disputes_calls(grid_id: str, principal: Principal) -> dict[str, Call]:
    calls = {"grid": Get(principal, "mediation", "/disputes", {**OPEN_FIRST, "grid_id": grid_id}),
             "mine": Get(principal, "mediation", "/disputes", {**OPEN_FIRST, "mine": "first_contact"})}
    if principal.role == "mediator":
        calls["mediating"] = Get(principal, "mediation", "/disputes", {**OPEN_FIRST, "mine": "mediator"})
    return calls


def disputes_section(grid: dict, principal: Principal, got: dict) -> dict:
    """Open disputes of the grid and those I registered (first-contact owner) or mediate; deadlines first."""
    grid_cases, mine = got["grid"], got["mine"]
    items = _distinct(r for page in (grid_cases, mine, got.get("mediating")) if page for r in page["items"])
    mine_ids = {r["id"] for r in mine["items"]}

    def attention(d):
        c = d.get("clock") or {}
        return (not c.get("overdue"), not d.get("major"), d.get("due_on") or "")

    items.sort(key=attention)
    for d in items:
        d["mine"] = d["id"] in mine_ids
    pressing = sum(1 for d in items if _due_soon(d))
    return {"items": items[:10], "more": max(0, len(items) - 10),
            "tiles": [(_l("Open disputes"), grid_cases["total"], "#disputes", False),
                      (_l("Disputes overdue or due soon"), pressing, "#disputes", bool(pressing))]}


def _attention(d: dict) -> tuple:
    """Overdue first, then the fewest working days left, then the earliest due date."""
    c = d.get("clock") or {}
    left = c.get("working_days_left")
    return (not c.get("overdue"), left is None, left if left is not None else 0, d.get("due_on") or "")


def desk_calls(grid_id: str, principal: Principal) -> dict[str, Call]:
    # Only requests and incidents are dispatched to a person or verified: the service's lists hold no dispute.
    cases = {kind: {**OPEN_FIRST, "kind": kind, "grid_id": grid_id} for kind in ("request", "incident")}
    cases["mine"] = {**OPEN_FIRST, "status": "dispatched", "mine": "handler"}
    cases["verify"] = {**OPEN_FIRST, "mine": "verify", "grid_id": grid_id}
    return {name: Get(principal, "mediation", "/cases", params) for name, params in cases.items()}


def desk_section(grid: dict, principal: Principal, got: dict) -> dict:
    """Requests for help and incidents (求助与事件): the grid's open ones, those dispatched to me and handled ones
    waiting for my check (核查); overdue and due soon first."""
    grid_pages = [got["request"], got["incident"]]
    mine, verify = got["mine"]["items"], got["verify"]["items"]
    marks = {**{c["id"]: "grid" for p in grid_pages for c in p["items"]},
             **{c["id"]: "verify" for c in verify}, **{c["id"]: "handler" for c in mine}}
    items = [{**row, "mark": marks[row["id"]]}
             for row in _distinct((*mine, *verify, *(c for p in grid_pages for c in p["items"])))]
    items.sort(key=lambda c: (c["mark"] == "grid", *_attention(c)))
    pressing = sum(1 for c in items if _due_soon(c))
    return {"items": items[:10], "more": max(0, len(items) - 10), "grid_id": grid["id"],
            "can_report": principal.may("cases.register"),
            "tiles": [(_l("Open requests and incidents"), sum(p["total"] for p in grid_pages), "#desk", False),
                      (_l("Dispatched to me"), len(mine), "#desk", bool(mine)),
                      (_l("Waiting for my check"), len(verify), "#desk", bool(verify)),
                      (_l("Cases overdue or due soon"), pressing, "#desk", bool(pressing))]}


def drills_calls(grid_id: str, principal: Principal) -> dict[str, Call]:
    return {"drills": Get(principal, "drills", "/drills", {"grid_id": grid_id})}


def drills_section(grid: dict, principal: Principal, got: dict) -> dict:
    """A drill running now (with its roll-call) and the next drills of the grid."""
    drills = got["drills"]
    now = clock.now().isoformat()
    live = [d for d in drills if d["status"] == "live"]
    upcoming = sorted((d for d in drills if d["status"] == "planned" and d["ends_at"] >= now),
                      key=lambda d: d["starts_at"])[:3]
    return {"live": live, "upcoming": upcoming,
            "tiles": [(_l("Drill running now") if live else _l("Upcoming drills"), len(live) or len(upcoming),
                       "#drills", bool(live))]}


def volunteers_calls(grid_id: str, principal: Principal) -> dict[str, Call]:
    def needs():
        # The needs are asked by community: its grid is asked here again rather than the whole page waiting for
        # the page's own answer (one more small call, no second round).
        grid = client("households", principal).get(f"/grids/{grid_id}")
        return client("volunteers", principal).get("/needs", params={
            "community_id": grid["community_id"], "status": "open", "page_size": 100})

    needs.label = "households /grids/<id>, then volunteers /needs"
    return {"needs": needs}


def volunteers_section(grid: dict, principal: Principal, got: dict) -> dict:
    """Open volunteer needs of the grid (care visits, drill helpers, requests by hand)."""
    page = got["needs"]
    needs = [n for n in page["items"] if n.get("grid_id") in (None, grid["id"])]
    needs.sort(key=lambda n: (n.get("grid_id") is None, n.get("starts_at") or ""))
    for n in needs:
        n["confirmed"] = sum(1 for a in n.get("assignments") or [] if a.get("status") in ("confirmed", "completed"))
    return {"needs": needs[:5], "more": max(0, len(needs) - 5),
            "tiles": [(_l("Open volunteer needs"), len(needs), "#volunteers", False)]}


SECTIONS = [
    Section("households", _l("Care visits and follow-ups"), "today/_households.html", households_calls,
            households_section),
    Section("permits", _l("Residence permits expiring"), "today/_permits.html", permits_calls, permits_section),
    Section("disputes", _l("Disputes"), "today/_disputes.html", disputes_calls, disputes_section),
    Section("desk", _l("Requests and incidents"), "today/_desk.html", desk_calls, desk_section),
    Section("drills", _l("Drills"), "today/_drills.html", drills_calls, drills_section),
    Section("volunteers", _l("Volunteer needs"), "today/_volunteers.html", volunteers_calls, volunteers_section),
]


def page_calls(grid_id: str, principal: Principal) -> dict[tuple[str, str], Call]:
    """Every call the page makes, by (section, name): the grid's own and each section's."""
    calls = {("grid", "grid"): Get(principal, "households", f"/grids/{grid_id}")}
    for section in SECTIONS:
        calls.update({(section.key, name): call for name, call in section.calls(grid_id, principal).items()})
    return calls


def load(grid_id: str, principal: Principal) -> tuple[dict, list[dict]]:
    """The grid and its sections, every call of every section made at once; ServiceError when the grid cannot be
    had (404 outside the user's area, as before)."""
    outcomes = gather(page_calls(grid_id, principal))
    grid = outcomes[("grid", "grid")].result()
    sections = []
    for section in SECTIONS:
        got = {name: outcome for (key, name), outcome in outcomes.items() if key == section.key}
        entry = _entry(section, grid, principal, got)
        if entry is not None:
            sections.append(entry)
    return grid, sections


def _entry(section: Section, grid: dict, principal: Principal, got: dict[str, Outcome]) -> dict | None:
    """The section as the page shows it: its data, or unavailable; None when the role has no part in it (403)."""
    entry = {"key": section.key, "title": section.title, "template": section.template, "data": None,
             "unavailable": False}
    errors = [o.error for o in got.values() if not o.ok]
    ends_page = section.key == "households"
    for exc in errors:
        if ends_page and not (isinstance(exc, ServiceError) and exc.unavailable):
            raise exc
    if any(isinstance(exc, ServiceError) and exc.status == 403 for exc in errors):
        return None
    if errors:
        log.warning("today: section unavailable", extra={"section": section.key, "status": [
            getattr(exc, "status", type(exc).__name__) for exc in errors]})
        entry["unavailable"] = True
        return entry
    try:
        entry["data"] = section.build(grid, principal, {name: o.value for name, o in got.items()})
    except Exception:  # one section's surprise must not take the page down
        if ends_page:
            raise
        log.exception("today: section failed", extra={"section": section.key})
        entry["unavailable"] = True
    return entry
