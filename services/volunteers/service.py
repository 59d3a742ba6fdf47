"""Use cases of the volunteers service: the only place that changes documents and raises events."""
import math
import os
import re
import secrets
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import mongoengine as me
from bson import ObjectId
from bson.errors import InvalidId
from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from services.volunteers import events
from services.volunteers.config import SIGNUP_PATH, VERIFY_PATH, public_url
from services.volunteers.models import (
    ACTIVE_DAYS,
    AVAILABILITY,
    CARE_LABELS,
    CARE_NEEDS,
    CONSENT_VERSION,
    DAY_LABELS,
    DAYS,
    SKILLS,
    SLOT_LABELS,
    SLOTS,
    TEAM_TARGET,
    VOLUNTEER_SHARE,
    CareState,
    CareSubject,
    Certificate,
    CommunityCopy,
    ContactReveal,
    GridCopy,
    HoursEntry,
    Need,
    NeedAssignment,
    ServiceReport,
    SignupLink,
    Team,
    VolunteerRecord,
    now,
)
from shared.db import text_match
from shared.register_copy import set_unless_newer
from shared.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from shared.events.contracts import contract_for
from shared.identity import Principal
from shared.messaging.outbox import ConcurrentChange, commit
from shared.tokens import new_token, token_hash

LOCAL = ZoneInfo(os.environ.get("TIMEZONE") or "Asia/Shanghai")
TOKEN = r"^[A-Za-z0-9_-]{20,100}$"
CONSENT_TEXT = ("我同意社区为组织志愿服务而收集、使用我填写的姓名、手机号、身份证号（选填）、技能和服务时间；"
                "这些信息只用于志愿服务的联系、安排、记录和证明，不向无关方提供。")
SERIAL_CHECK = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
HAZARD_LABELS = {"natural_disaster": "自然灾害", "accident": "事故灾难", "public_health": "公共卫生事件",
                 "social_security": "社会安全事件"}


class Gone(DomainError):
    """The thing exists but can no longer be used (an expired or closed sign-up link)."""

    status = 410
    code = "gone"


# ---- roles, scope and lookups ------------------------------------------------------------------

ROLES_FOR = {
    "volunteers.read": {"community_staff", "team_leader", "grid_worker", "operator", "admin"},
    "volunteers.manage": {"community_staff", "team_leader", "admin"},
    "volunteers.reveal": {"community_staff", "team_leader", "admin"},
    "links.manage": {"community_staff", "team_leader", "admin"},
    "teams.manage": {"community_staff", "admin"},
    "needs.manage": {"community_staff", "team_leader", "admin"},
    "hours.manage": {"community_staff", "team_leader", "admin"},
    "certificates.issue": {"community_staff", "team_leader", "admin"},
    "communities.manage": {"community_staff", "admin"},
    "reports.read": {"community_staff", "team_leader", "grid_worker", "operator", "admin"},
}
# Roles that act for the whole community in their scope; a team leader acts for the teams they lead.
COMMUNITY_ROLES = {"community_staff", "admin"}


def _require(actor: Principal, permission: str) -> None:
    if actor.role not in ROLES_FOR[permission]:
        raise Forbidden(f"role {actor.role} may not {permission}")


def _oid(value, what: str) -> ObjectId:
    try:
        return ObjectId(value)
    except (InvalidId, TypeError):
        raise NotFound(f"{what} {value} not found") from None


def _community_scope(actor: Principal, community_id: str, permission: str) -> None:
    _require(actor, permission)
    if not actor.covers(community_id=community_id, grid_id=None):
        raise NotFound(f"community {community_id} not found", field="community_id")


def _place_filter(actor: Principal, community_id: str, permission: str) -> me.Q:
    """The condition for a list within one community: all of it, or the caller's grids in it."""
    _require(actor, permission)
    if actor.covers(community_id=community_id, grid_id=None):
        return me.Q(community_id=community_id)
    grids = [g for g in actor.grid_ids if GridCopy.objects(pk=g, community_id=community_id).first()]
    if not grids:
        raise NotFound(f"community {community_id} not found", field="community_id")
    return me.Q(community_id=community_id, grid_id__in=grids)


def _volunteer(actor: Principal, volunteer_id: str, permission: str = "volunteers.read") -> VolunteerRecord:
    _require(actor, permission)
    v = VolunteerRecord.objects(pk=_oid(volunteer_id, "volunteer")).first()
    if v is None or not actor.covers(community_id=v.community_id, grid_id=v.grid_id):
        raise NotFound(f"volunteer {volunteer_id} not found")
    return v


def _team(actor: Principal, team_id: str, permission: str = "volunteers.read") -> Team:
    _require(actor, permission)
    team = Team.objects(pk=_oid(team_id, "team")).first()
    if team is None or not actor.covers(community_id=team.community_id, grid_id=None):
        raise NotFound(f"team {team_id} not found", field="team_id")
    return team


def _need(actor: Principal, need_id: str, permission: str = "volunteers.read") -> Need:
    _require(actor, permission)
    need = Need.objects(pk=_oid(need_id, "need")).first()
    if need is None or not actor.covers(community_id=need.community_id, grid_id=need.grid_id):
        raise NotFound(f"need {need_id} not found")
    return need


def _link(actor: Principal, link_id: str, permission: str = "links.manage") -> SignupLink:
    _require(actor, permission)
    link = SignupLink.objects(pk=_oid(link_id, "link")).first()
    if link is None or not actor.covers(community_id=link.community_id, grid_id=None):
        raise NotFound(f"link {link_id} not found")
    if actor.role == "team_leader" and not (link.team_id and _leads(actor, [link.team_id])):
        raise NotFound(f"link {link_id} not found")
    return link


def _leads(actor: Principal, team_ids) -> bool:
    """True when the caller may act for one of these teams: community staff, or one of its leaders."""
    if actor.role in COMMUNITY_ROLES:
        return True
    if actor.role != "team_leader" or not team_ids:
        return False
    ids = [ObjectId(t) for t in team_ids if ObjectId.is_valid(t)]
    return Team.objects(pk__in=ids, leader_ids=actor.user_id).count() > 0


def _leads_in_community(actor: Principal, community_id: str) -> bool:
    if actor.role in COMMUNITY_ROLES:
        return True
    return actor.role == "team_leader" and Team.objects(community_id=community_id,
                                                         leader_ids=actor.user_id).count() > 0


def _require_leads(actor: Principal, team_ids, what: str) -> None:
    if not _leads(actor, team_ids):
        raise Forbidden(f"only community staff or a leader of the volunteer's team may {what}")


# ---- small pure rules (unit-tested) ------------------------------------------------------------

def local_today() -> date:
    return datetime.now(LOCAL).date()


def aware(value: datetime | None) -> datetime | None:
    """Datetimes read back from some stores are naive UTC; make them aware."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value


def link_state(link, at: datetime | None = None) -> str:
    """open, full (new sign-ups are waitlisted), expired or closed."""
    at = at or now()
    if link.closed_at:
        return "closed"
    if aware(link.expires_at) <= at:
        return "expired"
    if link.capacity is not None and (link.filled or 0) >= link.capacity:
        return "full"
    return "open"


def slot_of(moment: datetime) -> str | None:
    """The availability code (e.g. sat_morning) a moment falls in, local time; None at night."""
    local = aware(moment).astimezone(LOCAL)
    for slot, (start, end) in SLOTS.items():
        if start <= local.hour < end:
            return f"{DAYS[local.weekday()]}_{slot}"
    return None


def match_score(need, volunteer) -> dict:
    """How well a volunteer fits a need: each skill wanted outweighs place, time and team together."""
    matched = [s for s in need.skills if s in volunteer.skills]
    same_grid = bool(need.grid_id and volunteer.grid_id == need.grid_id)
    slot = slot_of(need.starts_at)
    available = bool(slot and slot in volunteer.availability)
    in_team = bool(set(need.team_ids) & set(volunteer.team_ids))
    score = 10 * len(matched) + 3 * same_grid + 2 * available + in_team
    return {"score": score, "skills_matched": matched, "same_grid": same_grid, "available": available}


def mask_name(name: str | None) -> str:
    """张三 -> 张*, 欧阳娜娜 -> 欧***."""
    if not name:
        return ""
    return name[0] + "*" * (len(name) - 1) if len(name) > 1 else "*"


def volunteer_target(residents: int) -> int:
    """Registered volunteers wanted: 10% of residents, rounded up."""
    return math.ceil(round(residents * VOLUNTEER_SHARE, 6))


def serial_for(year: int, n: int, check: str) -> str:
    return f"VS{year}-{n:06d}-{check}"


def correction_delta(old_hours: float, new_hours: float) -> float:
    return round(new_hours - old_hours, 2)


def options() -> dict:
    """The fixed choices of the sign-up form."""
    return {
        "skills": [{"code": k, "label": v} for k, v in SKILLS.items()],
        "availability": [{"code": code, "label": DAY_LABELS[DAYS.index(code.split("_")[0])]
                          + SLOT_LABELS[code.split("_")[1]]} for code in AVAILABILITY],
        "consent_version": CONSENT_VERSION,
        "consent_text": CONSENT_TEXT,
    }


# ---- communities -------------------------------------------------------------------------------

def _community(community_id: str) -> CommunityCopy:
    return CommunityCopy.objects(pk=community_id).first() or CommunityCopy(id=community_id)


def _counted(community_id: str) -> CommunityCopy:
    """The community with its resident count up to date (recounted now if its copies changed since)."""
    c = _community(community_id)
    if _is_stale(c.changed_at, c.refreshed_at):
        return recount_community(community_id=community_id)
    return c


def list_communities(*, actor: Principal) -> list[CommunityCopy]:
    """Communities the caller can see, with their resident counts."""
    _require(actor, "reports.read")
    if actor.district_wide:
        return list(CommunityCopy.objects.order_by("id"))
    ids = set(actor.community_ids) | set(GridCopy.objects(pk__in=list(actor.grid_ids)).distinct("community_id"))
    known = {c.pk: c for c in CommunityCopy.objects(pk__in=list(ids))}
    return [known.get(i) or CommunityCopy(id=i) for i in sorted(ids)]


def name_community(*, actor: Principal, community_id: str, name: str) -> CommunityCopy:
    """Set the community's name as residents see it on sign-up pages and certificates."""
    _community_scope(actor, community_id, "communities.manage")
    CommunityCopy.objects(pk=community_id).update_one(set__name=name, upsert=True)
    return CommunityCopy.objects.get(pk=community_id)


def list_grids(*, actor: Principal, community_id: str) -> list[GridCopy]:
    """The community's grids, as known from households events."""
    _community_scope(actor, community_id, "reports.read")
    return list(GridCopy.objects(community_id=community_id).order_by("id"))


def _hours_sum(**where) -> float:
    return round(HoursEntry.objects(**where).sum("delta") or 0.0, 2)


def community_figures(*, actor: Principal, community_id: str) -> dict:
    """The community's volunteer figures against the targets (10% of residents, 5 teams)."""
    _community_scope(actor, community_id, "reports.read")
    c = _counted(community_id)
    today = local_today()
    volunteers = VolunteerRecord.objects(community_id=community_id, status="registered").count()
    target = volunteer_target(c.residents or 0)
    teams = Team.objects(community_id=community_id).count()
    active = len(HoursEntry.objects(community_id=community_id, served_on__gte=today - timedelta(days=ACTIVE_DAYS),
                                    delta__gt=0).distinct("volunteer_id"))
    return {
        "community_id": community_id, "community_name": c.display_name, "residents": c.residents or 0,
        "volunteers": volunteers, "volunteer_target": target,
        "volunteers_vs_target": round(volunteers / target, 3) if target else None,
        "waitlisted": VolunteerRecord.objects(community_id=community_id, status="waitlisted").count(),
        "teams": teams, "team_target": TEAM_TARGET, "active_volunteers_90d": active,
        "hours_this_year": _hours_sum(community_id=community_id, served_on__gte=date(today.year, 1, 1)),
        "needs_open": Need.objects(community_id=community_id, status="open").count(),
        "meets_volunteer_target": target > 0 and volunteers >= target, "meets_team_target": teams >= TEAM_TARGET,
    }


# ---- sign-up links -----------------------------------------------------------------------------

def _link_view(link: SignupLink, base_url: str) -> dict:
    return {
        "id": str(link.pk), "token": link.token, "public_url": public_url(base_url, SIGNUP_PATH, token=link.token),
        "community_id": link.community_id, "team_id": link.team_id, "title": link.title,
        "expires_at": aware(link.expires_at), "capacity": link.capacity, "filled": link.filled,
        "waitlisted": VolunteerRecord.objects(link_id=str(link.pk), status="waitlisted").count(),
        "state": link_state(link), "created_by": link.created_by, "created_at": aware(link.created_at),
    }


def create_link(*, actor: Principal, data: dict, base_url: str, max_days: int = 366) -> dict:
    """Make a sign-up link (long random token) for a community or one of its teams."""
    _community_scope(actor, data["community_id"], "links.manage")
    team_id = data.get("team_id")
    if team_id:
        team = _team(actor, team_id, "links.manage")
        if team.community_id != data["community_id"]:
            raise Invalid("the team belongs to another community", field="team_id")
        _require_leads(actor, [team_id], "make a link for this team")
    elif actor.role not in COMMUNITY_ROLES:
        raise Forbidden("a team leader makes links for a team they lead: give team_id")
    at = now()
    expires_at = data.get("expires_at") or at + timedelta(days=data.get("valid_days") or 30)
    if expires_at <= at:
        raise Invalid("must be in the future", field="expires_at")
    if expires_at > at + timedelta(days=max_days):
        raise Invalid(f"a link lasts at most {max_days} days", field="expires_at")
    link = SignupLink(token=new_token(), community_id=data["community_id"], team_id=team_id,
                      title=data.get("title"), expires_at=expires_at, capacity=data.get("capacity"),
                      created_by=actor.user_id)
    link.save(force_insert=True)
    return _link_view(link, base_url)


def list_links(*, actor: Principal, community_id: str, base_url: str) -> list[dict]:
    """The community's sign-up links, newest first (a team leader sees their teams' links)."""
    _community_scope(actor, community_id, "links.manage")
    query = SignupLink.objects(community_id=community_id)
    if actor.role == "team_leader":
        led = [str(t) for t in Team.objects(community_id=community_id, leader_ids=actor.user_id).scalar("id")]
        query = query.filter(team_id__in=led)
    return [_link_view(link, base_url) for link in query.order_by("-created_at").limit(500)]


def get_link(*, actor: Principal, link_id: str, base_url: str) -> dict:
    """One sign-up link with its counts."""
    return _link_view(_link(actor, link_id), base_url)


def link_qr(*, actor: Principal, link_id: str, base_url: str, kind: str) -> bytes:
    """The link's QR code (svg or png) to print or share."""
    from shared.qr import qr_png, qr_svg

    link = _link(actor, link_id)
    url = public_url(base_url, SIGNUP_PATH, token=link.token)
    return qr_svg(url) if kind == "svg" else qr_png(url)


def close_link(*, actor: Principal, link_id: str, base_url: str) -> dict:
    """Stop a link taking sign-ups."""
    link = _link(actor, link_id)
    SignupLink.objects(pk=link.pk, closed_at=None).update_one(set__closed_at=now())
    link.reload()
    return _link_view(link, base_url)


def set_capacity(*, actor: Principal, link_id: str, capacity: int | None, base_url: str) -> dict:
    """Change a link's places; places that open up go to the waiting list in order."""
    link = _link(actor, link_id)
    SignupLink.objects(pk=link.pk).update_one(set__capacity=capacity)
    _promote(link.pk)
    link.reload()
    return _link_view(link, base_url)


def _public_link(token: str) -> SignupLink:
    link = SignupLink.objects(token=token).first() if re.match(TOKEN, token or "") else None
    if link is None:
        raise NotFound("this sign-up link does not exist; check the address or QR code", field="token")
    return link


def public_link(*, token: str) -> dict:
    """What the public sign-up page shows: who is asking, whether it is open, the form's choices."""
    link = _public_link(token)
    community = _community(link.community_id)
    team = Team.objects(pk=ObjectId(link.team_id)).first() if link.team_id else None
    left = max(0, link.capacity - link.filled) if link.capacity is not None else None
    return {"title": link.title, "community_id": link.community_id, "community_name": community.display_name,
            "team_id": link.team_id, "team_name": team.name if team else None, "state": link_state(link),
            "expires_at": aware(link.expires_at), "capacity": link.capacity, "places_left": left,
            "grids": list(GridCopy.objects(community_id=link.community_id).order_by("id")), **options()}


def _reserve_place(link_id, capacity: int | None) -> bool:
    """Take one place atomically; False when the link is full (two sign-ups never share the last place)."""
    if capacity is None:
        SignupLink.objects(pk=link_id).update_one(inc__filled=1)
        return True
    return SignupLink.objects(pk=link_id, filled__lt=capacity).update_one(inc__filled=1) == 1


def _release_place(link_id) -> None:
    SignupLink.objects(pk=link_id, filled__gt=0).update_one(dec__filled=1)


def _promote(link_id) -> int:
    """Give open places to the waiting list, first come first served; returns how many were promoted."""
    promoted = 0
    while True:
        link = SignupLink.objects(pk=link_id).first()
        nxt = VolunteerRecord.objects(link_id=str(link_id), status="waitlisted").order_by("waitlisted_at", "id").first()
        if link is None or nxt is None or not _reserve_place(link.pk, link.capacity):
            return promoted
        nxt.status, nxt.holds_place, nxt.registered_at, nxt.updated_at = "registered", True, now(), now()
        try:
            commit(nxt, events.volunteer_registered(nxt))
            promoted += 1
        except ConcurrentChange:
            _release_place(link.pk)  # it changed under us (left, promoted elsewhere); try the next one


def waitlist_position(v: VolunteerRecord) -> int | None:
    if v.status != "waitlisted":
        return None
    return VolunteerRecord.objects(link_id=v.link_id, status="waitlisted", waitlisted_at__lt=v.waitlisted_at).count() + 1


# ---- volunteers --------------------------------------------------------------------------------

def list_volunteers(*, actor: Principal, community_id: str, status: str = "registered", team_id=None, link_id=None,
                    grid_id=None, q=None, page: int = 1, page_size: int = 50) -> dict:
    """A page of the community's volunteers, by name."""
    where = _place_filter(actor, community_id, "volunteers.read") & me.Q(status=status)
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
    return _volunteer(actor, volunteer_id)


def reveal_volunteer(*, actor: Principal, volunteer_id: str, reason: str) -> VolunteerRecord:
    """A volunteer with phone and ID number in full; the look is recorded."""
    v = _volunteer(actor, volunteer_id, "volunteers.reveal")
    if actor.role == "team_leader":
        _require_leads(actor, v.team_ids, "see this volunteer's contact details")
    ContactReveal(volunteer_id=str(v.pk), community_id=v.community_id, user_id=actor.user_id, role=actor.role,
                  reason=reason).save()
    return v


def update_volunteer(*, actor: Principal, volunteer_id: str, data: dict) -> VolunteerRecord:
    """Change a volunteer's grid, skills and availability."""
    v = _volunteer(actor, volunteer_id, "volunteers.manage")
    _require_leads(actor, v.team_ids, "change this volunteer")
    if v.status == "left":
        raise Conflict("the volunteer has left")
    if data["version"] != v.version:
        raise Conflict("changed by someone else; reload and try again", field="version")
    if data.get("grid_id") and not GridCopy.objects(pk=data["grid_id"], community_id=v.community_id).first():
        raise Invalid("not a grid of this community", field="grid_id")
    v.grid_id, v.skills, v.availability = data.get("grid_id"), data["skills"], data["availability"]
    v.updated_at, v.updated_by = now(), actor.user_id
    return commit(v, *([events.volunteer_updated(v)] if v.status == "registered" else []))


def _leave(v: VolunteerRecord, reason: str | None, by: str) -> VolunteerRecord:
    if v.status == "left":
        raise Conflict("the volunteer has already left")
    held = v.holds_place
    v.status, v.left_at, v.left_reason, v.holds_place = "left", now(), reason, False
    v.updated_at, v.updated_by = now(), by
    commit(v, events.volunteer_left(v))
    for need in Need.objects(assignments__volunteer_id=str(v.pk), status__in=["open", "filled"]):
        _with_retries(need, lambda n: _cancel(n, str(v.pk)))
    if held and v.link_id:
        _release_place(ObjectId(v.link_id))
        _promote(ObjectId(v.link_id))
    return v


def leave(*, actor: Principal, volunteer_id: str, reason: str | None = None) -> VolunteerRecord:
    """Record that a volunteer stopped; their hours and certificates stay."""
    v = _volunteer(actor, volunteer_id, "volunteers.manage")
    _require_leads(actor, v.team_ids, "record this volunteer leaving")
    return _leave(v, reason, actor.user_id)


def _by_personal_token(token: str) -> VolunteerRecord:
    v = VolunteerRecord.objects(personal_token_hash=token_hash(token)).first() if re.match(TOKEN, token or "") \
        else None
    if v is None:
        raise NotFound("this personal link does not exist")
    return v


def leave_self(*, token: str, reason: str | None = None) -> VolunteerRecord:
    """A volunteer stops through their personal link."""
    return _leave(_by_personal_token(token), reason, "self")


def own_page(*, token: str) -> dict:
    """What a volunteer sees through their personal link: teams, hours, certificates, reports."""
    v = _by_personal_token(token)
    vid = str(v.pk)
    today = local_today()
    teams = [{"id": str(t.pk), "name": t.name} for t in Team.objects(pk__in=[ObjectId(t) for t in v.team_ids])]
    return {
        "name": v.name, "status": v.status, "community_id": v.community_id,
        "community_name": _community(v.community_id).display_name, "grid_id": v.grid_id, "skills": v.skills,
        "availability": v.availability, "teams": teams, "waitlist_position": waitlist_position(v),
        "hours_total": _hours_sum(volunteer_id=vid),
        "hours_this_year": _hours_sum(volunteer_id=vid, served_on__gte=date(today.year, 1, 1)),
        "entries": list(HoursEntry.objects(volunteer_id=vid).exclude("outbox").order_by("-served_on", "-recorded_at")
                        .limit(500)),
        "certificates": list(Certificate.objects(volunteer_id=vid).exclude("outbox").order_by("-issued_at")),
        "reports": list(ServiceReport.objects(volunteer_id=vid).order_by("-created_at").limit(100)),
    }


# ---- teams -------------------------------------------------------------------------------------

def _team_view(team: Team) -> dict:
    return {"id": str(team.pk), "community_id": team.community_id, "name": team.name,
            "description": team.description, "leader_ids": team.leader_ids, "created_at": aware(team.created_at),
            "members": VolunteerRecord.objects(team_ids=str(team.pk), status="registered").count()}


def create_team(*, actor: Principal, data: dict) -> dict:
    """Found a volunteer team in a community."""
    _community_scope(actor, data["community_id"], "teams.manage")
    team = Team(community_id=data["community_id"], name=data["name"].strip(), description=data.get("description"),
                leader_ids=list(dict.fromkeys(data.get("leader_ids", []))), created_by=actor.user_id)
    try:
        commit(team, events.team_created(team))
    except me.NotUniqueError:
        raise Conflict("the community already has a team of this name", field="name") from None
    return _team_view(team)


def list_teams(*, actor: Principal, community_id: str) -> list[dict]:
    """The community's teams with their member counts."""
    _community_scope(actor, community_id, "volunteers.read")
    return [_team_view(t) for t in Team.objects(community_id=community_id).exclude("outbox").order_by("name")]


def led_teams(*, actor: Principal) -> list[dict]:
    """The teams the caller leads (a team leader's "my team" page)."""
    _require(actor, "volunteers.read")
    teams = Team.objects(leader_ids=actor.user_id).exclude("outbox").order_by("community_id", "name")
    return [_team_view(t) for t in teams if actor.covers(community_id=t.community_id, grid_id=None)]


def get_team(*, actor: Principal, team_id: str) -> dict:
    """One team."""
    return _team_view(_team(actor, team_id))


def set_leaders(*, actor: Principal, team_id: str, leader_ids: list[str]) -> dict:
    """Name the team's leaders (user ids of team leaders)."""
    team = _team(actor, team_id, "teams.manage")
    team.leader_ids = list(dict.fromkeys(leader_ids))
    commit(team)
    return _team_view(team)


def _membership(actor: Principal, team_id: str, volunteer_id: str) -> tuple[Team, VolunteerRecord]:
    team = _team(actor, team_id, "volunteers.manage")
    _require_leads(actor, [team_id], "change this team")
    v = _volunteer(actor, volunteer_id, "volunteers.manage")
    if v.community_id != team.community_id:
        raise Invalid("the volunteer belongs to another community", field="volunteer_id")
    if v.status == "left":
        raise Conflict("the volunteer has left", field="volunteer_id")
    return team, v


def add_member(*, actor: Principal, team_id: str, volunteer_id: str) -> VolunteerRecord:
    """Put a volunteer in a team (volunteers may belong to several)."""
    team, v = _membership(actor, team_id, volunteer_id)
    if str(team.pk) not in v.team_ids:
        v.team_ids = [*v.team_ids, str(team.pk)]
        v.updated_at, v.updated_by = now(), actor.user_id
        commit(v, *([events.volunteer_updated(v)] if v.status == "registered" else []))
    return v


def remove_member(*, actor: Principal, team_id: str, volunteer_id: str) -> VolunteerRecord:
    """Take a volunteer out of a team."""
    team, v = _membership(actor, team_id, volunteer_id)
    if str(team.pk) in v.team_ids:
        v.team_ids = [t for t in v.team_ids if t != str(team.pk)]
        v.updated_at, v.updated_by = now(), actor.user_id
        commit(v, *([events.volunteer_updated(v)] if v.status == "registered" else []))
    return v


# ---- needs -------------------------------------------------------------------------------------

def create_need(*, actor: Principal, data: dict) -> Need:
    """Open a need by hand: a place, a time, skills and a number of people."""
    _community_scope(actor, data["community_id"], "needs.manage")
    if not _leads_in_community(actor, data["community_id"]):
        raise Forbidden("only community staff or a team leader of this community opens needs")
    if data.get("grid_id") and not GridCopy.objects(pk=data["grid_id"], community_id=data["community_id"]).first():
        raise Invalid("not a grid of this community", field="grid_id")
    team_ids = list(dict.fromkeys(data.get("team_ids", [])))
    if Team.objects(pk__in=[ObjectId(t) for t in team_ids], community_id=data["community_id"]).count() != len(team_ids):
        raise Invalid("not teams of this community", field="team_ids")
    need = Need(kind="manual", opened_by=actor.user_id, **{**data, "team_ids": team_ids})
    return commit(need, events.need_opened(need))


def list_needs(*, actor: Principal, community_id: str, status: str = "open", kind=None, page=1, page_size=50) -> dict:
    """A page of the community's needs, soonest first."""
    where = _place_filter(actor, community_id, "volunteers.read")
    if status != "all":
        where &= me.Q(status=status)
    if kind:
        where &= me.Q(kind=kind)
    query = Need.objects(where)
    total = query.count()
    items = list(query.order_by("starts_at", "id").skip((page - 1) * page_size).limit(page_size).exclude("outbox"))
    return {"items": items, "total": total, "page": page, "page_size": page_size}


def get_need(*, actor: Principal, need_id: str) -> Need:
    """One need with its assignments."""
    return _need(actor, need_id)


def matches(*, actor: Principal, need_id: str, limit: int = 50) -> list[dict]:
    """Registered volunteers of the need's community, best fit first (skill, same grid, free then, team)."""
    need = _need(actor, need_id)
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


def _require_need_leader(actor: Principal, need: Need) -> None:
    if actor.role in COMMUNITY_ROLES:
        return
    ok = _leads(actor, need.team_ids) if need.team_ids else _leads_in_community(actor, need.community_id)
    if not ok:
        raise Forbidden("only community staff or a leader of the need's teams may do this")


def confirm_assignments(*, actor: Principal, need_id: str, volunteer_ids: list[str]) -> Need:
    """A leader confirms volunteers for a need; when enough are confirmed the need is filled."""
    need = _need(actor, need_id, "needs.manage")
    _require_need_leader(actor, need)
    if need.status == "closed":
        raise Conflict("the need is closed")
    taken = {a.volunteer_id for a in need.active_assignments()}
    new = [v for v in dict.fromkeys(volunteer_ids) if v not in taken]
    if len(taken) + len(new) > need.people_wanted:
        raise Conflict(f"the need wants {need.people_wanted} people; {len(taken)} already confirmed",
                       field="volunteer_ids")
    found = {str(v.pk): v for v in VolunteerRecord.objects(pk__in=[ObjectId(i) for i in new],
                                                     community_id=need.community_id, status="registered")}
    missing = [i for i in new if i not in found]
    if missing:
        raise Invalid(f"not registered volunteers of community {need.community_id}: {', '.join(missing[:10])}",
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


def _cancel(need: Need, volunteer_id: str) -> Need:
    for a in need.assignments:
        if a.volunteer_id == volunteer_id and a.status == "confirmed":
            a.status = "cancelled"
    if need.status == "filled" and len(need.active_assignments()) < need.people_wanted:
        need.status, need.filled_at = "open", None
    return commit(need)


def _with_retries(need: Need, change, attempts: int = 5) -> Need:
    """Apply `change(need)` and commit, reloading when someone else changed the need meanwhile."""
    for _ in range(attempts - 1):
        try:
            return change(need)
        except ConcurrentChange:
            need.reload()
    return change(need)


def cancel_assignment(*, actor: Principal, need_id: str, volunteer_id: str) -> Need:
    """Take a volunteer off a need; a filled need opens again."""
    need = _need(actor, need_id, "needs.manage")
    _require_need_leader(actor, need)
    if not any(a.volunteer_id == volunteer_id and a.status == "confirmed" for a in need.assignments):
        raise NotFound("no confirmed assignment of this volunteer", field="volunteer_id")
    return _cancel(need, volunteer_id)


def complete_assignment(*, actor: Principal, need_id: str, volunteer_id: str, hours: float, served_on: date,
                        note: str | None = None) -> tuple[HoursEntry, bool]:
    """A leader records a task done: the hours go to the ledger (once per task, or per day for standing needs)."""
    need = _need(actor, need_id, "needs.manage")
    _require_need_leader(actor, need)
    assignment = next((a for a in need.assignments if a.volunteer_id == volunteer_id and a.status != "cancelled"),
                      None)
    if assignment is None:
        raise NotFound("the volunteer is not assigned to this need", field="volunteer_id")
    _not_future(served_on)
    v = VolunteerRecord.objects.get(pk=ObjectId(volunteer_id))
    key = f"task|{need.pk}|{volunteer_id}" + (f"|{served_on.isoformat()}" if need.recurrence else "")
    team = next((t for t in need.team_ids if t in v.team_ids), v.team_ids[0] if v.team_ids else None)
    entry, created = _record(v, source="task", source_ref=str(need.pk), source_key=key, served_on=served_on,
                             hours=hours, note=note or need.title, by=actor.user_id, team_id=team)
    if created:
        _with_retries(need, lambda n: _mark_done(n, volunteer_id))
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
    need = _need(actor, need_id, "needs.manage")
    _require_need_leader(actor, need)
    if need.status == "closed":
        raise Conflict("the need is already closed")
    return _close(need, reason)


def _close(need: Need, reason: str) -> Need:
    need.status, need.closed_at, need.closed_reason, need.open_key = "closed", now(), reason, None
    return commit(need)


# ---- hours ledger ------------------------------------------------------------------------------

def _not_future(day: date) -> None:
    if day > local_today():
        raise Invalid("must not be in the future", field="served_on")


def _record(v: VolunteerRecord, *, source: str, source_ref: str | None, source_key: str, served_on: date, hours: float,
            note: str | None, by: str, team_id: str | None = None) -> tuple[HoursEntry, bool]:
    """Append one line to the ledger, once per source_key; returns (line, created)."""
    hours = round(float(hours), 2)
    entry = HoursEntry(volunteer_id=str(v.pk), community_id=v.community_id, team_id=team_id, source=source,
                       source_ref=source_ref, source_key=source_key, served_on=served_on, hours=hours, delta=hours,
                       note=(note or "")[:500] or None, recorded_by=by)
    try:
        commit(entry, events.hours_recorded(entry))
    except me.NotUniqueError:
        return HoursEntry.objects.get(source_key=source_key), False
    return entry, True


def ledger(*, actor: Principal, volunteer_id: str) -> dict:
    """A volunteer's ledger lines, newest first, and the total."""
    v = _volunteer(actor, volunteer_id)
    entries = list(HoursEntry.objects(volunteer_id=str(v.pk)).exclude("outbox").order_by("-served_on", "-recorded_at"))
    return {"volunteer_id": str(v.pk), "total_hours": round(sum(e.delta for e in entries), 2), "entries": entries}


def correct_hours(*, actor: Principal, entry_id: str, hours: float, reason: str) -> HoursEntry:
    """Correct a ledger line by appending a new line that refers to it (the old one stays as it was)."""
    _require(actor, "hours.manage")
    entry = HoursEntry.objects(pk=_oid(entry_id, "ledger line")).first()
    v = VolunteerRecord.objects(pk=ObjectId(entry.volunteer_id)).first() if entry else None
    if entry is None or v is None or not actor.covers(community_id=v.community_id, grid_id=v.grid_id):
        raise NotFound(f"ledger line {entry_id} not found")
    _require_leads(actor, v.team_ids, "correct this volunteer's hours")
    later = HoursEntry.objects(corrects=str(entry.pk)).first()
    if later is not None:
        raise Conflict(f"this line was already corrected by {later.pk}; correct that one", field="entry_id")
    hours = round(float(hours), 2)
    if hours == entry.hours:
        raise Invalid("the line already says this", field="hours")
    fix = HoursEntry(volunteer_id=entry.volunteer_id, community_id=entry.community_id, team_id=entry.team_id,
                     source="correction", source_ref=entry.source_ref, corrects=str(entry.pk),
                     served_on=entry.served_on, hours=hours, delta=correction_delta(entry.hours, hours), note=reason,
                     recorded_by=actor.user_id)
    try:
        return commit(fix, events.hours_recorded(fix))
    except me.NotUniqueError:
        raise Conflict("someone corrected this line at the same moment; reload", field="entry_id") from None


# ---- self-reported service ---------------------------------------------------------------------

def report_service(*, token: str, data: dict) -> ServiceReport:
    """A volunteer reports service they did, through their personal link; a team leader decides."""
    v = _by_personal_token(token)
    if v.status != "registered":
        raise Conflict("only registered volunteers report service")
    _not_future(data["served_on"])
    if data["served_on"] < local_today() - timedelta(days=366):
        raise Invalid("report service within a year", field="served_on")
    team_id = data.get("team_id")
    if team_id and team_id not in v.team_ids:
        raise Invalid("you are not in this team", field="team_id")
    report = ServiceReport(volunteer_id=str(v.pk), volunteer_name=v.name, community_id=v.community_id, team_id=team_id,
                           served_on=data["served_on"], hours=round(data["hours"], 2), description=data["description"])
    report.save(force_insert=True)
    return report


def _report(actor: Principal, report_id: str) -> tuple[ServiceReport, VolunteerRecord]:
    _require(actor, "hours.manage")
    report = ServiceReport.objects(pk=_oid(report_id, "report")).first()
    v = VolunteerRecord.objects(pk=ObjectId(report.volunteer_id)).first() if report else None
    if report is None or v is None or not actor.covers(community_id=v.community_id, grid_id=v.grid_id):
        raise NotFound(f"report {report_id} not found")
    _require_leads(actor, [report.team_id] if report.team_id else v.team_ids, "decide on this report")
    return report, v


def list_reports(*, actor: Principal, community_id: str, status: str = "pending") -> list[ServiceReport]:
    """Self-reported service waiting for a decision (or decided), oldest first."""
    _community_scope(actor, community_id, "hours.manage")
    query = ServiceReport.objects(community_id=community_id, status=status)
    if actor.role == "team_leader":
        led = [str(t) for t in Team.objects(community_id=community_id, leader_ids=actor.user_id).scalar("id")]
        members = VolunteerRecord.objects(community_id=community_id, team_ids__in=led).scalar("id")
        query = query.filter(me.Q(team_id__in=led) | me.Q(team_id=None, volunteer_id__in=[str(m) for m in members]))
    return list(query.order_by("created_at").limit(500))


def approve_report(*, actor: Principal, report_id: str, note: str | None = None) -> ServiceReport:
    """Approve self-reported service: its hours go to the ledger."""
    report, v = _report(actor, report_id)
    decided = ServiceReport.objects(pk=report.pk, status="pending").modify(
        new=True, set__status="approved", set__decided_by=actor.user_id, set__decided_at=now(),
        set__decision_note=note)
    if decided is None:
        raise Conflict(f"the report was already {report.reload().status}")
    return record_approved(report=decided, volunteer=v)


def record_approved(*, report: ServiceReport, volunteer: VolunteerRecord | None = None) -> ServiceReport:
    """Put an approved report's hours in the ledger (safe to repeat: once per report)."""
    v = volunteer or VolunteerRecord.objects.get(pk=ObjectId(report.volunteer_id))
    entry, _ = _record(v, source="self_report", source_ref=str(report.pk), source_key=f"report|{report.pk}",
                       served_on=report.served_on, hours=report.hours, note=report.description,
                       by=report.decided_by or "", team_id=report.team_id)
    ServiceReport.objects(pk=report.pk).update_one(set__entry_id=str(entry.pk))
    report.entry_id = str(entry.pk)
    return report


def reject_report(*, actor: Principal, report_id: str, note: str) -> ServiceReport:
    """Reject self-reported service, saying why."""
    report, _ = _report(actor, report_id)
    decided = ServiceReport.objects(pk=report.pk, status="pending").modify(
        new=True, set__status="rejected", set__decided_by=actor.user_id, set__decided_at=now(),
        set__decision_note=note)
    if decided is None:
        raise Conflict(f"the report was already {report.reload().status}")
    return decided


def repair_approved_reports() -> int:
    """Finish approvals cut off between the decision and the ledger line."""
    done = 0
    for report in ServiceReport.objects(status="approved", entry_id=None):
        record_approved(report=report)
        done += 1
    return done


# ---- certificates ------------------------------------------------------------------------------

def _next_serial(year: int) -> str:
    row = me.get_db()["serials"].find_one_and_update({"_id": f"certificate-{year}"}, {"$inc": {"n": 1}},
                                                      upsert=True, return_document=ReturnDocument.AFTER)
    check = "".join(secrets.choice(SERIAL_CHECK) for _ in range(4))
    return serial_for(year, row["n"], check)


def issue_certificate(*, actor: Principal, volunteer_id: str, period_from: date, period_to: date) -> Certificate:
    """Issue a 志愿服务证明 for a volunteer's hours over a period, with a serial that anyone can verify."""
    v = _volunteer(actor, volunteer_id, "certificates.issue")
    _require_leads(actor, v.team_ids, "issue this volunteer's certificate")
    if period_to > local_today():
        raise Invalid("must not be in the future", field="period_to")
    lines = HoursEntry.objects(volunteer_id=str(v.pk), served_on__gte=period_from, served_on__lte=period_to)
    hours = round(lines.sum("delta") or 0.0, 2)
    if hours <= 0:
        raise Invalid("no recorded hours in this period", field="period_from")
    community = _community(v.community_id)
    for _ in range(3):
        cert = Certificate(serial=_next_serial(local_today().year), volunteer_id=str(v.pk), volunteer_name=v.name,
                           community_id=v.community_id, community_name=community.display_name,
                           period_from=period_from, period_to=period_to, hours=hours,
                           entries=lines.filter(source__ne="correction").count(), issued_by=actor.user_id,
                           issued_by_name=actor.name or None)
        try:
            return commit(cert, events.certificate_issued(cert))
        except me.NotUniqueError:
            continue
    raise Conflict("could not allocate a serial; try again")


def _certificate(actor: Principal, certificate_id: str, permission: str = "volunteers.read") -> Certificate:
    _require(actor, permission)
    cert = Certificate.objects(pk=_oid(certificate_id, "certificate")).first()
    if cert is None or not actor.covers(community_id=cert.community_id, grid_id=None):
        raise NotFound(f"certificate {certificate_id} not found")
    return cert


def list_certificates(*, actor: Principal, community_id=None, volunteer_id=None) -> list[Certificate]:
    """Certificates of a volunteer or a community, newest first."""
    if volunteer_id:
        v = _volunteer(actor, volunteer_id)
        query = Certificate.objects(volunteer_id=str(v.pk))
    else:
        _community_scope(actor, community_id, "volunteers.read")
        query = Certificate.objects(community_id=community_id)
    return list(query.exclude("outbox").order_by("-issued_at").limit(1000))


def get_certificate(*, actor: Principal, certificate_id: str) -> Certificate:
    """One certificate."""
    return _certificate(actor, certificate_id)


def revoke_certificate(*, actor: Principal, certificate_id: str, reason: str) -> Certificate:
    """Revoke a certificate (issued in error); verification then says so."""
    cert = _certificate(actor, certificate_id, "certificates.issue")
    if actor.role not in COMMUNITY_ROLES:
        raise Forbidden("only community staff revoke certificates")
    if cert.status == "revoked":
        raise Conflict("already revoked")
    cert.status, cert.revoked_at, cert.revoked_by, cert.revoked_reason = "revoked", now(), actor.user_id, reason
    return commit(cert)


def certificate_pdf(*, actor: Principal, certificate_id: str, base_url: str) -> tuple[Certificate, bytes]:
    """The certificate as PDF."""
    cert = _certificate(actor, certificate_id)
    return cert, render_certificate(cert, base_url)


def own_certificate_pdf(*, token: str, serial: str, base_url: str) -> tuple[Certificate, bytes]:
    """A volunteer downloads their own certificate through their personal link."""
    v = _by_personal_token(token)
    cert = Certificate.objects(serial=(serial or "").strip().upper(), volunteer_id=str(v.pk)).first()
    if cert is None:
        raise NotFound("no such certificate of yours")
    return cert, render_certificate(cert, base_url)


def verify_url(cert: Certificate, base_url: str) -> str:
    return public_url(base_url, VERIFY_PATH, serial=cert.serial)


def render_certificate(cert: Certificate, base_url: str) -> bytes:
    """志愿服务证明 as an A4 PDF with a QR code to the public verification page."""
    from shared import pdf
    from shared.qr import qr_png

    url = verify_url(cert, base_url)
    day = lambda d: f"{d.year}年{d.month}月{d.day}日"  # noqa: E731
    issued = aware(cert.issued_at).astimezone(LOCAL).date()
    flow = []
    if cert.status == "revoked":
        flow.append(pdf.paragraph(f"【本证明已于{day(aware(cert.revoked_at).astimezone(LOCAL).date())}作废】"))
    flow += [
        pdf.paragraph(f"兹证明 {cert.volunteer_name} 于 {day(cert.period_from)} 至 {day(cert.period_to)} 期间，"
                      f"在{cert.community_name}参加志愿服务，经志愿服务记录核实，累计服务时长 {cert.hours:g} 小时。"),
        pdf.Spacer(1, 4 * pdf.mm),
        pdf.paragraph("特此证明。"),
        pdf.Spacer(1, 8 * pdf.mm),
        pdf.table([["证明编号", cert.serial], ["志愿者", cert.volunteer_name],
                   ["服务期间", f"{day(cert.period_from)} 至 {day(cert.period_to)}"],
                   ["服务时长", f"{cert.hours:g} 小时（{cert.entries} 条记录）"],
                   ["出具单位", cert.community_name], ["出具日期", day(issued)]],
                  widths=[35 * pdf.mm, 130 * pdf.mm]),
        pdf.Spacer(1, 8 * pdf.mm),
        pdf.png(qr_png(url, scale=6), size_mm=32),
        pdf.paragraph(f"扫码或访问 {url} 核验本证明", pdf.SMALL),
    ]
    return pdf.render(title="志愿服务证明", flowables=flow)


def verify_certificate(*, serial: str) -> dict:
    """Public check of a serial: masked name, hours, period, issuer, valid or revoked."""
    cert = Certificate.objects(serial=(serial or "").strip().upper()).first()
    if cert is None:
        raise NotFound("no certificate has this serial: it is not genuine, or mistyped", field="serial")
    return {"serial": cert.serial, "status": cert.status, "name": mask_name(cert.volunteer_name),
            "hours": cert.hours, "period_from": cert.period_from, "period_to": cert.period_to,
            "community_name": cert.community_name, "issued_at": aware(cert.issued_at),
            "revoked_at": aware(cert.revoked_at)}


# ---- from events: the copy of the register -----------------------------------------------------

def _at(event) -> datetime:
    """When the event occurred, to the millisecond (what the database keeps), so a redelivery compares equal."""
    at = aware(event.occurred_at)
    return at.replace(microsecond=at.microsecond // 1000 * 1000)


def _data(event) -> dict:
    """An event's data loaded through its contract (dates and datetimes as Python values)."""
    return contract_for(event.type, event.version).load(event.data)


def _apply_household(household_id: str, aspect: str, at: datetime, fields: dict) -> bool:
    """Set one aspect (place, residents, status) of a household copy unless a newer event already did."""
    return set_unless_newer(me.get_db()["household_copies"], household_id, {**fields, "as_of": at},
                            stamp=f"{aspect}_as_of", at=at)


def recount_community(*, community_id: str) -> CommunityCopy:
    """Recount a community's residents and households from the copies (idempotent)."""
    started = now()  # stamped with the start: a copy written during the recount leaves the community stale
    rows = list(me.get_db()["household_copies"].aggregate([
        {"$match": {"community_id": community_id, "status": "active"}},
        {"$group": {"_id": None, "residents": {"$sum": "$residents"}, "households": {"$sum": 1}}}]))
    residents, households = (rows[0]["residents"], rows[0]["households"]) if rows else (0, 0)
    set_unless_newer(CommunityCopy._get_collection(), community_id, {"residents": residents, "households": households},
                     stamp="refreshed_at", at=started, ties_win=True)
    return CommunityCopy.objects.get(pk=community_id)


def _mark_changed(community_ids) -> None:
    """Note that these communities' copies changed; their counts are recounted once per burst, not per event."""
    at = now()
    for community_id in filter(None, community_ids):
        CommunityCopy._get_collection().update_one({"_id": community_id}, {"$max": {"changed_at": at}}, upsert=True)


def _is_stale(changed_at, refreshed_at) -> bool:
    return bool(changed_at) and (not refreshed_at or changed_at >= refreshed_at)


def recount_stale() -> int:
    """Recount the communities whose copies changed since their last recount; return how many."""
    stale = [row["_id"] for row in CommunityCopy._get_collection().find({}, {"changed_at": 1, "refreshed_at": 1})
             if _is_stale(row.get("changed_at"), row.get("refreshed_at"))]
    for community_id in stale:
        recount_community(community_id=community_id)
    return len(stale)


def on_register_event(event) -> None:
    """Keep grids, household copies and community resident counts from households events."""
    data, at = _data(event), _at(event)
    touched = {event.community_id}
    if event.type == "grid.created":
        GridCopy.objects(pk=data["grid_id"]).update_one(set__community_id=data["community_id"],
                                                        set__name=data["name"], upsert=True)
        CommunityCopy.objects(pk=data["community_id"]).update_one(set_on_insert__residents=0, upsert=True)
        touched = {data["community_id"]}
    elif event.type in ("household.registered", "household.updated"):
        hid = data["household_id"]
        _apply_household(hid, "place", at, {"community_id": event.community_id, "grid_id": event.grid_id})
        _apply_household(hid, "residents", at, {"residents": len(data["residents"])})
        if event.type == "household.registered":
            _apply_household(hid, "status", at, {"status": "active"})
    elif event.type == "household.moved":
        _apply_household(data["household_id"], "place", at,
                         {"community_id": data["to_community_id"], "grid_id": data["to_grid_id"]})
        touched |= {data["from_community_id"], data["to_community_id"]}
    elif event.type == "household.left":
        _apply_household(data["household_id"], "status", at, {"status": "left"})
    elif event.type == "grid.redrawn":
        grid = GridCopy.objects(pk=data["to_grid_id"]).first()
        community = grid.community_id if grid else event.community_id
        coll = me.get_db()["household_copies"]
        touched |= set(coll.distinct("community_id", {"_id": {"$in": data["household_ids"]}}))
        for hid in data["household_ids"]:
            _apply_household(hid, "place", at, {"community_id": community, "grid_id": data["to_grid_id"]})
        touched.add(community)
    _mark_changed(touched)


def recount_all() -> None:
    """Recount every community (a periodic safety net)."""
    known = set(CommunityCopy.objects.scalar("id")) | set(me.get_db()["household_copies"].distinct("community_id"))
    for community_id in known:
        recount_community(community_id=community_id)


# ---- from events: care needs -------------------------------------------------------------------

def _care_state(key: str, flagged: bool, at: datetime) -> bool:
    """Record a flag/clear unless a newer one was seen; True when this event is the newest (or a redelivery)."""
    coll = CareState._get_collection()
    try:
        result = coll.update_one({"_id": key, "as_of": {"$lt": at}}, {"$set": {"flagged": flagged, "as_of": at}},
                                 upsert=True)
        return bool(result.matched_count or result.upserted_id)
    except DuplicateKeyError:
        row = coll.find_one({"_id": key})
        return aware(row["as_of"]) == at and row["flagged"] == flagged


def _open_care_need(*, community_id: str, grid_id: str | None, household_id: str, resident_id: str, name: str,
                    tag: str, since: date | None, source_event_id: str) -> Need | None:
    skills, recurrence = CARE_NEEDS[tag]
    start = datetime.combine(max(since or local_today(), local_today()), time(9, 0), LOCAL)
    need = Need(community_id=community_id, grid_id=grid_id, kind="care",
                title=f"定期探访：{name}（{CARE_LABELS[tag]}）"[:120],
                description=f"{'每周' if recurrence == 'weekly' else '每月'}上门探访重点关爱对象，了解生活情况，及时反映困难。",
                starts_at=start.astimezone(timezone.utc), recurrence=recurrence, skills=list(skills), people_wanted=1,
                care=CareSubject(household_id=household_id, resident_id=resident_id, name=name, tag=tag),
                open_key=f"care|{resident_id}|{tag}", source_event_id=source_event_id, opened_by="households")
    try:
        return commit(need, events.need_opened(need))
    except me.NotUniqueError:
        return None  # already open for this resident and tag, or this event already opened it


def on_care_event(event) -> None:
    """A care flag opens a standing care need (one per resident and tag); a clear or the household leaving closes it."""
    data, at = _data(event), _at(event)
    if event.type in ("resident.care_flagged", "resident.care_cleared"):
        flagged = event.type == "resident.care_flagged"
        if not _care_state(f"{data['resident_id']}|{data['tag']}", flagged, at):
            return  # a newer flag or clear already decided
        if flagged:
            _open_care_need(community_id=event.community_id, grid_id=event.grid_id,
                            household_id=data["household_id"], resident_id=data["resident_id"], name=data["name"],
                            tag=data["tag"], since=data.get("since"), source_event_id=event.id)
        else:
            for need in Need.objects(open_key=f"care|{data['resident_id']}|{data['tag']}"):
                _close(need, "care flag cleared")
    elif event.type == "household.left":
        for need in Need.objects(kind="care", care__household_id=data["household_id"], status__ne="closed"):
            _close(need, "household left")
    elif event.type == "household.moved":
        _move_care_needs([data["household_id"]], data["to_community_id"], data["to_grid_id"], event.id)
    elif event.type == "grid.redrawn":
        grid = GridCopy.objects(pk=data["to_grid_id"]).first()
        _move_care_needs(data["household_ids"], grid.community_id if grid else event.community_id,
                         data["to_grid_id"], event.id)


def _move_care_needs(household_ids: list[str], community_id: str, grid_id: str, event_id: str) -> None:
    """Care needs follow their household: a new grid in the community, or a fresh need in the new community."""
    for need in Need.objects(kind="care", care__household_id__in=household_ids, status__ne="closed"):
        if need.community_id == community_id:
            if need.grid_id != grid_id:
                need.grid_id = grid_id
                commit(need)
            continue
        care = need.care
        _close(need, "household moved to another community")
        _open_care_need(community_id=community_id, grid_id=grid_id, household_id=care.household_id,
                        resident_id=care.resident_id, name=care.name, tag=care.tag, since=None,
                        source_event_id=f"{event_id}|{care.resident_id}|{care.tag}")


# ---- from events: drills -----------------------------------------------------------------------

def on_drill_planned(event) -> Need | None:
    """A planned drill asks the community's volunteers for helpers: one need per drill."""
    data = _data(event)
    if data["helpers_wanted"] < 1:
        return None
    grids = data["grid_ids"]
    need = Need(community_id=data["community_id"], grid_id=grids[0] if len(grids) == 1 else None, kind="drill",
                title=f"演练协助：{data['title']}"[:120],
                description=f"应急演练（{HAZARD_LABELS.get(data['hazard'], data['hazard'])}，{data['level']}级）"
                            "需要志愿者协助。",
                starts_at=data["starts_at"], ends_at=data["ends_at"], skills=list(data["skills"]),
                people_wanted=data["helpers_wanted"], drill_id=data["drill_id"],
                open_key=f"drill|{data['drill_id']}", source_event_id=event.id, opened_by="drills")
    try:
        return commit(need, events.need_opened(need))
    except me.NotUniqueError:
        return None


def on_drill_completed(event) -> int:
    """Credit drill hours to each volunteer who checked in, exactly once per drill and volunteer."""
    data = _data(event)
    served_on = aware(data["started_at"]).astimezone(LOCAL).date()
    credited = 0
    for checkin in data["volunteer_checkins"]:
        vid, hours = checkin["volunteer_id"], min(float(checkin["hours"]), 24.0)
        v = VolunteerRecord.objects(pk=ObjectId(vid), community_id=data["community_id"]).first() \
            if ObjectId.is_valid(vid) else None
        if v is None or hours <= 0:
            continue  # not a volunteer of this community: nothing to credit
        _, created = _record(v, source="drill", source_ref=data["drill_id"],
                             source_key=f"drill|{data['drill_id']}|{vid}", served_on=served_on, hours=hours,
                             note="应急演练", by="drills", team_id=v.team_ids[0] if v.team_ids else None)
        credited += created
    for need in Need.objects(open_key=f"drill|{data['drill_id']}"):
        _close(need, "drill completed")
    return credited
