"""What "my grid today" shows, one section per service.

Each section is (key, title, template, loader): the loader gets the grid (as the households service
gives it) and the signed-in principal and returns the section's data. A section whose service is down,
not configured or answering something unexpected shows that it is unavailable (暂不可用); the others
still show, and the page never fails because of one of them. Only the households section may end the
page (a grid outside the user's area is a 404, as before).
"""
import logging

from flask_babel import lazy_gettext as _l

from gateway.upstream import ServiceError, client
from shared import clock
from shared.identity import Principal

log = logging.getLogger(__name__)
DUE_SOON_WORKING_DAYS = 2


def households_section(grid: dict, principal: Principal) -> dict:
    hh = client("households", principal)
    grid_id = grid["id"]
    follow_ups = hh.get(f"/grids/{grid_id}/follow-ups")
    households = hh.get("/households", params={"grid_id": grid_id, "page_size": 1})["total"]
    section = {"follow_ups": follow_ups, "counts": {"households": households, "follow_ups": len(follow_ups)}}
    if principal.may("care.read"):  # without it, not even "none overdue": the care list is not theirs to see
        section["overdue"] = hh.get(f"/grids/{grid_id}/overdue-visits")
        section["counts"]["overdue"] = len(section["overdue"])
    return section


def permits_section(grid: dict, principal: Principal) -> dict:
    """Residence permits (居住证) of the grid's floating residents expiring soon or expired (numbers masked)."""
    rows = client("households", principal).get(f"/grids/{grid['id']}/permits-expiring")
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


def disputes_section(grid: dict, principal: Principal) -> dict:
    """Open disputes of the grid and those I registered (first-contact owner) or mediate; deadlines first."""
    md = client("mediation", principal)
    base = {"status": "open", "sort": "attention", "page_size": 20}
    grid_cases = md.get("/disputes", params={**base, "grid_id": grid["id"]})
    mine = md.get("/disputes", params={**base, "mine": "first_contact"})
    lists = [grid_cases["items"], mine["items"]]
    if principal.role == "mediator":
        lists.append(md.get("/disputes", params={**base, "mine": "mediator"})["items"])
    items = _distinct(r for rows in lists for r in rows)
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


def desk_section(grid: dict, principal: Principal) -> dict:
    """Requests for help and incidents (求助与事件): the grid's open ones, those dispatched to me and handled ones
    waiting for my check (核查); overdue and due soon first."""
    md = client("mediation", principal)
    base = {"status": "open", "sort": "attention", "page_size": 20}
    grid_pages = [md.get("/cases", params={**base, "kind": kind, "grid_id": grid["id"]})
                  for kind in ("request", "incident")]
    # Only requests and incidents are dispatched to a person or verified: the service's lists hold no dispute.
    mine = md.get("/cases", params={**base, "status": "dispatched", "mine": "handler"})["items"]
    verify = md.get("/cases", params={**base, "mine": "verify", "grid_id": grid["id"]})["items"]
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


def drills_section(grid: dict, principal: Principal) -> dict:
    """A drill running now (with its roll-call) and the next drills of the grid."""
    drills = client("drills", principal).get("/drills", params={"grid_id": grid["id"]})
    now = clock.now().isoformat()
    live = [d for d in drills if d["status"] == "live"]
    upcoming = sorted((d for d in drills if d["status"] == "planned" and d["ends_at"] >= now),
                      key=lambda d: d["starts_at"])[:3]
    return {"live": live, "upcoming": upcoming,
            "tiles": [(_l("Drill running now") if live else _l("Upcoming drills"), len(live) or len(upcoming),
                       "#drills", bool(live))]}


def volunteers_section(grid: dict, principal: Principal) -> dict:
    """Open volunteer needs of the grid (care visits, drill helpers, requests by hand)."""
    page = client("volunteers", principal).get("/needs", params={"community_id": grid["community_id"],
                                                                 "status": "open", "page_size": 100})
    needs = [n for n in page["items"] if n.get("grid_id") in (None, grid["id"])]
    needs.sort(key=lambda n: (n.get("grid_id") is None, n.get("starts_at") or ""))
    for n in needs:
        n["confirmed"] = sum(1 for a in n.get("assignments") or [] if a.get("status") in ("confirmed", "completed"))
    return {"needs": needs[:5], "more": max(0, len(needs) - 5),
            "tiles": [(_l("Open volunteer needs"), len(needs), "#volunteers", False)]}


SECTIONS = [
    ("households", _l("Care visits and follow-ups"), "today/_households.html", households_section),
    ("permits", _l("Residence permits expiring"), "today/_permits.html", permits_section),
    ("disputes", _l("Disputes"), "today/_disputes.html", disputes_section),
    ("desk", _l("Requests and incidents"), "today/_desk.html", desk_section),
    ("drills", _l("Drills"), "today/_drills.html", drills_section),
    ("volunteers", _l("Volunteer needs"), "today/_volunteers.html", volunteers_section),
]


def load_sections(grid: dict, principal: Principal) -> list[dict]:
    out = []
    for key, title, template, loader in SECTIONS:
        entry = {"key": key, "title": title, "template": template, "data": None, "unavailable": False}
        try:
            entry["data"] = loader(grid, principal)
        except ServiceError as exc:
            if key == "households" and not exc.unavailable:
                raise
            if exc.status == 403:  # the role has no part in this service: no section at all
                continue
            log.warning("today: section unavailable", extra={"section": key, "status": exc.status})
            entry["unavailable"] = True
        except Exception:  # one section's surprise must not take the page down
            if key == "households":
                raise
            log.exception("today: section failed", extra={"section": key})
            entry["unavailable"] = True
        out.append(entry)
    return out
