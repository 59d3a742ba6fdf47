"""Needs and their assignments: a place, a time, skills and a number of people; volunteers matched, confirmed by
a leader, and their hours recorded when the task is done. Care visits and drills open needs too (from events)."""
from datetime import date

from bson import ObjectId
from mongoengine import Q

from services.volunteers import events
from services.volunteers.models import GridCopy, HoursEntry, Need, NeedAssignment, Team, VolunteerRecord
from services.volunteers.rules import match_score
from services.volunteers.service import access
from services.volunteers.service.hours import not_future, record
from shared.clock import now
from shared.errors import Conflict, Forbidden, Invalid, NotFound
from shared.identity import Principal
from shared.messaging.outbox import ConcurrentChange, commit
from shared.permissions import COMMUNITY_ROLES
from shared.reasons import volunteers as reasons


def create_need(*, actor: Principal, data: dict) -> Need:
    """Open a need by hand: a place, a time, skills and a number of people."""
    access.in_community(actor, data["community_id"], "needs.manage")
    if not access.leads_in_community(actor, data["community_id"]):
        raise Forbidden(reasons.NEEDS_BY_STAFF_OR_LEADERS())
    if data.get("grid_id") and not GridCopy.objects(pk=data["grid_id"], community_id=data["community_id"]).first():
        raise Invalid(reasons.NOT_A_GRID_OF_COMMUNITY(), field="grid_id")
    team_ids = list(dict.fromkeys(data.get("team_ids", [])))
    if Team.objects(pk__in=[ObjectId(t) for t in team_ids], community_id=data["community_id"]).count() != len(team_ids):
        raise Invalid(reasons.NOT_TEAMS_OF_COMMUNITY(), field="team_ids")
    need = Need(kind="manual", opened_by=actor.user_id, **{**data, "team_ids": team_ids})
    return commit(need, events.need_opened(need))


def list_needs(*, actor: Principal, community_id: str, status: str = "open", kind=None, page=1, page_size=50) -> dict:
    """A page of the community's needs, soonest first."""
    where = access.place_filter(actor, community_id, "volunteers.read")
    if status != "all":
        where &= Q(status=status)
    if kind:
        where &= Q(kind=kind)
    query = Need.objects(where)
    total = query.count()
    items = list(query.order_by("starts_at", "id").skip((page - 1) * page_size).limit(page_size).exclude("outbox"))
    return {"items": items, "total": total, "page": page, "page_size": page_size}


def get_need(*, actor: Principal, need_id: str) -> Need:
    """One need with its assignments."""
    return access.need(actor, need_id)


def matches(*, actor: Principal, need_id: str, limit: int = 50) -> list[dict]:
    """Registered volunteers of the need's community, best fit first (skill, same grid, free then, team)."""
    need = access.need(actor, need_id)
    taken = {a.volunteer_id for a in need.active_assignments()}
    out = []
    for v in VolunteerRecord.objects(community_id=need.community_id, status="registered").only(
            "id", "name", "grid_id", "skills", "availability", "team_ids"):
        if str(v.pk) in taken:
            continue
        out.append({"volunteer_id": str(v.pk), "name": v.name, "grid_id": v.grid_id, "skills": v.skills,
                    "team_ids": v.team_ids, **match_score(need, v)})
    out.sort(key=lambda m: (-m["score"], m["name"], m["volunteer_id"]))
    return out[:limit]


def _led_need(actor: Principal, need_id: str) -> Need:
    """A need the caller may manage: community staff, or a leader of its teams (of its community, if it has none)."""
    need = access.need(actor, need_id, "needs.manage")
    if actor.role in COMMUNITY_ROLES:
        return need
    ok = access.leads(actor, need.team_ids) if need.team_ids else access.leads_in_community(actor, need.community_id)
    if not ok:
        raise Forbidden(reasons.NEED_LEADERS_ONLY())
    return need


def confirm_assignments(*, actor: Principal, need_id: str, volunteer_ids: list[str]) -> Need:
    """A leader confirms volunteers for a need; when enough are confirmed the need is filled."""
    need = _led_need(actor, need_id)
    if need.status == "closed":
        raise Conflict(reasons.NEED_CLOSED())
    taken = {a.volunteer_id for a in need.active_assignments()}
    new = [v for v in dict.fromkeys(volunteer_ids) if v not in taken]
    if len(taken) + len(new) > need.people_wanted:
        raise Conflict(reasons.NEED_WANTS(n=need.people_wanted, k=len(taken)), field="volunteer_ids")
    found = {str(v.pk): v for v in VolunteerRecord.objects(pk__in=[ObjectId(i) for i in new],
                                                           community_id=need.community_id, status="registered")}
    missing = [i for i in new if i not in found]
    if missing:
        raise Invalid(reasons.NOT_REGISTERED_VOLUNTEERS(community_id=need.community_id, list=", ".join(missing[:10])),
                      field="volunteer_ids")
    at = now()
    for vid in new:
        need.assignments.append(NeedAssignment(volunteer_id=vid, name=found[vid].name, status="confirmed",
                                               confirmed_by=actor.user_id, confirmed_at=at))
    raised = []
    if need.status == "open" and len(need.active_assignments()) >= need.people_wanted:
        need.status, need.filled_at = "filled", at
        raised.append(events.need_filled(need))
    return commit(need, *raised)


def cancel(need: Need, volunteer_id: str) -> Need:
    """Take a volunteer's confirmed assignment off a need; a filled need opens again."""
    for a in need.assignments:
        if a.volunteer_id == volunteer_id and a.status == "confirmed":
            a.status = "cancelled"
    if need.status == "filled" and len(need.active_assignments()) < need.people_wanted:
        need.status, need.filled_at = "open", None
    return commit(need)


def with_retries(need: Need, change, attempts: int = 5) -> Need:
    """Apply `change(need)` and commit, reloading when someone else changed the need meanwhile."""
    for _ in range(attempts - 1):
        try:
            return change(need)
        except ConcurrentChange:
            need.reload()
    return change(need)


def cancel_assignment(*, actor: Principal, need_id: str, volunteer_id: str) -> Need:
    """Take a volunteer off a need; a filled need opens again."""
    need = _led_need(actor, need_id)
    if not any(a.volunteer_id == volunteer_id and a.status == "confirmed" for a in need.assignments):
        raise NotFound(reasons.NO_CONFIRMED_ASSIGNMENT(), field="volunteer_id")
    return cancel(need, volunteer_id)


def complete_assignment(*, actor: Principal, need_id: str, volunteer_id: str, hours: float, served_on: date,
                        note: str | None = None) -> tuple[HoursEntry, bool]:
    """A leader records a task done: the hours go to the ledger (once per task, or per day for standing needs)."""
    need = _led_need(actor, need_id)
    assignment = next((a for a in need.assignments if a.volunteer_id == volunteer_id and a.status != "cancelled"),
                      None)
    if assignment is None:
        raise NotFound(reasons.NOT_ASSIGNED(), field="volunteer_id")
    not_future(served_on)
    v = VolunteerRecord.objects.get(pk=ObjectId(volunteer_id))
    key = f"task|{need.pk}|{volunteer_id}" + (f"|{served_on.isoformat()}" if need.recurrence else "")
    team = next((t for t in need.team_ids if t in v.team_ids), v.team_ids[0] if v.team_ids else None)
    entry, created = record(v, source="task", source_ref=str(need.pk), source_key=key, served_on=served_on,
                            hours=hours, note=note or need.title, by=actor.user_id, team_id=team)
    if created:
        with_retries(need, lambda n: _mark_done(n, volunteer_id))
    return entry, created


def _mark_done(need: Need, volunteer_id: str) -> Need:
    for a in need.assignments:
        if a.volunteer_id == volunteer_id and a.status != "cancelled":
            a.visits = (a.visits or 0) + 1
            if not need.recurrence:
                a.status, a.completed_at = "completed", now()
    if (not need.recurrence and need.status == "filled"
            and all(a.status == "completed" for a in need.active_assignments())):
        need.status, need.closed_at, need.closed_reason, need.open_key = "closed", now(), "done", None
    return commit(need)


def close_need(*, actor: Principal, need_id: str, reason: str) -> Need:
    """Close a need (done, no longer wanted)."""
    need = _led_need(actor, need_id)
    if need.status == "closed":
        raise Conflict(reasons.NEED_ALREADY_CLOSED())
    return close(need, reason)


def close(need: Need, reason: str) -> Need:
    """Close a need, saying why (done, a care flag cleared, a drill completed)."""
    need.status, need.closed_at, need.closed_reason, need.open_key = "closed", now(), reason, None
    return commit(need)
