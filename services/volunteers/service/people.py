"""Volunteers: the community's list, one volunteer (masked or revealed), changes, leaving, and their own page."""
import re
from datetime import date

import mongoengine as me
from bson import ObjectId

from services.volunteers import events
from services.volunteers.models import (
    Certificate,
    ContactReveal,
    GridCopy,
    HoursEntry,
    Need,
    ServiceReport,
    Team,
    VolunteerRecord,
)
from services.volunteers.register_copy import community_copy
from services.volunteers.rules import TOKEN
from services.volunteers.service import access
from services.volunteers.service.hours import hours_sum
from services.volunteers.service.links import release_and_promote, waitlist_position
from services.volunteers.service.needs import cancel, with_retries
from shared import clock
from shared.clock import now
from shared.db import text_match
from shared.errors import Conflict, Invalid, NotFound
from shared.identity import Principal
from shared.messaging.outbox import commit
from shared.reasons import common
from shared.reasons import volunteers as reasons
from shared.tokens import token_hash


def list_volunteers(*, actor: Principal, community_id: str, status: str = "registered", team_id=None, link_id=None,
                    grid_id=None, q=None, page: int = 1, page_size: int = 50) -> dict:
    """A page of the community's volunteers, by name."""
    where = access.place_filter(actor, community_id, "volunteers.read") & me.Q(status=status)
    if team_id:
        where &= me.Q(team_ids=team_id)
    if link_id:
        where &= me.Q(link_id=link_id)
    if grid_id:
        where &= me.Q(grid_id=grid_id)
    query = VolunteerRecord.objects(where)
    if q:
        query = query.filter(__raw__={"name": text_match(q)})
    order = ("waitlisted_at", "id") if status == "waitlisted" else ("name", "id")
    total = query.count()
    items = list(query.order_by(*order).skip((page - 1) * page_size).limit(page_size).exclude("outbox"))
    return {"items": items, "total": total, "page": page, "page_size": page_size}


def get_volunteer(*, actor: Principal, volunteer_id: str) -> VolunteerRecord:
    """A volunteer, phone and ID number masked."""
    return access.volunteer(actor, volunteer_id)


def reveal_volunteer(*, actor: Principal, volunteer_id: str, reason: str) -> VolunteerRecord:
    """A volunteer with phone and ID number in full; the look is recorded."""
    v = access.volunteer(actor, volunteer_id, "volunteers.reveal")
    if actor.role == "team_leader":
        access.require_leads(actor, v.team_ids, "see this volunteer's contact details")
    ContactReveal(volunteer_id=str(v.pk), community_id=v.community_id, user_id=actor.user_id, role=actor.role,
                  reason=reason).save()
    return v


def update_volunteer(*, actor: Principal, volunteer_id: str, data: dict) -> VolunteerRecord:
    """Change a volunteer's grid, skills and availability."""
    v = access.volunteer(actor, volunteer_id, "volunteers.manage")
    access.require_leads(actor, v.team_ids, "change this volunteer")
    if v.status == "left":
        raise Conflict(reasons.HAS_LEFT())
    if data["version"] != v.version:
        raise Conflict(common.CHANGED_MEANWHILE(), field="version")
    if data.get("grid_id") and not GridCopy.objects(pk=data["grid_id"], community_id=v.community_id).first():
        raise Invalid(reasons.NOT_A_GRID_OF_COMMUNITY(), field="grid_id")
    v.grid_id, v.skills, v.availability = data.get("grid_id"), data["skills"], data["availability"]
    v.updated_at, v.updated_by = now(), actor.user_id
    return commit(v, *([events.volunteer_updated(v)] if v.status == "registered" else []))


def _leave(v: VolunteerRecord, reason: str | None, by: str) -> VolunteerRecord:
    if v.status == "left":
        raise Conflict(reasons.ALREADY_LEFT())
    held = v.holds_place
    v.status, v.left_at, v.left_reason, v.holds_place = "left", now(), reason, False
    v.updated_at, v.updated_by = now(), by
    commit(v, events.volunteer_left(v))
    for need in Need.objects(assignments__volunteer_id=str(v.pk), status__in=["open", "filled"]):
        with_retries(need, lambda n: cancel(n, str(v.pk)))
    if held and v.link_id:
        release_and_promote(v.link_id)
    return v


def leave(*, actor: Principal, volunteer_id: str, reason: str | None = None) -> VolunteerRecord:
    """Record that a volunteer stopped; their hours and certificates stay."""
    v = access.volunteer(actor, volunteer_id, "volunteers.manage")
    access.require_leads(actor, v.team_ids, "record this volunteer leaving")
    return _leave(v, reason, actor.user_id)


def by_personal_token(token: str) -> VolunteerRecord:
    """The volunteer a personal link belongs to (404 for anything else)."""
    v = VolunteerRecord.objects(personal_token_hash=token_hash(token)).first() if re.match(TOKEN, token or "") \
        else None
    if v is None:
        raise NotFound(reasons.NO_SUCH_PERSONAL_LINK())
    return v


def leave_self(*, token: str, reason: str | None = None) -> VolunteerRecord:
    """A volunteer stops through their personal link."""
    return _leave(by_personal_token(token), reason, "self")


def own_page(*, token: str) -> dict:
    """What a volunteer sees through their personal link: teams, hours, certificates, reports."""
    v = by_personal_token(token)
    vid = str(v.pk)
    today = clock.today()
    teams = [{"id": str(t.pk), "name": t.name} for t in Team.objects(pk__in=[ObjectId(t) for t in v.team_ids])]
    return {
        "name": v.name, "status": v.status, "community_id": v.community_id,
        "community_name": community_copy(v.community_id).display_name, "grid_id": v.grid_id, "skills": v.skills,
        "availability": v.availability, "teams": teams, "waitlist_position": waitlist_position(v),
        "hours_total": hours_sum(volunteer_id=vid),
        "hours_this_year": hours_sum(volunteer_id=vid, served_on__gte=date(today.year, 1, 1)),
        "entries": list(HoursEntry.objects(volunteer_id=vid).exclude("outbox").order_by("-served_on", "-recorded_at")
                        .limit(500)),
        "certificates": list(Certificate.objects(volunteer_id=vid).exclude("outbox").order_by("-issued_at")),
        "reports": list(ServiceReport.objects(volunteer_id=vid).order_by("-created_at").limit(100)),
    }
